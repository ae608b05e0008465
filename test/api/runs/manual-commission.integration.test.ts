/**
 * The manual-queue commission strategy (seed 003 level 3: "choose Type A/B/C (Uniform, Segmented, or Manual
 * Queue)"): a person decides each opportunity's type on the run. Approval is refused while one is undecided (with
 * how many and where to decide); every decision changes the proposal hash and voids an approval; the commit writes
 * exactly each decided type (and receiving rep); decisions are refused for the wrong run, status, role or rep.
 */
import { and, eq, isNull } from 'drizzle-orm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import * as s from '../../../db/schema/index.ts';
import { commissionImpact } from '../../../src/services/review/commission-impact.ts';
import {
  createCommissionWorld,
  ctxAs,
  dealOnAccount,
  type Roster,
  type SplitPart,
  seedRoster,
  split4555,
  splitKey,
} from '../../services/commission-splits/commission-fixture.ts';
import { createAccount, createRep, type RunsWorld, solveAndDrain } from './run-fixture.ts';

let w: RunsWorld;
let r: Roster;
let closer: Awaited<ReturnType<typeof createRep>>;

beforeAll(async () => {
  w = await createCommissionWorld();
  r = await seedRoster(w);
  closer = await createRep(w.h.db.db, w.orgId, { name: 'Cleo Closer', region: 'East', mayReceive: false });
});
afterAll(async () => {
  await w?.close();
});

type Part = SplitPart;
const deal = (accountId: string, amountCents: number, split: Part[]) =>
  dealOnAccount(w, r.dana.id, accountId, amountCents, split);
const key = splitKey;

async function manualRun(reason: string) {
  const created = await w.call('manager', 'POST', '/runs', {
    kind: 'rep_departure',
    scope: 'open_opportunities',
    reason,
    commissionEndDate: '2026-06-14',
    reassignmentDate: '2026-06-15',
    params: { departingRepIds: [r.dana.id], commissionStrategy: 'manual' },
  });
  expect(created.status, JSON.stringify(created.body)).toBe(201);
  return created.body.id as string;
}

const approve = async (runId: string) => {
  const reviewed = await w.call('manager', 'GET', `/runs/${runId}`);
  return w.call('manager', 'POST', `/runs/${runId}/approve`, {
    expectedHash: reviewed.body.proposalHash,
    expectedVersion: reviewed.body.version,
  });
};

