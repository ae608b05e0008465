/**
 * The moves of the iterated search (ils.ts) on one pool: per-rep member lists, O(1) incremental deltas for
 * relocations and swaps, a queue of "dirty" reps whose moves are looked at again, and a journal that undoes
 * an iteration. Every move respects eligibility and both caps (exact cents); pinned accounts are not
 * variables. Work counts move evaluations.
 */
import { mulberry32 } from './prng.ts';
import type { Pool, Problem } from './problem.ts';
import { isEligible, place, type State, unplace } from './state.ts';

export interface IlsOptions {
  seed: number;
  /** Move evaluations allowed (local search and perturbations together). */
  work: number;
  /** Wall-clock deadline (ms since epoch): the search stops early when it passes. */
  deadline?: number;
  /** Exhaustive swap partners up to this many movable accounts; sampled partners above. */
  exhaustiveSwapMax?: number;
  /** Record-to-record travel: accept an iteration ending up to slack / mean count above the best. */
  slack?: number;
  /** Stop once the pool objective is at or below this (e.g. within a gap of a known bound). */
  target?: number;
  /**
   * Share of the iterations' work given to whale moves (ils.ts): 0 turns them off. Default: on for pools
   * with sampled swaps (ils.ts, WHALE_MAX_ACCOUNTS), off for smaller pools.
   */
  whaleShare?: number;
  /** Polled with the clock: true stops the search (cancellation). */
  shouldStop?: () => boolean;
}

/** Sampled swap partners per other rep when the pool is too large for exhaustive swaps. */
const SAMPLED_PARTNERS = 24;

/** The pool's accounts as the search sees them, by position i into pool.movable. */
interface Accounts {
  /** Revenue in units and in cents, continuity cost of leaving the owner, owner, eligible everywhere. */
  unit: Float64Array;
  rev: Float64Array;
  lam: Float64Array;
  owner: Int32Array;
  allElig: Uint8Array;
  maxLam: number;
}

function accountsOf(state: State, pool: Pool): Accounts {
  const p = state.problem;
  const list = pool.movable;
  const n = list.length;
  const a: Accounts = {
    unit: new Float64Array(n),
    rev: new Float64Array(n),
    lam: new Float64Array(n),
    owner: new Int32Array(n),
    allElig: new Uint8Array(n),
    maxLam: 0,
  };
  for (let i = 0; i < n; i++) {
    const k = list[i]!;
    a.unit[i] = p.unit[k]!;
    a.rev[i] = p.accounts[p.movable[k]!]!.revenueCents;
    a.lam[i] = p.moveCost[k]!;
    a.owner[i] = p.owner[p.movable[k]!]!;
    a.allElig[i] = p.eligStart[k + 1]! - p.eligStart[k]! === pool.reps.length ? 1 : 0;
    if (a.lam[i]! > a.maxLam) a.maxLam = a.lam[i]!;
  }
  return a;
}

/** One run of the search: the pool's loads live in `state`; members, queue and journal here. */
export class IlsMoves {
  work = 0;
  /** The pool objective now (kept by the deltas). */
  protected cur: number;
  /** Work allowed (the last pass gets its own). */
  protected limit: number;
  protected readonly p: Problem;
  protected readonly list: number[];
  protected readonly n: number;
  protected readonly R: number;
  protected readonly reps: number[];
  protected readonly inv: number;
  protected readonly a: Accounts;
  protected readonly repLocal: Int32Array;
  /** Members of each rep (positions i into list) with O(1) removal. */
  protected readonly memberArr: Int32Array[];
  protected readonly memberLen: Int32Array;
  protected readonly slot: Int32Array;
  /** Journal of applied moves (position, rep it left) for undoing a rejected iteration. */
  protected journal: number[] = [];
  protected readonly rand: () => number;
  protected readonly exhaustive: boolean;
  /** Queue of reps whose load changed. */
  protected readonly queued: Uint8Array;
  protected readonly queue: number[] = [];
  /** Reps the local search may move accounts between (all, or the perturbed ones). */
  protected readonly allowed: Uint8Array;
  /** While a perturbation is restricted to a pair of reps: the pair (else -1). */
  protected pairFirst = -1;
  /** An account the moves leave where it is (the whale being tried, ils.ts), else -1. */
  protected locked = -1;
  protected pairMate = -1;

