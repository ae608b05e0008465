/**
 * One cascade rule (src/services/commission-splits/cascade-rule.ts) for the review, the impact preview and the commit:
 * the run's ruleset's protected stages (compared case-insensitively), the import's billing flag, closed
 * opportunities never, and the scope (open_opportunities leaves protected stages alone; complete includes them).
 * Each case checks that the review lists, the preview plans and the commit writes exactly the same opportunities.
 */
import { and, eq, isNull } from 'drizzle-orm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import * as s from '../../../db/schema/index.ts';
import { commissionImpact } from '../../../src/services/review/commission-impact.ts';
import {
  approveAndCommit,
  createCommissionWorld,
  ctxAs,
  monthly,
  type Roster,
  seedRoster,
} from '../../services/commission-splits/commission-fixture.ts';
import { createRuleset } from '../../support/factories.ts';
import { createAccount, createOpportunity, createRep, type RunsWorld, solveAndDrain } from './run-fixture.ts';

let w: RunsWorld;
let r: Roster;
/** A ruleset that also protects "negotiation" (lower case: the stage is stored as "Negotiation"). */
let negotiationRules: { id: string };

beforeAll(async () => {
  w = await createCommissionWorld();
  r = await seedRoster(w);
  negotiationRules = await createRuleset(w.h.db.db, w.orgId, {
    body: {
      schemaVersion: 1,
      name: 'Negotiation protected',
      protections: { protectedStages: ['Billing', 'Closed Won', 'Closed Lost', 'negotiation'] },
    },
  });
});
afterAll(async () => {
  await w?.close();
});

type Part = { repId: string; role: 'house' | 'rep' | 'subagent'; bps: number };
type OppValues = { stage: string; isBillingStage?: boolean; status?: 'open' | 'closed_won' | 'closed_lost' };

/** An opportunity of `accountId` owned by `owner`, split 45/55 House/owner, with a 2026 monthly schedule. */
async function deal(accountId: string, owner: { id: string }, values: OppValues) {
  const db = w.h.db.db;
  const opp = await createOpportunity(db, w.orgId, accountId, {
    ownerRepId: owner.id,
    amountCents: 12_000_00,
    createdDate: '2026-01-01',
    closeDate: '2027-06-30',
    ...values,
  });
  const split: Part[] = [
    { repId: r.house.id, role: 'house', bps: 4500 },
    { repId: owner.id, role: 'rep', bps: 5500 },
  ];
  await db
    .insert(s.commissionSplits)
    .values(split.map((p) => ({ orgId: w.orgId, opportunityId: opp.id, effectiveFrom: '2026-01-01', ...p })));
  await db.insert(s.revenueSchedules).values(
    monthly(2026, 1_000_00).map((p) => ({
      orgId: w.orgId,
      opportunityId: opp.id,
      periodStart: p.start,
      periodEnd: p.end,
      amountCents: p.amountCents,
    })),
  );
  return opp;
}

async function accountRun(
  accountId: string,
  scope: 'open_opportunities' | 'complete',
  rulesetId: string | null,
): Promise<string> {
  const res = await w.call('manager', 'POST', '/runs', {
    kind: 'account',
    scope,
    reason: 'Dana leaves mid-June',
    commissionEndDate: '2026-06-14',
    reassignmentDate: '2026-06-15',
    ...(rulesetId ? { rulesetId } : {}),
    params: { accountId, newOwnerRepId: r.ria.id, commissionType: 'direct_transfer' },
  });
  expect(res.status, JSON.stringify(res.body)).toBe(201);
  const solved = await solveAndDrain(w, res.body.id, 'manager');
  expect(solved.status, solved.failureReason).toBe('solved');
  return res.body.id as string;
}

/** The opportunity ids the review lists (run_opportunity_changes), sorted. */
async function reviewed(runId: string): Promise<string[]> {
  const rows = await w.h.db.db
    .select({ id: s.runOpportunityChanges.opportunityId })
    .from(s.runOpportunityChanges)
    .where(eq(s.runOpportunityChanges.runId, runId));
  return rows.map((x) => x.id).sort();
}

