/**
 * A large-neighbourhood search over rep subsets (L1 pools): a few reps of the pool are picked, every movable
 * account on them is freed and re-assigned among them optimally (rep-subset.ts, a HiGHS MIP warm-started with
 * the current answer), and the answer is kept when it is better. The iterated search (ils.ts) moves one or two
 * accounts at a time; an exact revenue transfer between reps with the fewest and cheapest accounts moved is a
 * knapsack-like choice those moves miss. Subsets: the reps paying the most continuity to each other (accounts
 * owned by one and held by the other), the most over- and under-loaded, and seeded random ones; a subset
 * proven optimal is not tried again until one of its reps changes. Deterministic: seeded, and HiGHS limited by
 * LP iterations on the work clock.
 */
import type { SolveClock } from './clock.ts';
import { runHighs } from './engines/highs.ts';
import { mulberry32 } from './prng.ts';
import type { Pool } from './problem.ts';
import { improveSubset, repSubset, type SubsetSolver } from './rep-subset.ts';
import type { State } from './state.ts';

/** LP iterations one sub-problem may take at most (a MIP of a few hundred binaries needs far fewer). */
const SUBSET_MAX_LP_ITERATIONS = 20_000;
/**
 * The sub-MIP stops within this much of its bound (the pool's objective is about 1): HiGHS then spends its
 * iterations on finding improvements, not on proving the last ones. 20000x100 from the 60 s answer, 8 s of
 * work: South 0.8326 -> 0.8181 with 1e-7, 0.8139 with 1e-5; West 0.7674 -> 0.7610 and 0.7579.
 */
const SUBSET_ABS_GAP = 1e-5;
/** Whale pairs: accounts of this share of the pool's mean count in revenue, the WHALES largest, each with its owner's TIES most tied reps. */
const WHALE_MIN_SHARE = 0.05;
const WHALES = 32;
const TIES = 3;
/** Every this many picks, the kinds take turns whatever their rates (the rest go to the best rate first). */
const KIND_ROTATION = 4;
/** A kind's rate is (decayed gain + RATE_PRIOR_GAIN) / (decayed ms + RATE_PRIOR_MS); each try decays by RATE_DECAY. */
const RATE_PRIOR_GAIN = 1e-4;
const RATE_PRIOR_MS = 100;
const RATE_DECAY = 0.9;
/** Random subsets drawn before giving up on finding one not yet proven optimal. */
const RANDOM_TRIES = 30;

export interface RepLnsOptions {
  seed: number;
  clock: SolveClock;
  /** The time on the clock the search may run until. */
  until: number;
  /** Reps per subset (2-4). */
  size: number;
  shouldStop?: () => boolean;
}

export interface RepLnsOutcome {
  tried: number;
  improved: number;
  gain: number;
}

/** The search on one pool, in place on `state`. */
export async function repSubsetSearch(
  state: State,
  pool: Pool,
  options: RepLnsOptions,
): Promise<RepLnsOutcome> {
  return new RepSubsetSearch(pool, options.size, options.seed).run(state, options);
}

/**
 * The search, resumable: what it proved optimal stays known between runs (a subset is tried again once one of
 * its reps holds other accounts, whichever search moved them), on whichever state holds the answer by then.
 */
export class RepSubsetSearch {
  private readonly picker: SubsetPicker | null;

  constructor(
    private readonly pool: Pool,
    size: number,
    seed: number,
  ) {
    const s = Math.min(size, pool.reps.length);
    this.picker = s >= 2 ? new SubsetPicker(pool, s, mulberry32(seed)) : null;
  }

  /** Subsets until `options.until` on the clock (or none left to try); `state` improves in place. */
  async run(state: State, options: Omit<RepLnsOptions, 'seed' | 'size'>): Promise<RepLnsOutcome> {
    const out: RepLnsOutcome = { tried: 0, improved: 0, gain: 0 };
    const { picker, pool } = this;
    if (!picker) return out;
    picker.state = state;
    const { clock, until } = options;
    const solver: SubsetSolver = async (model, opts) => {
      const run = await runHighs(model, {
        ...opts,
        absGap: Math.max(opts.absGap, SUBSET_ABS_GAP),
        timeLimitSec: clock.wallLeftSec(),
        maxLpIterations: Math.min(SUBSET_MAX_LP_ITERATIONS, clock.mipIterations(model, until)),
      });
      clock.spendHighs(model, run, 'mip');
      return run;
    };
    while (clock.now() < until && !clock.expired() && !options.shouldStop?.()) {
      const reps = picker.next(out.tried);
      if (!reps) break;
      const sub = repSubset(state, pool, reps);
      out.tried++;
      if (!sub) {
        picker.solved(reps);
        continue;
      }
      const w0 = clock.now();
      const result = await improveSubset(state, sub, solver);
      picker.record(result.gain, clock.now() - w0);
      if (result.gain > 0) {
        out.improved++;
        out.gain += result.gain;
      }
      if (result.optimal) picker.solved(reps);
    }
    return out;
  }
}

