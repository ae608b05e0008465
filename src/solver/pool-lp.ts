/**
 * A pool's LP relaxation (final solve): its bound, a search toward it on departures, and, when the pool's
 * share is short, the LP's own answer rounded (pool-rounding.ts).
 */

import { isProven, lpSolverFor, roundsLp } from './engine-choice.ts';
import { ENGINE_LIMITS } from './engine-limits.ts';
import { type HighsRun, runHighs } from './engines/highs.ts';
import { ILS_SLACK } from './heuristic.ts';
import { ilsApplies, iteratedSearch } from './ils.ts';
import type { MipModel } from './model.ts';
import { roundFromLp } from './pool-rounding.ts';
import {
  cancelled,
  currentObjective,
  expired,
  type PoolWork,
  phaseDone,
  type SolveRun,
  searchUntil,
  spendSearch,
} from './solve-run.ts';
import { OPTIMAL_REL, searchTarget } from './tolerance.ts';

/** Whether the pool gets its LP: auto, a complete start, a size the LP handles, and time for it. */
export function lpApplies(
  run: SolveRun,
  work: PoolWork,
  model: MipModel,
  bucketed: boolean,
  batched: boolean,
) {
  return (
    run.input.engine === 'auto' &&
    run.complete &&
    (bucketed || work.B <= ENGINE_LIMITS.lpMaxBinaries) &&
    (batched || run.clock.lpFits(model, lpSeconds(work, bucketed)))
  );
}

/**
 * No MIP follows on the largest pools: the LP is their only bound, so it may take most of the share
 * (the iterated search gets the rest, and any time other pools leave).
 */
function lpSeconds(work: PoolWork, bucketed: boolean): number {
  return !bucketed && work.B > ENGINE_LIMITS.boundMipMaxBinaries ? work.share * 0.9 : work.share / 2;
}

export async function lpPhase(
  run: SolveRun,
  work: PoolWork,
  model: MipModel,
  bucketed: boolean,
  batched: HighsRun | undefined,
): Promise<void> {
  const { clock } = run;
  const { pool } = work;
  const lp =
    batched ??
    (await runHighs(model, {
      ...clock.highsLimits(model, lpSeconds(work, bucketed), 'lp'),
      relax: true,
      lpSolver: lpSolverFor(model, bucketed),
    }));
  clock.spendHighs(model, lp, 'lp');
  phaseDone(run, `${pool.label}: LP`);
  work.lpIterations = lp.iterations;
  if (lp.status === 'optimal' && lp.bound !== undefined) {
    work.bound = lp.bound;
    work.proven = isProven(currentObjective(run, pool), work.bound, pool);
    if (work.proven) work.engine = 'heuristic+lp-bound';
  }
  if (
    !work.proven &&
    work.bound !== null &&
    run.input.kind === 'departure' &&
    ilsApplies(run.state) &&
    !expired(run)
  ) {
    searchToLpBound(run, work, work.bound);
  }
  // Pools with a full MIP round only when their share is short: the MIP needs the time otherwise.
  const roundHere = roundsLp(work.B, work.share);
  if (
    !work.proven &&
    lp.colValue &&
    roundHere &&
    ENGINE_LIMITS.lpRoundShare > 0 &&
    ilsApplies(run.state) &&
    !expired(run)
  ) {
    await roundFromLp(run, work, model, bucketed, lp.colValue);
  }
}

/**
 * Departures' LPs are (almost) integral (SOLVER-LAB): the search reaches their bound where a MIP must
 * match revenues exactly (a planted book whose bound is 0: a 138-binary MIP found nothing in 3.5 s).
 */
function searchToLpBound(run: SolveRun, work: PoolWork, bound: number): void {
  const { pool } = work;
  const out = iteratedSearch(run.state, pool, {
    target: searchTarget(bound, OPTIMAL_REL, pool.reps.length),
    seed: run.input.seed + 7919 * pool.index + 4,
    ...searchUntil(run, pool, work.poolDeadline, ENGINE_LIMITS.departureSearchWorkPerBinary * work.B),
    exhaustiveSwapMax: run.heuristicOptions.exhaustiveSwapMax,
    slack: ILS_SLACK,
    shouldStop: () => cancelled(run),
  });
  spendSearch(run, pool, out.work);
  work.proven = isProven(currentObjective(run, pool), bound, pool);
  phaseDone(run, `${pool.label}: search to the LP bound`);
  if (work.proven) work.engine = 'heuristic + iterated search + lp-bound';
}
