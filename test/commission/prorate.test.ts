import { describe, expect, it } from 'vitest';
import { applyEdits } from '../../src/commission/history.ts';
import { planEdits, planReassignment } from '../../src/commission/plan.ts';
import { allocatePeriod } from '../../src/commission/prorate.ts';
import type { OpportunityInput, ReassignmentRequest, SplitRow } from '../../src/commission/types.ts';
import { house, openSplit, opportunity, period, rep, request } from './factories.ts';

function rowsAfter(opp: OpportunityInput, overrides: Partial<ReassignmentRequest>): SplitRow[] {
  const plan = planReassignment(
    request({ target: { level: 'opportunity', opportunityId: opp.opportunityId }, ...overrides }),
    [opp],
  );
  if (!plan.ok) throw new Error(plan.refusal.message);
  const rows = applyEdits(opp.splitRows, planEdits(plan.value));
  if (!rows.ok) throw new Error(rows.refusal.message);
  return rows.value;
}
function allocate(p: ReturnType<typeof period>, rows: SplitRow[]) {
  const result = allocatePeriod(p, rows);
  if (!result.ok) throw new Error(result.refusal.message);
  return result.value;
}
const cents = (a: ReturnType<typeof allocate>) =>
  Object.fromEntries(a.byParticipant.map((s) => [s.participantId, s.cents]));

describe('worked facts: $1,000 monthly ended mid-month', () => {
  const opp = opportunity({ opportunityId: 'opp-1' });

  it('31-day month, ended 15 January, type B: old split for 1–15, new for 16–31', () => {
    const rows = rowsAfter(opp, {
      endDate: '2026-01-15',
      reassignmentDate: '2026-01-15',
      strategy: { kind: 'uniform', action: { type: 'B', newRepId: 'rep2' } },
    });
    const a = allocate(period('jan', '2026-01-01', '2026-01-31', 100_000), rows);
    expect(a.slices.map((s) => [s.from, s.to, s.days, s.amountCents])).toEqual([
      ['2026-01-01', '2026-01-15', 15, 48_387], // 100000 × 15/31 = 48387.10
      ['2026-01-16', '2026-01-31', 16, 51_613], // 100000 × 16/31 = 51612.90, takes the leftover cent
    ]);
    expect(a.slices[0]!.shares.map((s) => [s.participantId, s.cents])).toEqual([
      ['house', 21_774], // 48387 × 45% = 21774.15
      ['rep1', 26_613], // 48387 × 55% = 26612.85, takes the leftover cent
      ['sub1', 0],
    ]);
    expect(a.slices[1]!.shares.map((s) => [s.participantId, s.cents])).toEqual([
      ['house', 23_226], // 51613 × 45% = 23225.85, takes the leftover cent
      ['rep2', 28_387], // 51613 × 55% = 28387.15
      ['sub1', 0],
    ]);
    expect(cents(a)).toEqual({ house: 45_000, rep1: 26_613, rep2: 28_387, sub1: 0 });
  });

  it('30-day month, ended 15 June, type C with Rep2 at 35%: 15 days each', () => {
    const rows = rowsAfter(opp, {
      endDate: '2026-06-15',
      reassignmentDate: '2026-06-15',
      strategy: { kind: 'uniform', action: { type: 'C', newRepId: 'rep2', newRepBps: 3500 } },
    });
    const a = allocate(period('jun', '2026-06-01', '2026-06-30', 100_000), rows);
    expect(a.slices.map((s) => s.amountCents)).toEqual([50_000, 50_000]);
    expect(cents(a)).toEqual({ house: 22_500 + 32_500, rep1: 27_500, rep2: 17_500, sub1: 0 });
  });

  it('the end date itself is paid under the old split', () => {
    const rows = rowsAfter(opp, { endDate: '2026-01-15', reassignmentDate: '2026-01-15' });
    const day = allocate(period('d', '2026-01-15', '2026-01-15', 1000), rows);
    expect(cents(day)).toEqual({ house: 450, rep1: 550, sub1: 0 });
    const next = allocate(period('d2', '2026-01-16', '2026-01-16', 1000), rows);
    expect(cents(next)).toEqual({ house: 1000, sub1: 0 });
  });
});

