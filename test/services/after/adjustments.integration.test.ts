/**
 * Reconciliation entries recorded by the commit (C6, issue 8): a run whose deal has periods after the end date
 * already paid under the old split books one commission_adjustments row per reconciliation entry, in the commit
 * transaction; a run with nothing paid books none; a refused commit books none; a rollback writes reversing rows
 * (history kept), so each rep's adjustments of each period net to zero again.
 */
import { asc, eq } from 'drizzle-orm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import * as s from '../../../db/schema/index.ts';
import { orgScope } from '../../../src/auth/principal.ts';
import { withOrg } from '../../../src/db/tenancy.ts';
import { commissionReconciliation } from '../../../src/services/after/reconciliation.ts';
import { rollbackRun } from '../../../src/services/after/rollback-run.ts';
import { reverseAdjustments } from '../../../src/services/commit/commit-commission.ts';
import type { RunsWorld } from '../../api/runs/run-fixture.ts';
import {
  approveAndCommit,
  createCommissionWorld,
  createDeal,
  ctxAs,
  monthly,
  type Roster,
  seedRoster,
  solvedAccountRun,
  split4555,
} from '../commission-splits/commission-fixture.ts';

let w: RunsWorld;
let r: Roster;

beforeAll(async () => {
  w = await createCommissionWorld();
  r = await seedRoster(w);
});
afterAll(async () => {
  await w?.close();
});

const adjustmentRows = (runId: string) =>
  w.h.db.db
    .select()
    .from(s.commissionAdjustments)
    .where(eq(s.commissionAdjustments.runId, runId))
    .orderBy(asc(s.commissionAdjustments.periodStart), asc(s.commissionAdjustments.amountCents));

/** Sum of amounts per key. */
function netBy<T>(rows: readonly T[], key: (r: T) => string, amount: (r: T) => number) {
  const m = new Map<string, number>();
  for (const x of rows) m.set(key(x), (m.get(key(x)) ?? 0) + amount(x));
  return Object.fromEntries(m);
}

async function paidRun() {
  // Paid January to July; the split moves to Ria on 15 June (end date 14 June).
  const { account, opp } = await createDeal(w, r.dana, split4555(r), monthly(2026, 1000_00, 7));
  const runId = await solvedAccountRun(w, {
    accountId: account.id,
    newOwnerRepId: r.ria.id,
    commissionType: 'direct_transfer',
    endDate: '2026-06-14',
    reassignmentDate: '2026-06-15',
  });
  return { account, opp, runId };
}

