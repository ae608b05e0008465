/**
 * Commission impact preview and reconciliation services (C1–C6) on a real database: a deal with a House 45 /
 * Dana 55 split and a $1,000-a-month schedule moved by an account-level run created and solved through the API.
 * Expected cents are worked out by hand in the comments (day pro-rating, then largest remainders).
 */
import { and, asc, eq } from 'drizzle-orm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import * as s from '../../../db/schema/index.ts';
import { AppError } from '../../../src/lib/errors.ts';
import { commissionReconciliation } from '../../../src/services/after/reconciliation.ts';
import { commissionImpact } from '../../../src/services/review/commission-impact.ts';
import type { RunsWorld } from '../../api/runs/run-fixture.ts';
import { createOrg, createRun } from '../../support/factories.ts';
import {
  annualByName,
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

async function refusal(p: Promise<unknown>): Promise<AppError> {
  const e = await p.then(
    () => null,
    (err: unknown) => err,
  );
  expect(e).toBeInstanceOf(AppError);
  return e as AppError;
}

describe('commission impact and reconciliation (services)', () => {
  it('type B ended on 14 June: day pro-rating to the cent, the annual window, next payment, paid periods reconciled; the same after commit', async () => {
    // Paid January to July; a Billing-stage deal on the same account is protected from the cascade.
    const { account, opp } = await createDeal(w, r.dana, split4555(r), monthly(2026, 1000_00, 7));
    const billing = await w.h.db.db
      .insert(s.opportunities)
      .values({
        orgId: w.orgId,
        accountId: account.id,
        crmId: `O-billing-${account.id.slice(0, 8)}`,
        name: 'Billing deal',
        stage: 'Billing',
        amountCents: 5000_00,
        createdDate: '2026-01-01',
        ownerRepId: r.dana.id,
      })
      .returning();
    await w.h.db.db.insert(s.commissionSplits).values(
      split4555(r).map((p) => ({
        ...p,
        orgId: w.orgId,
        opportunityId: billing[0]!.id,
        effectiveFrom: '2026-01-01',
      })),
    );
    const runId = await solvedAccountRun(w, {
      accountId: account.id,
      newOwnerRepId: r.ria.id,
      commissionType: 'direct_transfer',
      endDate: '2026-06-14',
      reassignmentDate: '2026-06-15',
    });

    const impact = await commissionImpact({ ctx: ctxAs(w, 'finance'), input: { runId } });
    expect(impact).toMatchObject({
      basis: 'proposal',
      commissionType: 'B',
      houseGap: null,
      window: { from: '2026-06-01', to: '2027-05-31', months: 12 },
      counts: { accounts: 1, opportunities: 1, skipped: 1, affectedSchedules: 1, affectedPeriods: 7 },
      nextPaymentDate: '2026-08-31',
    });
    expect(impact.skipped).toEqual([
      expect.objectContaining({ opportunityId: billing[0]!.id, code: 'PROTECTED_STAGE' }),
    ]);
    // June: 14/30 of 100000 = 46666.67 and 16/30 = 53333.33 → 46667 (larger remainder) + 53333.
    // Old slice 46667: House 21000.15 → 21000, Dana 25666.85 → 25667. New slice 53333: House 23999.85 → 24000, Ria 29333.15 → 29333.
    const june = (name: string) =>
      impact.people.find((p) => p.name === name)!.months.find((m) => m.month === '2026-06')!;
    expect(june('Dana Departing')).toEqual({ month: '2026-06', beforeCents: 55000, afterCents: 25667 });
    expect(june('Ria Receiver')).toEqual({ month: '2026-06', beforeCents: 0, afterCents: 29333 });
    expect(june('House')).toEqual({ month: '2026-06', beforeCents: 45000, afterCents: 45000 });
    // The window holds June to December 2026 (seven periods paid on their last day).
    expect(annualByName(impact)).toEqual({
      House: [315000, 315000],
      'Dana Departing': [385000, 25667],
      'Ria Receiver': [0, 29333 + 6 * 55000],
    });
    const dana = impact.people.find((p) => p.name === 'Dana Departing')!;
    expect(dana).toMatchObject({
      category: 'departing-rep',
      monthlyBeforeCents: 32083,
      monthlyAfterCents: 2139,
    });
    expect(impact.people.find((p) => p.name === 'Ria Receiver')!.category).toBe('new-rep');
    expect(impact.totals).toEqual({ beforeCents: 700000, afterCents: 700000 });
    expect(impact.opportunities).toEqual([
      expect.objectContaining({
        opportunityId: opp.id,
        type: 'B',
        fromRepId: r.dana.id,
        toRepId: r.ria.id,
        after: expect.arrayContaining([
          { participantId: r.house.id, role: 'house', bps: 4500 },
          { participantId: r.ria.id, role: 'rep', bps: 5500 },
        ]),
      }),
    ]);

    // June and July were paid under the old split: Dana gives back, Ria receives.
    const rec = await commissionReconciliation({ ctx: ctxAs(w, 'finance'), input: { runId } });
    const entries = rec.entries.map((e) => [e.periodStart, e.participantName, e.kind, e.amountCents]);
    expect(entries).toEqual(
      expect.arrayContaining([
        ['2026-06-01', 'Dana Departing', 'clawback', -(55000 - 25667)],
        ['2026-06-01', 'Ria Receiver', 'credit', 29333],
        ['2026-07-01', 'Dana Departing', 'clawback', -55000],
        ['2026-07-01', 'Ria Receiver', 'credit', 55000],
      ]),
    );
    expect(rec.entries).toHaveLength(4);
    expect(rec.netCents).toBe(0);
    expect(rec.counts).toEqual({ entries: 4, periods: 2, opportunities: 1 });
    expect(rec.byParticipant).toEqual(
      expect.arrayContaining([
        expect.objectContaining({
          name: 'Dana Departing',
          clawbackCents: -84333,
          creditCents: 0,
          netCents: -84333,
        }),
        expect.objectContaining({
          name: 'Ria Receiver',
          clawbackCents: 0,
          creditCents: 84333,
          netCents: 84333,
        }),
      ]),
    );

    // After commit: read back from what the commit wrote, against the history before it — the same figures.
    await approveAndCommit(w, runId);
    const rows = await w.h.db.db
      .select()
      .from(s.commissionSplits)
      .where(and(eq(s.commissionSplits.opportunityId, opp.id), eq(s.commissionSplits.runId, runId)))
      .orderBy(asc(s.commissionSplits.bps));
    expect(rows.map((x) => [x.repId, x.bps, x.effectiveFrom])).toEqual([
      [r.house.id, 4500, '2026-06-15'],
      [r.ria.id, 5500, '2026-06-15'],
    ]);
    const after = await commissionImpact({ ctx: ctxAs(w, 'manager'), input: { runId } });
    expect(after.basis).toBe('committed');
    expect(after.runStatus).toBe('committed');
    expect(after.people).toEqual(impact.people);
    expect(after.counts).toEqual(impact.counts);
    expect(after.skipped).toEqual(impact.skipped);
    expect(after.nextPaymentDate).toBe(impact.nextPaymentDate);
    const recAfter = await commissionReconciliation({ ctx: ctxAs(w, 'admin'), input: { runId } });
    expect(recAfter.entries).toEqual(rec.entries.map((e) => ({ ...e })));
  });

  it('days between the end date and the reassignment date go to House, stated with their count', async () => {
    const { account } = await createDeal(w, r.dana, split4555(r), monthly(2026, 1000_00));
    const runId = await solvedAccountRun(w, {
      accountId: account.id,
      newOwnerRepId: r.ria.id,
      commissionType: 'direct_transfer',
      endDate: '2026-06-15',
      reassignmentDate: '2026-06-20',
    });
    const impact = await commissionImpact({ ctx: ctxAs(w, 'analyst'), input: { runId, months: 1 } });
    expect(impact.houseGap).toEqual({ from: '2026-06-16', to: '2026-06-19', days: 4 });
    expect(impact.statements.join(' ')).toContain('From 2026-06-16 to 2026-06-19 (4 days');
    // June by days 15/4/11 of 30: 50000, 13333.33, 36666.67 → 50000, 13333, 36667.
    // Old: House 22500, Dana 27500. Gap: House 13333. New: House 16500.15 → 16500, Ria 20166.85 → 20167.
    expect(annualByName(impact)).toEqual({
      House: [45000, 22500 + 13333 + 16500],
      'Dana Departing': [55000, 27500],
      'Ria Receiver': [0, 20167],
    });
    expect(impact.opportunities[0]!.gap).toEqual([{ participantId: r.house.id, role: 'house', bps: 10000 }]);
  });

  it('a run without a commission type follows the documented default, direct transfer, in review, preview and commit', async () => {
    const { account } = await createDeal(w, r.dana, split4555(r), monthly(2026, 1000_00));
    const runId = await solvedAccountRun(w, {
      accountId: account.id,
      newOwnerRepId: r.sam.id,
      endDate: '2026-06-15',
      reassignmentDate: '2026-06-16',
    });
    const impact = await commissionImpact({ ctx: ctxAs(w, 'finance'), input: { runId } });
    expect(impact.commissionType).toBe('B');
    expect(impact.counts.opportunities).toBe(1);
    const sam = impact.people.find((p) => p.participantId === r.sam.id);
    expect(sam?.annualAfterCents).toBeGreaterThan(0);
  });

  it('refuses reps, runs of another org, and runs without dates, each with a message a person can act on', async () => {
    const { account } = await createDeal(w, r.dana, split4555(r), monthly(2026, 1000_00));
    const runId = await solvedAccountRun(w, {
      accountId: account.id,
      newOwnerRepId: r.ria.id,
      commissionType: 'house_absorbs',
      endDate: '2026-06-15',
      reassignmentDate: '2026-06-16',
    });
    const asRep = await refusal(commissionImpact({ ctx: ctxAs(w, 'rep'), input: { runId } }));
    expect(asRep.code).toBe('FORBIDDEN');
    const recAsRep = await refusal(commissionReconciliation({ ctx: ctxAs(w, 'rep'), input: { runId } }));
    expect(recAsRep.code).toBe('FORBIDDEN');

    const other = await createOrg(w.h.db.db);
    const foreign = await createRun(w.h.db.db, other.id, {
      commissionEndDate: '2026-06-15',
      reassignmentDate: '2026-06-16',
    });
    const notMine = await refusal(
      commissionImpact({ ctx: ctxAs(w, 'finance'), input: { runId: foreign.id } }),
    );
    expect(notMine.code).toBe('NOT_FOUND');

    const undated = await createRun(w.h.db.db, w.orgId, { status: 'in_review' });
    const noDates = await refusal(
      commissionImpact({ ctx: ctxAs(w, 'finance'), input: { runId: undated.id } }),
    );
    expect(noDates.code).toBe('UNPROCESSABLE');
    expect(noDates.message).toMatch(/commission end date or reassignment date/);
    expect(noDates.details).toEqual([
      { path: 'commissionEndDate', message: expect.any(String) },
      { path: 'reassignmentDate', message: expect.any(String) },
    ]);

    const rolledBack = await createRun(w.h.db.db, w.orgId, {
      status: 'rolled_back',
      commissionEndDate: '2026-06-15',
      reassignmentDate: '2026-06-16',
    });
    const undone = await refusal(
      commissionReconciliation({ ctx: ctxAs(w, 'finance'), input: { runId: rolledBack.id } }),
    );
    expect(undone.code).toBe('CONFLICT');
  });
});
