import fc from 'fast-check';
import { afterEach, describe, expect, it } from 'vitest';
import { bucketBlocks, dealOut, fixSplitSingles } from '../../src/solver/bucket.ts';
import { runHighs } from '../../src/solver/engines/highs.ts';
import { parseSolveInput } from '../../src/solver/input.ts';
import { buildPoolModel, singleBlocks, startValues } from '../../src/solver/model.ts';
import { finalOwners, ownerMap } from '../../src/solver/report.ts';
import type { SolveResult } from '../../src/solver/result.ts';
import { ENGINE_LIMITS, solve } from '../../src/solver/solve.ts';
import {
  emptyState,
  isEligible,
  place,
  poolScore,
  stateFrom,
  totalObjective,
} from '../../src/solver/state.ts';
import { verifyAssignment } from '../../src/solver/verify.ts';
import { bruteForceOptimum } from './brute-force.ts';
import { tinyInput } from './factories.ts';
import { mediumBook, modelViolation, problemOf } from './medium-book.ts';

const smallBuckets = fc.record({
  singles: fc.integer({ min: 0, max: 6 }),
  classRatio: fc.constantFrom(1.2, 1.5, 4, 1000),
  maxSize: fc.integer({ min: 1, max: 12 }),
});

const withoutMillis = (r: SolveResult) => JSON.stringify(r, (k, v) => (k === 'millis' ? undefined : v));