/** Which reps to free next, and which subsets are known optimal at their reps' current versions. */
class SubsetPicker {
  private readonly solvedAt = new Map<string, string>();
  /** Per rep of the pool: a fingerprint of the accounts it holds (count, cents, sum of positions). */
  private held = new Map<number, string>();
  /** The kind of the last subset picked (an index into next()'s kinds), and each kind's decayed gain and work. */
  private lastKind = -1;
  private picks = 0;
  private readonly rates = Array.from({ length: 4 }, () => ({ gain: 0, ms: 0 }));
  /** Continuity paid between two reps of the pool (flows()), as of the last pick. */
  private flow = new Map<number, Map<number, number>>();

  /** The answer the subsets are picked from: the one each run is given (RepSubsetSearch.run). */
  state!: State;

  constructor(
    private readonly pool: Pool,
    private readonly size: number,
    private readonly rand: () => number,
  ) {}

  private fingerprint(): void {
    const sum = new Map<number, number>();
    for (const r of this.pool.reps) sum.set(r, 0);
    for (const k of this.pool.movable) {
      const r = this.state.assign[k]!;
      sum.set(r, (sum.get(r) ?? 0) + k);
    }
    this.held = new Map();
    for (const r of this.pool.reps)
      this.held.set(r, `${this.state.count[r]}:${this.state.cents[r]}:${sum.get(r)}`);
  }

  solved(reps: number[]): void {
    this.fingerprint();
    this.solvedAt.set(this.key(reps), this.stamp(reps));
  }

  private key(reps: number[]): string {
    return [...reps].sort((a, b) => a - b).join(',');
  }

  private stamp(reps: number[]): string {
    return [...reps]
      .sort((a, b) => a - b)
      .map((r) => this.held.get(r))
      .join('|');
  }

  private fresh(reps: number[]): boolean {
    return this.solvedAt.get(this.key(reps)) !== this.stamp(reps) && !this.settled(reps);
  }

  /**
   * Reps that pay each other no continuity and all lie on the same side of their count targets and of their
   * revenue targets: no re-assignment among them lowers their deviations (|a| + |b| = |a + b| already) and any
   * move adds continuity, so they are optimal as they are.
   */
  private settled(reps: number[]): boolean {
    const p = this.state.problem;
    const signs = (dev: (r: number) => number) => {
      const d = reps.map(dev);
      return d.every((x) => x >= -1e-9) || d.every((x) => x <= 1e-9);
    };
    const tied = reps.some((x) => reps.some((y) => (this.flow.get(x)!.get(y) ?? 0) > 0));
    return (
      !tied &&
      signs((r) => this.state.count[r]! - p.targetCount[r]!) &&
      signs((r) => this.state.units[r]! - p.targetUnits[r]!)
    );
  }

  /**
   * The next subset: around a whale, by continuity, by load or at random; null when every one tried is proven.
   * The kinds take turns for the first tries and every KIND_ROTATION-th one after; otherwise the kind that has
   * gained the most per millisecond of work lately goes first.
   */
  next(turn: number): number[] | null {
    this.fingerprint();
    this.flow = this.flows();
    const kinds = [
      () => this.byWhale(),
      () => this.byContinuity(),
      () => this.byLoad(),
      () => this.atRandom(),
    ];
    const picks = this.picks++;
    const rate = (kind: number) =>
      (this.rates[kind]!.gain + RATE_PRIOR_GAIN) / (this.rates[kind]!.ms + RATE_PRIOR_MS);
    const adaptive = picks >= 2 * kinds.length;
    const first = adaptive ? Math.floor(picks / KIND_ROTATION) : turn;
    const rotation = kinds.map((_, t) => (first + t) % kinds.length);
    const order =
      adaptive && picks % KIND_ROTATION !== 0
        ? [...rotation].sort((a, b) => rate(b) - rate(a) || a - b)
        : rotation;
    for (const kind of order) {
      const reps = kinds[kind]!();
      this.lastKind = kind;
      if (reps) return reps;
    }
    return null;
  }