describe('manual-queue commission strategy', () => {
  it('refuses strategies and decisions that do not fit together when the run is created', async () => {
    const base = {
      kind: 'rep_departure',
      scope: 'open_opportunities',
      reason: 'Dana leaves',
      commissionEndDate: '2026-06-14',
      reassignmentDate: '2026-06-15',
    };
    const both = await w.call('manager', 'POST', '/runs', {
      ...base,
      params: {
        departingRepIds: [r.dana.id],
        commissionStrategy: 'manual',
        commissionSegments: [{ match: { stage: 'Proposal' }, commissionType: 'house_absorbs' }],
      },
    });
    expect(both.status).toBe(400);
    expect(JSON.stringify(both.body)).toMatch(/commissionSegments apply to the segmented strategy only/);
    const decisionsWithoutManual = await w.call('manager', 'POST', '/runs', {
      ...base,
      params: {
        departingRepIds: [r.dana.id],
        commissionDecisions: { [crypto.randomUUID()]: { commissionType: 'house_absorbs' } },
      },
    });
    expect(decisionsWithoutManual.status).toBe(400);
    expect(JSON.stringify(decisionsWithoutManual.body)).toMatch(
      /commissionDecisions apply to the manual strategy/,
    );
  });

  it('refuses approval while undecided, voids it on every decision, and commits each decided type', async () => {
    const db = w.h.db.db;
    const acme = await createAccount(db, w.orgId, {
      ownerRepId: r.dana.id,
      region: 'West',
      type: 'Enterprise',
    });
    const beta = await createAccount(db, w.orgId, { ownerRepId: r.dana.id, region: 'West', type: 'SMB' });
    const a = await deal(acme.id, 120_000_00, split4555(r));
    const b = await deal(acme.id, 30_000_00, split4555(r));
    const c = await deal(beta.id, 60_000_00, split4555(r));
    const runId = await manualRun('Dana leaves; decide each deal');
    const solved = await solveAndDrain(w, runId, 'manager');
    expect(solved.status, solved.failureReason).toBe('solved');
    const to = async (accountId: string) =>
      (
        await db
          .select()
          .from(s.runAssignments)
          .where(and(eq(s.runAssignments.runId, runId), eq(s.runAssignments.accountId, accountId)))
      )[0]!.toRepId!;

    // The panel's list: three open opportunities, all undecided, nothing proposed for their splits yet.
    const list = await w.call('analyst', 'GET', `/runs/${runId}/commission-decisions?show=undecided`);
    expect(list.status).toBe(200);
    expect(list.body).toMatchObject({ strategy: 'manual', all: 3, undecided: 3, total: 3 });
    expect(
      list.body.data.every(
        (d: { decision: unknown; after: unknown }) => d.decision === null && d.after === null,
      ),
    ).toBe(true);

    // Approval refused, naming how many and where.
    const refused = await approve(runId);
    expect(refused.status).toBe(409);
    expect(refused.body.message).toMatch(/3 opportunities have no commission decision yet/);
    expect(refused.body.message).toContain(`/runs/${runId}/commission-decisions`);

    // Refusals of decisions: another org's id / not in the run, a leaving receiver, type A with a receiver, roles.
    const bad = await w.call('manager', 'PUT', `/runs/${runId}/commission-decisions`, {
      decisions: [
        { opportunityId: crypto.randomUUID(), commissionType: 'house_absorbs' },
        { opportunityId: a.id, commissionType: 'direct_transfer', receiverRepId: r.dana.id },
        { opportunityId: b.id, commissionType: 'custom' },
      ],
    });
    expect(bad.status).toBe(400);
    const paths = (bad.body.details as { path: string }[]).map((d) => d.path).sort();
    expect(paths).toEqual([
      'decisions.0.opportunityId',
      'decisions.1.receiverRepId',
      'decisions.2.customBps',
    ]);
    expect(
      (await w.call('finance', 'PUT', `/runs/${runId}/commission-decisions`, { decisions: [] })).status,
    ).toBe(403);
    expect((await w.call('rep', 'GET', `/runs/${runId}/commission-decisions`)).status).toBe(403);

    // Deciding two of three: the hash changes each time, approval still refused for the last one.
    const hash0 = (await w.call('manager', 'GET', `/runs/${runId}`)).body.proposalHash as string;
    const first = await w.call('analyst', 'PUT', `/runs/${runId}/commission-decisions`, {
      decisions: [
        { opportunityId: a.id, commissionType: 'custom', customBps: 3500, receiverRepId: closer.id },
        { opportunityId: b.id, commissionType: 'house_absorbs' },
      ],
      note: 'Enterprise deals to the closer',
    });
    expect(first.status, JSON.stringify(first.body)).toBe(200);
    expect(first.body).toMatchObject({ decided: 2, undecided: 1 });
    const hash1 = first.body.run.proposalHash as string;
    expect(hash1).not.toBe(hash0);
    const again = await approve(runId);
    expect(again.status).toBe(409);
    expect(again.body.message).toMatch(/^1 opportunity has no commission decision yet/);

    const second = await w.call('manager', 'PUT', `/runs/${runId}/commission-decisions`, {
      decisions: [{ opportunityId: c.id, commissionType: 'direct_transfer' }],
    });
    expect(second.body).toMatchObject({ decided: 3, undecided: 0 });
    const hash2 = second.body.run.proposalHash as string;
    expect(hash2).not.toBe(hash1);
    const approved = await approve(runId);
    expect(approved.status, JSON.stringify(approved.body)).toBe(200);

    // A decision after approval voids it (and changes the hash); approving the new proposal works again.
    const changed = await w.call('manager', 'PUT', `/runs/${runId}/commission-decisions`, {
      decisions: [{ opportunityId: b.id, commissionType: 'custom', customBps: 2000 }],
    });
    expect(changed.status).toBe(200);
    expect(changed.body.run.status).toBe('in_review');
    expect(changed.body.run.proposalHash).not.toBe(hash2);
    const [voided] = await db.select().from(s.runs).where(eq(s.runs.id, runId));
    expect(voided!.approvedHash).toBeNull();
    const audit = await db
      .select()
      .from(s.auditEvents)
      .where(and(eq(s.auditEvents.runId, runId), eq(s.auditEvents.action, 'run.commission_decided')));
    expect(audit.length).toBe(3);
    expect(audit.some((e) => (e.after as { note?: string }).note === 'Enterprise deals to the closer')).toBe(
      true,
    );

    const owner = { a: await to(acme.id), c: await to(beta.id) };
    const expected = new Map<string, Part[]>([
      [
        a.id,
        [
          { repId: r.house.id, role: 'house', bps: 6500 },
          { repId: closer.id, role: 'rep', bps: 3500 },
        ],
      ],
      [
        b.id,
        [
          { repId: r.house.id, role: 'house', bps: 8000 },
          { repId: owner.a, role: 'rep', bps: 2000 },
        ],
      ],
      [
        c.id,
        [
          { repId: r.house.id, role: 'house', bps: 4500 },
          { repId: owner.c, role: 'rep', bps: 5500 },
        ],
      ],
    ]);
    const reviewed = await w.call('manager', 'GET', `/runs/${runId}/commission-decisions`);
    for (const row of reviewed.body.data as { opportunityId: string; after: Part[] }[])
      expect(key(row.after)).toBe(key(expected.get(row.opportunityId)!));
    const impact = await commissionImpact({ ctx: ctxAs(w, 'manager'), input: { runId } });
    expect(Object.fromEntries(impact.opportunities.map((o) => [o.opportunityId, o.type]))).toEqual({
      [a.id]: 'C',
      [b.id]: 'C',
      [c.id]: 'B',
    });
    for (const [id, parts] of expected)
      expect(key(impact.opportunities.find((o) => o.opportunityId === id)!.after)).toBe(key(parts));

    expect((await approve(runId)).status).toBe(200);
    const committed = await w.call('manager', 'POST', `/runs/${runId}/commit`, {});
    expect(committed.status, JSON.stringify(committed.body)).toBe(200);
    expect(committed.body.changeSet.counts.splits).toBe(3);
    const open = await db
      .select()
      .from(s.commissionSplits)
      .where(and(eq(s.commissionSplits.orgId, w.orgId), isNull(s.commissionSplits.effectiveTo)));
    for (const [id, parts] of expected) {
      const current = open.filter((row) => row.opportunityId === id);
      expect(key(current)).toBe(key(parts));
      expect(current.every((row) => row.effectiveFrom === '2026-06-15' && row.runId === runId)).toBe(true);
    }
    const after = await commissionImpact({ ctx: ctxAs(w, 'finance'), input: { runId } });
    expect(Object.fromEntries(after.opportunities.map((o) => [o.opportunityId, o.type]))).toEqual({
      [a.id]: 'C',
      [b.id]: 'C',
      [c.id]: 'B',
    });

    // Decisions are for drafts and runs under review only.
    const late = await w.call('manager', 'PUT', `/runs/${runId}/commission-decisions`, {
      decisions: [{ opportunityId: c.id, commissionType: 'house_absorbs' }],
    });
    expect(late.status).toBe(409);
    expect(late.body.message).toMatch(/only while it is a draft or under review/);
  });

  it('takes decisions on a draft ahead of the solve, and the solved proposal honours them', async () => {
    const db = w.h.db.db;
    const gamma = await createAccount(db, w.orgId, { ownerRepId: r.dana.id, region: 'West', type: 'SMB' });
    const early = await deal(gamma.id, 24_000_00, split4555(r));
    const runId = await manualRun('Decide before solving');
    const draft = await w.call('manager', 'PUT', `/runs/${runId}/commission-decisions`, {
      decisions: [{ opportunityId: early.id, commissionType: 'direct_transfer', receiverRepId: closer.id }],
    });
    expect(draft.status, JSON.stringify(draft.body)).toBe(200);
    expect(draft.body).toMatchObject({ run: { status: 'draft', version: 1 }, decided: 0, undecided: 0 });
    const listed = await w.call('manager', 'GET', `/runs/${runId}/commission-decisions`);
    expect(listed.body).toMatchObject({ all: 0, undecided: 0 });
    const solved = await solveAndDrain(w, runId, 'manager');
    expect(solved.status, solved.failureReason).toBe('solved');
    const [change] = await db
      .select()
      .from(s.runOpportunityChanges)
      .where(
        and(eq(s.runOpportunityChanges.runId, runId), eq(s.runOpportunityChanges.opportunityId, early.id)),
      );
    expect(change!.commissionType).toBe('direct_transfer');
    expect(key(change!.afterSplits as Part[])).toBe(
      key([
        { repId: r.house.id, role: 'house', bps: 4500 },
        { repId: closer.id, role: 'rep', bps: 5500 },
      ]),
    );
  });

  it('refuses decisions on a run whose strategy is not manual', async () => {
    const created = await w.call('manager', 'POST', '/runs', {
      kind: 'rep_departure',
      scope: 'open_opportunities',
      reason: 'Uniform run',
      commissionEndDate: '2026-06-14',
      reassignmentDate: '2026-06-15',
      params: { departingRepIds: [r.dana.id] },
    });
    const res = await w.call('manager', 'PUT', `/runs/${created.body.id}/commission-decisions`, {
      decisions: [{ opportunityId: crypto.randomUUID(), commissionType: 'house_absorbs' }],
    });
    expect(res.status).toBe(409);
    expect(res.body.message).toMatch(/commission strategy is uniform/);
  });
});