describe('bucketing (bucket.ts)', () => {
  it('puts every movable account of a pool in exactly one block of alike accounts', () => {
    let buckets = 0;
    fc.assert(
      fc.property(mediumBook, smallBuckets, (raw, options) => {
        const problem = problemOf(raw);
        fc.pre(problem !== null);
        for (const pool of problem!.pools) {
          const blocks = bucketBlocks(problem!, pool, options);
          const seen = blocks.flatMap((b) => b.positions).sort((a, b) => a - b);
          expect(seen).toEqual([...pool.movable].sort((a, b) => a - b));
          for (const b of blocks) {
            expect(b.positions.length).toBeLessThanOrEqual(Math.max(1, options.maxSize));
            if (!b.range) continue;
            buckets++;
            let total = 0;
            for (const k of b.positions) {
              const reps: number[] = [];
              for (let j = problem!.eligStart[k]!; j < problem!.eligStart[k + 1]!; j++)
                reps.push(problem!.eligRep[j]!);
              expect(reps).toEqual(b.reps);
              expect(problem!.owner[problem!.movable[k]!]).toBe(b.owner);
              const u = problem!.unit[k]!;
              expect(u).toBeGreaterThanOrEqual(b.range.lo);
              expect(u).toBeLessThanOrEqual(b.range.hi);
              if (b.range.lo > 0)
                expect(b.range.hi / b.range.lo).toBeLessThanOrEqual(options.classRatio ** 2);
              // The continuity cost of each account is exactly the bucket's linear rate.
              expect(problem!.moveCost[k]).toBeCloseTo(b.range.costPerAccount + b.range.costPerUnit * u, 12);
              total += u;
            }
            expect(b.range.total).toBeCloseTo(total, 9);
          }
        }
      }),
      { numRuns: 60, seed: 17 },
    );
    expect(buckets).toBeGreaterThan(100);
  });

  it('is a relaxation: every integer assignment is a point of the bucketed model with the same objective', () => {
    fc.assert(
      fc.property(
        mediumBook,
        smallBuckets,
        fc.array(fc.nat(), { minLength: 120, maxLength: 120 }),
        (raw, options, picks) => {
          const problem = problemOf(raw);
          fc.pre(problem !== null);
          const state = emptyState(problem!);
          for (let k = 0; k < problem!.movable.length; k++) {
            const s = problem!.eligStart[k]!;
            const n = problem!.eligStart[k + 1]! - s;
            if (n > 0) place(state, k, problem!.eligRep[s + (picks[k % picks.length]! % n)]!);
          }
          for (const pool of problem!.pools) {
            const model = buildPoolModel(problem!, pool, bucketBlocks(problem!, pool, options));
            const x = startValues(model, state);
            expect(modelViolation(model, x, model.xCols)).toBeLessThan(1e-6);
            let value = 0;
            for (let c = 0; c < model.numCols; c++) value += model.colCost[c]! * x[c]!;
            expect(value).toBeCloseTo(poolScore(state, pool).objective, 8);
          }
        },
      ),
      { numRuns: 60, seed: 19 },
    );
  });

  it('its LP bound never exceeds the per-account LP bound nor the brute-force optimum', async () => {
    await fc.assert(
      fc.asyncProperty(tinyInput(['realignment']), async (raw) => {
        const problem = problemOf({ ...raw, objective: 'l1' });
        fc.pre(problem !== null);
        const best = bruteForceOptimum({ ...raw, objective: 'l1' });
        fc.pre(best !== null);
        let bucketBound = 0;
        let accountBound = 0;
        for (const pool of problem!.pools) {
          if (pool.movable.length === 0) continue;
          const options = { singles: 0, classRatio: 1000, maxSize: 7 };
          const a = await runHighs(buildPoolModel(problem!, pool, bucketBlocks(problem!, pool, options)), {
            timeLimitSec: 10,
            relax: true,
          });
          const b = await runHighs(buildPoolModel(problem!, pool, singleBlocks(problem!, pool)), {
            timeLimitSec: 10,
            relax: true,
          });
          expect(a.status).toBe('optimal');
          expect(b.status).toBe('optimal');
          bucketBound += a.bound!;
          accountBound += b.bound!;
        }
        expect(bucketBound).toBeLessThanOrEqual(accountBound + 1e-7);
        expect(bucketBound).toBeLessThanOrEqual(best! + 1e-7);
      }),
      { numRuns: 30, seed: 23 },
    );
  });

  it('its MIP bound (whales integer, buckets continuous) never exceeds the brute-force optimum', async () => {
    // bench/reference-bounds.ts keeps the bucketed MIP's dual bound as a reference bound of pools too large
    // for the per-pair model: integrality of the whales is kept, so it is tighter than the LP, and still a bound.
    let tighter = 0;
    await fc.assert(
      fc.asyncProperty(tinyInput(['realignment']), smallBuckets, async (tiny, options) => {
        const raw = { ...tiny, objective: 'l1' as const };
        const problem = problemOf(raw);
        fc.pre(problem !== null);
        const best = bruteForceOptimum(raw);
        fc.pre(best !== null);
        let mipBound = 0;
        for (const pool of problem!.pools) {
          if (pool.movable.length === 0) continue;
          const model = buildPoolModel(problem!, pool, bucketBlocks(problem!, pool, options));
          const lp = await runHighs(model, { timeLimitSec: 10, relax: true });
          expect(lp.status).toBe('optimal');
          // No whale: the model is an LP (HiGHS reports no MIP dual bound for it), covered by the test above.
          if (!model.integer.includes(1)) {
            mipBound += lp.bound!;
            continue;
          }
          const mip = await runHighs(model, { timeLimitSec: 10, relGap: 1e-9, absGap: 1e-12 });
          expect(mip.status).toBe('optimal');
          expect(mip.bound!).toBeGreaterThanOrEqual(lp.bound! - 1e-7);
          if (mip.bound! > lp.bound! + 1e-6) tighter++;
          mipBound += mip.bound!;
        }
        expect(mipBound).toBeLessThanOrEqual(best! + 1e-7);
      }),
      { numRuns: 40, seed: 41 },
    );
    expect(tighter).toBeGreaterThan(0);
  });

  it('deals out every account exactly once on an eligible rep within the caps, and the checker agrees', async () => {
    let dealt = 0;
    await fc.assert(
      fc.asyncProperty(mediumBook, smallBuckets, fc.boolean(), async (raw, options, dive) => {
        const problem = problemOf(raw);
        fc.pre(problem?.accountPool.every((p) => p >= 0) === true);
        let state = emptyState(problem!);
        for (const pool of problem!.pools) {
          const model = buildPoolModel(problem!, pool, bucketBlocks(problem!, pool, options));
          const lp = await runHighs(model, { timeLimitSec: 10, relax: true });
          if (lp.status !== 'optimal' || !lp.colValue) return;
          let colValue: ArrayLike<number> = lp.colValue;
          const fixed = dive ? fixSplitSingles(model, colValue) : null;
          if (fixed) {
            const again = await runHighs(fixed, { timeLimitSec: 10, relax: true });
            if (again.status === 'optimal' && again.colValue) colValue = again.colValue;
          }
          const next = dealOut(state, pool, model, colValue);
          if (next === null) return;
          for (let k = 0; k < problem!.movable.length; k++)
            if (problem!.accountPool[k] !== pool.index) expect(next.assign[k]).toBe(state.assign[k]);
          state = next;
        }
        dealt++;
        const fresh = stateFrom(problem!, state.assign);
        for (let k = 0; k < problem!.movable.length; k++) {
          expect(state.assign[k]).toBeGreaterThanOrEqual(0);
          expect(isEligible(problem!, k, state.assign[k]!)).toBe(true);
        }
        for (let r = 0; r < problem!.reps.length; r++) {
          expect(state.count[r]).toBe(fresh.count[r]);
          expect(state.cents[r]).toBe(fresh.cents[r]);
          expect(fresh.count[r]!).toBeLessThanOrEqual(problem!.capCount[r]!);
          expect(fresh.cents[r]!).toBeLessThanOrEqual(problem!.capRevenueCents[r]!);
        }
        const owners = ownerMap(problem!, finalOwners(problem!, state.assign));
        expect(verifyAssignment(problem!.input, owners, totalObjective(fresh)).errors).toEqual([]);
      }),
      { numRuns: 40, seed: 29 },
    );
    expect(dealt).toBeGreaterThan(10);
  });
});

