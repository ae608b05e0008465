import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { generateInstance } from '../../bench/solver-instances.ts';
import { iteratedSearch } from '../../src/solver/ils.ts';
import { solve } from '../../src/solver/solve.ts';
import { poolScore, stateFrom, totalObjective } from '../../src/solver/state.ts';
import { mediumBook, problemOf } from './medium-book.ts';
import { checkSearchState, greedyStart } from './search-checks.ts';

describe('iterated search (ils.ts)', () => {
  it('keeps every movable account exactly once, holds caps, pins and protections, never gets worse, and reports the recomputed objective', () => {
    let improvedPools = 0;
    fc.assert(
      fc.property(mediumBook, fc.integer({ min: 1, max: 1000 }), fc.boolean(), (raw, seed, sampled) => {
        const problem = problemOf(raw);
        fc.pre(problem !== null);
        const state = greedyStart(problem!);
        fc.pre(state !== null);
        for (const pool of problem!.pools) {
          const before = poolScore(state!, pool).objective;
          const out = iteratedSearch(state!, pool, {
            seed,
            work: 200_000,
            slack: 0.02,
            // Also the sampled-partner path that large pools take.
            exhaustiveSwapMax: sampled ? 3 : 1500,
          });
          expect(out.before).toBeCloseTo(before, 9);
          expect(out.after).toBeLessThanOrEqual(before + 1e-9);
          if (out.after < before - 1e-9) improvedPools++;
          // The reported objective is the one recomputed from scratch.
          expect(out.after).toBeCloseTo(poolScore(stateFrom(problem!, state!.assign), pool).objective, 9);
        }
        checkSearchState(problem!, state!);
      }),
      { numRuns: 80, seed: 5 },
    );
    // The books are hard enough that the search actually moves accounts (the checks above are not vacuous).
    expect(improvedPools).toBeGreaterThanOrEqual(3);
  });

  it('with whale moves (ils-whales.ts: caps set aside until the repair) keeps every account once, holds caps, pins and protections, never gets worse, and is deterministic', () => {
    fc.assert(
      fc.property(mediumBook, fc.integer({ min: 1, max: 1000 }), fc.boolean(), (raw, seed, sampled) => {
        const problem = problemOf(raw);
        fc.pre(problem !== null);
        const state = greedyStart(problem!);
        const again = greedyStart(problem!);
        fc.pre(state !== null && again !== null);
        for (const pool of problem!.pools) {
          const before = poolScore(state!, pool).objective;
          // Whale moves on every other iteration's work, in pools of any size (by default large pools only).
          const options = {
            seed,
            work: 200_000,
            slack: 0.02,
            whaleShare: 1,
            exhaustiveSwapMax: sampled ? 3 : 1500,
          };
          const out = iteratedSearch(state!, pool, options);
          iteratedSearch(again!, pool, options);
          expect(out.after).toBeLessThanOrEqual(before + 1e-9);
          expect(out.after).toBeCloseTo(poolScore(stateFrom(problem!, state!.assign), pool).objective, 9);
        }
        checkSearchState(problem!, state!);
        expect([...state!.assign]).toEqual([...again!.assign]);
      }),
      { numRuns: 60, seed: 7 },
    );
  });

  it('is deterministic for a seed and a work budget', () => {
    fc.assert(
      fc.property(mediumBook, fc.integer({ min: 1, max: 1000 }), (raw, seed) => {
        const problem = problemOf(raw);
        fc.pre(problem !== null);
        const a = greedyStart(problem!);
        const b = greedyStart(problem!);
        fc.pre(a !== null && b !== null);
        for (const pool of problem!.pools) {
          iteratedSearch(a!, pool, { seed, work: 100_000, slack: 0.02 });
          iteratedSearch(b!, pool, { seed, work: 100_000, slack: 0.02 });
        }
        expect([...a!.assign]).toEqual([...b!.assign]);
      }),
      { numRuns: 25, seed: 9 },
    );
  });

  it('improves a 300x12 realignment well past greedy + local search, and solve returns it verified', async () => {
    const raw = generateInstance({ accounts: 300, reps: 12, regions: 3 }, 'realignment', 1, 'l1');
    const problem = problemOf(raw)!;
    const start = greedyStart(problem)!;
    const base = totalObjective(start);
    for (const pool of problem.pools) iteratedSearch(start, pool, { seed: 1, work: 3_000_000, slack: 0.02 });
    const improved = totalObjective(start);
    checkSearchState(problem, start);
    // Measured: 0.589 → about 0.45 (SOLVER-LAB's best bound 0.442); demand at least 10 %.
    expect(improved).toBeLessThan(base * 0.9);

    const result = await solve({ ...raw, engine: 'heuristic', timeLimitMs: 20_000 });
    expect(result.status).toBe('feasible');
    if (result.status !== 'feasible') return;
    expect(result.verified).toBe(true);
    expect(result.objective).toBeLessThan(base * 0.9);
  });
});
