/**
 * The construction + local search engine: greedy from the current owners, relocate and swap moves that
 * respect every cap, and a seeded iterated local search. Budgets count move evaluations, never
 * wall-clock time, so the same input always gives the same answer.
 */

import { LOCAL_SEARCH_WORK_PER_MS, type SolveClock } from './clock.ts';
import { ilsApplies, iteratedSearch } from './ils.ts';
import { mulberry32, randomInt } from './prng.ts';
import type { Pool, Problem } from './problem.ts';
import {
  countsAsTaken,
  emptyState,
  fits,
  isEligible,
  moveCostOf,
  place,
  poolScore,
  type State,
  unplace,
} from './state.ts';

export interface HeuristicOptions {
  seed: number;
  /** Move evaluations allowed for local search, shared by the pools in proportion to their size. */
  lsWork: number;
  /** Move evaluations allowed for the iterated local search, per pool. */
  ilsWork: number;
  /** Pools with more movable accounts skip the iterated search (it helps little there). */
  ilsMaxAccounts: number;
  /** Exhaustive swaps up to this many movable accounts in a pool; revenue-targeted swaps above. */
  exhaustiveSwapMax: number;
  /**
   * The scalable iterated search (ils.ts, L1 without a new-hire cap): move evaluations per binary of a
   * pool, and at most this many per pool.
   */
  fastIlsWorkPerBinary: number;
  fastIlsMaxWork: number;
  /** Deadline for the whole improvement (ms since epoch; on `clock` when given); budgets stay the primary limit. */
  deadline?: number;
  /**
   * The solve's work clock (clock.ts): the deadline becomes a work budget per pool, the wall clock only
   * a safety net, and the work done is charged to the clock. Without it the deadline is wall-clock time.
   */
  clock?: SolveClock;
  /** The pools to improve (default: all); the others keep the construction. */
  pools?: Pool[];
}

export const DEFAULT_HEURISTIC: HeuristicOptions = {
  seed: 1,
  lsWork: 4e8,
  ilsWork: 2e6,
  ilsMaxAccounts: 400,
  exhaustiveSwapMax: 1500,
  fastIlsWorkPerBinary: 20_000,
  fastIlsMaxWork: 1e8,
};

export interface HeuristicOutcome {
  state: State;
  /** Movable positions no rep could take (caps); empty when the assignment is complete. */
  unplaced: number[];
  work: number;
}

const EPS = 1e-12;
const ILS_WORK_PER_BINARY = 5000;
/** Record-to-record slack of the fast iterated search, in accounts' worth of deviation (measured). */
export const ILS_SLACK = 0.02;

/** Build an assignment from scratch (or from `start`) and improve it. */
export function heuristicSolve(
  problem: Problem,
  options: HeuristicOptions,
  start?: ArrayLike<number>,
): HeuristicOutcome {
  const state = emptyState(problem);
  const unplaced: number[] = [];
  if (start) {
    for (let k = 0; k < problem.movable.length; k++) if (start[k]! >= 0) place(state, k, start[k]!);
  }
  for (const pool of problem.pools) {
    if (start && pool.movable.every((k) => state.assign[k]! >= 0)) continue;
    for (const k of pool.movable) unplace(state, k);
    let stuck = construct(state, pool, 'greedy');
    if (stuck.length > 0) {
      for (const k of pool.movable) unplace(state, k);
      stuck = construct(state, pool, 'slack');
      stuck = stuck.filter((k) => !ejectFor(state, pool, k));
    }
    unplaced.push(...stuck);
  }
  for (let k = 0; k < problem.movable.length; k++) {
    if (problem.accountPool[k] === -1) unplaced.push(k);
  }
  const work = unplaced.length === 0 ? improve(state, options, options.pools) : 0;
  return { state, unplaced: unplaced.sort((a, b) => a - b), work };
}