/** The opportunity ids the impact preview plans to change, and its skips by id. */
async function previewed(runId: string) {
  const impact = await commissionImpact({ ctx: ctxAs(w, 'manager'), input: { runId } });
  return {
    changed: impact.opportunities.map((o) => o.opportunityId).sort(),
    skipped: new Map(impact.skipped.map((k) => [k.opportunityId, k])),
  };
}

/** The opportunity ids whose split the run wrote (open rows carrying the run id), sorted. */
async function written(runId: string): Promise<string[]> {
  const rows = await w.h.db.db
    .select({ id: s.commissionSplits.opportunityId })
    .from(s.commissionSplits)
    .where(and(eq(s.commissionSplits.runId, runId), isNull(s.commissionSplits.effectiveTo)));
  return [...new Set(rows.map((x) => x.id))].sort();
}

/** The open split of an opportunity as role:rep:bps, sorted. */
async function openSplit(opportunityId: string): Promise<string> {
  const rows = await w.h.db.db
    .select()
    .from(s.commissionSplits)
    .where(and(eq(s.commissionSplits.opportunityId, opportunityId), isNull(s.commissionSplits.effectiveTo)));
  return rows
    .map((p) => `${p.role}:${p.repId}:${p.bps}`)
    .sort()
    .join(',');
}

const sorted = (...ids: string[]) => [...ids].sort();

