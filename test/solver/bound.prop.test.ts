import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { runHighs } from '../../src/solver/engines/highs.ts';
import { roundLpSolution } from '../../src/solver/lp-round.ts';
import { buildPoolModel, singleBlocks, startValues } from '../../src/solver/model.ts';
import { finalOwners, ownerMap } from '../../src/solver/report.ts';
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

describe('count-rounding cuts (model.ts)', () => {
  it('hold at every integer assignment: a random complete assignment with its loads satisfies every row', () => {
    let cutRows = 0;
    fc.assert(
      fc.property(mediumBook, fc.array(fc.nat(), { minLength: 120, maxLength: 120 }), (raw, picks) => {
        const problem = problemOf(raw);
        fc.pre(problem !== null);
        // Any eligible rep per account, ignoring caps (the cuts must not depend on them), then the rows
        // other than the caps (column bounds on the load columns) are checked.
        const state = emptyState(problem!);
        for (let k = 0; k < problem!.movable.length; k++) {
          const s = problem!.eligStart[k]!;
          const n = problem!.eligStart[k + 1]! - s;
          if (n > 0) place(state, k, problem!.eligRep[s + (picks[k % picks.length]! % n)]!);
        }
        for (const pool of problem!.pools) {
          const withCuts = buildPoolModel(problem!, pool, singleBlocks(problem!, pool));
          const without = buildPoolModel(problem!, pool, singleBlocks(problem!, pool), { countCuts: false });
          cutRows += withCuts.numRows - without.numRows;
          const x = startValues(withCuts, state);
          const relaxed = {
            ...withCuts,
            colLower: withCuts.colLower.map(() => Number.NEGATIVE_INFINITY),
            colUpper: withCuts.colUpper.map(() => Number.POSITIVE_INFINITY),
          };
          expect(modelViolation(relaxed, x)).toBeLessThan(1e-7);
          // And the model's objective at that point is the pool objective.
          let value = 0;
          for (let c = 0; c < withCuts.numCols; c++) value += withCuts.colCost[c]! * x[c]!;
          expect(value).toBeCloseTo(poolScore(state, pool).objective, 9);
        }
      }),
      { numRuns: 60, seed: 11 },
    );
    expect(cutRows).toBeGreaterThan(50);
  });

  it('the LP bound with cuts never exceeds the brute-force optimum, and is at least the bound without them', async () => {
    await fc.assert(
      fc.asyncProperty(tinyInput(['departure', 'realignment']), async (raw) => {
        const problem = problemOf(raw);
        fc.pre(problem !== null);
        const best = bruteForceOptimum(raw);
        fc.pre(best !== null);
        let withCuts = 0;
        let without = 0;
        for (const pool of problem!.pools) {
          if (pool.movable.length === 0) continue;
          const a = await runHighs(buildPoolModel(problem!, pool, singleBlocks(problem!, pool)), {
            timeLimitSec: 10,
            relax: true,
          });
          const b = await runHighs(
            buildPoolModel(problem!, pool, singleBlocks(problem!, pool), { countCuts: false }),
            { timeLimitSec: 10, relax: true },
          );
          expect(a.status).toBe('optimal');
          expect(b.status).toBe('optimal');
          withCuts += a.bound!;
          without += b.bound!;
        }
        // The pools' objectives add up to the total objective the brute force minimises.
        expect(withCuts).toBeLessThanOrEqual(best! + 1e-7);
        expect(withCuts).toBeGreaterThanOrEqual(without - 1e-7);
      }),
      { numRuns: 40, seed: 3 },
    );
  });
});

describe('LP rounding (lp-round.ts)', () => {
  it('places every movable account exactly once on an eligible rep within the caps, and the checker agrees', async () => {
    let rounded = 0;
    await fc.assert(
      fc.asyncProperty(mediumBook, async (raw) => {
        const problem = problemOf(raw);
        // Accounts no rep may take belong to no pool (solve reports them as infeasible before any engine).
        fc.pre(problem?.accountPool.every((p) => p >= 0) === true);
        let state = emptyState(problem!);
        for (const pool of problem!.pools) {
          const model = buildPoolModel(problem!, pool, singleBlocks(problem!, pool));
          const lp = await runHighs(model, { timeLimitSec: 10, relax: true });
          if (lp.status !== 'optimal' || !lp.colValue) return;
          const next = roundLpSolution(state, pool, model, lp.colValue);
          if (next === null) return;
          // Only this pool's accounts changed, and each of them is placed once.
          for (let k = 0; k < problem!.movable.length; k++)
            if (problem!.accountPool[k] !== pool.index) expect(next.assign[k]).toBe(state.assign[k]);
          state = next;
        }
        rounded++;
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
      { numRuns: 40, seed: 13 },
    );
    expect(rounded).toBeGreaterThan(10);
  });
});
