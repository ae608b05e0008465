/**
 * The solve's clock. Every phase gets its share of the time limit from this clock, and it counts work,
 * not wall time: the searches' move evaluations and HiGHS's LP iterations, converted to milliseconds at
 * rates measured on the reference machine (2 cores, Node 20; README, "Solver"). So the same input stops at
 * the same point and gives byte-identical output, also when the time limit ends the solve.
 *
 * The rates are set so that work time runs ahead of real time (about 0.7-0.9 of the limit is used in real
 * time here): the work clock normally ends the solve. The wall clock stays as the safety net: past
 * WALL_SAFETY_FACTOR times the limit in real time (a much slower or very busy machine), every phase stops with
 * the best answer so far, which may then differ between runs (`wallCut` says whether that happened).
 */
import type { MipModel } from './model.ts';
import type { Pool } from './problem.ts';

/**
 * Move evaluations per work millisecond of the iterated search (ils.ts). With exhaustive swaps the rate
 * grows with the pool (less bookkeeping per evaluation): measured 57-72k at about 100 accounts (300x12),
 * 70-120k at 333 (1000x20), 135k at 1,250 (5000x50); with sampled swaps (larger pools) 39-43k at 4,650
 * and 18,600 accounts (20000x100, 100000x300), 17k in the first second from the greedy start.
 */
export const SEARCH_WORK_PER_MS = { exhaustive: 70_000, exhaustiveMax: 130_000, sampled: 30_000 };
/** Pools up to this many movable accounts get the base exhaustive rate; above, it grows with the square root. */
const SEARCH_RATE_BASE_ACCOUNTS = 333;
/** Move evaluations per work millisecond of the plain local search (heuristic.ts, departures). */
export const LOCAL_SEARCH_WORK_PER_MS = 40_000;
/** HiGHS: a fixed cost per run (a fresh WebAssembly instance), and per MIP LP iteration and matrix nonzero. */
export const HIGHS_RUN_MS = 30;
/**
 * The first HiGHS run of a solve also pays for loading it in a fresh thread (measured 0.5-0.8 s from the
 * thread's start with the compile overlapped, against 0.1 s for the same LP later).
 */
export const HIGHS_FIRST_RUN_MS = 400;
/**
 * A MIP's LP iterations cost about the same at every size here (cuts, heuristics and node LPs together):
 * measured 0.19-0.90 ms at 300x12, 0.43-0.73 at 1000x20, 0.53-0.74 at 5000x50.
 */
export const HIGHS_MIP_MS_PER_ITERATION = 0.6;
/**
 * ... up to 60k nonzeros; above, an iteration is charged 1 ms per 100k nonzeros (20000x100's bucketed MIPs,
 * 100-300k nonzeros, overran their shares at the flat rate: the solve ended 3 s past a 60 s limit).
 */
export const HIGHS_MIP_MS_PER_ITERATION_NONZERO = 1e-5;

function mipIterationMs(model: MipModel): number {
  return Math.max(HIGHS_MIP_MS_PER_ITERATION, nonzeros(model) * HIGHS_MIP_MS_PER_ITERATION_NONZERO);
}
/**
 * An LP relaxation is charged by its size alone: 50 ms + 1 ms per 100 nonzeros. Iteration counts tracked
 * time badly (simplex iterations cost 0.15-0.9 ms at sizes 100 times apart); size did within a factor of
 * two: 1000x20 pools (5.7k nonzeros) 80-150 ms, 5000x50 (42k) 390-660 ms, 100000x300 departures
 * (75-220k, interior point) 0.3-1.8 s.
 */
export function lpEstimateMs(model: MipModel): number {
  return HIGHS_RUN_MS + nonzeros(model) / 100;
}
/** Double swaps (pair-exchange.ts): per movable account and rep of the pool (measured 150-550 ms at 333 x 7). */
export const PAIR_EXCHANGE_MS_PER_ACCOUNT_REP = 0.2;

/**
 * The work clock ends the solve at this share of the limit: the charges are estimates (within a few
 * per cent at 1000x20, up to 10 % short on 300x12's small MIPs), and checking and reporting come after.
 */
export const WORK_LIMIT_SHARE = 0.95;

/**
 * The wall-clock safety net of a work-clock solve, as a multiple of its time limit. At load 2× the cores a
 * solve gets about half of a core, so its real time runs about twice its work time (less the 10-30% the work
 * rates run ahead of real time on a quiet machine): the work clock still ends it, and the answer is the one
 * a quiet machine gives. Only past this does the wall clock cut phases short (`reproducible: false`).
 * Measured (test/solver/loaded-solve.test.ts): a 1000x20 realignment with 5 s, its two pool groups beside
 * four busy threads on 2 cores, took 7.5-7.8 s of real time for its 3.2 s of work, 1.6 times the limit,
 * and gave the quiet machine's answer twice; with a factor of 1.2 the wall clock cut both runs, which then
 * differed (2,880 and 2,555 ms of work).
 */
export const WALL_SAFETY_FACTOR = 2.5;

/** The real time a work-clock solve with this time limit may take at most (the safety net). */
export function wallSafetyMs(limitMs: number): number {
  return limitMs * WALL_SAFETY_FACTOR;
}

export class SolveClock {
  private spentMs = 0;
  private cut = false;
  private highsRuns = 0;

  /**
   * @param t0 start (ms since epoch); times on this clock are `t0` plus the work spent
   * @param limitMs the time limit
   * @param cancelled polled by `expired()`
   * @param wallSafety false turns the wall-clock safety off (tests of determinism on a loaded machine)
   */
  constructor(
    readonly t0: number,
    readonly limitMs: number,
    private readonly cancelled: () => boolean = () => false,
    /** 'wall': a plain wall clock (HiGHS or javascript-lp-solver alone, measured against the final solve). */
    readonly mode: 'work' | 'wall' = 'work',
    private readonly wallSafety = true,
    /** The safety's deadline (ms since epoch) when it is not the start plus wallSafetyMs (a parallel solve's thread). */
    private readonly wallLimit = t0 + (mode === 'work' ? wallSafetyMs(limitMs) : limitMs),
  ) {}