describe('commission cascades: review, preview and commit apply one stage rule', () => {
  it('leaves a stage the run’s ruleset protects (any case) alone in review, preview and commit', async () => {
    const account = await createAccount(w.h.db.db, w.orgId, { ownerRepId: r.dana.id, region: 'West' });
    const negotiating = await deal(account.id, r.dana, { stage: 'Negotiation' });
    const proposing = await deal(account.id, r.dana, { stage: 'Proposal' });
    const untouched = await openSplit(negotiating.id);
    const runId = await accountRun(account.id, 'open_opportunities', negotiationRules.id);

    expect(await reviewed(runId)).toEqual([proposing.id]);
    const preview = await previewed(runId);
    expect(preview.changed).toEqual([proposing.id]);
    expect(preview.skipped.get(negotiating.id)).toMatchObject({ code: 'PROTECTED_STAGE' });

    await approveAndCommit(w, runId);
    expect(await written(runId)).toEqual([proposing.id]);
    expect(await openSplit(negotiating.id)).toBe(untouched);
    expect(await openSplit(proposing.id)).toBe(
      sorted(`house:${r.house.id}:4500`, `rep:${r.ria.id}:5500`).join(','),
    );
  });

  it('manual queue: the protected opportunity is not listed to decide, and the commit is not refused for it', async () => {
    const db = w.h.db.db;
    const dora = await createRep(db, w.orgId, { name: 'Dora Departing', region: 'West' });
    const account = await createAccount(db, w.orgId, { ownerRepId: dora.id, region: 'West' });
    const negotiating = await deal(account.id, dora, { stage: 'Negotiation' });
    const proposing = await deal(account.id, dora, { stage: 'Proposal' });
    const untouched = await openSplit(negotiating.id);
    const created = await w.call('manager', 'POST', '/runs', {
      kind: 'rep_departure',
      scope: 'open_opportunities',
      reason: 'Dora leaves; decide each deal',
      commissionEndDate: '2026-06-14',
      reassignmentDate: '2026-06-15',
      rulesetId: negotiationRules.id,
      params: { departingRepIds: [dora.id], commissionStrategy: 'manual' },
    });
    expect(created.status, JSON.stringify(created.body)).toBe(201);
    const runId = created.body.id as string;
    const solved = await solveAndDrain(w, runId, 'manager');
    expect(solved.status, solved.failureReason).toBe('solved');

    const list = await w.call('manager', 'GET', `/runs/${runId}/commission-decisions`);
    expect(list.status).toBe(200);
    expect(list.body).toMatchObject({ all: 1, undecided: 1 });
    expect(list.body.data.map((d: { opportunityId: string }) => d.opportunityId)).toEqual([proposing.id]);
    const decided = await w.call('manager', 'PUT', `/runs/${runId}/commission-decisions`, {
      decisions: [{ opportunityId: proposing.id, commissionType: 'house_absorbs' }],
    });
    expect(decided.status, JSON.stringify(decided.body)).toBe(200);
    expect(decided.body).toMatchObject({ decided: 1, undecided: 0 });

    const preview = await previewed(runId);
    expect(preview.changed).toEqual([proposing.id]);
    expect(preview.skipped.get(negotiating.id)).toMatchObject({ code: 'PROTECTED_STAGE' });

    await approveAndCommit(w, runId);
    expect(await written(runId)).toEqual([proposing.id]);
    expect(await openSplit(negotiating.id)).toBe(untouched);
    expect(await openSplit(proposing.id)).toBe(`house:${r.house.id}:10000`);
  });

  it('scope complete includes protected stages (Billing, a ruleset stage, a billing-flagged stage) but never a closed one', async () => {
    const account = await createAccount(w.h.db.db, w.orgId, { ownerRepId: r.dana.id, region: 'West' });
    const billing = await deal(account.id, r.dana, { stage: 'Billing', isBillingStage: true });
    const negotiating = await deal(account.id, r.dana, { stage: 'Negotiation' });
    const invoicing = await deal(account.id, r.dana, { stage: 'Invoicing', isBillingStage: true });
    const won = await deal(account.id, r.dana, { stage: 'Closed Won', status: 'closed_won' });
    const closedSplit = await openSplit(won.id);
    const runId = await accountRun(account.id, 'complete', negotiationRules.id);

    const expected = sorted(billing.id, negotiating.id, invoicing.id);
    expect(await reviewed(runId)).toEqual(expected);
    const preview = await previewed(runId);
    expect(preview.changed).toEqual(expected);
    expect(preview.skipped.get(won.id)).toMatchObject({ code: 'OPPORTUNITY_CLOSED' });

    await approveAndCommit(w, runId);
    expect(await written(runId)).toEqual(expected);
    for (const id of expected)
      expect(await openSplit(id)).toBe(sorted(`house:${r.house.id}:4500`, `rep:${r.ria.id}:5500`).join(','));
    expect(await openSplit(won.id)).toBe(closedSplit);
  });

  it('open opportunities: a billing-flagged stage the ruleset does not name stays, and Billing stays without a ruleset', async () => {
    const account = await createAccount(w.h.db.db, w.orgId, { ownerRepId: r.dana.id, region: 'West' });
    const invoicing = await deal(account.id, r.dana, { stage: 'Invoicing', isBillingStage: true });
    const billing = await deal(account.id, r.dana, { stage: 'billing' });
    const proposing = await deal(account.id, r.dana, { stage: 'Proposal' });
    const before = { invoicing: await openSplit(invoicing.id), billing: await openSplit(billing.id) };
    const runId = await accountRun(account.id, 'open_opportunities', null);

    expect(await reviewed(runId)).toEqual([proposing.id]);
    const preview = await previewed(runId);
    expect(preview.changed).toEqual([proposing.id]);
    expect(preview.skipped.get(invoicing.id)).toMatchObject({ code: 'PROTECTED_STAGE' });
    expect(preview.skipped.get(billing.id)).toMatchObject({ code: 'PROTECTED_STAGE' });

    await approveAndCommit(w, runId);
    expect(await written(runId)).toEqual([proposing.id]);
    expect(await openSplit(invoicing.id)).toBe(before.invoicing);
    expect(await openSplit(billing.id)).toBe(before.billing);
  });
});
