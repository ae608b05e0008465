/**
 * The time left after the pool loop (final solve). Pools that banked part of their share (the rep-subset
 * pools, pool-after.ts) get it back first, in proportion to their distance from their bound: whichever pool
 * has the most to gain gets the most of it. Pools finish at different times too (a MIP proves one early,
 * another reaches its target): what is left then goes to the pools still short of their target, in
 * proportion to their binaries: the LP again for a pool that has no bound yet, else the iterated search.
 */
import { answerWithinTolerance, bucketModelFor, isProven, lpSolverFor } from './engine-choice.ts';
import { ENGINE_LIMITS } from './engine-limits.ts';
import { runHighs } from './engines/highs.ts';
import { poolReport } from './finish.ts';
import { ILS_SLACK } from './heuristic.ts';
import { iteratedSearch } from './ils.ts';
import { buildPoolModel, singleBlocks } from './model.ts';
import { repSubsets } from './pool-after.ts';
import type { Pool } from './problem.ts';
import type { PoolReport } from './result.ts';
import {
  cancelled,
  expired,
  newIncumbent,
  phaseDone,
  type SolveRun,
  searchUntil,
  spendSearch,
} from './solve-run.ts';
import { poolScore } from './state.ts';
import { searchTarget } from './tolerance.ts';

/** Spends the time left on the open pools; `pools` (reports by pool index) is updated in place. */
export async function useTimeLeft(run: SolveRun, pools: PoolReport[]): Promise<void> {
  if (run.banked.searches.size > 0) await subsetsByGap(run, pools);
  const { clock, active, binaries } = run;
  const target = (i: number) => targetOf(pools, i);
  const open = active.filter(
    (pool) => !pools[pool.index]!.proven && poolScore(run.state, pool).objective > target(pool.index) + 1e-12,
  );
  let openBinaries = open.reduce((s, pool) => s + binaries[pool.index]!, 0);
  for (const pool of open) {
    // The whole answer within tolerance of perfect (tolerance.ts) ends the solve, every pool proven or not.
    if (expired(run) || answerWithinTolerance(run.state, active, pools)) break;
    const B = binaries[pool.index]!;
    const poolDeadline = clock.now() + (clock.deadline - clock.now()) * (B / Math.max(1, openBinaries));
    openBinaries -= B;
    if (poolDeadline - clock.now() < 200) continue;
    if (await retryLp(run, pool, poolDeadline, pools)) continue;
    searchOn(run, pool, poolDeadline, target(pool.index), pools);
  }
}

/** The objective the search on pool `i` may stop at: within the MIP's relative gap of its bound. */
function targetOf(pools: PoolReport[], i: number): number {
  const lb = pools[i]!.lowerBound;
  return lb === null ? Number.NEGATIVE_INFINITY : searchTarget(lb, ENGINE_LIMITS.mipRelGap, pools[i]!.reps);
}

/**
 * Pools that banked part of their share (pool-after.ts): the time left goes to them in proportion to their
 * distance from their bound (objective less bound), for their rep-subset search, then the iterated search
 * should the subsets run out.
 */
async function subsetsByGap(run: SolveRun, pools: PoolReport[]): Promise<void> {
  const { clock } = run;
  const gapOf = (pool: Pool) => {
    const bound = pools[pool.index]!.lowerBound;
    return bound === null ? 0 : Math.max(0, poolScore(run.state, pool).objective - bound);
  };
  const open = run.active.filter((pool) => run.banked.searches.has(pool.index) && !pools[pool.index]!.proven);
  const gaps = open.map(gapOf);
  let gapLeft = gaps.reduce((a, b) => a + b, 0);
  for (const [j, pool] of open.entries()) {
    if (expired(run) || gapLeft <= 0) break;
    const i = pool.index;
    const until = clock.now() + (clock.deadline - clock.now()) * (gaps[j]! / gapLeft);
    gapLeft -= gaps[j]!;
    const before = poolScore(run.state, pool).objective;
    const work = { pool, engine: pools[i]!.engine };
    await repSubsets(run, work, run.banked.searches.get(i)!, until, 'rep subsets, time left');
    if (poolScore(run.state, pool).objective < before - 1e-12) reportAgain(run, pools, pool, work.engine);
    if (!expired(run) && clock.now() < until) searchOn(run, pool, until, targetOf(pools, i), pools);
  }
}

/** A pool's report again after a phase of the time left improved its answer: the same bound, proven or not. */
function reportAgain(run: SolveRun, pools: PoolReport[], pool: Pool, engine: string): void {
  const bound = pools[pool.index]!.lowerBound;
  const proven = bound !== null && isProven(poolScore(run.state, pool).objective, bound, pool);
  pools[pool.index] = poolReport(run.problem, pool, run.state, engine, bound, proven);
}

/**
 * A pool whose LP ran out of time in the first pass (large pools under load): one more try, since without
 * every pool's bound there is no gap to report. False when the pool has a bound or no LP applies.
 */
async function retryLp(
  run: SolveRun,
  pool: Pool,
  poolDeadline: number,
  pools: PoolReport[],
): Promise<boolean> {
  const { clock, problem } = run;
  const i = pool.index;
  const B = run.binaries[i]!;
  const bucketModel = pools[i]!.lowerBound === null ? bucketModelFor(run.input, run.state, pool, B) : null;
  const bucketed = bucketModel !== null;
  if (pools[i]!.lowerBound !== null || !(bucketed || B <= ENGINE_LIMITS.lpMaxBinaries)) return false;
  const lpModel =
    bucketModel ??
    buildPoolModel(problem, pool, singleBlocks(problem, pool), { countCuts: ENGINE_LIMITS.countCuts });
  const retrySeconds = (poolDeadline - clock.now()) / 1000;
  if (!clock.lpFits(lpModel, retrySeconds)) return true;
  const lp = await runHighs(lpModel, {
    ...clock.highsLimits(lpModel, retrySeconds, 'lp'),
    relax: true,
    lpSolver: lpSolverFor(lpModel, bucketed),
  });
  clock.spendHighs(lpModel, lp, 'lp');
  if (lp.status === 'optimal' && lp.bound !== undefined) {
    const objective = poolScore(run.state, pool).objective;
    pools[i] = { ...pools[i]!, lowerBound: lp.bound, proven: isProven(objective, lp.bound, pool) };
  }
  return true;
}

function searchOn(
  run: SolveRun,
  pool: Pool,
  poolDeadline: number,
  target: number,
  pools: PoolReport[],
): void {
  const i = pool.index;
  const before = poolScore(run.state, pool).objective;
  const out = iteratedSearch(run.state, pool, {
    ...(Number.isFinite(target) ? { target } : {}),
    seed: run.input.seed + 7919 * i + 2,
    ...searchUntil(run, pool, poolDeadline, ENGINE_LIMITS.continueIlsWorkPerBinary * run.binaries[i]!),
    exhaustiveSwapMax: run.heuristicOptions.exhaustiveSwapMax,
    slack: ILS_SLACK,
    shouldStop: () => cancelled(run),
  });
  spendSearch(run, pool, out.work);
  phaseDone(run, `${pool.label}: search, time left`);
  if (poolScore(run.state, pool).objective < before - 1e-12) {
    const old = pools[i]!.engine;
    const engine = old.includes('iterated search') ? old : `${old} + iterated search`;
    reportAgain(run, pools, pool, engine);
    newIncumbent(run, engine);
  }
}
