/**
 * Whale moves for the iterated search (ils.ts) on large pools. A whale (an account worth a good share of a
 * rep's target in revenue) unbalances the rep it leaves and the rep it joins by more than the few accounts of
 * a pair perturbation restore, so the search keeps it where the start put it. A whale move puts it on
 * another rep, its owner first (continuity), with that rep's caps set aside until the repair: the local
 * search between the two reps (they trade the whale's revenue back in smaller accounts, the whale held),
 * accounts off the rep until it is within its caps again, then the local search from both reps over the
 * pool. The iteration is kept or undone like any other; one out of its caps is undone. Measured on
 * 20000x100's South pool (answer 0.8821, bound 0.7879): its largest whale (133 mean accounts' revenue against
 * a target of 207) had been placed away from its owner; from that answer the search alone reached 0.8812 in
 * 2e8 move evaluations, with whale moves on 10%, 25%, 50%, 80% of the work 0.8290, 0.8300, 0.8420, 0.8563
 * (the moves home do most of it; the random ones are worth less than the pair perturbations' work).
 */
import { IlsMoves, type IlsOptions } from './ils-moves.ts';
import type { Pool } from './problem.ts';
import type { State } from './state.ts';

/** Whales: accounts of at least this share of the pool's mean count in revenue units, the WHALE_MAX largest. */
const WHALE_MIN_SHARE = 0.05;
const WHALE_MAX = 32;
/** Whale moves by default in pools with sampled swaps (above exhaustiveSwapMax) up to this many accounts. */
const WHALE_MAX_ACCOUNTS = 10_000;
/** ... with this share of the iterations' work (measured above), and at most this much for one move's repair. */
const WHALE_SHARE = 0.2;
const WHALE_REPAIR_WORK = 2e7;

export class IlsWhales extends IlsMoves {
  /** Positions of the pool's whales, largest first (none when whale moves are off). */
  protected readonly whales: number[] = [];
  protected readonly whaleShare: number;
  /** Cumulative units of the whales: a whale is drawn in proportion to its revenue. */
  private readonly whaleWeight: number[] = [];
  /** Whales away from an owner that could take them back, tried there first (popped from the end). */
  private homeBound: number[] = [];
  /** Whale moves tried since the last one kept (whale position × reps + the rep's local index). */
  private readonly tried = new Set<number>();

  constructor(state: State, pool: Pool, options: IlsOptions, before: number) {
    super(state, pool, options, before);
    const large = !this.exhaustive && this.n <= WHALE_MAX_ACCOUNTS;
    this.whaleShare = options.whaleShare ?? (large ? WHALE_SHARE : 0);
    if (this.whaleShare <= 0) return;
    const min = WHALE_MIN_SHARE * pool.meanCount;
    const big: number[] = [];
    for (let i = 0; i < this.n; i++) if (this.a.unit[i]! >= min) big.push(i);
    big.sort((x, y) => this.a.unit[y]! - this.a.unit[x]! || x - y);
    this.whales = big.slice(0, WHALE_MAX);
    let total = 0;
    for (const i of this.whales) {
      total += this.a.unit[i]!;
      this.whaleWeight.push(total);
    }
    this.findAway();
  }

  /** The whales away from an owner that could take them back and not tried there yet (largest last). */
  protected findAway(): void {
    this.homeBound = [];
    for (let w = this.whales.length - 1; w >= 0; w--) {
      const i = this.whales[w]!;
      const owner = this.a.owner[i]!;
      if (owner < 0 || this.repLocal[owner]! < 0 || this.tried.has(i * this.R + this.repLocal[owner]!))
        continue;
      if (owner !== this.state.assign[this.list[i]!] && this.eligible(i, owner)) this.homeBound.push(i);
    }
  }

  /** A whale kept: every move may be worth trying again. */
  protected whaleKept(): void {
    this.tried.clear();
  }

  /**
   * One whale move and its repair (above); false when the rep it joined is still out of its caps. A move
   * already tried since the last one kept is skipped (true, nothing moved).
   */
  protected whaleMove(): boolean {
    const [i, to] = this.pickWhale();
    const from = this.state.assign[this.list[i]!]!;
    if (to < 0 || to === from || this.tried.has(i * this.R + this.repLocal[to]!)) return true;
    this.tried.add(i * this.R + this.repLocal[to]!);
    this.allowed.fill(0);
    this.allowed[this.repLocal[from]!] = 1;
    this.allowed[this.repLocal[to]!] = 1;
    this.pairFirst = from;
    this.pairMate = to;
    this.cur += this.relocDelta(i, from, to);
    this.moveTo(i, to);
    this.locked = i;
    this.dirty(from);
    this.dirty(to);
    const limit = this.limit;
    this.limit = Math.min(limit, this.work + WHALE_REPAIR_WORK);
    this.localSearch();
    this.allowed.fill(1);
    this.pairMate = -1;
    const within = this.evict(to);
    this.dirty(from);
    this.dirty(to);
    if (within) this.localSearch();
    this.limit = limit;
    this.locked = -1;
    this.queue.length = 0;
    this.queued.fill(0);
    return within;
  }

  /** The whale and its rep: one away from home to its owner first, else one drawn by revenue to a random rep. */
  private pickWhale(): [number, number] {
    const home = this.homeBound.pop();
    if (home !== undefined) return [home, this.a.owner[home]!];
    const x = this.rand() * this.whaleWeight[this.whaleWeight.length - 1]!;
    let w = 0;
    while (w < this.whales.length - 1 && this.whaleWeight[w]! <= x) w++;
    const i = this.whales[w]!;
    const k = this.list[i]!;
    const start = this.p.eligStart[k]!;
    const span = this.p.eligStart[k + 1]! - start;
    if (span < 2) return [i, -1];
    const t = Math.floor(this.rand() * span);
    const r = this.p.eligRep[start + t]!;
    return [i, r !== this.state.assign[k] ? r : this.p.eligRep[start + ((t + 1) % span)]!];
  }

  /** Accounts off rep r, the best relocation each time, until it is within its caps; false when none fits. */
  private evict(r: number): boolean {
    const { p, state } = this;
    const j = this.repLocal[r]!;
    while (state.count[r]! > p.capCount[r]! || state.cents[r]! > p.capRevenueCents[r]!) {
      let bestD = Number.POSITIVE_INFINITY;
      let bestI = -1;
      let bestTo = -1;
      for (let t = 0; t < this.memberLen[j]!; t++) {
        const i = this.memberArr[j]![t]!;
        if (i === this.locked) continue;
        const k = this.list[i]!;
        for (let e = p.eligStart[k]!; e < p.eligStart[k + 1]!; e++) {
          const r2 = p.eligRep[e]!;
          this.work++;
          if (r2 === r || !this.relocFits(i, r2)) continue;
          const d = this.relocDelta(i, r, r2);
          if (d < bestD) {
            bestD = d;
            bestI = i;
            bestTo = r2;
          }
        }
      }
      if (bestI < 0) return false;
      this.cur += bestD;
      this.moveTo(bestI, bestTo);
      this.dirty(bestTo);
    }
    return true;
  }
}