  /** Work counted so far (ms); 0 on a wall clock. */
  get workMs(): number {
    return this.spentMs;
  }

  /** Now on this clock (ms since epoch, like Date.now()). */
  now(): number {
    return this.mode === 'wall' ? Date.now() : this.t0 + this.spentMs;
  }

  get deadline(): number {
    return this.mode === 'work' ? this.t0 + this.limitMs * WORK_LIMIT_SHARE : this.t0 + this.limitMs;
  }

  /** The wall-clock safety deadline for phases that check Date.now() (undefined when it is off). */
  get wallDeadline(): number | undefined {
    return this.wallSafety ? this.wallLimit : undefined;
  }

  /** Seconds of real time left: the safety time limit handed to HiGHS. */
  wallLeftSec(): number {
    return this.wallSafety ? Math.max(0.05, (this.wallLimit - Date.now()) / 1000) : 1e6;
  }

  /** Past the limit on the work clock, past it in real time (safety), or cancelled. */
  expired(): boolean {
    if (this.now() >= this.deadline || this.cancelled()) return true;
    if (this.wallSafety && Date.now() >= this.wallLimit) {
      this.cut = true;
      return true;
    }
    return false;
  }

  /** True when the wall-clock safety stopped some phase: the answer may differ between runs. */
  get wallCut(): boolean {
    return this.cut;
  }

  spend(ms: number): void {
    if (this.mode === 'work') this.spentMs += Math.max(0, ms);
    if (this.wallSafety && Date.now() >= this.wallLimit) this.cut = true;
  }

  /** Work the iterated search on `pool` may do until `until` (a time on this clock), at most `cap`. */
  private searchWork(pool: Pool, until: number, cap: number, exhaustiveSwapMax: number): number {
    if (this.mode === 'wall') return cap;
    return Math.min(cap, Math.max(0, until - this.now()) * searchRate(pool, exhaustiveSwapMax));
  }

  /** A search's limits until `until`: its work budget and the deadline it checks against Date.now(). */
  searchLimits(
    pool: Pool,
    until: number,
    cap: number,
    exhaustiveSwapMax: number,
  ): { work: number; deadline?: number } {
    if (this.mode === 'wall') return { work: cap, deadline: until };
    const deadline = this.wallDeadline;
    return {
      work: this.searchWork(pool, until, cap, exhaustiveSwapMax),
      ...(deadline !== undefined ? { deadline } : {}),
    };
  }

  spendSearch(pool: Pool, work: number, exhaustiveSwapMax: number): void {
    this.spend(work / searchRate(pool, exhaustiveSwapMax));
  }

  /**
   * HiGHS limits for a run of `seconds` on this clock: in work mode an LP runs to its end (whether it fits
   * is decided first, `lpFits`) and a MIP gets an LP iteration limit for branch-and-bound; the real time
   * left is the safety time limit of both.
   */
  highsLimits(
    model: MipModel,
    seconds: number,
    kind: 'lp' | 'mip',
  ): { timeLimitSec: number; maxLpIterations?: number } {
    if (this.mode === 'wall') return { timeLimitSec: seconds };
    if (kind === 'lp') return { timeLimitSec: this.wallLeftSec() };
    return {
      timeLimitSec: this.wallLeftSec(),
      maxLpIterations: this.mipIterations(model, this.now() + seconds * 1000),
    };
  }

  /** Whether an LP relaxation of `model` is worth starting with `seconds` for it (at most twice over). */
  lpFits(model: MipModel, seconds: number): boolean {
    return this.mode === 'wall' || lpEstimateMs(model) <= 2 * seconds * 1000;
  }

  /** The same before the model is built, from its binaries (about three nonzeros each). */
  lpFitsSize(binaries: number, seconds: number): boolean {
    return this.mode === 'wall' || HIGHS_RUN_MS + (3 * binaries) / 100 <= 2 * seconds * 1000;
  }

  /** LP iterations a HiGHS MIP on `model` may spend until `until`. */
  mipIterations(model: MipModel, until: number): number {
    const ms = Math.max(0, until - this.now() - HIGHS_RUN_MS);
    return Math.max(1, Math.floor(ms / mipIterationMs(model)));
  }

  /** Charge a HiGHS run: an LP by its size, a MIP by its LP iterations (and note a safety time limit). */
  spendHighs(model: MipModel, run: { iterations?: number; timedOut?: boolean }, kind: 'lp' | 'mip'): void {
    this.spend(
      (this.highsRuns++ === 0 ? HIGHS_FIRST_RUN_MS : 0) +
        (kind === 'lp' ? lpEstimateMs(model) : HIGHS_RUN_MS + (run.iterations ?? 0) * mipIterationMs(model)),
    );
    if (run.timedOut) this.cut = true;
  }
}

function searchRate(pool: Pool, exhaustiveSwapMax: number): number {
  const n = pool.movable.length;
  if (n > exhaustiveSwapMax) return SEARCH_WORK_PER_MS.sampled;
  const grown = SEARCH_WORK_PER_MS.exhaustive * Math.sqrt(Math.max(1, n / SEARCH_RATE_BASE_ACCOUNTS));
  return Math.min(SEARCH_WORK_PER_MS.exhaustiveMax, grown);
}

function nonzeros(model: MipModel): number {
  return Math.max(1, model.rowIndex.length);
}
