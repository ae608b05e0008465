import { fc, test } from '@fast-check/vitest';
import { expect } from 'vitest';
import { addDays, compareDates, daysInclusive } from '../../src/commission/dates.ts';
import { applyEdits, structureOn, validateHistory } from '../../src/commission/history.ts';
import { invertPlan, planEdits, planReassignment, type ReassignmentPlan } from '../../src/commission/plan.ts';
import { allocatePeriod } from '../../src/commission/prorate.ts';
import { applyAction } from '../../src/commission/split.ts';
import type { OpportunityInput, Participant, SplitRow } from '../../src/commission/types.ts';
import { type Step, stepArb, structureArb } from './arbitraries.ts';
import { openSplit, opportunity } from './factories.ts';

const START = '2023-12-15'; // the sequences run across the 2024 leap day

/** Runs the steps at level 1 on one opportunity; returns every intermediate history and plan. */
function runSteps(initial: Participant[], steps: Step[]) {
  let rows: SplitRow[] = openSplit('opp', initial, START);
  const applied: { before: SplitRow[]; plan: ReassignmentPlan }[] = [];
  let currentFrom = START;
  for (const step of steps) {
    const endDate = addDays(currentFrom, step.daysToEnd);
    const reassignmentDate = addDays(endDate, step.gapDays);
    const opp: OpportunityInput = opportunity({ opportunityId: 'opp', createdOn: START, splitRows: rows });
    const snapshot = structuredClone(rows);
    const reps = rows.filter((r) => r.effectiveTo === null && r.role === 'rep').map((r) => r.participantId);
    const departingRepId =
      'id' in step.departing
        ? step.departing.id
        : (reps[step.departing.index % Math.max(1, reps.length)] ?? 'r0');
    const planned = planReassignment(
      {
        departingRepId,
        target: { level: 'opportunity', opportunityId: 'opp' },
        scope: 'complete',
        strategy: { kind: 'uniform', action: step.action },
        endDate,
        reassignmentDate,
        reason: 'property test',
      },
      [opp],
    );
    // The original rows never change, whatever the outcome.
    expect(rows).toEqual(snapshot);
    if (!planned.ok || planned.value.counts.changed === 0) continue;
    const next = applyEdits(rows, planEdits(planned.value));
    expect(rows).toEqual(snapshot);
    if (!next.ok) throw new Error(next.refusal.message);
    applied.push({ before: rows, plan: planned.value });
    // Old rows keep participant, role, bps and start; only open rows get an end, the end date.
    const after = new Map(next.value.map((r) => [r.rowId, r]));
    for (const old of rows) {
      const now = after.get(old.rowId)!;
      expect({ ...now, effectiveTo: null }).toEqual({ ...old, effectiveTo: null });
      expect(now.effectiveTo).toBe(old.effectiveTo ?? endDate);
    }
    rows = next.value;
    currentFrom = rows.at(-1)!.effectiveFrom;
  }
  return { rows, applied };
}

/** Days where the split may change: enough to check "every day" without walking each one. */
function changeDays(rows: SplitRow[]): string[] {
  return [
    ...new Set(rows.flatMap((r) => [r.effectiveFrom, ...(r.effectiveTo ? [addDays(r.effectiveTo, 1)] : [])])),
  ];
}

test.prop([structureArb, fc.array(stepArb, { maxLength: 8 })])(
  'every split in force sums to exactly 10000 after any sequence of reassignments',
  (initial, steps) => {
    const { rows } = runSteps(initial, steps);
    expect(validateHistory(rows).ok).toBe(true);
    for (const day of changeDays(rows)) {
      const s = structureOn(rows, day);
      if (s) expect(s.participants.reduce((a, p) => a + p.bps, 0)).toBe(10_000);
    }
    // No day from the start on is left without a split.
    const last = rows.reduce((a, r) => (compareDates(r.effectiveFrom, a) > 0 ? r.effectiveFrom : a), START);
    for (const day of [START, ...changeDays(rows).filter((d) => compareDates(d, last) <= 0)]) {
      expect(structureOn(rows, day)).not.toBeNull();
    }
  },
);

test.prop([structureArb, fc.array(stepArb, { maxLength: 8 })])(
  'subagent shares never change',
  (initial, steps) => {
    const { rows } = runSteps(initial, steps);
    const subs = (s: Participant[]) =>
      s.filter((p) => p.role === 'subagent').map((p) => [p.participantId, p.bps]);
    const expected = subs(initial);
    for (const day of changeDays(rows)) {
      const s = structureOn(rows, day);
      if (s) expect(subs(s.participants)).toEqual(expected);
    }
  },
);