describe('worked fact: $12,000 annual prepayment ended six months in', () => {
  it('2026-01-01..2026-12-31 ended 2026-06-30 splits 181 days old / 184 days new', () => {
    const opp = opportunity({ opportunityId: 'opp-annual' });
    const rows = rowsAfter(opp, { endDate: '2026-06-30', reassignmentDate: '2026-06-30' });
    const a = allocate(period('y2026', '2026-01-01', '2026-12-31', 1_200_000), rows);
    // Sub1 (0 bps) is the only participant the change leaves alone: it keeps its 0. House and Rep1
    // share the whole amount by days × bps: Rep1 1200000 × 181 × 5500 / 3650000 = 327287.67 → 327288
    // (largest remainder), House the rest, 872712. Slices are the sums of their shares: House's
    // 872712 by 181 × 4500 : 184 × 10000 = 267780.62 : 604931.38 → 267781 + 604931.
    expect(a.slices.map((s) => [s.days, s.amountCents])).toEqual([
      [181, 267_781 + 327_288], // 595069; by days alone 595068.49
      [184, 604_931], // by days alone 604931.51
    ]);
    expect(cents(a)).toEqual({ house: 267_781 + 604_931, rep1: 327_288, sub1: 0 });
  });
});

describe('days between the end date and the reassignment date go to House', () => {
  it('ended 10 January, reassigned 20 January (type B): 10 old, 9 House, 12 new', () => {
    const opp = opportunity({ opportunityId: 'opp-gap' });
    const rows = rowsAfter(opp, {
      endDate: '2026-01-10',
      reassignmentDate: '2026-01-20',
      strategy: { kind: 'uniform', action: { type: 'B', newRepId: 'rep2' } },
    });
    const a = allocate(period('jan', '2026-01-01', '2026-01-31', 100_000), rows);
    expect(a.slices.map((s) => [s.from, s.to, s.amountCents])).toEqual([
      ['2026-01-01', '2026-01-10', 32_258],
      ['2026-01-11', '2026-01-19', 29_032],
      ['2026-01-20', '2026-01-31', 38_710],
    ]);
    // New slice: 38710 × 45% = 17419.5 and × 55% = 21290.5 tie; the smaller id ("house") gets the cent.
    expect(cents(a)).toEqual({ house: 14_516 + 29_032 + 17_420, rep1: 17_742, rep2: 21_290, sub1: 0 });
  });
});

describe('allocatePeriod refusals and details', () => {
  const rows = openSplit('o', [house(4500), rep('rep1', 5500)], '2026-01-01');
  it('refuses a period that ends before it starts', () => {
    const r = allocatePeriod(period('p', '2026-02-01', '2026-01-31', 100), rows);
    expect(!r.ok && r.refusal.code).toBe('INVALID_PERIOD');
  });
  it('refuses an amount that is not whole cents', () => {
    const r = allocatePeriod(period('p', '2026-02-01', '2026-02-28', 10.5), rows);
    expect(!r.ok && r.refusal.code).toBe('INVALID_PERIOD');
  });
  it('refuses a period with days before any split', () => {
    const r = allocatePeriod(period('p', '2025-12-31', '2026-01-31', 100), rows);
    expect(!r.ok && r.refusal).toMatchObject({ code: 'SPLIT_MISSING' });
    expect(!r.ok && r.refusal.message).toContain('2025-12-31');
  });
  it('merges adjacent rows with the same split into one slice', () => {
    const split: SplitRow[] = [
      ...openSplit('o', [house(4500), rep('rep1', 5500)], '2026-01-01').map((r) => ({
        ...r,
        effectiveTo: '2026-01-10',
      })),
      ...openSplit('o', [house(4500), rep('rep1', 5500)], '2026-01-11').map((r) => ({
        ...r,
        rowId: `${r.rowId}-b`,
      })),
    ];
    const a = allocate(period('p', '2026-01-01', '2026-01-31', 1001), split);
    expect(a.slices).toHaveLength(1);
    expect(cents(a)).toEqual({ house: 450, rep1: 551 });
  });
  it('allocates a negative amount (a credit) as the mirror of the charge', () => {
    const a = allocate(period('p', '2026-01-01', '2026-01-31', -1001), rows);
    expect(cents(a)).toEqual({ house: -450, rep1: -551 });
  });
});