describe('solve with bucketed pools', () => {
  const saved = { ...ENGINE_LIMITS };
  afterEach(() => {
    Object.assign(ENGINE_LIMITS, saved);
  });

  it('reports a bound (bucketed LP, then the MIP with integer whales) never above the brute-force optimum', async () => {
    ENGINE_LIMITS.bucketMinBinaries = 1;
    let bounded = 0;
    await fc.assert(
      fc.asyncProperty(tinyInput(['realignment']), async (tiny) => {
        const raw = { ...tiny, objective: 'l1' as const };
        const best = bruteForceOptimum(raw);
        const result = await solve(raw);
        if (best === null) {
          expect(result.status).toBe('infeasible');
          return;
        }
        if (result.status !== 'optimal' && result.status !== 'feasible') throw new Error(result.status);
        expect(result.objective).toBeGreaterThanOrEqual(best - 1e-9);
        if (result.lowerBound !== null) {
          bounded++;
          expect(result.lowerBound).toBeLessThanOrEqual(best + 1e-7);
        }
      }),
      { numRuns: 40, seed: 37 },
    );
    expect(bounded).toBeGreaterThan(10);
  });

  it('returns verified answers with a valid bound, byte-identical on a second run', async () => {
    // Every pool bucketed, however small; a smaller search budget keeps the test fast (budgets, not the
    // clock, end the search, so the answer stays deterministic).
    ENGINE_LIMITS.bucketMinBinaries = 1;
    ENGINE_LIMITS.continueIlsWorkPerBinary = 2000;
    let bucketedPools = 0;
    await fc.assert(
      fc.asyncProperty(mediumBook, async (raw) => {
        const result = await solve(raw);
        if (result.status === 'infeasible' || result.status === 'invalid') return;
        if (result.status === 'timeout') throw new Error(`timeout: ${result.reason}`);
        const input = parseSolveInput(raw);
        if (!input.ok) throw new Error('generated input invalid');
        const owners = new Map(result.assignments.map((a) => [a.accountId, a.toRepId]));
        const ids = result.assignments.map((a) => a.accountId);
        expect(new Set(ids).size).toBe(input.input.accounts.length);
        expect(verifyAssignment(input.input, owners, result.objective).errors).toEqual([]);
        expect(result.verified).toBe(true);
        if (result.lowerBound !== null)
          expect(result.lowerBound).toBeLessThanOrEqual(result.objective + 1e-9);
        // Bucketed pools run no MIP: a pool's bound is its bucketed LP's.
        bucketedPools += result.pools.filter((p) => p.lowerBound !== null).length;
        const again = await solve(raw);
        expect(withoutMillis(again)).toBe(withoutMillis(result));
      }),
      { numRuns: 12, seed: 31 },
    );
    expect(bucketedPools).toBeGreaterThan(0);
  }, 120_000);
});
