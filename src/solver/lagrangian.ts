/**
 * A lower bound for any L1 pool without HiGHS: the Lagrangian relaxation of the rep rows (each rep's count
 * and revenue defined by the accounts it gets). With multipliers a_r (count) and b_r (revenue) for the pool's
 * reps, every integer assignment's objective is at least
 *
 *   L(a, b) = Σ_accounts min over eligible r of (C̄·c_kr + a_r + b_r·u_k)
 *           + Σ_reps [ a_r·F_r + b_r·FU_r + min_N (|N − T_r| − a_r·N) + min_V (|V − U_r| − b_r·V) ] (all ÷ C̄)
 *
 * where N runs over the integer counts the rep can reach (fixed count up to the cap or everything it may
 * receive) and V over its reachable revenue, for ANY a, b: so every evaluation is a proven bound, whatever the
 * search for good multipliers does. Dropped constraints (the new-hire "taken" cap) only weaken it; minimax
 * pools get it with a smaller weight on the deviations (deviationWeight). Its best
 * value is the LP relaxation's with the count-rounding cuts (model.ts), at a cost of O(account-rep pairs) per
 * evaluation and no model to build: 100000x300's pools (1.08M pairs each), whose LP does not finish.
 *
 * The multipliers are searched on a smoothed L (each min replaced by a soft-min at temperature μ, which lies
 * below it), maximised by L-BFGS while μ shrinks; the exact L is read off every evaluation and the best kept.
 * Work is counted in pair evaluations, so the result is deterministic. The data and the evaluation of L are in
 * lagrangian-data.ts.
 */
import { dualData, dualPairs, evaluate, surrogateData } from './lagrangian-data.ts';
import { lbfgsDirection } from './lbfgs.ts';
import type { Pool, Problem } from './problem.ts';

export interface LagrangianOptions {
  /** Pair evaluations allowed (one evaluation of L costs the pool's account-rep pairs). */
  work: number;
  /** Stop once the bound reaches this (e.g. the incumbent's objective within the wanted gap). */
  target?: number;
  /** Warm start: multipliers from an earlier run on the same pool (scaled, length 2·reps). */
  start?: Float64Array;
  /** Search on the surrogate (surrogateData) above this many pairs (default SURROGATE_MIN_PAIRS). */
  surrogateMinPairs?: number;
  /** Smoothing temperatures, largest first (default MU_STAGES). */
  temperatures?: readonly number[];
}

export interface LagrangianOutcome {
  /** Proven lower bound on the pool objective (L1), or null when the pool has nothing to bound. */
  bound: number;
  /** The multipliers of the best bound (a then b, scaled by C̄). */
  multipliers: Float64Array;
  evaluations: number;
  /** Pair evaluations spent. */
  work: number;
  /** Each smoothing stage's last iterate and its temperature: a fractional answer for the rounding. */
  stages: { mu: number; multipliers: Float64Array }[];
}
/** Rounding safety: the exact L is a sum of many floating-point terms. */
function safe(value: number): number {
  return value - 1e-9 * (1 + Math.abs(value));
}

/** Temperatures of the smoothing, largest first (scaled units: a deviation of one account costs 1). */
const MU_STAGES = [0.3, 0.1, 0.03, 0.01, 0.003, 0.001];
const LBFGS_MEMORY = 8;
/** A stage ends after this many steps in a row that gain (almost) nothing, or this many evaluations. */
const STALL_STEPS = 5;
const MAX_STAGE_EVALUATIONS = 400;
/** Pools with more account-rep pairs than this search their multipliers on the surrogate (surrogateData). */
const SURROGATE_MIN_PAIRS = 200_000;
const SURROGATE_RATIO = 1.1;

