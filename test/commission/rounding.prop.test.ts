/**
 * The rounding rule of allocatePeriod (README "Rounding"): a reassignment moves cents only between the
 * participants whose basis points it changes. Subagents (and any other participant the change leaves
 * alone) keep exactly the cents they had in every period, and no cent is created or lost.
 */
import { fc, test } from '@fast-check/vitest';
import { expect, it } from 'vitest';
import { addDays, compareDates } from '../../src/commission/dates.ts';
import { applyEdits, structureOn } from '../../src/commission/history.ts';
import { planEdits, planReassignment } from '../../src/commission/plan.ts';
import { allocatePeriod } from '../../src/commission/prorate.ts';
import type { ReassignmentAction, SchedulePeriod, SplitRow } from '../../src/commission/types.ts';
import { actionArb, type Step, stepArb, structureArb } from './arbitraries.ts';
import { house, openSplit, opportunity, period, rep, sub } from './factories.ts';

const START = '2023-12-15'; // runs across the 2024 leap day

interface Change {
  departing: { index: number } | { id: string };
  action: ReassignmentAction;
  daysToEnd: number;
  gapDays: number;
}

/** Plans and applies one level-1 change; null when the planner refuses or skips it. */
function reassign(rows: SplitRow[], change: Change): { after: SplitRow[]; endDate: string } | null {
  const currentFrom = rows.reduce(
    (a, r) => (compareDates(r.effectiveFrom, a) > 0 ? r.effectiveFrom : a),
    START,
  );
  const endDate = addDays(currentFrom, change.daysToEnd);
  const reps = rows.filter((r) => r.effectiveTo === null && r.role === 'rep').map((r) => r.participantId);
  const departingRepId =
    'id' in change.departing
      ? change.departing.id
      : (reps[change.departing.index % Math.max(1, reps.length)] ?? 'r0');
  const planned = planReassignment(
    {
      departingRepId,
      target: { level: 'opportunity', opportunityId: 'opp' },
      scope: 'complete',
      strategy: { kind: 'uniform', action: change.action },
      endDate,
      reassignmentDate: addDays(endDate, change.gapDays),
      reason: 'rounding property',
    },
    [opportunity({ opportunityId: 'opp', createdOn: START, splitRows: rows })],
  );
  if (!planned.ok || planned.value.counts.changed === 0) return null;
  const next = applyEdits(rows, planEdits(planned.value));
  if (!next.ok) throw new Error(next.refusal.message);
  return { after: next.value, endDate };
}

/** Consecutive periods from `first` with the given lengths and amounts. */
function schedule(first: string, parts: { days: number; amountCents: number }[]): SchedulePeriod[] {
  let from = first;
  return parts.map((p, i) => {
    const to = addDays(from, p.days - 1);
    const result = period(`p${i}`, from, to, p.amountCents, 'paid');
    from = addDays(to, 1);
    return result;
  });
}

function centsOf(p: SchedulePeriod, rows: SplitRow[]): Map<string, number> {
  const result = allocatePeriod(p, rows);
  if (!result.ok) throw new Error(result.refusal.message);
  const a = result.value;
  expect(a.byParticipant.reduce((x, s) => x + s.cents, 0)).toBe(p.amountCents);
  expect(a.slices.reduce((x, s) => x + s.amountCents, 0)).toBe(p.amountCents);
  for (const s of a.slices) expect(s.shares.reduce((x, c) => x + c.cents, 0)).toBe(s.amountCents);
  return new Map(a.byParticipant.map((s) => [s.participantId, s.cents]));
}

/** Ids whose bps are the same on every day of the period under both histories (absent = 0 bps). */
function unchangedIn(p: SchedulePeriod, before: SplitRow[], after: SplitRow[]): string[] {
  const days = new Set([p.periodStart]);
  for (const r of [...before, ...after]) {
    for (const d of [r.effectiveFrom, r.effectiveTo === null ? null : addDays(r.effectiveTo, 1)]) {
      if (d && compareDates(d, p.periodStart) > 0 && compareDates(d, p.periodEnd) <= 0) days.add(d);
    }
  }
  const bps = (rows: SplitRow[], day: string) =>
    new Map((structureOn(rows, day)?.participants ?? []).map((x) => [x.participantId, x.bps]));
  const ids = new Set([...before, ...after].map((r) => r.participantId));
  return [...ids].filter((id) =>
    [...days].every((d) => (bps(before, d).get(id) ?? 0) === (bps(after, d).get(id) ?? 0)),
  );
}

const periodsArb = fc.array(
  fc.record({
    days: fc.oneof(fc.integer({ min: 1, max: 31 }), fc.integer({ min: 28, max: 400 })),
    amountCents: fc.oneof(
      fc.integer({ min: 0, max: 1000 }),
      fc.integer({ min: -1_000_000, max: 100_000_000 }),
      fc.integer({ min: 0, max: 10_000_000_000_000 }),
    ),
  }),
  { minLength: 1, maxLength: 8 },
);
const changeArb: fc.Arbitrary<Change> = fc.record({
  departing: fc.oneof(
    { arbitrary: fc.nat({ max: 9 }).map((index) => ({ index })), weight: 5 },
    { arbitrary: fc.constantFrom('r0', 'r1', 'house', 's0').map((id) => ({ id })), weight: 1 },
  ),
  action: actionArb,
  daysToEnd: fc.oneof(fc.integer({ min: 0, max: 40 }), fc.integer({ min: 0, max: 400 })),
  gapDays: fc.oneof(fc.constant(0), fc.constant(1), fc.integer({ min: 0, max: 60 })),
});

