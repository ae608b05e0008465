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
 * Work is counted in pair evaluations, so the result is deterministic.
 */
import { MINIMAX_L1_WEIGHT, type Pool, type Problem } from './problem.ts';

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

/** The pool's data laid out flat for the evaluations. */
export interface DualData {
  R: number;
  n: number;
  cbar: number;
  /** Per account: its eligible reps' slots in [pairStart[i], pairStart[i+1]). */
  pairStart: Int32Array;
  pairSlot: Int32Array;
  /** Per account: revenue units, scaled move cost C̄·moveCost, owner slot (-1 when not in the pool). */
  unit: Float64Array;
  cost: Float64Array;
  ownerSlot: Int32Array;
  /** Per item: how many accounts it stands for (a surrogate's groups); absent: one each (exact). */
  weight?: Float64Array;
  /** Per rep slot: fixed count and units, targets, candidate counts and revenues of its min terms. */
  fixedN: Float64Array;
  fixedU: Float64Array;
  candN: Float64Array[];
  candV: Float64Array[];
  devN: Float64Array[];
  devV: Float64Array[];
}

/**
 * The weight of a rep's deviations in a bound on the pool objective: 1 for L1. Minimax is the largest count
 * and revenue deviation plus MINIMAX_L1_WEIGHT times their sum, and the largest is at least the mean, so
 * (MINIMAX_L1_WEIGHT + 1/reps) times the sum bounds it from below: an L1 bound with that weight (weak, valid).
 */
export function deviationWeight(problem: Problem, pool: Pool): number {
  return problem.input.objective === 'l1' ? 1 : MINIMAX_L1_WEIGHT + 1 / Math.max(1, pool.reps.length);
}

export function dualData(problem: Problem, pool: Pool): DualData {
  const weight = deviationWeight(problem, pool);
  const R = pool.reps.length;
  const slot = new Map<number, number>();
  pool.reps.forEach((r, i) => {
    slot.set(r, i);
  });
  const n = pool.movable.length;
  const pairStart = new Int32Array(n + 1);
  let pairs = 0;
  for (let i = 0; i < n; i++) {
    const k = pool.movable[i]!;
    pairs += problem.eligStart[k + 1]! - problem.eligStart[k]!;
    pairStart[i + 1] = pairs;
  }
  const pairSlot = new Int32Array(pairs);
  const unit = new Float64Array(n);
  const cost = new Float64Array(n);
  const ownerSlot = new Int32Array(n);
  // What each rep could reach at most: its fixed load plus every account it may receive.
  const reachN = new Float64Array(R);
  const reachU = new Float64Array(R);
  const cbar = pool.meanCount;
  for (let i = 0; i < n; i++) {
    const k = pool.movable[i]!;
    unit[i] = problem.unit[k]!;
    cost[i] = problem.moveCost[k]! * cbar;
    ownerSlot[i] = slot.get(problem.owner[problem.movable[k]!]!) ?? -1;
    let j = pairStart[i]!;
    for (let e = problem.eligStart[k]!; e < problem.eligStart[k + 1]!; e++, j++) {
      const s = slot.get(problem.eligRep[e]!)!;
      pairSlot[j] = s;
      reachN[s]! += 1;
      reachU[s]! += unit[i]!;
    }
  }
  const fixedN = new Float64Array(R);
  const fixedU = new Float64Array(R);
  const candN: Float64Array[] = [];
  const candV: Float64Array[] = [];
  const devN: Float64Array[] = [];
  const devV: Float64Array[] = [];
  pool.reps.forEach((r, s) => {
    const fN = problem.fixedCount[r]!;
    const fU = problem.fixedUnits[r]!;
    fixedN[s] = fN;
    fixedU[s] = fU;
    const hiN = Math.min(fN + reachN[s]!, Math.floor(problem.capCount[r]! + 1e-9));
    const t = problem.targetCount[r]!;
    // |N − T| on the integers of [fN, hiN] is linear between these points: its minimum against a line is at one.
    const ns = [fN, hiN, Math.floor(t), Math.ceil(t)].map((v) => Math.min(hiN, Math.max(fN, v)));
    candN.push(Float64Array.from(new Set(ns)));
    // Revenue in units: loosened by a hair above the cap (exact cents ≤ cap; units are a rounded quotient).
    const capU = problem.capUnits[r]!;
    const hiU = Math.min(fU + reachU[s]!, Number.isFinite(capU) ? capU * (1 + 1e-12) + 1e-9 : Infinity);
    const u = problem.targetUnits[r]!;
    const vs = [fU, hiU, u].map((v) => Math.min(hiU, Math.max(fU, v)));
    candV.push(Float64Array.from(new Set(vs)));
    devN.push(candN[s]!.map((v) => weight * Math.abs(v - t)));
    devV.push(candV[s]!.map((v) => weight * Math.abs(v - u)));
  });
  return {
    R,
    n,
    cbar,
    pairStart,
    pairSlot,
    unit,
    cost,
    ownerSlot,
    fixedN,
    fixedU,
    candN,
    candV,
    devN,
    devV,
  };
}