test.prop([structureArb, fc.array(stepArb, { minLength: 1, maxLength: 8 })])(
  'rolling back each plan, newest first, restores the exact previous rows',
  (initial, steps) => {
    const { rows, applied } = runSteps(initial, steps);
    let current = rows;
    for (const { before, plan } of [...applied].reverse()) {
      const back = applyEdits(current, invertPlan(plan).edits);
      if (!back.ok) throw new Error(back.refusal.message);
      expect(back.value).toEqual(before);
      current = back.value;
    }
    expect(current).toEqual(openSplit('opp', initial, START));
  },
);

test.prop([
  structureArb,
  fc.array(stepArb, { maxLength: 5 }),
  fc.integer({ min: 0, max: 900 }),
  fc.integer({ min: 0, max: 500 }),
  fc.oneof(
    fc.integer({ min: -1_000_000, max: 1_000_000 }),
    fc.integer({ min: 0, max: Number.MAX_SAFE_INTEGER }),
  ),
])(
  'pro-rated parts always sum to the period amount to the cent',
  (initial, steps, offset, length, amountCents) => {
    const { rows } = runSteps(initial, steps);
    const periodStart = addDays(START, offset);
    const periodEnd = addDays(periodStart, length);
    const result = allocatePeriod(
      { periodId: 'p', periodStart, periodEnd, amountCents, status: 'open' },
      rows,
    );
    if (!result.ok) throw new Error(result.refusal.message);
    const a = result.value;
    expect(a.slices.reduce((x, s) => x + s.amountCents, 0)).toBe(amountCents);
    expect(a.slices.reduce((x, s) => x + s.days, 0)).toBe(daysInclusive(periodStart, periodEnd));
    for (const s of a.slices) expect(s.shares.reduce((x, p) => x + p.cents, 0)).toBe(s.amountCents);
    expect(a.byParticipant.reduce((x, p) => x + p.cents, 0)).toBe(amountCents);
  },
);

test.prop([
  structureArb,
  fc.constantFrom('r0', 'r1', 'r2', 'r3', 'r4'),
  fc.constantFrom('r0', 'r9'),
  fc.integer({ min: 1, max: 10_000 }),
])(
  'types A, B and C move exactly the departing share and nothing else',
  (initial, departing, newRepId, newRepBps) => {
    const R = initial.find((p) => p.participantId === departing)?.bps;
    const houseBefore = initial.find((p) => p.role === 'house')?.bps ?? 0;
    const bpsOf = (s: Participant[], id: string) => s.find((p) => p.participantId === id)?.bps ?? 0;
    const houseOf = (s: Participant[]) => s.find((p) => p.role === 'house')?.bps ?? 0;
    const untouched = (s: Participant[], extra: string[]) =>
      initial
        .filter(
          (p) => p.participantId !== departing && p.role !== 'house' && !extra.includes(p.participantId),
        )
        .every((p) => bpsOf(s, p.participantId) === p.bps);
    const a = applyAction({ participants: initial }, departing, { type: 'A' }, 'house');
    if (R === undefined) {
      expect(a.ok && a.value.noop).toBeTruthy();
      return;
    }
    if (!a.ok) throw new Error(a.refusal.message);
    expect(houseOf(a.value.structure.participants)).toBe(houseBefore + R);
    expect(untouched(a.value.structure.participants, [])).toBe(true);
    if (newRepId === departing) return;
    const b = applyAction({ participants: initial }, departing, { type: 'B', newRepId }, 'house');
    if (!b.ok) throw new Error(b.refusal.message);
    expect(bpsOf(b.value.structure.participants, newRepId)).toBe(bpsOf(initial, newRepId) + R);
    expect(houseOf(b.value.structure.participants)).toBe(houseBefore);
    expect(untouched(b.value.structure.participants, [newRepId])).toBe(true);
    const c = applyAction({ participants: initial }, departing, { type: 'C', newRepId, newRepBps }, 'house');
    if (houseBefore + R - newRepBps < 0) {
      expect(!c.ok && c.refusal.code).toBe('HOUSE_WOULD_GO_NEGATIVE');
      return;
    }
    if (!c.ok) throw new Error(c.refusal.message);
    expect(bpsOf(c.value.structure.participants, newRepId)).toBe(bpsOf(initial, newRepId) + newRepBps);
    expect(houseOf(c.value.structure.participants)).toBe(houseBefore + R - newRepBps);
    expect(untouched(c.value.structure.participants, [newRepId])).toBe(true);
    expect(c.value.structure.participants.reduce((x, p) => x + p.bps, 0)).toBe(10_000);
  },
);
