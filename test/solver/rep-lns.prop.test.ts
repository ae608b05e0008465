import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { generateInstance } from '../../bench/solver-instances.ts';
import { SolveClock } from '../../src/solver/clock.ts';
import { runHighs } from '../../src/solver/engines/highs.ts';
import type { SolveInputRaw } from '../../src/solver/input.ts';
import type { Pool, Problem } from '../../src/solver/problem.ts';
import { RepSubsetSearch, repSubsetSearch } from '../../src/solver/rep-lns.ts';
import { improveSubset, repSubset, subsetObjective } from '../../src/solver/rep-subset.ts';
import { cloneState, isEligible, poolScore, type State, stateFrom } from '../../src/solver/state.ts';
import { tinyInput } from './factories.ts';
import { mediumBook, problemOf } from './medium-book.ts';
import { checkSearchState, greedyStart } from './search-checks.ts';

async function search(state: State, pool: Pool, seed: number, size: number): Promise<number> {
  const clock = new SolveClock(Date.now(), 1e9, undefined, 'work', false);
  const out = await repSubsetSearch(state, pool, { seed, clock, until: clock.now() + 100_000, size });
  return out.improved;
}

/** The best objective of the subset's freed accounts over every assignment to its reps within their caps. */
function bruteForce(problem: Problem, state: State, reps: number[]): number | null {
  const sub = repSubset(state, problem.pools[problem.repPool[reps[0]!]!]!, reps);
  if (!sub) return null;
  const n = sub.freed.length;
  const choice = new Array<number>(n).fill(0);
  let best = Number.POSITIVE_INFINITY;
  for (;;) {
    const trial = cloneState(state);
    sub.freed.forEach((k, i) => {
      trial.assign[k] = reps[choice[i]!]!;
    });
    const s = stateFrom(problem, trial.assign);
    const ok =
      sub.freed.every((k) => isEligible(problem, k, s.assign[k]!)) &&
      reps.every((r) => s.count[r]! <= problem.capCount[r]! && s.cents[r]! <= problem.capRevenueCents[r]!);
    if (ok)
      best = Math.min(
        best,
        subsetObjective(problem, sub, (k) => s.assign[k]!),
      );
    let i = 0;
    while (i < n && choice[i] === reps.length - 1) choice[i++] = 0;
    if (i === n) break;
    choice[i]! += 1;
  }
  return best;
}

const subsetSize = fc.integer({ min: 2, max: 4 });

/** Seeded bench books (heavy-tailed revenue, a departing rep per region, caps). */
const benchBook = fc
  .record({
    accounts: fc.integer({ min: 40, max: 300 }),
    reps: fc.integer({ min: 4, max: 12 }),
    regions: fc.integer({ min: 1, max: 3 }),
    seed: fc.integer({ min: 1, max: 10_000 }),
  })
  .map((g) => generateInstance(g, 'realignment', g.seed, 'l1'));

/** The search on every pool of a book from the greedy start: the guarantees; returns the improvements kept. */
async function property(raw: SolveInputRaw, seed: number, size: number): Promise<number> {
  const problem = problemOf(raw);
  fc.pre(problem !== null);
  const state = greedyStart(problem!);
  fc.pre(state !== null);
  let improved = 0;
  for (const pool of problem!.pools) {
    const before = poolScore(state!, pool).objective;
    const twin = cloneState(state!);
    improved += await search(state!, pool, seed, size);
    expect(poolScore(stateFrom(problem!, state!.assign), pool).objective).toBeLessThanOrEqual(before + 1e-12);
    await search(twin, pool, seed, size);
    expect(Array.from(twin.assign)).toEqual(Array.from(state!.assign));
  }
  checkSearchState(problem!, state!);
  return improved;
}

describe('rep-subset search (rep-lns.ts, rep-subset.ts)', () => {
  it('keeps every account once on an eligible rep, holds caps, pins and protections, never gets worse, and is deterministic', async () => {
    // Small books with pins, tiers, segments and tight caps: the hard constraints.
    await fc.assert(
      fc.asyncProperty(mediumBook, fc.integer({ min: 1, max: 1000 }), subsetSize, async (raw, seed, size) => {
        await property(raw, seed, size);
      }),
      { numRuns: 30, seed: 17 },
    );
  }, 120_000);

  it('improves the greedy start of bench books, with the same guarantees', async () => {
    let improved = 0;
    await fc.assert(
      fc.asyncProperty(benchBook, fc.integer({ min: 1, max: 1000 }), subsetSize, async (raw, seed, size) => {
        improved += await property(raw, seed, size);
      }),
      { numRuns: 6, seed: 23 },
    );
    // Not vacuous: the greedy start leaves improvements the subsets find.
    expect(improved).toBeGreaterThanOrEqual(10);
  }, 180_000);

  it('resumes on the state it is given: the answer a solve holds may be a copy by then (time-left.ts)', async () => {
    let improved = 0;
    await fc.assert(
      fc.asyncProperty(benchBook, fc.integer({ min: 1, max: 1000 }), async (raw, seed) => {
        const problem = problemOf(raw);
        fc.pre(problem !== null);
        const first = greedyStart(problem!);
        fc.pre(first !== null);
        const pool = problem!.pools[0]!;
        const search = new RepSubsetSearch(pool, 2, seed);
        const clock = new SolveClock(Date.now(), 1e9, undefined, 'work', false);
        // A pool's own turn: a short first run on the answer of the time, then that answer replaced by a copy.
        await search.run(first!, { clock, until: clock.now() + 2 });
        const original = Array.from(first!.assign);
        const copy = cloneState(first!);
        const before = poolScore(copy, pool).objective;
        const out = await search.run(copy, { clock, until: clock.now() + 100_000 });
        // The copy improved (where the search found something), the state of the first run did not change.
        expect(Array.from(first!.assign)).toEqual(original);
        expect(poolScore(stateFrom(problem!, copy.assign), pool).objective).toBeCloseTo(before - out.gain, 9);
        checkSearchState(problem!, copy);
        if (out.improved > 0) improved++;
      }),
      { numRuns: 6, seed: 29 },
    );
    expect(improved).toBeGreaterThanOrEqual(3);
  }, 180_000);

  it("finds the sub-problem's optimum: brute force over the freed accounts on tiny books", async () => {
    let compared = 0;
    await fc.assert(
      fc.asyncProperty(tinyInput(['realignment']), fc.integer({ min: 0, max: 100 }), async (raw, pick) => {
        const problem = problemOf({ ...raw, objective: 'l1' });
        fc.pre(problem !== null);
        const state = greedyStart(problem!);
        fc.pre(state !== null);
        const pool = problem!.pools.find((q) => q.reps.length >= 2);
        fc.pre(pool !== undefined);
        const size = 2 + (pick % (pool!.reps.length - 1));
        const reps = pool!.reps.slice(pick % (pool!.reps.length - size + 1)).slice(0, size);
        const best = bruteForce(problem!, state!, reps);
        const sub = repSubset(state!, pool!, reps);
        fc.pre(best !== null && sub !== null);
        const before = subsetObjective(problem!, sub!, (k) => state!.assign[k]!);
        await improveSubset(state!, sub!, (model, o) => runHighs(model, { ...o, timeLimitSec: 10 }));
        const after = subsetObjective(problem!, sub!, (k) => state!.assign[k]!);
        expect(after).toBeLessThanOrEqual(before + 1e-12);
        expect(after).toBeCloseTo(best!, 6);
        checkSearchState(problem!, state!);
        compared++;
      }),
      { numRuns: 80, seed: 19 },
    );
    expect(compared).toBeGreaterThanOrEqual(20);
  }, 120_000);
});
