/** A mutable assignment of the movable accounts with the per-rep loads and objective every engine reports. */
import { MINIMAX_L1_WEIGHT, type Pool, type Problem } from './problem.ts';

export interface State {
  problem: Problem;
  /** Per movable position: the rep index (-1 while unplaced). */
  assign: Int32Array;
  /** Per rep: accounts, revenue in the pool's units, exact revenue in cents, accounts taken (new hire). */
  count: Float64Array;
  units: Float64Array;
  cents: Float64Array;
  taken: Float64Array;
}

export function emptyState(problem: Problem): State {
  const state: State = {
    problem,
    assign: new Int32Array(problem.movable.length).fill(-1),
    count: Float64Array.from(problem.fixedCount),
    units: Float64Array.from(problem.fixedUnits),
    cents: Float64Array.from(problem.fixedRevenueCents),
    taken: new Float64Array(problem.reps.length),
  };
  return state;
}

export function cloneState(s: State): State {
  return {
    problem: s.problem,
    assign: Int32Array.from(s.assign),
    count: Float64Array.from(s.count),
    units: Float64Array.from(s.units),
    cents: Float64Array.from(s.cents),
    taken: Float64Array.from(s.taken),
  };
}

/** True when leaving this owner counts against the new-hire "taken" cap (the owner could have kept it). */
export function countsAsTaken(problem: Problem, k: number): number {
  if (!Number.isFinite(problem.takenCap)) return -1;
  const o = problem.owner[problem.movable[k]!]!;
  if (o < 0 || problem.reps[o]!.departing) return -1;
  return isEligible(problem, k, o) ? o : -1;
}

export function isEligible(problem: Problem, k: number, r: number): boolean {
  let lo = problem.eligStart[k]!;
  let hi = problem.eligStart[k + 1]! - 1;
  const arr = problem.eligRep;
  while (lo <= hi) {
    const mid = (lo + hi) >> 1;
    const v = arr[mid]!;
    if (v === r) return true;
    if (v < r) lo = mid + 1;
    else hi = mid - 1;
  }
  return false;
}

/** Put movable position k on rep r (k must be unplaced). */
export function place(s: State, k: number, r: number): void {
  const p = s.problem;
  s.assign[k] = r;
  s.count[r]! += 1;
  s.units[r]! += p.unit[k]!;
  s.cents[r]! += p.accounts[p.movable[k]!]!.revenueCents;
  const o = countsAsTaken(p, k);
  if (o >= 0 && r !== o) s.taken[o]! += 1;
}

export function unplace(s: State, k: number): void {
  const p = s.problem;
  const r = s.assign[k]!;
  if (r < 0) return;
  s.assign[k] = -1;
  s.count[r]! -= 1;
  s.units[r]! -= p.unit[k]!;
  s.cents[r]! -= p.accounts[p.movable[k]!]!.revenueCents;
  const o = countsAsTaken(p, k);
  if (o >= 0 && r !== o) s.taken[o]! -= 1;
}

/** Cost of k ending on r (continuity). */
export function moveCostOf(p: Problem, k: number, r: number): number {
  return r === p.owner[p.movable[k]!]! ? 0 : p.moveCost[k]!;
}

export function countDev(p: Problem, r: number, n: number): number {
  return Math.abs(n - p.targetCount[r]!) / p.pools[p.repPool[r]!]!.meanCount;
}

export function unitDev(p: Problem, r: number, v: number): number {
  return Math.abs(v - p.targetUnits[r]!) / p.pools[p.repPool[r]!]!.meanCount;
}

export interface PoolScore {
  objective: number;
  /** Sum of deviations (count + revenue), the continuity part, and the largest deviations. */
  l1: number;
  continuity: number;
  maxCount: number;
  maxRevenue: number;
}

/** Objective of one pool in the current state (placed accounts only). */
export function poolScore(s: State, pool: Pool): PoolScore {
  const p = s.problem;
  let l1 = 0;
  let maxCount = 0;
  let maxRevenue = 0;
  for (const r of pool.reps) {
    const dc = countDev(p, r, s.count[r]!);
    const dv = unitDev(p, r, s.units[r]!);
    l1 += dc + dv;
    if (dc > maxCount) maxCount = dc;
    if (dv > maxRevenue) maxRevenue = dv;
  }
  let continuity = 0;
  for (const k of pool.movable) {
    const r = s.assign[k]!;
    if (r >= 0) continuity += moveCostOf(p, k, r);
  }
  const objective =
    p.input.objective === 'l1'
      ? l1 + continuity
      : maxCount + maxRevenue + MINIMAX_L1_WEIGHT * l1 + continuity;
  return { objective, l1, continuity, maxCount, maxRevenue };
}

export function totalObjective(s: State): number {
  let total = 0;
  for (const pool of s.problem.pools) total += poolScore(s, pool).objective;
  return total;
}

/** Whether r can take k on top of its current load (caps and the new-hire taken cap). */
export function fits(s: State, k: number, r: number): boolean {
  const p = s.problem;
  if (s.count[r]! + 1 > p.capCount[r]!) return false;
  if (s.cents[r]! + p.accounts[p.movable[k]!]!.revenueCents > p.capRevenueCents[r]!) return false;
  return true;
}

/** Full state from a complete assignment (every movable position placed). */
export function stateFrom(problem: Problem, assign: ArrayLike<number>): State {
  const s = emptyState(problem);
  for (let k = 0; k < problem.movable.length; k++) {
    const r = assign[k]!;
    if (r >= 0) place(s, k, r);
  }
  return s;
}
