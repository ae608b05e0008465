import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import type { PoolBound } from '../../bench/reference-bound-methods.ts';
import { entryOf, mergePools } from '../../bench/reference-bounds.ts';

const POOLS = ['East', 'North', 'South', 'West'];

const poolBound = (pool: string) =>
  fc.record({
    pool: fc.constant(pool),
    bound: fc.double({ min: 0, max: 10, noNaN: true }),
    bestKnown: fc.option(fc.double({ min: 10, max: 20, noNaN: true }), { nil: null }),
    proven: fc.boolean(),
    method: fc.constantFrom('bucketed MIP', 'per-pair MIP'),
  });

const runOf = fc.subarray(POOLS).chain((pools) => fc.tuple(...pools.map(poolBound)));

describe('reference bounds (bench/reference-bounds.ts)', () => {
  it('keeps per pool the largest bound of every run and a real answer only where one was found', () => {
    fc.assert(
      fc.property(fc.array(runOf, { minLength: 1, maxLength: 4 }), (runs) => {
        let merged: PoolBound[] = [];
        for (const run of runs) merged = mergePools(merged, run as PoolBound[]);
        const all = runs.flat() as PoolBound[];
        for (const p of merged) {
          const mine = all.filter((q) => q.pool === p.pool);
          expect(p.bound).toBe(Math.max(...mine.map((q) => q.bound)));
          const answers = mine.map((q) => q.bestKnown).filter((v): v is number => v !== null);
          expect(p.bestKnown).toBe(answers.length > 0 ? Math.min(...answers) : null);
        }
        expect(merged.map((p) => p.pool).sort()).toEqual([...new Set(all.map((q) => q.pool))].sort());
        const entry = entryOf('hash', merged, POOLS.length);
        expect(entry.lowerBound).toBeCloseTo(
          merged.reduce((s, p) => s + p.bound, 0),
          12,
        );
        // The instance's best known answer is a real answer: every pool's, or none.
        const complete = merged.length === POOLS.length && merged.every((p) => p.bestKnown !== null);
        expect(entry.bestKnown === null).toBe(!complete);
        if (merged.length < POOLS.length) expect(entry.proven).toBe(false);
      }),
      { numRuns: 200, seed: 43 },
    );
  });
});
