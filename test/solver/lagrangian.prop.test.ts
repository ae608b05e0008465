import fc from 'fast-check';
import { afterEach, describe, expect, it } from 'vitest';
import { runHighs } from '../../src/solver/engines/highs.ts';
import { parseSolveInput } from '../../src/solver/input.ts';
import { lagrangianBound } from '../../src/solver/lagrangian.ts';
import { dualData, evaluate } from '../../src/solver/lagrangian-data.ts';
import { lagrangianAssignment } from '../../src/solver/lagrangian-round.ts';
import { buildPoolModel, singleBlocks } from '../../src/solver/model.ts';
import type { Problem } from '../../src/solver/problem.ts';
import { ENGINE_LIMITS, solve } from '../../src/solver/solve.ts';
import {
  emptyState,
  fits,
  isEligible,
  place,
  poolScore,
  type State,
  stateFrom,
} from '../../src/solver/state.ts';
import { verifyAssignment } from '../../src/solver/verify.ts';
import { bruteForceOptimum } from './brute-force.ts';
import { tinyInput } from './factories.ts';
import { mediumBook, problemOf } from './medium-book.ts';

const l1 = <T extends { objective?: string }>(raw: T): T => ({ ...raw, objective: 'l1' });

/** Multipliers for a pool of R reps from a list of doubles (cycled), spread over [-3, 3] and beyond. */
function multipliersOf(R: number, values: number[]): Float64Array {
  return Float64Array.from({ length: 2 * R }, (_, i) => values[i % values.length]!);
}

/** A complete assignment within the caps, each account on the first fitting rep from its pick; else null. */
function feasibleState(problem: Problem, picks: number[]): State | null {
  const state = emptyState(problem);
  for (let k = 0; k < problem.movable.length; k++) {
    const s = problem.eligStart[k]!;
    const n = problem.eligStart[k + 1]! - s;
    if (n === 0) return null;
    let placed = false;
    for (let t = 0; t < n && !placed; t++) {
      const r = problem.eligRep[s + ((picks[k % picks.length]! + t) % n)]!;
      if (fits(state, k, r)) {
        place(state, k, r);
        placed = true;
      }
    }
    if (!placed) return null;
  }
  return state;
}

const multiplier = fc.double({ min: -4, max: 4, noNaN: true });

describe('Lagrangian bound (lagrangian.ts)', () => {
  it('never exceeds the brute-force optimum (L1 and minimax), at any multipliers and at the searched ones (also on the surrogate)', () => {
    let checked = 0;
    fc.assert(
      fc.property(
        tinyInput(['departure', 'realignment', 'new-hire']),
        fc.array(multiplier, { minLength: 1, maxLength: 8 }),
        (raw, values) => {
          const problem = problemOf(raw);
          fc.pre(problem !== null);
          const best = bruteForceOptimum(raw);
          fc.pre(best !== null);
          let searched = 0;
          let surrogate = 0;
          let random = 0;
          for (const pool of problem!.pools) {
            searched += lagrangianBound(problem!, pool, { work: 2e5 }).bound;
            surrogate += lagrangianBound(problem!, pool, { work: 2e5, surrogateMinPairs: 0 }).bound;
            const d = dualData(problem!, pool);
            random += evaluate(d, multipliersOf(d.R, values), 0, null).exact;
          }
          expect(searched).toBeLessThanOrEqual(best! + 1e-9);
          expect(surrogate).toBeLessThanOrEqual(best! + 1e-9);
          expect(random).toBeLessThanOrEqual(best! + 1e-9);
          checked++;
        },
      ),
      { numRuns: 150, seed: 19 },
    );
    expect(checked).toBeGreaterThan(60);
  });

  it('holds at every integer point within the caps: the exact L at any multipliers is at most its objective', () => {
    let checked = 0;
    fc.assert(
      fc.property(
        mediumBook,
        fc.array(fc.nat(), { minLength: 120, maxLength: 120 }),
        fc.array(multiplier, { minLength: 1, maxLength: 20 }),
        (raw, picks, values) => {
          const problem = problemOf(raw);
          fc.pre(problem !== null);
          const state = feasibleState(problem!, picks);
          fc.pre(state !== null);
          for (const pool of problem!.pools) {
            const d = dualData(problem!, pool);
            const objective = poolScore(state!, pool).objective;
            expect(evaluate(d, multipliersOf(d.R, values), 0, null).exact).toBeLessThanOrEqual(
              objective + 1e-9,
            );
          }
          checked++;
        },
      ),
      { numRuns: 80, seed: 7 },
    );
    expect(checked).toBeGreaterThan(30);
  });

  it('reaches the LP relaxation (without the rounding cuts) within 1% on medium books, deterministically', async () => {
    let compared = 0;
    await fc.assert(
      fc.asyncProperty(mediumBook.map(l1), async (raw) => {
        const problem = problemOf(raw);
        fc.pre(problem !== null && problem.pools.length > 0);
        for (const pool of problem!.pools) {
          const lp = await runHighs(
            buildPoolModel(problem!, pool, singleBlocks(problem!, pool), { countCuts: false }),
            { timeLimitSec: 10, relax: true },
          );
          if (lp.status !== 'optimal' || lp.bound === undefined) continue;
          const a = lagrangianBound(problem!, pool, { work: 3e6 });
          const b = lagrangianBound(problem!, pool, { work: 3e6 });
          expect(b.bound).toBe(a.bound);
          expect(a.bound).toBeGreaterThanOrEqual(lp.bound - 0.01 * Math.abs(lp.bound) - 1e-6);
          compared++;
        }
      }),
      { numRuns: 30, seed: 5 },
    );
    expect(compared).toBeGreaterThan(20);
  });
});