/**
 * A smaller stand-in for the search of the multipliers: accounts with the same owner, eligible reps and
 * continuity rate whose revenues lie within `ratio` of each other become one item of their mean revenue and
 * cost, weighted by their number. Its L is NOT a bound (the mean of alike accounts' minima is at most the
 * minimum at their mean): bounds are always read from the exact data.
 */
export function surrogateData(d: DualData, ratio: number): DualData {
  const logRatio = Math.log(ratio);
  const groups = new Map<string, number[]>();
  for (let i = 0; i < d.n; i++) {
    const u = d.unit[i]!;
    const rate = d.cost[i]! / (1 + u);
    const cls = u > 0 ? Math.floor(Math.log(u) / logRatio) : 'z';
    const key = `${d.ownerSlot[i]}|${rate.toPrecision(9)}|${cls}|${d.pairSlot.subarray(d.pairStart[i]!, d.pairStart[i + 1]!).join(',')}`;
    let g = groups.get(key);
    if (!g) {
      g = [];
      groups.set(key, g);
    }
    g.push(i);
  }
  const items = [...groups.values()];
  const n = items.length;
  const pairStart = new Int32Array(n + 1);
  for (let t = 0; t < n; t++) {
    const i = items[t]![0]!;
    pairStart[t + 1] = pairStart[t]! + d.pairStart[i + 1]! - d.pairStart[i]!;
  }
  const pairSlot = new Int32Array(pairStart[n]!);
  const unit = new Float64Array(n);
  const cost = new Float64Array(n);
  const ownerSlot = new Int32Array(n);
  const weight = new Float64Array(n);
  items.forEach((members, t) => {
    const i0 = members[0]!;
    pairSlot.set(d.pairSlot.subarray(d.pairStart[i0]!, d.pairStart[i0 + 1]!), pairStart[t]!);
    let u = 0;
    let c = 0;
    for (const i of members) {
      u += d.unit[i]!;
      c += d.cost[i]!;
    }
    unit[t] = u / members.length;
    cost[t] = c / members.length;
    ownerSlot[t] = d.ownerSlot[i0]!;
    weight[t] = members.length;
  });
  return { ...d, n, pairStart, pairSlot, unit, cost, ownerSlot, weight };
}

/**
 * The exact L at multipliers m (a then b, scaled by C̄), in pool-objective units, and — when mu > 0 — the
 * smoothed value and its gradient (written to grad) for the search.
 */