  /** What the last subset picked gained, and the work it took (ms): the kind's recent rate. */
  record(gain: number, ms: number): void {
    const r = this.rates[this.lastKind];
    if (!r) return;
    r.gain = r.gain * RATE_DECAY + gain;
    r.ms = r.ms * RATE_DECAY + ms;
  }

  /** Continuity paid between two reps: accounts owned by one and held by the other (both ways). */
  private flows(): Map<number, Map<number, number>> {
    const p = this.state.problem;
    const flow = new Map<number, Map<number, number>>();
    for (const r of this.pool.reps) flow.set(r, new Map());
    for (const k of this.pool.movable) {
      const o = p.owner[p.movable[k]!]!;
      const r = this.state.assign[k]!;
      if (o === r || !flow.has(o) || !flow.has(r)) continue;
      const add = (x: number, y: number) => flow.get(x)!.set(y, (flow.get(x)!.get(y) ?? 0) + p.moveCost[k]!);
      add(o, r);
      add(r, o);
    }
    return flow;
  }

  /** The pair paying each other the most continuity that is not proven, grown by the reps most tied to it. */
  private byContinuity(): number[] | null {
    const flow = this.flow;
    const pairs: [number, number, number][] = [];
    for (const [x, m] of flow) for (const [y, f] of m) if (x < y) pairs.push([x, y, f]);
    pairs.sort((a, b) => b[2] - a[2] || a[0] - b[0] || a[1] - b[1]);
    for (const [x, y] of pairs) {
      const reps = this.grow([x, y], (r, members) =>
        members.reduce((s, m) => s + (flow.get(r)!.get(m) ?? 0), 0),
      );
      if (this.fresh(reps)) return reps;
    }
    return null;
  }

  /**
   * Pairs around the whales, largest first: the owner and the rep holding it when it is away, else the owner
   * and the reps it pays the most continuity to (its revenue cap may have pushed its other accounts out).
   * 20000x100, 60 s: East 0.7218 -> 0.7212, West 0.7619 -> 0.7609 (the owners with their holders alone, which
   * the pairs by continuity already try: unchanged).
   */
  private byWhale(): number[] | null {
    if (this.size !== 2) return null;
    const p = this.state.problem;
    const min = WHALE_MIN_SHARE * this.pool.meanCount;
    const whales = this.pool.movable.filter((k) => p.unit[k]! >= min);
    whales.sort((x, y) => p.unit[y]! - p.unit[x]! || x - y);
    for (const k of whales.slice(0, WHALES)) {
      const o = p.owner[p.movable[k]!]!;
      if (!this.flow.has(o)) continue;
      const h = this.state.assign[k]!;
      if (h !== o && this.fresh([o, h])) return [o, h];
      const ties = [...this.flow.get(o)!].sort((a, b) => b[1] - a[1] || a[0] - b[0]);
      for (const [r] of ties.slice(0, TIES)) if (this.fresh([o, r])) return [o, r];
    }
    return null;
  }

  /** The reps furthest above and below their targets (count and revenue together), alternately. */
  private byLoad(): number[] | null {
    const p = this.state.problem;
    const signed = (r: number) =>
      this.state.count[r]! - p.targetCount[r]! + this.state.units[r]! - p.targetUnits[r]!;
    const order = [...this.pool.reps].sort((a, b) => signed(b) - signed(a) || a - b);
    const reps: number[] = [];
    for (let t = 0; reps.length < this.size; t++)
      reps.push(t % 2 === 0 ? order[t >> 1]! : order[order.length - 1 - (t >> 1)]!);
    return this.fresh(reps) ? reps : null;
  }

  private atRandom(): number[] | null {
    const reps = this.pool.reps;
    for (let t = 0; t < RANDOM_TRIES; t++) {
      const chosen: number[] = [];
      while (chosen.length < this.size) {
        const r = reps[Math.floor(this.rand() * reps.length)]!;
        if (!chosen.includes(r)) chosen.push(r);
      }
      if (this.fresh(chosen)) return chosen;
    }
    return null;
  }

  /** Grow `members` to the subset size by the highest score, ties broken at random. */
  private grow(members: number[], score: (r: number, members: number[]) => number): number[] {
    const out = [...members];
    while (out.length < this.size) {
      let best = -1;
      let bestScore = Number.NEGATIVE_INFINITY;
      for (const r of this.pool.reps) {
        if (out.includes(r)) continue;
        const s = score(r, out) + 1e-9 * this.rand();
        if (s > bestScore) {
          bestScore = s;
          best = r;
        }
      }
      out.push(best);
    }
    return out;
  }
}