describe('Lagrangian rounding (lagrangian-round.ts)', () => {
  it('places every movable account of the pool once, on an eligible rep within the caps, or returns null', () => {
    let rounded = 0;
    fc.assert(
      fc.property(mediumBook.map(l1), (raw) => {
        const problem = problemOf(raw);
        fc.pre(problem?.accountPool.every((p) => p >= 0) === true);
        let state = emptyState(problem!);
        for (const pool of problem!.pools) {
          const out = lagrangianBound(problem!, pool, { work: 5e5 });
          const stage = out.stages.at(-1) ?? { mu: 0.01, multipliers: out.multipliers };
          const next = lagrangianAssignment(state, pool, stage.multipliers, stage.mu);
          if (next === null) return;
          for (let k = 0; k < problem!.movable.length; k++)
            if (problem!.accountPool[k] !== pool.index) expect(next.assign[k]).toBe(state.assign[k]);
          state = next;
        }
        rounded++;
        const fresh = stateFrom(problem!, state.assign);
        for (let k = 0; k < problem!.movable.length; k++)
          expect(isEligible(problem!, k, state.assign[k]!)).toBe(true);
        for (let r = 0; r < problem!.reps.length; r++) {
          expect(state.count[r]).toBe(fresh.count[r]);
          expect(fresh.count[r]!).toBeLessThanOrEqual(problem!.capCount[r]!);
          expect(fresh.cents[r]!).toBeLessThanOrEqual(problem!.capRevenueCents[r]!);
        }
      }),
      { numRuns: 40, seed: 17 },
    );
    expect(rounded).toBeGreaterThan(15);
  });
});

describe('solve with pools too large for HiGHS (the Lagrangian phase)', () => {
  const saved = { ...ENGINE_LIMITS };
  afterEach(() => {
    Object.assign(ENGINE_LIMITS, saved);
  });
  /** No LP, MIP or bucketed model for any pool, however small: as for 100000x300's pools. */
  const noHighs = () => {
    ENGINE_LIMITS.lpMaxBinaries = 0;
    ENGINE_LIMITS.mipMaxBinaries = 0;
    ENGINE_LIMITS.bucketMaxBinaries = 0;
    ENGINE_LIMITS.releaseLp = false;
    ENGINE_LIMITS.continueIlsWorkPerBinary = 2000;
  };

  it('reports a bound for every pool (L1, minimax, new hire), never above the brute-force optimum', async () => {
    noHighs();
    let bounded = 0;
    await fc.assert(
      fc.asyncProperty(tinyInput(['departure', 'realignment', 'new-hire']), async (raw) => {
        const best = bruteForceOptimum(raw);
        const result = await solve(raw);
        if (best === null) return;
        if (result.status !== 'optimal' && result.status !== 'feasible') return;
        expect(result.objective).toBeGreaterThanOrEqual(best - 1e-9);
        // Every pool is bounded: minimax and new-hire pools (a "taken" cap) by the bound alone.
        expect(result.lowerBound).not.toBeNull();
        if (result.lowerBound !== null) {
          bounded++;
          expect(result.lowerBound).toBeLessThanOrEqual(best + 1e-9);
        }
      }),
      { numRuns: 60, seed: 41 },
    );
    expect(bounded).toBeGreaterThan(20);
  });

  it('returns verified answers with a valid bound, byte-identical on a second run', async () => {
    noHighs();
    let boundedPools = 0;
    await fc.assert(
      fc.asyncProperty(mediumBook.map(l1), async (raw) => {
        const result = await solve(raw);
        if (result.status === 'infeasible' || result.status === 'invalid') return;
        if (result.status === 'timeout') throw new Error(`timeout: ${result.reason}`);
        const input = parseSolveInput(raw);
        if (!input.ok) throw new Error('generated input invalid');
        const owners = new Map(result.assignments.map((a) => [a.accountId, a.toRepId]));
        expect(verifyAssignment(input.input, owners, result.objective).errors).toEqual([]);
        expect(result.lowerBound).not.toBeNull();
        expect(result.lowerBound!).toBeLessThanOrEqual(result.objective + 1e-9);
        // No LP ran: every pool's bound is its Lagrangian one.
        boundedPools += result.pools.filter((p) => p.lowerBound !== null).length;
        const again = await solve(raw);
        expect(JSON.stringify({ ...again, millis: 0 })).toBe(JSON.stringify({ ...result, millis: 0 }));
      }),
      { numRuns: 12, seed: 43 },
    );
    expect(boundedPools).toBeGreaterThan(5);
  }, 120_000);
});