describe('commission adjustments recorded by the commit', () => {
  it('records one row per reconciliation entry, to the cent, netting to zero per period; a rollback reverses them', async () => {
    const { opp, runId } = await paidRun();
    const proposal = await commissionReconciliation({ ctx: ctxAs(w, 'finance'), input: { runId } });
    expect(proposal.entries).toHaveLength(4);
    expect(proposal.recorded).toBe(false);
    expect(proposal.statements[0]).toMatch(/^Not recorded yet/);
    expect(await adjustmentRows(runId)).toEqual([]);

    const committed = await approveAndCommit(w, runId);
    const rows = await adjustmentRows(runId);
    const rec = await commissionReconciliation({ ctx: ctxAs(w, 'finance'), input: { runId } });
    const asEntries = (list: typeof rec.entries) =>
      list
        .map((e) => ({
          opportunityId: e.opportunityId,
          periodId: e.periodId,
          repId: e.participantId,
          periodStart: e.periodStart,
          periodEnd: e.periodEnd,
          amountCents: e.amountCents,
          kind: e.kind,
        }))
        .sort((a, b) => a.periodStart.localeCompare(b.periodStart) || a.amountCents - b.amountCents);
    const recorded = rows.map((x) => ({
      opportunityId: x.opportunityId,
      periodId: x.revenueScheduleId,
      repId: x.repId,
      periodStart: x.periodStart,
      periodEnd: x.periodEnd,
      amountCents: x.amountCents,
      kind: x.note,
    }));
    expect(recorded).toEqual(asEntries(rec.entries));
    expect(rec.recorded).toBe(true);
    expect(rec.statements[0]).toMatch(/^Recorded: the commit booked these 4 entries/);
    expect(recorded).toEqual(asEntries(proposal.entries));
    // Worked by hand (see impact.integration.test.ts): June 25667 of Dana's 55000 stays hers, July all moves.
    expect(rows.map((x) => [x.periodStart, x.repId, x.amountCents, x.note])).toEqual([
      ['2026-06-01', r.dana.id, -(55000 - 25667), 'clawback'],
      ['2026-06-01', r.ria.id, 29333, 'credit'],
      ['2026-07-01', r.dana.id, -55000, 'clawback'],
      ['2026-07-01', r.ria.id, 55000, 'credit'],
    ]);
    expect(rows.every((x) => x.opportunityId === opp.id && x.orgId === w.orgId)).toBe(true);
    expect(new Set(rows.map((x) => x.createdAt.toISOString()))).toEqual(
      new Set([w.h.clock.now.toISOString()]),
    );
    expect(
      netBy(
        rows,
        (x) => x.periodStart,
        (x) => x.amountCents,
      ),
    ).toEqual({ '2026-06-01': 0, '2026-07-01': 0 });
    const [set] = await w.h.db.db.select().from(s.changeSets).where(eq(s.changeSets.runId, runId));
    expect((set!.body as { adjustments: unknown }).adjustments).toEqual({
      recorded: 4,
      skipped: [],
      problems: [],
    });
    expect(committed.changeSet.id).toBe(set!.id);

    // Rollback: the split is restored, so what the commit booked is reversed by new rows (history kept).
    const ctx = { ...ctxAs(w, 'manager'), appBaseUrl: 'https://app.example.test' };
    const rolled = await rollbackRun({ ctx, input: { runId, reason: 'Dana stays' } });
    expect(rolled.result.restored.splits).toBe(1);
    // The rollback transaction calls reverseAdjustments (the lead wires it into rollback-run.ts); calling it again
    // here is what that call does, and proves it reverses once only.
    await withOrg(w.h.db.db, orgScope(ctx.principal), (tx) =>
      reverseAdjustments(tx, { id: runId, orgId: w.orgId }, [opp.id], w.h.clock.now),
    );
    const after = await adjustmentRows(runId);
    expect(after).toHaveLength(8);
    const reversals = after.filter((x) => x.note?.startsWith('reversal of '));
    expect(reversals.map((x) => [x.periodStart, x.repId, x.amountCents, x.note]).sort()).toEqual(
      [
        ['2026-06-01', r.dana.id, 55000 - 25667, 'reversal of clawback'],
        ['2026-06-01', r.ria.id, -29333, 'reversal of credit'],
        ['2026-07-01', r.dana.id, 55000, 'reversal of clawback'],
        ['2026-07-01', r.ria.id, -55000, 'reversal of credit'],
      ].sort(),
    );
    expect(
      Object.values(
        netBy(
          after,
          (x) => `${x.periodStart}|${x.repId}`,
          (x) => x.amountCents,
        ),
      ),
    ).toEqual([0, 0, 0, 0]);
    const twice = await withOrg(w.h.db.db, orgScope(ctx.principal), (tx) =>
      reverseAdjustments(tx, { id: runId, orgId: w.orgId }, [opp.id], w.h.clock.now),
    );
    expect(twice.reversed).toBe(0);
    expect(await adjustmentRows(runId)).toHaveLength(8);
  });

  it('a run with nothing paid after the end date records no adjustment', async () => {
    const { account } = await createDeal(w, r.dana, split4555(r), monthly(2026, 1000_00, 5));
    const runId = await solvedAccountRun(w, {
      accountId: account.id,
      newOwnerRepId: r.ria.id,
      commissionType: 'direct_transfer',
      endDate: '2026-06-14',
      reassignmentDate: '2026-06-15',
    });
    await approveAndCommit(w, runId);
    const splits = await w.h.db.db
      .select()
      .from(s.commissionSplits)
      .where(eq(s.commissionSplits.runId, runId));
    expect(splits.length).toBeGreaterThan(0);
    expect(await adjustmentRows(runId)).toEqual([]);
    const rec = await commissionReconciliation({ ctx: ctxAs(w, 'finance'), input: { runId } });
    expect(rec.entries).toEqual([]);
    expect(rec.recorded).toBe(true);
  });

  it('a refused commit records nothing; the commit after it records the entries', async () => {
    const { account, runId } = await paidRun();
    const reviewed = await w.call('manager', 'GET', `/runs/${runId}`);
    const approved = await w.call('manager', 'POST', `/runs/${runId}/approve`, {
      expectedHash: reviewed.body.proposalHash,
      expectedVersion: reviewed.body.version,
    });
    expect(approved.status, JSON.stringify(approved.body)).toBe(200);
    // Someone else moves the account after approval: the commit refuses, and nothing of it stays.
    await w.h.db.db.update(s.accounts).set({ ownerRepId: r.sam.id }).where(eq(s.accounts.id, account.id));
    const refused = await w.call('manager', 'POST', `/runs/${runId}/commit`, {});
    expect(refused.status, JSON.stringify(refused.body)).toBe(409);
    expect(await adjustmentRows(runId)).toEqual([]);
    const splits = await w.h.db.db
      .select()
      .from(s.commissionSplits)
      .where(eq(s.commissionSplits.runId, runId));
    expect(splits).toEqual([]);

    const notYet = await commissionReconciliation({ ctx: ctxAs(w, 'finance'), input: { runId } });
    expect(notYet.recorded).toBe(false);
    await w.h.db.db.update(s.accounts).set({ ownerRepId: r.dana.id }).where(eq(s.accounts.id, account.id));
    const committed = await w.call('manager', 'POST', `/runs/${runId}/commit`, {});
    expect(committed.status, JSON.stringify(committed.body)).toBe(200);
    expect((await adjustmentRows(runId)).map((x) => [x.periodStart, x.amountCents])).toEqual([
      ['2026-06-01', -29333],
      ['2026-06-01', 29333],
      ['2026-07-01', -55000],
      ['2026-07-01', 55000],
    ]);
    expect((await commissionReconciliation({ ctx: ctxAs(w, 'finance'), input: { runId } })).recorded).toBe(
      true,
    );
    // A booked row that no longer matches its entry is reported, never passed as recorded.
    const [first] = await adjustmentRows(runId);
    await w.h.db.db
      .update(s.commissionAdjustments)
      .set({ amountCents: first!.amountCents + 1 })
      .where(eq(s.commissionAdjustments.id, first!.id));
    const tampered = await commissionReconciliation({ ctx: ctxAs(w, 'finance'), input: { runId } });
    expect(tampered.recorded).toBe(false);
    expect(tampered.statements[0]).toMatch(/^Not recorded as shown/);
  });
});