/** Local search, then iterated local search on small pools; returns the move evaluations used. */
export function improve(state: State, options: HeuristicOptions, pools?: Pool[]): number {
  const problem = state.problem;
  const list = pools ?? problem.pools;
  const sizes = list.map((pool) => poolSize(problem, pool));
  const totalSize = sizes.reduce((a, b) => a + b, 0) || 1;
  let work = 0;
  let remaining = totalSize;
  list.forEach((pool, i) => {
    // Departures: greedy + local search already reach the LP bound (SOLVER-LAB), and 100000x300 must
    // stay within seconds, so they keep the plain path; the iterated search is for realignments.
    if (ilsApplies(state) && options.fastIlsWorkPerBinary > 0 && problem.input.kind !== 'departure') {
      // Each pool gets a share of the time left, in proportion to its binaries.
      const clock = options.clock;
      const now = clock ? clock.now() : Date.now();
      const until =
        options.deadline === undefined
          ? undefined
          : now + Math.max(0, options.deadline - now) * (sizes[i]! / Math.max(1, remaining));
      remaining -= sizes[i]!;
      const cap = Math.min(options.fastIlsMaxWork, options.fastIlsWorkPerBinary * sizes[i]!);
      // No deadline (a fixed-budget polish): the budget alone, and the wall clock's safety on a clock.
      const safety = clock ? clock.wallDeadline : until;
      const limits =
        clock && until !== undefined
          ? clock.searchLimits(pool, until, cap, options.exhaustiveSwapMax)
          : { work: cap, ...(safety !== undefined ? { deadline: safety } : {}) };
      const out = iteratedSearch(state, pool, {
        seed: options.seed + pool.index * 7919,
        ...limits,
        exhaustiveSwapMax: options.exhaustiveSwapMax,
        slack: ILS_SLACK,
      });
      clock?.spendSearch(pool, out.work, options.exhaustiveSwapMax);
      work += out.work;
      return;
    }
    const search = new PoolSearch(state, pool, options);
    search.budget = Math.max(1e5, (options.lsWork * sizes[i]!) / totalSize);
    search.localSearch();
    if (pool.movable.length <= options.ilsMaxAccounts && pool.movable.length >= 2) {
      // Tiny pools converge after a few thousand perturbations; the cap keeps them from burning the budget.
      search.budget = search.work + Math.min(options.ilsWork, ILS_WORK_PER_BINARY * sizes[i]!);
      search.iterated(options.seed + pool.index * 7919);
    }
    options.clock?.spend(search.work / LOCAL_SEARCH_WORK_PER_MS);
    work += search.work;
  });
  return work;
}

function poolSize(problem: Problem, pool: Pool): number {
  let n = 0;
  for (const k of pool.movable) n += problem.eligStart[k + 1]! - problem.eligStart[k]!;
  return n;
}

function construct(state: State, pool: Pool, rule: 'greedy' | 'slack'): number[] {
  const p = state.problem;
  const order = [...pool.movable].sort(
    (a, b) => p.accounts[p.movable[b]!]!.revenueCents - p.accounts[p.movable[a]!]!.revenueCents || a - b,
  );
  const search = new PoolSearch(state, pool, DEFAULT_HEURISTIC);
  const stuck: number[] = [];
  for (const k of order) {
    let best = -1;
    let bestScore = Number.POSITIVE_INFINITY;
    for (let j = p.eligStart[k]!; j < p.eligStart[k + 1]!; j++) {
      const r = p.eligRep[j]!;
      if (!fits(state, k, r) || !search.takenAllows(k, -1, r)) continue;
      const score = rule === 'greedy' ? search.relocateDelta(k, -1, r) : -relativeSlack(state, k, r);
      if (score < bestScore - EPS) {
        bestScore = score;
        best = r;
      }
    }
    if (best >= 0) place(state, k, best);
    else stuck.push(k);
  }
  return stuck;
}

function relativeSlack(state: State, k: number, r: number): number {
  const p = state.problem;
  const cc = p.capCount[r]!;
  const cr = p.capRevenueCents[r]!;
  const sc = Number.isFinite(cc) ? (cc - state.count[r]! - 1) / Math.max(cc, 1) : 1;
  const sr = Number.isFinite(cr)
    ? (cr - state.cents[r]! - p.accounts[p.movable[k]!]!.revenueCents) / Math.max(cr, 1)
    : 1;
  return Math.min(sc, sr);
}

