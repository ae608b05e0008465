/**
 * The Lagrangian relaxation's data (lagrangian.ts): a pool laid out flat for the evaluations of L, its
 * surrogate of alike accounts for the search of the multipliers, and the exact evaluation of L with its
 * smoothed value and gradient. Every exact evaluation is a proven lower bound on the pool objective.
 */
import { MINIMAX_L1_WEIGHT, type Pool, type Problem } from './problem.ts';

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