  constructor(
    protected readonly state: State,
    protected readonly pool: Pool,
    protected readonly options: IlsOptions,
    before: number,
  ) {
    this.p = state.problem;
    this.list = pool.movable;
    this.n = this.list.length;
    this.reps = pool.reps;
    this.R = this.reps.length;
    this.inv = 1 / pool.meanCount;
    this.a = accountsOf(state, pool);
    this.repLocal = new Int32Array(this.p.reps.length).fill(-1);
    this.reps.forEach((r, j) => {
      this.repLocal[r] = j;
    });
    this.memberArr = this.reps.map(() => new Int32Array(this.n));
    this.memberLen = new Int32Array(this.R);
    this.slot = new Int32Array(this.n);
    for (let i = 0; i < this.n; i++) {
      const j = this.repLocal[state.assign[this.list[i]!]!]!;
      this.slot[i] = this.memberLen[j]!;
      this.memberArr[j]![this.memberLen[j]!++] = i;
    }
    this.rand = mulberry32(options.seed);
    this.exhaustive = this.n <= (options.exhaustiveSwapMax ?? 1500);
    this.cur = before;
    this.limit = options.work;
    this.queued = new Uint8Array(this.R);
    this.allowed = new Uint8Array(this.R).fill(1);
  }

  protected eligible(i: number, r: number): boolean {
    return this.a.allElig[i] === 1 || isEligible(this.p, this.list[i]!, r);
  }

  protected cost(i: number, r: number): number {
    return r === this.a.owner[i] ? 0 : this.a.lam[i]!;
  }

  protected moveTo(i: number, to: number): void {
    const k = this.list[i]!;
    const from = this.state.assign[k]!;
    const jf = this.repLocal[from]!;
    const arr = this.memberArr[jf]!;
    const last = arr[--this.memberLen[jf]!]!;
    arr[this.slot[i]!] = last;
    this.slot[last] = this.slot[i]!;
    unplace(this.state, k);
    place(this.state, k, to);
    const jt = this.repLocal[to]!;
    this.slot[i] = this.memberLen[jt]!;
    this.memberArr[jt]![this.memberLen[jt]!++] = i;
    this.journal.push(i, from);
  }

  protected relocDelta(i: number, from: number, to: number): number {
    const { count, units } = this.state;
    const tc = this.p.targetCount;
    const tu = this.p.targetUnits;
    const u = this.a.unit[i]!;
    const nF = count[from]!;
    const vF = units[from]!;
    const nT = count[to]!;
    const vT = units[to]!;
    const d =
      Math.abs(nF - 1 - tc[from]!) -
      Math.abs(nF - tc[from]!) +
      Math.abs(vF - u - tu[from]!) -
      Math.abs(vF - tu[from]!) +
      Math.abs(nT + 1 - tc[to]!) -
      Math.abs(nT - tc[to]!) +
      Math.abs(vT + u - tu[to]!) -
      Math.abs(vT - tu[to]!);
    return d * this.inv + this.cost(i, to) - this.cost(i, from);
  }

  protected relocFits(i: number, to: number): boolean {
    const { count, cents } = this.state;
    return (
      count[to]! + 1 <= this.p.capCount[to]! && cents[to]! + this.a.rev[i]! <= this.p.capRevenueCents[to]!
    );
  }

  protected swapDelta(i1: number, r1: number, i2: number, r2: number): number {
    const tu = this.p.targetUnits;
    const du = this.a.unit[i1]! - this.a.unit[i2]!;
    const v1 = this.state.units[r1]!;
    const v2 = this.state.units[r2]!;
    return (
      (Math.abs(v1 - du - tu[r1]!) -
        Math.abs(v1 - tu[r1]!) +
        Math.abs(v2 + du - tu[r2]!) -
        Math.abs(v2 - tu[r2]!)) *
        this.inv +
      this.cost(i1, r2) -
      this.cost(i1, r1) +
      this.cost(i2, r1) -
      this.cost(i2, r2)
    );
  }

  protected swapFits(i1: number, r1: number, i2: number, r2: number): boolean {
    const { cents } = this.state;
    const capV = this.p.capRevenueCents;
    const dc = this.a.rev[i1]! - this.a.rev[i2]!;
    return cents[r1]! - dc <= capV[r1]! && cents[r2]! + dc <= capV[r2]!;
  }

  protected dirty(r: number): void {
    const j = this.repLocal[r]!;
    if (!this.queued[j]) {
      this.queued[j] = 1;
      this.queue.push(j);
    }
  }

  protected timeUp(): boolean {
    return this.options.deadline !== undefined && Date.now() >= this.options.deadline;
  }