/** Checks one change against the history it is made on, period by period. */
function checkChange(
  before: SplitRow[],
  change: Change,
  parts: { days: number; amountCents: number }[],
  offset: number,
) {
  const done = reassign(before, change);
  if (!done) return false;
  const { after, endDate } = done;
  // The schedule starts up to `offset` days before the end date, never before the first split.
  const first = addDays(endDate, -offset);
  const periods = schedule(compareDates(first, START) < 0 ? START : first, parts);
  let totalBefore = 0;
  let totalAfter = 0;
  for (const p of periods) {
    const was = centsOf(p, before);
    const now = centsOf(p, after);
    for (const id of unchangedIn(p, before, after)) {
      expect(now.get(id) ?? 0, `${id} in ${p.periodStart}..${p.periodEnd}`).toBe(was.get(id) ?? 0);
    }
    // Subagents never change, so they are always among the unchanged.
    for (const r of before.filter((x) => x.role === 'subagent')) {
      expect(now.get(r.participantId) ?? 0).toBe(was.get(r.participantId) ?? 0);
    }
    totalBefore += [...was.values()].reduce((a, b) => a + b, 0);
    totalAfter += [...now.values()].reduce((a, b) => a + b, 0);
  }
  const amounts = periods.reduce((a, p) => a + p.amountCents, 0);
  expect(totalBefore).toBe(amounts);
  expect(totalAfter).toBe(amounts);
  return true;
}

test.prop([structureArb, changeArb, periodsArb, fc.integer({ min: 0, max: 500 })], { numRuns: 300 })(
  'one change on any split: every participant with unchanged bps keeps its exact cents in every period',
  (initial, change, parts, offset) => {
    checkChange(openSplit('opp', initial, START), change, parts, offset);
  },
);

test.prop(
  [
    structureArb,
    fc.array(stepArb, { maxLength: 4 }),
    changeArb,
    periodsArb,
    fc.integer({ min: 0, max: 500 }),
  ],
  { numRuns: 200 },
)(
  'the same holds for a change made on a history that already changed (with and without gaps)',
  (initial, earlier, change, parts, offset) => {
    let rows = openSplit('opp', initial, START);
    for (const step of earlier as Step[]) rows = reassign(rows, step)?.after ?? rows;
    checkChange(rows, change, parts, offset);
  },
);

it('type A on a split where the subagent held the leftover cent: the subagent keeps it', () => {
  const before = openSplit('opp', [house(3333), rep('r0', 3333), sub('s0', 3334)], '2026-01-01');
  const done = reassign(before, {
    departing: { id: 'r0' },
    action: { type: 'A' },
    daysToEnd: 30,
    gapDays: 0,
  });
  expect(done?.endDate).toBe('2026-01-31');
  const feb = period('feb', '2026-02-01', '2026-02-28', 1, 'paid');
  // Under the old split 1 cent × 33.34% has the largest remainder: the subagent's.
  expect(Object.fromEntries(centsOf(feb, before))).toEqual({ house: 0, r0: 0, s0: 1 });
  // House now holds 66.66%, but only the participants the change touched share what they had.
  expect(Object.fromEntries(centsOf(feb, done!.after))).toEqual({ house: 0, s0: 1 });
  // January mixes 30 old days and 1 new one: the subagent keeps 3334 of 10000 either way.
  const jan = period('jan', '2026-01-01', '2026-01-31', 10_000, 'paid');
  expect(centsOf(jan, before).get('s0')).toBe(3334);
  expect(centsOf(jan, done!.after).get('s0')).toBe(3334);
});

it('type B with a gap leaves House exactly where it was after the gap', () => {
  const before = openSplit('opp', [house(5000), rep('r0', 5000)], '2026-01-01');
  const done = reassign(before, {
    departing: { id: 'r0' },
    action: { type: 'B', newRepId: 'a-rep' },
    daysToEnd: 9,
    gapDays: 10,
  });
  const march = period('mar', '2026-03-01', '2026-03-31', 101, 'paid');
  const was = centsOf(march, before);
  const now = centsOf(march, done!.after);
  // A tie by bps: without the rule the cent would follow the smaller id ("a-rep" < "house").
  expect(now.get('house')).toBe(was.get('house'));
  expect(Object.fromEntries(now)).toEqual({ house: was.get('house'), 'a-rep': was.get('r0') });
});

it('an earlier split that is not valid does not decide the cents of a later period', () => {
  const rows: SplitRow[] = [
    // 2025: a broken split (9000 bps) that no period below touches.
    ...openSplit('opp', [house(4000), rep('r0', 5000)], '2025-01-01').map((r) => ({
      ...r,
      rowId: `${r.rowId}-old`,
      effectiveTo: '2025-12-31',
    })),
    ...openSplit('opp', [house(3333), rep('r0', 3333), sub('s0', 3334)], '2026-01-01'),
  ];
  const feb = period('feb', '2026-02-01', '2026-02-28', 1, 'paid');
  expect(Object.fromEntries(centsOf(feb, rows))).toEqual({ house: 0, r0: 0, s0: 1 });
  const r = allocatePeriod(period('y', '2025-12-01', '2026-01-31', 100), rows);
  expect(!r.ok && r.refusal.code).toBe('SPLIT_TOTAL_NOT_10000');
});
