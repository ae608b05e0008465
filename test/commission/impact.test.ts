import { describe, expect, it } from 'vitest';
import { impactCsvRows, previewImpact } from '../../src/commission/impact.ts';
import { planReassignment } from '../../src/commission/plan.ts';
import { reconciliationCsvRows, reconciliationEntries } from '../../src/commission/reconcile.ts';
import { refusalToAppError, unwrap } from '../../src/commission/refusals.ts';
import { diffPlan } from '../../src/commission/schedule-diff.ts';
import type { OpportunityInput, ReassignmentRequest } from '../../src/commission/types.ts';
import { house, openSplit, opportunity, period, rep, request, sub } from './factories.ts';

function plan(req: ReassignmentRequest, opps: OpportunityInput[]) {
  const result = planReassignment(req, opps);
  if (!result.ok) throw new Error(result.refusal.message);
  return result.value;
}
const monthly = (year: number, amountCents: number, paidThrough = 0) =>
  Array.from({ length: 12 }, (_, i) => {
    const m = String(i + 1).padStart(2, '0');
    const last = new Date(Date.UTC(year, i + 1, 0)).getUTCDate();
    return period(
      `${year}-${m}`,
      `${year}-${m}-01`,
      `${year}-${m}-${last}`,
      amountCents,
      i < paidThrough ? 'paid' : 'open',
    );
  });

describe('impact preview: $1,000 monthly for 2026, Rep1 leaves on 15 January, Rep2 inherits (type B)', () => {
  const opp = opportunity({
    opportunityId: 'opp-1',
    splitRows: openSplit('opp-1', [house(3500), rep('rep1', 5500), sub('sub1', 1000)]),
    schedule: monthly(2026, 100_000, 1),
  });
  const other = opportunity({
    opportunityId: 'opp-2',
    accountId: 'acc-2',
    splitRows: openSplit('opp-2', [house(10000)]),
  });
  const p = plan(request({ strategy: { kind: 'uniform', action: { type: 'B', newRepId: 'rep2' } } }), [
    opp,
    other,
  ]);
  const preview = previewImpact(p, [opp, other]);

  it('covers the 12 calendar months from the month of the first new day', () => {
    expect(preview.window).toEqual({ from: '2026-01-01', to: '2026-12-31', months: 12 });
  });

  it('gives per person the annual and monthly figures before and after, to the cent', () => {
    const rows = preview.people.map((x) => [
      x.participantId,
      x.category,
      x.annualBeforeCents,
      x.annualAfterCents,
      x.monthlyBeforeCents,
      x.monthlyAfterCents,
    ]);
    // January after: 15 days old split (48387: house 16935, rep1 26613, sub1 4839),
    // 16 days new split (51613: house 18065, rep2 28387, sub1 5161).
    expect(rows).toEqual([
      ['house', 'house', 420_000, 420_000, 35_000, 35_000],
      ['rep1', 'departing-rep', 660_000, 26_613, 55_000, 2_218],
      ['rep2', 'new-rep', 0, 28_387 + 11 * 55_000, 0, 52_782],
      ['sub1', 'subagent', 120_000, 120_000, 10_000, 10_000],
    ]);
    const jan = preview.people.find((x) => x.participantId === 'rep2')!.months[0]!;
    expect(jan).toEqual({ month: '2026-01', beforeCents: 0, afterCents: 28_387 });
    expect(preview.totals.beforeCents).toBe(1_200_000);
    expect(preview.totals.afterCents).toBe(1_200_000);
  });

  it('counts accounts, opportunities, skips and affected schedules, and finds the next payment date', () => {
    expect(preview.counts).toEqual({
      accounts: 1,
      opportunities: 1,
      skipped: 0,
      affectedSchedules: 1,
      affectedPeriods: 12,
    });
    // January is already paid (reconciliation handles it); February is the next payment.
    expect(preview.nextPaymentDate).toBe('2026-02-28');
    expect(preview.problems).toEqual([]);
  });

  it('exports CSV-ready rows with a header', () => {
    const csv = impactCsvRows(preview);
    expect(csv[0]!.slice(0, 8)).toEqual([
      'participant_id',
      'role',
      'category',
      'monthly_before_cents',
      'monthly_after_cents',
      'annual_before_cents',
      'annual_after_cents',
      'annual_delta_cents',
    ]);
    expect(csv[0]).toHaveLength(8 + 24);
    expect(csv[2]!.slice(0, 8)).toEqual([
      'rep1',
      'rep',
      'departing-rep',
      55_000,
      2_218,
      660_000,
      26_613,
      -633_387,
    ]);
  });

  it('reconciles the paid January: clawback from Rep1, credit to Rep2, summing to zero', () => {
    const rec = reconciliationEntries(p, [opp, other]);
    expect(rec.problems).toEqual([]);
    expect(rec.entries.map((e) => [e.periodId, e.participantId, e.kind, e.amountCents])).toEqual([
      ['2026-01', 'rep1', 'clawback', -28_387],
      ['2026-01', 'rep2', 'credit', 28_387],
    ]);
    expect(reconciliationCsvRows(rec)).toHaveLength(3);
  });
});