export function lagrangianBound(problem: Problem, pool: Pool, options: LagrangianOptions): LagrangianOutcome {
  const d = dualData(problem, pool);
  const dim = 2 * d.R;
  const exactPairs = dualPairs(d);
  // Large pools search on the surrogate and read the exact bound at the end of each stage.
  const search =
    exactPairs > (options.surrogateMinPairs ?? SURROGATE_MIN_PAIRS) ? surrogateData(d, SURROGATE_RATIO) : d;
  const searchPairs = dualPairs(search);
  const temperatures = options.temperatures ?? MU_STAGES;
  const exactEach = search === d;
  let x =
    options.start && options.start.length === dim ? Float64Array.from(options.start) : new Float64Array(dim);
  let work = 0;
  let evaluations = 0;
  let best = Number.NEGATIVE_INFINITY;
  let bestX = Float64Array.from(x);
  const note = (exact: number, at: Float64Array) => {
    if (exact > best) {
      best = exact;
      bestX = Float64Array.from(at);
    }
  };
  const reached = () => options.target !== undefined && safe(best) >= options.target;
  const stageWork = (options.work - (exactEach ? 0 : temperatures.length * exactPairs)) / temperatures.length;
  const g = new Float64Array(dim);
  const stages: { mu: number; multipliers: Float64Array }[] = [];
  for (const mu of temperatures) {
    if (reached() || work + 2 * searchPairs > options.work) break;
    const stageEnd = Math.min(options.work, work + Math.max(2 * searchPairs, stageWork));
    const evalAt = (at: Float64Array, grad: Float64Array) => {
      const f = evaluate(search, at, mu, grad);
      work += searchPairs;
      evaluations++;
      if (exactEach) note(f.exact, at);
      return f;
    };
    // L-BFGS ascent on the smoothed L (concave): directions from the last pairs (s, y), Armijo backtracking.
    let f = evalAt(x, g);
    const S: Float64Array[] = [];
    const Y: Float64Array[] = [];
    let grad = Float64Array.from(g);
    let step = 1;
    let stalled = 0;
    const stageStart = evaluations;
    while (
      work + searchPairs <= stageEnd &&
      !reached() &&
      stalled < STALL_STEPS &&
      evaluations - stageStart < MAX_STAGE_EVALUATIONS
    ) {
      const dir = lbfgsDirection(grad, S, Y);
      let slope = 0;
      for (let i = 0; i < dim; i++) slope += dir[i]! * grad[i]!;
      if (!(slope > 1e-14)) {
        // Flat (this stage has converged), or not an ascent direction: restart from the gradient.
        if (S.length === 0) break;
        S.length = 0;
        Y.length = 0;
        continue;
      }
      let t = S.length === 0 ? Math.min(1, step / Math.sqrt(slope)) : 1;
      let accepted = false;
      const next = new Float64Array(dim);
      const ng = new Float64Array(dim);
      while (work + searchPairs <= stageEnd) {
        for (let i = 0; i < dim; i++) next[i] = x[i]! + t * dir[i]!;
        const fn = evalAt(next, ng);
        if (fn.smooth >= f.smooth + 1e-4 * t * slope) {
          const sv = new Float64Array(dim);
          const yv = new Float64Array(dim);
          let sy = 0;
          for (let i = 0; i < dim; i++) {
            sv[i] = next[i]! - x[i]!;
            // Ascent on a concave function: y = −(g_new − g_old) keeps s·y > 0.
            yv[i] = grad[i]! - ng[i]!;
            sy += sv[i]! * yv[i]!;
          }
          if (sy > 1e-16) {
            S.push(sv);
            Y.push(yv);
            if (S.length > LBFGS_MEMORY) {
              S.shift();
              Y.shift();
            }
          }
          // Converged at this temperature when steps stop gaining.
          stalled = fn.smooth - f.smooth <= 1e-10 * (1 + Math.abs(f.smooth)) ? stalled + 1 : 0;
          x = Float64Array.from(next);
          grad = Float64Array.from(ng);
          f = fn;
          step = t * Math.sqrt(slope);
          accepted = true;
          break;
        }
        t *= 0.3;
        if (t < 1e-12) break;
      }
      if (!accepted) {
        if (S.length === 0) break;
        S.length = 0;
        Y.length = 0;
      }
    }
    if (!exactEach) {
      note(evaluate(d, x, 0, null).exact, x);
      work += exactPairs;
    }
    stages.push({ mu, multipliers: Float64Array.from(x) });
  }
  if (best === Number.NEGATIVE_INFINITY) {
    note(evaluate(d, x, 0, null).exact, x);
    work += exactPairs;
  }
  return { bound: safe(best), multipliers: bestX, evaluations, work, stages };
}