/** Make room for k by moving one account off an eligible rep to another rep with room. */
function ejectFor(state: State, pool: Pool, k: number): boolean {
  const p = state.problem;
  const search = new PoolSearch(state, pool, DEFAULT_HEURISTIC);
  for (let j = p.eligStart[k]!; j < p.eligStart[k + 1]!; j++) {
    const r = p.eligRep[j]!;
    for (const k2 of pool.movable) {
      if (state.assign[k2] !== r) continue;
      for (let j2 = p.eligStart[k2]!; j2 < p.eligStart[k2 + 1]!; j2++) {
        const r2 = p.eligRep[j2]!;
        if (r2 === r || !fits(state, k2, r2) || !search.takenAllows(k2, r, r2)) continue;
        unplace(state, k2);
        place(state, k2, r2);
        if (fits(state, k, r) && search.takenAllows(k, -1, r)) {
          place(state, k, r);
          return true;
        }
        unplace(state, k2);
        place(state, k2, r);
      }
    }
  }
  return false;
}

/** Local search state for one pool: per-rep account lists, deltas, moves. */
class PoolSearch {
  work = 0;
  budget = Number.POSITIVE_INFINITY;
  private readonly p: Problem;
  private readonly minimax: boolean;
  private readonly inv: number;

  constructor(
    private readonly s: State,
    private readonly pool: Pool,
    private readonly options: HeuristicOptions,
  ) {
    this.p = s.problem;
    this.minimax = this.p.input.objective === 'minimax';
    this.inv = 1 / pool.meanCount;
  }

  /** New-hire cap: moving k from `from` (-1: unplaced) to `to` must not take too many from its owner. */
  takenAllows(k: number, from: number, to: number): boolean {
    const o = countsAsTaken(this.p, k);
    if (o < 0) return true;
    const before = from === -1 || from === o ? 0 : 1;
    const after = to === o ? 0 : 1;
    return this.s.taken[o]! + after - before <= this.p.takenCap;
  }

  relocateDelta(k: number, from: number, to: number): number {
    const p = this.p;
    const s = this.s;
    const u = p.unit[k]!;
    let d = 0;
    let nF = 0;
    let vF = 0;
    if (from >= 0) {
      const tn = p.targetCount[from]!;
      const tu = p.targetUnits[from]!;
      nF = s.count[from]!;
      vF = s.units[from]!;
      d += Math.abs(nF - 1 - tn) - Math.abs(nF - tn) + Math.abs(vF - u - tu) - Math.abs(vF - tu);
    }
    const tn = p.targetCount[to]!;
    const tu = p.targetUnits[to]!;
    const nT = s.count[to]!;
    const vT = s.units[to]!;
    d += Math.abs(nT + 1 - tn) - Math.abs(nT - tn) + Math.abs(vT + u - tu) - Math.abs(vT - tu);
    d *= this.inv;
    let cost = moveCostOf(p, k, to) - (from >= 0 ? moveCostOf(p, k, from) : 0);
    if (this.minimax) {
      cost += this.maxDelta(from, from >= 0 ? nF - 1 : 0, from >= 0 ? vF - u : 0, to, nT + 1, vT + u);
      return 0.01 * d + cost;
    }
    return d + cost;
  }

  /** Change of (max count deviation + max revenue deviation) when reps a and b get new loads. */
  private maxDelta(a: number, na: number, va: number, b: number, nb: number, vb: number): number {
    const p = this.p;
    const s = this.s;
    let oldC = 0;
    let oldV = 0;
    let newC = 0;
    let newV = 0;
    for (const r of this.pool.reps) {
      const dc = Math.abs(s.count[r]! - p.targetCount[r]!);
      const dv = Math.abs(s.units[r]! - p.targetUnits[r]!);
      if (dc > oldC) oldC = dc;
      if (dv > oldV) oldV = dv;
      let nc = dc;
      let nv = dv;
      if (r === a) {
        nc = Math.abs(na - p.targetCount[r]!);
        nv = Math.abs(va - p.targetUnits[r]!);
      } else if (r === b) {
        nc = Math.abs(nb - p.targetCount[r]!);
        nv = Math.abs(vb - p.targetUnits[r]!);
      }
      if (nc > newC) newC = nc;
      if (nv > newV) newV = nv;
    }
    return (newC + newV - oldC - oldV) * this.inv;
  }

