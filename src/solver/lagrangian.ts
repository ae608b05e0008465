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
import { type DualData, dualData, dualPairs, evaluate, surrogateData } from './lagrangian-data.ts';
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
  const exactPairs = dualPairs(d);
  // Large pools search on the surrogate and read the exact bound at the end of each stage.
  const search =
    exactPairs > (options.surrogateMinPairs ?? SURROGATE_MIN_PAIRS) ? surrogateData(d, SURROGATE_RATIO) : d;
  const temperatures = options.temperatures ?? MU_STAGES;
  const dim = 2 * d.R;
  const x =
    options.start && options.start.length === dim ? Float64Array.from(options.start) : new Float64Array(dim);
  const s: DualSearch = {
    exact: d,
    search,
    exactPairs,
    searchPairs: dualPairs(search),
    exactEach: search === d,
    target: options.target,
    x,
    work: 0,
    evaluations: 0,
    best: Number.NEGATIVE_INFINITY,
    bestX: Float64Array.from(x),
  };
  const stageWork =
    (options.work - (s.exactEach ? 0 : temperatures.length * exactPairs)) / temperatures.length;
  const stages: { mu: number; multipliers: Float64Array }[] = [];
  for (const mu of temperatures) {
    if (reached(s) || s.work + 2 * s.searchPairs > options.work) break;
    ascendStage(s, mu, Math.min(options.work, s.work + Math.max(2 * s.searchPairs, stageWork)));
    if (!s.exactEach) readExact(s);
    stages.push({ mu, multipliers: Float64Array.from(s.x) });
  }
  if (s.best === Number.NEGATIVE_INFINITY) readExact(s);
  return { bound: safe(s.best), multipliers: s.bestX, evaluations: s.evaluations, work: s.work, stages };
}

/** The search across its stages: the iterate, the work and evaluations spent, the best exact L and where. */
interface DualSearch {
  exact: DualData;
  /** What the multipliers are searched on: the exact data, or its surrogate (then `exactEach` is false). */
  search: DualData;
  exactPairs: number;
  searchPairs: number;
  exactEach: boolean;
  target: number | undefined;
  x: Float64Array;
  work: number;
  evaluations: number;
  best: number;
  bestX: Float64Array;
}

function note(s: DualSearch, exact: number, at: Float64Array): void {
  if (exact > s.best) {
    s.best = exact;
    s.bestX = Float64Array.from(at);
  }
}

function reached(s: DualSearch): boolean {
  return s.target !== undefined && safe(s.best) >= s.target;
}

/** The exact L at the iterate (the surrogate's searches read it at the end of each stage). */
function readExact(s: DualSearch): void {
  note(s, evaluate(s.exact, s.x, 0, null).exact, s.x);
  s.work += s.exactPairs;
}

/** The smoothed L and its gradient at `at`, counted as work; the exact value is noted when it is the true L's. */
function evalAt(
  s: DualSearch,
  at: Float64Array,
  mu: number,
  grad: Float64Array,
): { exact: number; smooth: number } {
  const f = evaluate(s.search, at, mu, grad);
  s.work += s.searchPairs;
  s.evaluations++;
  if (s.exactEach) note(s, f.exact, at);
  return f;
}

/**
 * One temperature's L-BFGS ascent on the smoothed L (concave): directions from the last pairs (s, y), Armijo
 * backtracking; ends at `stageEnd` work, at the target, after STALL_STEPS steps that gain nothing, or after
 * MAX_STAGE_EVALUATIONS evaluations.
 */
function ascendStage(s: DualSearch, mu: number, stageEnd: number): void {
  let grad = new Float64Array(s.x.length);
  let f = evalAt(s, s.x, mu, grad);
  grad = Float64Array.from(grad);
  const S: Float64Array[] = [];
  const Y: Float64Array[] = [];
  let step = 1;
  let stalled = 0;
  const stageStart = s.evaluations;
  while (
    s.work + s.searchPairs <= stageEnd &&
    !reached(s) &&
    stalled < STALL_STEPS &&
    s.evaluations - stageStart < MAX_STAGE_EVALUATIONS
  ) {
    const dir = lbfgsDirection(grad, S, Y);
    let slope = 0;
    for (let i = 0; i < dir.length; i++) slope += dir[i]! * grad[i]!;
    // Flat (this stage has converged), or not an ascent direction, or no step gains: restart from the gradient.
    const moved =
      slope > 1e-14
        ? armijoStep(
            s,
            mu,
            stageEnd,
            f.smooth,
            dir,
            slope,
            S.length === 0 ? Math.min(1, step / Math.sqrt(slope)) : 1,
          )
        : null;
    if (!moved) {
      if (S.length === 0) break;
      S.length = 0;
      Y.length = 0;
      continue;
    }
    rememberPair(S, Y, s.x, moved.next, grad, moved.ng);
    // Converged at this temperature when steps stop gaining.
    stalled = moved.fn.smooth - f.smooth <= 1e-10 * (1 + Math.abs(f.smooth)) ? stalled + 1 : 0;
    s.x = Float64Array.from(moved.next);
    grad = Float64Array.from(moved.ng);
    f = moved.fn;
    step = moved.t * Math.sqrt(slope);
  }
}

/** Backtracking from step t until the smoothed L gains enough (Armijo), or null when no step does in the work left. */
function armijoStep(
  s: DualSearch,
  mu: number,
  stageEnd: number,
  smooth: number,
  dir: Float64Array,
  slope: number,
  t: number,
): { next: Float64Array; ng: Float64Array; fn: { exact: number; smooth: number }; t: number } | null {
  const next = new Float64Array(dir.length);
  const ng = new Float64Array(dir.length);
  while (s.work + s.searchPairs <= stageEnd) {
    for (let i = 0; i < dir.length; i++) next[i] = s.x[i]! + t * dir[i]!;
    const fn = evalAt(s, next, mu, ng);
    if (fn.smooth >= smooth + 1e-4 * t * slope) return { next, ng, fn, t };
    t *= 0.3;
    if (t < 1e-12) break;
  }
  return null;
}

/** The step's pair (s, y) into the L-BFGS memory when it has curvature; the oldest pair goes past LBFGS_MEMORY. */
function rememberPair(
  S: Float64Array[],
  Y: Float64Array[],
  x: Float64Array,
  next: Float64Array,
  grad: Float64Array,
  ng: Float64Array,
): void {
  const sv = new Float64Array(x.length);
  const yv = new Float64Array(x.length);
  let sy = 0;
  for (let i = 0; i < x.length; i++) {
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
}
