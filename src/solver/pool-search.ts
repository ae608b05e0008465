/**
 * The local search of one pool (heuristic.ts): relocations and swaps that respect every cap and the new-hire
 * "taken" cap, exhaustive swaps on small pools and revenue-targeted ones on large pools, and a seeded
 * iterated local search for tiny pools. Work counts move evaluations.
 */
import { mulberry32, randomInt } from './prng.ts';
import type { Pool, Problem } from './problem.ts';
import {
  countsAsTaken,
  fits,
  isEligible,
  moveCostOf,
  place,
  poolScore,
  type State,
  unplace,
} from './state.ts';

export interface PoolSearchOptions {
  /** Exhaustive swaps up to this many movable accounts in a pool; revenue-targeted swaps above. */
  exhaustiveSwapMax: number;
}

const EPS = 1e-12;

/** Local search state for one pool: per-rep account lists, deltas, moves. */
export class PoolSearch {
  work = 0;
  budget = Number.POSITIVE_INFINITY;
  private readonly p: Problem;
  private readonly minimax: boolean;
  private readonly inv: number;

  constructor(
    private readonly s: State,
    private readonly pool: Pool,
    private readonly options: PoolSearchOptions,
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