  swapDelta(k1: number, k2: number): number {
    const p = this.p;
    const s = this.s;
    const r1 = s.assign[k1]!;
    const r2 = s.assign[k2]!;
    const d12 = p.unit[k1]! - p.unit[k2]!;
    const v1 = s.units[r1]!;
    const v2 = s.units[r2]!;
    const t1 = p.targetUnits[r1]!;
    const t2 = p.targetUnits[r2]!;
    let d =
      (Math.abs(v1 - d12 - t1) - Math.abs(v1 - t1) + Math.abs(v2 + d12 - t2) - Math.abs(v2 - t2)) * this.inv;
    const cost =
      moveCostOf(p, k1, r2) - moveCostOf(p, k1, r1) + moveCostOf(p, k2, r1) - moveCostOf(p, k2, r2);
    if (this.minimax) {
      d = 0.01 * d + this.maxDelta(r1, s.count[r1]!, v1 - d12, r2, s.count[r2]!, v2 + d12);
    }
    return d + cost;
  }

  swapFeasible(k1: number, k2: number): boolean {
    const p = this.p;
    const s = this.s;
    const r1 = s.assign[k1]!;
    const r2 = s.assign[k2]!;
    const c1 = p.accounts[p.movable[k1]!]!.revenueCents;
    const c2 = p.accounts[p.movable[k2]!]!.revenueCents;
    if (s.cents[r1]! - c1 + c2 > p.capRevenueCents[r1]!) return false;
    if (s.cents[r2]! - c2 + c1 > p.capRevenueCents[r2]!) return false;
    if (!Number.isFinite(p.takenCap)) return true;
    const o1 = countsAsTaken(p, k1);
    const o2 = countsAsTaken(p, k2);
    const change = new Map<number, number>();
    const bump = (o: number, from: number, to: number) => {
      if (o < 0) return;
      change.set(o, (change.get(o) ?? 0) + (to === o ? 0 : 1) - (from === o ? 0 : 1));
    };
    bump(o1, r1, r2);
    bump(o2, r2, r1);
    for (const [o, c] of change) if (s.taken[o]! + c > p.takenCap) return false;
    return true;
  }

  private move(k: number, to: number): void {
    unplace(this.s, k);
    place(this.s, k, to);
  }

  /** Best improving relocation of k, applied; true when it moved. */
  private relocateBest(k: number): boolean {
    const p = this.p;
    const from = this.s.assign[k]!;
    let best = -1;
    let bestDelta = -EPS;
    for (let j = p.eligStart[k]!; j < p.eligStart[k + 1]!; j++) {
      const r = p.eligRep[j]!;
      if (r === from) continue;
      this.work++;
      if (!fits(this.s, k, r) || !this.takenAllows(k, from, r)) continue;
      const d = this.relocateDelta(k, from, r);
      if (d < bestDelta) {
        bestDelta = d;
        best = r;
      }
    }
    if (best < 0) return false;
    this.move(k, best);
    return true;
  }

  private trySwap(k1: number, k2: number): boolean {
    const s = this.s;
    const r1 = s.assign[k1]!;
    const r2 = s.assign[k2]!;
    if (r1 === r2) return false;
    this.work++;
    if (!isEligible(this.p, k1, r2) || !isEligible(this.p, k2, r1)) return false;
    if (this.swapDelta(k1, k2) >= -EPS || !this.swapFeasible(k1, k2)) return false;
    this.move(k1, r2);
    this.move(k2, r1);
    return true;
  }

