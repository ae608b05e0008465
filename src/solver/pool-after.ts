/**
 * The end of a pool's turn (final solve): polish an exact engine's answer, a bound where no LP gave one
 * (the Lagrangian, lagrangian-phase.ts), and the iterated search for the rest of the pool's share.
 */
import { isProven, repSubsetsApply, roundedEngine } from './engine-choice.ts';
import { ENGINE_LIMITS, QUICK_BOUND_EVALUATIONS } from './engine-limits.ts';
import { ILS_SLACK, improve } from './heuristic.ts';
import { ilsApplies, iteratedSearch } from './ils.ts';
import { lagrangianBound } from './lagrangian.ts';
import { lagrangianPhase } from './lagrangian-phase.ts';
import { releasePhase } from './release-phase.ts';
import { RepSubsetSearch } from './rep-lns.ts';
import {
  cancelled,
  expired,
  newIncumbent,
  type PoolWork,
  phaseDone,
  type SolveRun,
  searchUntil,
  spendSearch,
} from './solve-run.ts';
import { poolScore } from './state.ts';
import { searchTarget } from './tolerance.ts';

/** The three steps, for a pool whose accounts are all placed, in the final solve (auto). */
export async function afterExactEngines(run: SolveRun, work: PoolWork): Promise<void> {
  if (!work.proven && work.engine !== 'heuristic' && !roundedEngine(work.engine)) {
    // Polish the exact answer on the exact objective (it may have stopped at a gap or a time limit).
    // L1: a short iterated search from the MIP's answer (a fixed budget, so still deterministic).
    improve(
      run.state,
      { ...run.heuristicOptions, ilsWork: 0, fastIlsWorkPerBinary: 2000, deadline: undefined },
      [work.pool],
    );
  }
  // No LP bound yet (a pool too large for it): the release LP (release-phase.ts), else the Lagrangian.
  if (work.bound === null && !(await releasePhase(run, work))) boundWithoutLp(run, work);
  const provenNow =
    work.bound !== null && isProven(poolScore(run.state, work.pool).objective, work.bound, work.pool);
  if (!provenNow && ilsApplies(run.state) && !expired(run)) {
    if (repSubsetsApply(work.pool)) await searchAndSubsets(run, work);
    else searchRestOfShare(run, work, work.poolDeadline, 0);
  }
}

/**
 * Large pools: the iterated search on the first part of the time left, a second turn of it when it still gains
 * fast (South's whale moves), then the rep-subset search (rep-lns.ts) until repLnsBank of the time is left (the
 * search again and the subsets once more should the subsets run out before that). The rest of the pool's share
 * is banked for the time left, which gives it to the pools furthest from their bound (time-left.ts).
 */
async function searchAndSubsets(run: SolveRun, work: PoolWork): Promise<void> {
  const { clock } = run;
  const { pool, poolDeadline } = work;
  const t0 = clock.now();
  const at = (share: number) => t0 + Math.max(0, poolDeadline - t0) * share;
  const end = at(1 - ENGINE_LIMITS.repLnsBank);
  const over = () => expired(run) || clock.now() >= end;
  const { repLnsTurn: turn, repLnsShare: share } = ENGINE_LIMITS;
  const lns = new RepSubsetSearch(pool, ENGINE_LIMITS.repLnsSize, run.input.seed + 7919 * pool.index + 11);
  const before = poolScore(run.state, pool).objective;
  searchRestOfShare(run, work, at(1 - share), 0);
  if (!over()) {
    const gain = (before - poolScore(run.state, pool).objective) / Math.max(1e-12, before);
    const fast = gain / (Math.max(1, clock.now() - t0) / 1000) >= ENGINE_LIMITS.repLnsSearchTurnGain;
    if (fast) searchRestOfShare(run, work, at(1 - share + turn), 1);
    if (!over()) await repSubsets(run, work, lns, Math.min(end, at(1 - share + (fast ? 2 : 1) * turn)));
  }
  if (!over()) await repSubsets(run, work, lns, end);
  if (!over()) searchRestOfShare(run, work, end, 2);
  if (!over()) await repSubsets(run, work, lns, end);
  if (ENGINE_LIMITS.repLnsBank > 0 && !expired(run)) {
    run.banked.ms += Math.max(0, poolDeadline - clock.now());
    run.banked.searches.set(pool.index, lns);
  }
}

