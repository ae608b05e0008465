/**
 * One pool's turn in the final solve, in order: its LP (pool-lp.ts), the exact engines (pool-exact.ts),
 * then a bound and the search for the rest of its share (pool-after.ts). Returns the pool's report, or
 * null when one of its accounts is still unplaced.
 */
import type { BatchedLp } from './departure-lps.ts';
import { bucketModelFor, isProven } from './engine-choice.ts';
import { ENGINE_LIMITS } from './engine-limits.ts';
import { poolReport } from './finish.ts';
import { buildPoolModel, type MipModel, singleBlocks } from './model.ts';
import { afterExactEngines } from './pool-after.ts';
import { exactPhase } from './pool-exact.ts';
import { lpApplies, lpPhase } from './pool-lp.ts';
import type { Pool } from './problem.ts';
import type { PoolReport } from './result.ts';
import { expired, isPerfect, newIncumbent, type PoolWork, type SolveRun } from './solve-run.ts';
import { poolScore } from './state.ts';

export async function solvePool(
  run: SolveRun,
  pool: Pool,
  share: number,
  batched: BatchedLp | undefined,
): Promise<PoolReport | null> {
  const { input, problem, clock } = run;
  const B = run.binaries[pool.index]!;
  const work: PoolWork = {
    pool,
    B,
    share,
    poolDeadline: Math.min(clock.deadline, clock.now() + share * 1000),
    engine: 'heuristic',
    bound: null,
    lpIterations: undefined,
    proven: false,
  };
  if (input.engine === 'auto' && isPerfect(run, pool))
    return poolReport(problem, pool, run.state, 'heuristic (a perfect split)', 0, true);
  const useExact = input.engine !== 'heuristic' && !expired(run);
  // Large realignment pools: the LP of the bucketed relaxation (bucket.ts) instead of one column per pair.
  const bucketModel = useExact && run.complete ? bucketModelFor(input, run.state, pool, B) : null;
  const bucketed = bucketModel !== null;
  const model = batched?.model ?? bucketModel ?? (useExact ? pairModel(run, pool, B) : null);
  if (model && lpApplies(run, work, model, bucketed, batched !== undefined))
    await lpPhase(run, work, model, bucketed, batched?.run);
  if (model && !bucketed && !work.proven && !expired(run)) await exactPhase(run, work, model);
  const allPlaced = pool.movable.every((k) => run.state.assign[k]! >= 0);
  if (!allPlaced) return null;
  if (input.engine === 'auto') await afterExactEngines(run, work);
  if (work.bound !== null) work.proven = isProven(poolScore(run.state, pool).objective, work.bound, pool);
  newIncumbent(run, work.engine);
  return poolReport(problem, pool, run.state, work.engine, work.bound, work.proven);
}

/** The model with one column per eligible account-rep pair, for pools an LP or a MIP can take. */
function pairModel(run: SolveRun, pool: Pool, B: number): MipModel | null {
  if (B > Math.max(ENGINE_LIMITS.lpMaxBinaries, ENGINE_LIMITS.mipMaxBinaries)) return null;
  return buildPoolModel(run.problem, pool, singleBlocks(run.problem, pool), {
    countCuts: ENGINE_LIMITS.countCuts,
  });
}
