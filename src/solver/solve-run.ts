/**
 * What the phases of one final solve share: the problem, the clock, the hooks, the pools worked on, and the
 * current answer (`state`, replaced as a phase finds a better one).
 */
import type { SolveClock } from './clock.ts';
import type { HeuristicOptions } from './heuristic.ts';
import type { SolveInput } from './input.ts';
import type { Pool, Problem } from './problem.ts';
import type { RepSubsetSearch } from './rep-lns.ts';
import { poolScore, type State } from './state.ts';
import { absoluteTolerance } from './tolerance.ts';

export interface SolveHooks {
  /** Called with each new verified-ready incumbent (movable positions → rep index), e.g. to post it from a worker. */
  onIncumbent?: (problem: Problem, assign: Int32Array, engine: string) => void;
  /** Polled between phases and inside HiGHS: true stops the solve with the best answer so far. */
  shouldStop?: () => boolean;
  /**
   * Called after each phase with the time spent so far on the work clock and on the wall clock (ms since
   * the start): how the bench and scratch measurements calibrate the work clock's rates (clock.ts).
   */
  onPhase?: (phase: string, workMs: number, wallMs: number) => void;
  /**
   * Work on these pools only (indices into problem.pools; parallel-pools.ts gives each thread a share):
   * the others keep the greedy construction, and the result reports these pools alone. Default: all.
   */
  pools?: readonly number[];
  /** The wall-clock safety deadline (ms since epoch) when it is not the start plus the time limit. */
  wallDeadline?: number;
  /**
   * False turns off the wall-clock safety of the work clock (clock.ts): the time limit is then counted in
   * work alone. For tests of determinism on a busy machine; a solve in the app keeps it on.
   */
  wallClockSafety?: boolean;
}

export interface SolveRun {
  problem: Problem;
  input: SolveInput;
  clock: SolveClock;
  hooks: SolveHooks;
  /** Wall-clock start (ms since epoch). */
  t0: number;
  /** The pools this solve works on (hooks.pools, else all). */
  active: Pool[];
  /** Eligible account-rep pairs per pool, by pool index. */
  binaries: number[];
  heuristicOptions: HeuristicOptions;
  /** True when the construction placed every account. */
  complete: boolean;
  /** The current answer. */
  state: State;
  /**
   * Time (ms on the clock) pools left of their share for the time left (pool-after.ts), and their rep-subset
   * searches by pool index, resumed there for the pools furthest from their bound (time-left.ts).
   */
  banked: { ms: number; searches: Map<number, RepSubsetSearch> };
}

/** The clock's time is up (or the solve was cancelled). */
export const expired = (run: SolveRun): boolean => run.clock.expired();

export const cancelled = (run: SolveRun): boolean => run.hooks.shouldStop?.() ?? false;

export function phaseDone(run: SolveRun, label: string): void {
  run.hooks.onPhase?.(label, run.clock.now() - run.t0, Date.now() - run.t0);
}

export function newIncumbent(run: SolveRun, engine: string): void {
  run.hooks.onIncumbent?.(run.problem, Int32Array.from(run.state.assign), engine);
}

/** A search on `pool` until `until` (a time on the clock): its work budget and safety deadline. */
export function searchUntil(run: SolveRun, pool: Pool, until: number, cap: number) {
  return run.clock.searchLimits(pool, until, cap, run.heuristicOptions.exhaustiveSwapMax);
}

/** Charges a search's move evaluations on `pool` to the clock. */
export function spendSearch(run: SolveRun, pool: Pool, work: number): void {
  run.clock.spendSearch(pool, work, run.heuristicOptions.exhaustiveSwapMax);
}

/** A pool whose answer is within tolerance of a perfect split is proven by it (every bound is ≥ 0). */
export function isPerfect(run: SolveRun, pool: Pool): boolean {
  return run.complete && poolScore(run.state, pool).objective <= absoluteTolerance(pool.reps.length);
}

/** The pool's objective now; infinite while one of its accounts is unplaced. */
export function currentObjective(run: SolveRun, pool: Pool): number {
  return run.complete || pool.movable.every((k) => run.state.assign[k]! >= 0)
    ? poolScore(run.state, pool).objective
    : Number.POSITIVE_INFINITY;
}

/** One pool's work in the pool loop: its time share and what the phases found so far. */
export interface PoolWork {
  pool: Pool;
  /** The pool's binaries (eligible account-rep pairs). */
  B: number;
  /** The pool's share of the time left, seconds. */
  share: number;
  /** The end of its share, on the clock. */
  poolDeadline: number;
  engine: string;
  bound: number | null;
  /** Simplex iterations of the pool's LP: a MIP allowed fewer than a few times that would not finish its root. */
  lpIterations: number | undefined;
  proven: boolean;
}
