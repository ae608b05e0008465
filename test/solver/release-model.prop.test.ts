import fc from 'fast-check';
import { afterEach, describe, expect, it } from 'vitest';
import { runHighs } from '../../src/solver/engines/highs.ts';
import { parseSolveInput } from '../../src/solver/input.ts';
import type { Pool } from '../../src/solver/problem.ts';
import {
  buildReleaseModel,
  canStay,
  type ReleaseModel,
  releaseStart,
} from '../../src/solver/release-model.ts';
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
import { mediumBook, modelViolation, problemOf } from './medium-book.ts';

const l1 = <T extends { objective?: string }>(raw: T): T => ({ ...raw, objective: 'l1' });

/** The model's point of an integer answer: released accounts, what each rep takes of each class, loads. */
function pointOf(rm: ReleaseModel, state: State, pool: Pool): Float64Array {
  const p = state.problem;
  const x = new Float64Array(rm.model.numCols);
  for (const k of pool.movable) {
    const c = rm.releaseCol[k]!;
    if (c >= 0) x[c] = state.assign[k] === p.owner[p.movable[k]!] ? 0 : 1;
  }
  for (const cls of rm.classes) {
    cls.reps.forEach((r, i) => {
      let n = 0;
      let u = 0;
      for (const k of cls.positions) {
        const away = !canStay(p, pool, k) || state.assign[k] !== p.owner[p.movable[k]!];
        if (away && state.assign[k] === r) {
          n++;
          u += p.unit[k]!;
        }
      }
      if (cls.hiCol[i]! < 0) x[cls.loCol[i]!] = n;
      else {
        const hi = Math.min(n, Math.max(0, (u - cls.lo * n) / (cls.hi - cls.lo)));
        x[cls.hiCol[i]!] = hi;
        x[cls.loCol[i]!] = n - hi;
      }
    });
  }
  // The rep columns come last, six per rep: count, revenue and the four deviations.
  let col = rm.model.numCols - 6 * pool.reps.length;
  for (const r of pool.reps) {
    const dc = state.count[r]! - p.targetCount[r]!;
    const dv = state.units[r]! - p.targetUnits[r]!;
    x.set(
      [
        state.count[r]!,
        state.units[r]!,
        Math.max(0, dc),
        Math.max(0, -dc),
        Math.max(0, dv),
        Math.max(0, -dv),
      ],
      col,
    );
    col += 6;
  }
  return x;
}