  /** Relocate and swap passes until no move improves or the budget is spent. */
  localSearch(): void {
    const small = this.pool.movable.length <= this.options.exhaustiveSwapMax;
    let improved = true;
    while (improved && this.work < this.budget) {
      improved = false;
      for (const k of this.pool.movable) {
        if (this.work >= this.budget) break;
        if (this.relocateBest(k)) improved = true;
      }
      if (this.work >= this.budget) break;
      if (small ? this.exhaustiveSwaps() : this.targetedSwaps()) improved = true;
    }
  }

  private exhaustiveSwaps(): boolean {
    const list = this.pool.movable;
    let improved = false;
    for (let i = 0; i < list.length; i++) {
      if (this.work >= this.budget) break;
      for (let j = i + 1; j < list.length; j++) {
        if (this.trySwap(list[i]!, list[j]!)) improved = true;
      }
    }
    return improved;
  }

  /** For large pools: for each account, partners whose revenue moves both reps toward their targets. */
  private targetedSwaps(): boolean {
    const p = this.p;
    const s = this.s;
    const byRep = new Map<number, number[]>();
    for (const r of this.pool.reps) byRep.set(r, []);
    for (const k of this.pool.movable) byRep.get(s.assign[k]!)!.push(k);
    for (const arr of byRep.values()) arr.sort((a, b) => p.unit[a]! - p.unit[b]! || a - b);
    let improved = false;
    for (const k1 of this.pool.movable) {
      if (this.work >= this.budget) break;
      const r1 = s.assign[k1]!;
      const e1 = s.units[r1]! - p.targetUnits[r1]!;
      for (let j = p.eligStart[k1]!; j < p.eligStart[k1 + 1]!; j++) {
        const r2 = p.eligRep[j]!;
        if (r2 === r1) continue;
        const e2 = s.units[r2]! - p.targetUnits[r2]!;
        if (e1 <= e2) continue;
        const want = p.unit[k1]! - (e1 - e2) / 2;
        const arr = byRep.get(r2)!;
        let lo = 0;
        let hi = arr.length;
        while (lo < hi) {
          const mid = (lo + hi) >> 1;
          if (p.unit[arr[mid]!]! < want) lo = mid + 1;
          else hi = mid;
        }
        let done = false;
        for (let t = Math.max(0, lo - 2); t < Math.min(arr.length, lo + 2) && !done; t++) {
          const k2 = arr[t]!;
          if (s.assign[k2] !== r2) continue;
          if (this.trySwap(k1, k2)) {
            improved = true;
            done = true;
          }
        }
        if (done) break;
      }
    }
    return improved;
  }

  /** Perturb a few accounts, re-optimise, keep the result only when the pool objective improved. */
  iterated(seed: number): void {
    const rand = mulberry32(seed);
    const list = this.pool.movable;
    let best = poolScore(this.s, this.pool).objective;
    const snapshot = new Int32Array(list.length);
    while (this.work < this.budget) {
      for (let i = 0; i < list.length; i++) snapshot[i] = this.s.assign[list[i]!]!;
      const m = 2 + randomInt(rand, 6);
      for (let t = 0; t < m; t++) {
        const k = list[randomInt(rand, list.length)]!;
        const from = this.s.assign[k]!;
        const start = this.p.eligStart[k]!;
        const span = this.p.eligStart[k + 1]! - start;
        if (span < 2) continue;
        const r = this.p.eligRep[start + randomInt(rand, span)]!;
        if (r !== from && fits(this.s, k, r) && this.takenAllows(k, from, r)) this.move(k, r);
      }
      this.work += list.length;
      const before = this.work;
      this.localSearch();
      if (this.work === before) this.work++;
      const score = poolScore(this.s, this.pool).objective;
      if (score < best - 1e-9) {
        best = score;
        continue;
      }
      for (let i = 0; i < list.length; i++)
        if (this.s.assign[list[i]!] !== snapshot[i]) unplace(this.s, list[i]!);
      for (let i = 0; i < list.length; i++)
        if (this.s.assign[list[i]!] === -1) place(this.s, list[i]!, snapshot[i]!);
    }
  }
}