describe('reconciliation: $12,000 annual prepayment paid, ended 2026-06-30, House absorbs', () => {
  it('claws back the 184 days from Rep1 and credits House', () => {
    const opp = opportunity({
      opportunityId: 'annual',
      schedule: [period('y', '2026-01-01', '2026-12-31', 1_200_000, 'paid')],
    });
    const p = plan(request({ endDate: '2026-06-30', reassignmentDate: '2026-06-30' }), [opp]);
    const rec = reconciliationEntries(p, [opp]);
    // Paid: rep1 660000. Now: 1200000 × 181 × 5500 / 3650000 = 327287.67 → 327288; the rest is House's.
    expect(rec.entries.map((e) => [e.participantId, e.kind, e.amountCents])).toEqual([
      ['house', 'credit', 332_712],
      ['rep1', 'clawback', -332_712],
    ]);
  });

  it('reports a period it cannot allocate instead of dropping it', () => {
    const opp = opportunity({
      opportunityId: 'early',
      splitRows: openSplit('early', [house(4500), rep('rep1', 5500)], '2026-01-10'),
      createdOn: '2026-01-01',
      schedule: [period('jan', '2026-01-01', '2026-01-31', 1000, 'paid')],
    });
    const p = plan(request({ endDate: '2026-01-15', reassignmentDate: '2026-01-15' }), [opp]);
    const rec = reconciliationEntries(p, [opp]);
    expect(rec.entries).toEqual([]);
    expect(rec.problems[0]).toMatchObject({
      code: 'SPLIT_MISSING',
      path: 'opportunities.early.schedule.jan',
    });
    expect(previewImpact(p, [opp]).problems).toHaveLength(1);
  });

  it('gives no entries for open periods or periods ending by the end date', () => {
    const opp = opportunity({
      opportunityId: 'o',
      schedule: [
        period('dec', '2025-12-01', '2025-12-31', 1000, 'paid'),
        period('feb', '2026-02-01', '2026-02-28', 1000),
      ],
    });
    const p = plan(request({ endDate: '2026-01-15', reassignmentDate: '2026-01-15' }), [opp]);
    expect(reconciliationEntries(p, [opp]).entries).toEqual([]);
  });
});

describe('shared diffs and the error contract', () => {
  it('gives the same preview and reconciliation with precomputed diffs', () => {
    const opp = opportunity({ opportunityId: 'o', schedule: monthly(2026, 100_000, 2) });
    const p = plan(request(), [opp]);
    const diffs = diffPlan(p, [opp]);
    expect(previewImpact(p, [opp], { diffs })).toEqual(previewImpact(p, [opp]));
    expect(reconciliationEntries(p, [opp], { diffs })).toEqual(reconciliationEntries(p, [opp]));
  });
  it('turns a refusal into a 422 AppError with the code and path', () => {
    const result = planReassignment(request({ reason: '' }), []);
    expect(() => unwrap(result)).toThrow('A reason is required');
    if (result.ok) throw new Error('expected a refusal');
    const error = refusalToAppError(result.refusal);
    expect([error.status, error.code, error.details]).toEqual([
      422,
      'UNPROCESSABLE',
      { reason: 'REASON_REQUIRED', path: 'reason' },
    ]);
  });
});