export function evaluate(
  d: DualData,
  m: Float64Array,
  mu: number,
  grad: Float64Array | null,
): { exact: number; smooth: number } {
  const { R, n, pairStart, pairSlot, unit, cost, ownerSlot, weight } = d;
  let exact = 0;
  let smooth = 0;
  if (grad) grad.fill(0);
  const z = new Float64Array(R);
  for (let i = 0; i < n; i++) {
    const u = unit[i]!;
    const c = cost[i]!;
    const o = ownerSlot[i]!;
    const s0 = pairStart[i]!;
    const s1 = pairStart[i + 1]!;
    let min = Number.POSITIVE_INFINITY;
    for (let j = s0; j < s1; j++) {
      const s = pairSlot[j]!;
      const v = (s === o ? 0 : c) + m[s]! + m[R + s]! * u;
      z[j - s0] = v;
      if (v < min) min = v;
    }
    const w = weight ? weight[i]! : 1;
    exact += w * min;
    if (grad) {
      let sum = 0;
      const cut = min + 40 * mu;
      for (let j = 0; j < s1 - s0; j++) {
        const v = z[j]!;
        const e = v > cut ? 0 : Math.exp((min - v) / mu);
        z[j] = e;
        sum += e;
      }
      smooth += w * (min - mu * Math.log(sum));
      const inv = w / sum;
      for (let j = s0; j < s1; j++) {
        const p = z[j - s0]! * inv;
        if (p === 0) continue;
        const s = pairSlot[j]!;
        grad[s]! += p;
        grad[R + s]! += p * u;
      }
    }
  }
  for (let s = 0; s < R; s++) {
    const a = m[s]!;
    const b = m[R + s]!;
    const lin = a * d.fixedN[s]! + b * d.fixedU[s]!;
    exact += lin;
    smooth += lin;
    if (grad) {
      grad[s]! += d.fixedN[s]!;
      grad[R + s]! += d.fixedU[s]!;
    }
    for (const [cand, dev, mult, off] of [
      [d.candN[s]!, d.devN[s]!, a, s],
      [d.candV[s]!, d.devV[s]!, b, R + s],
    ] as const) {
      let min = Number.POSITIVE_INFINITY;
      for (let i = 0; i < cand.length; i++) min = Math.min(min, dev[i]! - mult * cand[i]!);
      exact += min;
      if (grad) {
        let sum = 0;
        let wsum = 0;
        for (let i = 0; i < cand.length; i++) {
          const e = Math.exp((min - (dev[i]! - mult * cand[i]!)) / mu);
          sum += e;
          wsum += e * cand[i]!;
        }
        smooth += min - mu * Math.log(sum);
        grad[off]! -= wsum / sum;
      }
    }
  }
  return { exact: exact / d.cbar, smooth: smooth / d.cbar };
}

/** Pairs of the pool: the work of one evaluation. */
export function dualPairs(d: DualData): number {
  return d.pairSlot.length + 8 * d.R;
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

/** Two-loop recursion: the quasi-Newton ascent direction H·g. */
function lbfgsDirection(g: Float64Array, S: Float64Array[], Y: Float64Array[]): Float64Array {
  const q = Float64Array.from(g);
  const k = S.length;
  if (k === 0) return q;
  const alpha = new Float64Array(k);
  const rho = new Float64Array(k);
  const dot = (a: Float64Array, b: Float64Array) => {
    let v = 0;
    for (let i = 0; i < a.length; i++) v += a[i]! * b[i]!;
    return v;
  };
  for (let i = k - 1; i >= 0; i--) {
    rho[i] = 1 / dot(Y[i]!, S[i]!);
    alpha[i] = rho[i]! * dot(S[i]!, q);
    for (let j = 0; j < q.length; j++) q[j]! -= alpha[i]! * Y[i]![j]!;
  }
  const gamma = dot(S[k - 1]!, Y[k - 1]!) / dot(Y[k - 1]!, Y[k - 1]!);
  for (let j = 0; j < q.length; j++) q[j]! *= gamma;
  for (let i = 0; i < k; i++) {
    const beta = rho[i]! * dot(Y[i]!, q);
    for (let j = 0; j < q.length; j++) q[j]! += S[i]![j]! * (alpha[i]! - beta);
  }
  return q;
}