  /** Best improving move of account i (relocation or swap), applied; true when it moved. */
  protected improveAccount(i: number): boolean {
    const { p, a, state } = this;
    const { units } = state;
    const tu = p.targetUnits;
    const inv = this.inv;
    if (i === this.locked) return false;
    const k = this.list[i]!;
    const r1 = state.assign[k]!;
    let bestD = -1e-10;
    let bestTo = -1;
    let bestPartner = -1;
    for (let j = p.eligStart[k]!; j < p.eligStart[k + 1]!; j++) {
      const r2 = p.eligRep[j]!;
      if (r2 === r1 || !this.allowed[this.repLocal[r2]!]) continue;
      this.work++;
      if (this.relocFits(i, r2)) {
        const d = this.relocDelta(i, r1, r2);
        if (d < bestD) {
          bestD = d;
          bestTo = r2;
          bestPartner = -1;
        }
      }
      // Swaps with accounts of r2: skip the rep when no partner can beat the best move so far.
      const e1 = units[r1]! - tu[r1]!;
      const e2 = units[r2]! - tu[r2]!;
      const revenueGain = e1 * e2 < 0 ? 2 * Math.min(Math.abs(e1), Math.abs(e2)) : 0;
      const ci = this.cost(i, r2) - this.cost(i, r1);
      if (-revenueGain * inv + ci - a.maxLam >= bestD) continue;
      const j2 = this.repLocal[r2]!;
      const arr = this.memberArr[j2]!;
      const len = this.memberLen[j2]!;
      const tries = this.exhaustive ? len : Math.min(len, SAMPLED_PARTNERS);
      const ui = a.unit[i]!;
      const base = -Math.abs(e1) - Math.abs(e2);
      for (let t = 0; t < tries; t++) {
        const i2 = this.exhaustive ? arr[t]! : arr[Math.floor(this.rand() * len)]!;
        if (i2 === this.locked) continue;
        const du = ui - a.unit[i2]!;
        const o2 = a.owner[i2]!;
        const c2 = o2 === r1 ? -a.lam[i2]! : o2 === r2 ? a.lam[i2]! : 0;
        const d = (Math.abs(e1 - du) + Math.abs(e2 + du) + base) * inv + ci + c2;
        if (d < bestD && this.eligible(i2, r1) && this.swapFits(i, r1, i2, r2)) {
          bestD = d;
          bestTo = r2;
          bestPartner = i2;
        }
      }
      this.work += tries;
    }
    if (bestTo < 0) return false;
    this.moveTo(i, bestTo);
    if (bestPartner >= 0) this.moveTo(bestPartner, r1);
    this.cur += bestD;
    this.dirty(r1);
    this.dirty(bestTo);
    return true;
  }

  /** Improving moves around the queued reps until the queue is empty or the work is spent. */
  protected localSearch(): void {
    const { queue, queued, reps } = this;
    while (queue.length > 0 && this.work < this.limit) {
      if (this.timeUp()) return;
      const j = queue.shift()!;
      queued[j] = 0;
      if (this.pairMate >= 0) {
        // Two reps only: one pass over either covers every move between them.
        const mate = this.repLocal[reps[j] === this.pairMate ? this.pairFirst : this.pairMate]!;
        if (queued[mate]) {
          queued[mate] = 0;
          queue.splice(queue.indexOf(mate), 1);
        }
      }
      const r = reps[j]!;
      // Accounts on r: their best relocation or swap.
      const snapshot = this.memberArr[j]!.slice(0, this.memberLen[j]!);
      // Work counts what the search touches, copies included, so work tracks time alike at every size.
      this.work += snapshot.length + this.R;
      for (const i of snapshot) {
        if (this.state.assign[this.list[i]!] !== r) continue;
        this.improveAccount(i);
        if (this.work >= this.limit) return;
      }
      this.pullInto(j);
    }
  }

  /** Accounts elsewhere that reps[j] could now take: each improving relocation, applied. */
  protected pullInto(j: number): void {
    const r = this.reps[j]!;
    for (let jo = 0; jo < this.R; jo++) {
      if (jo === j || !this.allowed[jo]) continue;
      const others = this.memberArr[jo]!.slice(0, this.memberLen[jo]!);
      this.work += others.length;
      const from = this.reps[jo]!;
      for (const i of others) {
        if (this.state.assign[this.list[i]!] !== from || i === this.locked) continue;
        this.work++;
        if (!this.eligible(i, r) || !this.relocFits(i, r)) continue;
        const d = this.relocDelta(i, from, r);
        if (d < -1e-10) {
          this.moveTo(i, r);
          this.cur += d;
          this.dirty(from);
          this.dirty(r);
        }
      }
    }
  }

  /** Undo every move of this iteration, newest first, back to the objective `start`. */
  protected undo(start: number): void {
    const undo = this.journal;
    this.journal = [];
    for (let t = undo.length - 2; t >= 0; t -= 2) this.moveTo(undo[t]!, undo[t + 1]!);
    this.cur = start;
    this.queue.length = 0;
    this.queued.fill(0);
    this.work += undo.length + this.R;
  }

  protected assignment(): Int32Array {
    const out = new Int32Array(this.n);
    for (let t = 0; t < this.n; t++) out[t] = this.state.assign[this.list[t]!]!;
    return out;
  }
}
