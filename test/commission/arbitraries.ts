/** fast-check generators for the commission core: valid splits, actions and reassignment sequences. */
import { fc } from '@fast-check/vitest';
import { allocateByWeights } from '../../src/commission/allocate.ts';
import type { Participant, ReassignmentAction } from '../../src/commission/types.ts';

export const REPS = ['r0', 'r1', 'r2', 'r3', 'r4'];
export const SUBAGENTS = ['s0', 's1', 's2'];

/** A valid split: maybe House, 0..4 reps, 0..3 subagents, integer bps summing to exactly 10000. */
export const structureArb: fc.Arbitrary<Participant[]> = fc
  .record({
    withHouse: fc.boolean(),
    reps: fc.subarray(REPS, { minLength: 1 }),
    subs: fc.subarray(SUBAGENTS),
    seed: fc.array(fc.nat({ max: 100 }), { minLength: 9, maxLength: 9 }),
  })
  .map(({ withHouse, reps, subs, seed }) => {
    const ids: Participant[] = [
      ...(withHouse ? [{ participantId: 'house', role: 'house' as const, bps: 0 }] : []),
      ...reps.map((id) => ({ participantId: id, role: 'rep' as const, bps: 0 })),
      ...subs.map((id) => ({ participantId: id, role: 'subagent' as const, bps: 0 })),
    ];
    const weights = ids.map((_, i) => seed[i]!);
    if (!weights.some((w) => w > 0)) weights[0] = 1;
    const bps = allocateByWeights(10_000, weights);
    return ids.map((p, i) => ({ ...p, bps: bps[i]! }));
  });

export const actionArb: fc.Arbitrary<ReassignmentAction> = fc.oneof(
  fc.constant({ type: 'A' as const }),
  fc.record({ type: fc.constant('B' as const), newRepId: fc.constantFrom(...REPS, 'r9') }),
  fc.record({
    type: fc.constant('C' as const),
    newRepId: fc.constantFrom(...REPS, 'r9'),
    newRepBps: fc.oneof(fc.integer({ min: 1, max: 10_000 }), fc.integer({ min: 1, max: 1000 })),
  }),
);

export interface Step {
  /** A rep of the current split (by index, modulo their number), or a fixed id that may not be one. */
  departing: { index: number } | { id: string };
  action: ReassignmentAction;
  /** Days from the current split's start to the end date (>= 0). */
  daysToEnd: number;
  /** Days from the end date to the reassignment date (0 = same day). */
  gapDays: number;
}

export const stepArb: fc.Arbitrary<Step> = fc.record({
  departing: fc.oneof(
    { arbitrary: fc.nat({ max: 9 }).map((index) => ({ index })), weight: 4 },
    { arbitrary: fc.constantFrom(...REPS, 'house', 's0').map((id) => ({ id })), weight: 1 },
  ),
  action: actionArb,
  daysToEnd: fc.integer({ min: 0, max: 400 }),
  gapDays: fc.oneof(fc.constant(0), fc.constant(1), fc.integer({ min: 0, max: 60 })),
});
