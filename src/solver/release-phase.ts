/**
 * The release phase of an L1 pool with no per-pair or bucketed LP (too large: 100000x300's pools): the LP of
 * the release relaxation (release-model.ts) for the bound, its answer dealt out as a start, and the iterated
 * search from it for the rest of the pool's share, kept when it beats the pool's current answer. False when
 * it does not apply or its LP gave no bound (the Lagrangian phase then runs instead, lagrangian-phase.ts).
 */
import { ENGINE_LIMITS } from './engine-limits.ts';
import { runHighs } from './engines/highs.ts';
import { ILS_SLACK } from './heuristic.ts';
import { ilsApplies, iteratedSearch } from './ils.ts';
import { buildReleaseModel, releaseStart } from './release-model.ts';
import {
  cancelled,
  newIncumbent,
  type PoolWork,
  phaseDone,
  type SolveRun,
  searchUntil,
  spendSearch,
} from './solve-run.ts';
import { poolScore } from './state.ts';
import { searchTarget } from './tolerance.ts';

/** Share of the pool's time left the release LP may take (its real time; the clock charges it by size). */
const RELEASE_LP_SHARE = 0.5;

export async function releasePhase(run: SolveRun, work: PoolWork): Promise<boolean> {
  const { clock } = run;
  const { pool } = work;
  if (
    !ENGINE_LIMITS.releaseLp ||
    run.input.engine !== 'auto' ||
    !run.complete ||
    !ilsApplies(run.state) ||
    clock.expired()
  )
    return false;
  const rm = buildReleaseModel(run.problem, pool, { countCuts: ENGINE_LIMITS.countCuts });
  const seconds = Math.max(0.05, ((work.poolDeadline - clock.now()) / 1000) * RELEASE_LP_SHARE);
  if (!clock.lpFits(rm.model, seconds)) return false;
  const lp = await runHighs(rm.model, { ...clock.highsLimits(rm.model, seconds, 'lp'), relax: true });
  clock.spendHighs(rm.model, lp, 'lp');
  phaseDone(run, `${pool.label}: release LP`);
  if (lp.status !== 'optimal' || lp.bound === undefined || !lp.colValue) return false;
  // The model leaves out the continuity of the accounts that cannot stay (a constant).
  work.bound = lp.bound + rm.constant;
  work.lpIterations = lp.iterations;
  const start = releaseStart(run.state, pool, rm, lp.colValue);
  if (!start || clock.expired()) return true;
  const before = poolScore(run.state, pool).objective;
  const out = iteratedSearch(start, pool, {
    target: searchTarget(work.bound, ENGINE_LIMITS.mipRelGap, pool.reps.length),
    seed: run.input.seed + 7919 * pool.index + 6,
    ...searchUntil(run, pool, work.poolDeadline, ENGINE_LIMITS.continueIlsWorkPerBinary * work.B),
    exhaustiveSwapMax: run.heuristicOptions.exhaustiveSwapMax,
    slack: ILS_SLACK,
    shouldStop: () => cancelled(run),
  });
  spendSearch(run, pool, out.work);
  phaseDone(run, `${pool.label}: search from the release LP`);
  if (poolScore(start, pool).objective < before - 1e-12) {
    run.state = start;
    work.engine = 'release LP + iterated search';
    newIncumbent(run, work.engine);
  }
  return true;
}