/** A complete assignment within the caps, each account on the first fitting rep from its pick; else null. */
function feasibleState(problem: NonNullable<ReturnType<typeof problemOf>>, picks: number[]): State | null {
  const state = emptyState(problem);
  for (let k = 0; k < problem.movable.length; k++) {
    const s = problem.eligStart[k]!;
    const n = problem.eligStart[k + 1]! - s;
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

describe('release relaxation (release-model.ts)', () => {
  it('holds every integer point within the caps, with the same objective', () => {
    let checked = 0;
    fc.assert(
      fc.property(mediumBook, fc.array(fc.nat(), { minLength: 120, maxLength: 120 }), (raw, picks) => {
        const problem = problemOf(raw);
        fc.pre(problem !== null);
        const state = feasibleState(problem!, picks);
        fc.pre(state !== null);
        for (const pool of problem!.pools) {
          const rm = buildReleaseModel(problem!, pool);
          const x = pointOf(rm, state!, pool);
          expect(modelViolation(rm.model, x)).toBeLessThanOrEqual(1e-6);
          let value = rm.constant;
          for (let c = 0; c < rm.model.numCols; c++) value += rm.model.colCost[c]! * x[c]!;
          expect(value).toBeCloseTo(poolScore(state!, pool).objective, 9);
        }
        checked++;
      }),
      { numRuns: 120, seed: 19 },
    );
    expect(checked).toBeGreaterThan(40);
  });

  it('its LP bound never exceeds the brute-force optimum (realignment, departure, new hire without its cap)', async () => {
    let checked = 0;
    await fc.assert(
      fc.asyncProperty(tinyInput(['departure', 'realignment', 'new-hire']).map(l1), async (raw) => {
        const problem = problemOf(raw);
        fc.pre(problem !== null);
        const best = bruteForceOptimum(raw);
        fc.pre(best !== null);
        let bound = 0;
        for (const pool of problem!.pools) {
          const rm = buildReleaseModel(problem!, pool);
          const lp = await runHighs(rm.model, { timeLimitSec: 10, relax: true });
          expect(lp.status).toBe('optimal');
          bound += lp.bound! + rm.constant;
        }
        expect(bound).toBeLessThanOrEqual(best! + 1e-7);
        checked++;
      }),
      { numRuns: 120, seed: 23 },
    );
    expect(checked).toBeGreaterThan(50);
  });

  it('deals its LP answer out to every account once, on an eligible rep within the caps, or returns null', async () => {
    let dealt = 0;
    await fc.assert(
      fc.asyncProperty(mediumBook.map(l1), async (raw) => {
        const problem = problemOf(raw);
        fc.pre(problem?.accountPool.every((pool) => pool >= 0) === true);
        let state = emptyState(problem!);
        for (const pool of problem!.pools) {
          const rm = buildReleaseModel(problem!, pool);
          const lp = await runHighs(rm.model, { timeLimitSec: 10, relax: true });
          if (lp.status !== 'optimal' || !lp.colValue) return;
          const next = releaseStart(state, pool, rm, lp.colValue);
          if (next === null) return;
          for (let k = 0; k < problem!.movable.length; k++)
            if (problem!.accountPool[k] !== pool.index) expect(next.assign[k]).toBe(state.assign[k]);
          // The start is an integer point: its objective is at least the bound.
          expect(poolScore(next, pool).objective).toBeGreaterThanOrEqual(lp.bound! + rm.constant - 1e-7);
          state = next;
        }
        dealt++;
        const fresh = stateFrom(problem!, state.assign);
        for (let k = 0; k < problem!.movable.length; k++)
          expect(isEligible(problem!, k, state.assign[k]!)).toBe(true);
        for (let r = 0; r < problem!.reps.length; r++) {
          expect(state.count[r]).toBe(fresh.count[r]);
          expect(fresh.count[r]!).toBeLessThanOrEqual(problem!.capCount[r]!);
          expect(fresh.cents[r]!).toBeLessThanOrEqual(problem!.capRevenueCents[r]!);
        }
      }),
      { numRuns: 40, seed: 29 },
    );
    expect(dealt).toBeGreaterThan(15);
  });
});

describe('solve with pools too large for the per-pair and bucketed LPs (the release phase)', () => {
  const saved = { ...ENGINE_LIMITS };
  afterEach(() => {
    Object.assign(ENGINE_LIMITS, saved);
  });
  /** No per-pair LP, MIP or bucketed model for any pool, however small: as for 100000x300's pools. */
  const releaseOnly = () => {
    ENGINE_LIMITS.lpMaxBinaries = 0;
    ENGINE_LIMITS.mipMaxBinaries = 0;
    ENGINE_LIMITS.bucketMaxBinaries = 0;
    ENGINE_LIMITS.releaseLp = true;
    ENGINE_LIMITS.continueIlsWorkPerBinary = 2000;
  };

  it('reports a bound for every pool, never above the brute-force optimum', async () => {
    releaseOnly();
    let bounded = 0;
    await fc.assert(
      fc.asyncProperty(tinyInput(['departure', 'realignment', 'new-hire']), async (raw) => {
        const best = bruteForceOptimum(raw);
        const result = await solve(raw);
        if (best === null) return;
        if (result.status !== 'optimal' && result.status !== 'feasible') return;
        expect(result.objective).toBeGreaterThanOrEqual(best - 1e-9);
        expect(result.lowerBound).not.toBeNull();
        bounded++;
        expect(result.lowerBound!).toBeLessThanOrEqual(best + 1e-7);
      }),
      { numRuns: 60, seed: 47 },
    );
    expect(bounded).toBeGreaterThan(20);
  });

  it('returns verified answers with the release bound, byte-identical on a second run', async () => {
    releaseOnly();
    let released = 0;
    await fc.assert(
      fc.asyncProperty(mediumBook.map(l1), async (raw) => {
        const result = await solve(raw, {
          onPhase: (phase) => {
            if (phase.endsWith(': release LP')) released++;
          },
        });
        if (result.status === 'infeasible' || result.status === 'invalid') return;
        if (result.status === 'timeout') throw new Error(`timeout: ${result.reason}`);
        const input = parseSolveInput(raw);
        if (!input.ok) throw new Error('generated input invalid');
        const owners = new Map(result.assignments.map((a) => [a.accountId, a.toRepId]));
        expect(verifyAssignment(input.input, owners, result.objective).errors).toEqual([]);
        expect(result.lowerBound).not.toBeNull();
        expect(result.lowerBound!).toBeLessThanOrEqual(result.objective + 1e-7);
        const again = await solve(raw);
        expect(JSON.stringify({ ...again, millis: 0 })).toBe(JSON.stringify({ ...result, millis: 0 }));
      }),
      { numRuns: 12, seed: 53 },
    );
    expect(released).toBeGreaterThan(3);
  }, 120_000);
});