/** The rep-subset search on the pool until `until` on the clock; the engine named when it improved. */
export async function repSubsets(
  run: SolveRun,
  work: Pick<PoolWork, 'pool' | 'engine'>,
  lns: RepSubsetSearch,
  until: number,
  phase = 'rep subsets',
): Promise<void> {
  const out = await lns.run(run.state, { clock: run.clock, until, shouldStop: () => cancelled(run) });
  phaseDone(run, `${work.pool.label}: ${phase}`);
  if (out.improved > 0 && !work.engine.includes('rep subsets')) work.engine = `${work.engine} + rep subsets`;
  if (out.improved > 0) newIncumbent(run, work.engine);
}

function boundWithoutLp(run: SolveRun, work: PoolWork): void {
  const { pool } = work;
  if (!expired(run)) {
    // No LP for this pool (too large, or it did not finish): the Lagrangian bound and its rounded answer.
    const lag = lagrangianPhase(run.state, pool, {
      clock: run.clock,
      until: work.poolDeadline,
      seed: run.input.seed + 7919 * pool.index + 5,
      searchLimits: (until) => searchUntil(run, pool, until, ENGINE_LIMITS.continueIlsWorkPerBinary * work.B),
      spendSearch: (spent) => spendSearch(run, pool, spent),
      exhaustiveSwapMax: run.heuristicOptions.exhaustiveSwapMax,
      slack: ILS_SLACK,
      relGap: ENGINE_LIMITS.mipRelGap,
      shouldStop: () => cancelled(run),
    });
    work.bound = lag.bound;
    if (lag.improved) {
      run.state = lag.improved;
      work.engine = 'lagrangian + iterated search';
      newIncumbent(run, work.engine);
    }
    phaseDone(run, `${pool.label}: Lagrangian`);
  } else {
    // Out of time before any bound (a short what-if): a few evaluations of the Lagrangian, each a proven
    // bound, so the answer still says how good it is instead of a gap of null.
    const pairs = pool.movable.length * pool.reps.length;
    work.bound = lagrangianBound(run.problem, pool, { work: QUICK_BOUND_EVALUATIONS * pairs }).bound;
    phaseDone(run, `${pool.label}: quick bound`);
  }
}

/**
 * Time left in the pool's share (no full MIP for this pool, or the MIP stopped at its time limit): the
 * iterated search keeps going until it is within the MIP's relative gap of the bound.
 */
function searchRestOfShare(run: SolveRun, work: PoolWork, until: number, round: number): void {
  const { pool, bound } = work;
  const before = poolScore(run.state, pool).objective;
  const out = iteratedSearch(run.state, pool, {
    ...(bound !== null ? { target: searchTarget(bound, ENGINE_LIMITS.mipRelGap, pool.reps.length) } : {}),
    seed: run.input.seed + 7919 * pool.index + 1 + 104_729 * round,
    ...searchUntil(run, pool, until, ENGINE_LIMITS.continueIlsWorkPerBinary * work.B),
    exhaustiveSwapMax: run.heuristicOptions.exhaustiveSwapMax,
    slack: ILS_SLACK,
    shouldStop: () => cancelled(run),
  });
  spendSearch(run, pool, out.work);
  phaseDone(run, `${pool.label}: search`);
  if (poolScore(run.state, pool).objective < before - 1e-12 && !work.engine.includes('iterated search'))
    work.engine = `${work.engine} + iterated search`;
}
