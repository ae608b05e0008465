/**
 * The Lagrangian phase of a pool that has no LP (too large for HiGHS: 100000x300's pools, 1.08M binaries
 * each): the Lagrangian bound (lagrangian.ts; every objective), then for L1 without a new-hire cap the iterated
 * search from the multipliers' rounded answer (lagrangian-round.ts), kept when it beats the pool's current
 * answer. All of it on the solve's work clock.
 */
import type { SolveClock } from './clock.ts';
import { ilsApplies, iteratedSearch } from './ils.ts';
import { lagrangianBound } from './lagrangian.ts';
import { lagrangianAssignment } from './lagrangian-round.ts';
import type { Pool } from './problem.ts';
import { poolScore, type State } from './state.ts';

/**
 * Pair evaluations of the Lagrangian per work millisecond: measured 25-40k at 100000x300 (1.05M pairs a
 * pool, load 2 on 2 cores), so the work clock runs ahead of the real time here.
 */
export const LAGRANGIAN_PAIRS_PER_MS = 30_000;
/** Share of the pool's time for the multipliers' search; the rounded answer's search gets the rest. */
export const LAGRANGIAN_SHARE = 0.25;
/** The smoothing temperature whose fractional answer is rounded (measured best of 0.3-0.001 at 100000x300). */
const ROUNDING_MU = 0.01;

export interface LagrangianPhaseOptions {
  clock: SolveClock;
  /** End of the pool's time share on the clock. */
  until: number;
  seed: number;
  /** Work budget and safety deadline of a search on this pool until a time (solve.ts, searchUntil). */
  searchLimits: (until: number) => { work: number; deadline?: number };
  spendSearch: (work: number) => void;
  exhaustiveSwapMax: number;
  slack: number;
  /** Relative gap at which the search may stop above the bound. */
  relGap: number;
  shouldStop: () => boolean;
}

export interface LagrangianPhaseOutcome {
  bound: number;
  /** The rounded and searched answer when it beat `state` on this pool, else null. */
  improved: State | null;
}

export function lagrangianPhase(state: State, pool: Pool, o: LagrangianPhaseOptions): LagrangianPhaseOutcome {
  const { clock } = o;
  const left = Math.max(0, o.until - clock.now());
  const current = poolScore(state, pool).objective;
  const dual = lagrangianBound(state.problem, pool, {
    work: left * LAGRANGIAN_SHARE * LAGRANGIAN_PAIRS_PER_MS,
    target: current * (1 - o.relGap),
  });
  clock.spend(dual.work / LAGRANGIAN_PAIRS_PER_MS);
  // The start and its search: L1 without a new-hire cap (ils.ts); the others keep the bound alone.
  if (clock.expired() || !ilsApplies(state)) return { bound: dual.bound, improved: null };
  const stage = dual.stages.find((s) => s.mu === ROUNDING_MU) ?? dual.stages.at(-1);
  const rounded = stage ? lagrangianAssignment(state, pool, stage.multipliers, stage.mu) : null;
  if (!rounded) return { bound: dual.bound, improved: null };
  const out = iteratedSearch(rounded, pool, {
    target: dual.bound / (1 - o.relGap),
    seed: o.seed,
    ...o.searchLimits(o.until),
    exhaustiveSwapMax: o.exhaustiveSwapMax,
    slack: o.slack,
    shouldStop: o.shouldStop,
  });
  o.spendSearch(out.work);
  return {
    bound: dual.bound,
    improved: poolScore(rounded, pool).objective < current - 1e-12 ? rounded : null,
  };
}
