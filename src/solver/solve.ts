/**
 * The one solve function: validate, build the problem, explain infeasibility, run the engines chosen by
 * size (heuristic always; LP bound, javascript-lp-solver or HiGHS per pool), verify independently, report.
 * Pure: no I/O. Run it through `solveInWorker` to get the hard time limit and cancellation.
 */

import { SolveClock } from './clock.ts';
import { type BatchedLp, departureLps } from './departure-lps.ts';
import {
  largeDepartureInput,
  largeRealignment,
  parallelDepartureLps,
  poolBinaries,
  shortRealignment,
} from './engine-choice.ts';
import { ENGINE_LIMITS } from './engine-limits.ts';
import { prestartHighsThreads, releaseHighsThreads } from './engines/highs-threads.ts';
import { finish, noAssignment, poolReport } from './finish.ts';
import { DEFAULT_HEURISTIC, type HeuristicOptions, heuristicSolve, ILS_SLACK } from './heuristic.ts';
import { ilsApplies, iteratedSearch } from './ils.ts';
import { diagnose } from './infeasibility.ts';
import { parseSolveInput, type SolveInput } from './input.ts';
import { applyPackings, packingReasons } from './packing.ts';
import { solvePool } from './pool-solve.ts';
import { buildProblem, type Problem } from './problem.ts';
import type { PoolReport, SolveResult } from './result.ts';
import {
  cancelled,
  expired,
  isPerfect,
  newIncumbent,
  phaseDone,
  type SolveHooks,
  type SolveRun,
  searchUntil,
  spendSearch,
} from './solve-run.ts';
import { poolScore } from './state.ts';
import { runStrategy, type SimpleStrategy } from './strategies.ts';
import { strategyFailure } from './strategy-failure.ts';
import { useTimeLeft } from './time-left.ts';
import { absoluteTolerance } from './tolerance.ts';

export { poolBinaries } from './engine-choice.ts';
export { ENGINE_LIMITS } from './engine-limits.ts';
export { finish } from './finish.ts';
export type { SolveHooks } from './solve-run.ts';

export async function solve(raw: unknown, hooks: SolveHooks = {}): Promise<SolveResult> {
  const t0 = Date.now();
  // A large departure will want its LPs on threads: they start before the input is even checked, so their
  // start-up overlaps checking, building and the construction (released below when not needed).
  const early = largeDepartureInput(raw);
  if (early) prestartHighsThreads(ENGINE_LIMITS.lpThreads);
  const checked = checkInput(raw, t0);
  if ('status' in checked) {
    if (early) void releaseHighsThreads();
    return checked;
  }
  const { input, problem } = checked;
  // The final solve (auto) and the heuristic count time in work, so they are deterministic; HiGHS and
  // javascript-lp-solver alone, measured against them, keep the wall clock.
  const clock = new SolveClock(
    t0,
    input.timeLimitMs,
    () => hooks.shouldStop?.() ?? false,
    input.engine === 'auto' || input.engine === 'heuristic' ? 'work' : 'wall',
    hooks.wallClockSafety ?? true,
    hooks.wallDeadline,
  );
  const only = hooks.pools ? new Set(hooks.pools) : null;
  const active = problem.pools.filter((pool) => only === null || only.has(pool.index));
  const binaries = problem.pools.map((pool) => poolBinaries(problem, pool));
  // The threads for the departure's LPs start now: their start-up overlaps the construction.
  const parallelLps = parallelDepartureLps(problem, active, binaries, clock);
  if (parallelLps) prestartHighsThreads(ENGINE_LIMITS.lpThreads);
  else if (early) void releaseHighsThreads();

  if (input.strategy !== 'optimal') return simpleStrategy(problem, input.strategy, t0, hooks);

  const heuristicOptions = constructionOptions(problem, input, clock, active, t0);
  const heur = heuristicSolve(problem, heuristicOptions);
  let unplaced = heur.unplaced;
  if (unplaced.length > 0) {
    // Caps the totals satisfy but the accounts cannot be packed into: proven by counting or a MIP (packing.ts),
    // which otherwise hands back a placement of the pool that holds every cap.
    const packing = await packingReasons(problem, unplaced, {
      budgetMs: Math.min(ENGINE_LIMITS.packingProofMaxMs, input.timeLimitMs * 0.3),
      shouldStop: () => hooks.shouldStop?.() ?? false,
    });
    if (packing.reasons.length > 0) {
      if (parallelLps) await releaseHighsThreads();
      return { status: 'infeasible', reasons: packing.reasons, millis: Date.now() - t0 };
    }
    applyPackings(heur.state, packing.packings);
    unplaced = unplaced.filter((k) => heur.state.assign[k]! < 0);
  }
  if (unplaced.length > 0 && input.engine === 'heuristic') return noAssignment(problem, unplaced, t0);
  const complete = unplaced.length === 0;
  const run: SolveRun = {
    problem,
    input,
    clock,
    hooks,
    t0,
    active,
    binaries,
    heuristicOptions,
    complete,
    state: heur.state,
    banked: { ms: 0, searches: new Map() },
  };
  phaseDone(run, 'construction + search');
  if (complete) newIncumbent(run, 'heuristic');
  if (input.kind === 'departure' && input.engine === 'auto' && complete && ilsApplies(run.state))
    searchTowardPerfect(run);
  const lpBatch = parallelLps
    ? await departureLps(
        problem,
        active.filter((pool) => !isPerfect(run, pool)),
        binaries,
        clock,
        complete,
      )
    : new Map<number, BatchedLp>();
  if (lpBatch.size > 0) phaseDone(run, `LPs of ${lpBatch.size} pools on ${ENGINE_LIMITS.lpThreads} threads`);
  return poolLoop(run, lpBatch);
}

/** The input parsed, the problem built and checked for infeasibility; or the result that says why not. */
function checkInput(raw: unknown, t0: number): { input: SolveInput; problem: Problem } | SolveResult {
  const parsed = parseSolveInput(raw);
  if (!parsed.ok) return { status: 'invalid', issues: parsed.issues, millis: Date.now() - t0 };
  const built = buildProblem(parsed.input);
  if (!built.ok) return { status: 'invalid', issues: built.issues, millis: Date.now() - t0 };
  const reasons = diagnose(built.problem);
  if (reasons.length > 0) return { status: 'infeasible', reasons, millis: Date.now() - t0 };
  return { input: parsed.input, problem: built.problem };
}

/** The simple strategies (strategies.ts): one pass, no search, no bound; when stuck, what failed (strategy-failure.ts). */
async function simpleStrategy(
  problem: Problem,
  strategy: SimpleStrategy,
  t0: number,
  hooks: SolveHooks,
): Promise<SolveResult> {
  const { state, unplaced } = runStrategy(problem, strategy);
  if (unplaced.length > 0)
    return strategyFailure(problem, strategy, state, unplaced, t0, () => hooks.shouldStop?.() ?? false);
  const pools = problem.pools.map((pool) => poolReport(problem, pool, state, strategy, null, false));
  return finish(problem, state, pools, strategy, t0, null, strategy, true);
}

/**
 * The construction's options. The scalable iterated search serves the final answer (auto, heuristic)
 * within its share of the limit; HiGHS and jslp alone are measured against the plain greedy + local
 * search start, as before.
 */
function constructionOptions(
  problem: Problem,
  input: SolveInput,
  clock: SolveClock,
  active: SolveRun['active'],
  t0: number,
): HeuristicOptions {
  const fastIls = input.engine === 'auto' || input.engine === 'heuristic';
  const share =
    input.engine === 'heuristic'
      ? 0.9
      : largeRealignment(problem)
        ? ENGINE_LIMITS.heuristicTimeShareLarge
        : shortRealignment(problem, input.timeLimitMs)
          ? ENGINE_LIMITS.heuristicTimeShareShort
          : ENGINE_LIMITS.heuristicTimeShare;
  return {
    ...DEFAULT_HEURISTIC,
    seed: input.seed,
    clock,
    pools: active,
    ...(fastIls ? { deadline: t0 + input.timeLimitMs * share } : { fastIlsWorkPerBinary: 0 }),
  };
}

/**
 * A departure close to a perfect split gets there with a short search, and needs no LP at all (planted
 * 100000x300: two of five pools, 2 s of LP each on the work clock).
 */
function searchTowardPerfect(run: SolveRun): void {
  for (const pool of run.active) {
    const tolerance = absoluteTolerance(pool.reps.length);
    // Only pools already near it (an ordinary departure's pools are thousands of times above).
    if (isPerfect(run, pool) || poolScore(run.state, pool).objective > 100 * tolerance || expired(run))
      continue;
    const out = iteratedSearch(run.state, pool, {
      target: tolerance,
      seed: run.input.seed + 7919 * pool.index + 5,
      ...searchUntil(
        run,
        pool,
        run.clock.deadline,
        ENGINE_LIMITS.perfectSearchWorkPerBinary * run.binaries[pool.index]!,
      ),
      exhaustiveSwapMax: run.heuristicOptions.exhaustiveSwapMax,
      slack: ILS_SLACK,
      shouldStop: () => cancelled(run),
    });
    spendSearch(run, pool, out.work);
  }
  phaseDone(run, 'search toward a perfect split');
}

/** Each active pool in turn with its share of the time left, then the time left, then the proposal. */
async function poolLoop(run: SolveRun, lpBatch: Map<number, BatchedLp>): Promise<SolveResult> {
  const { problem, input, clock, active, binaries, t0 } = run;
  /** Reports by pool index (the active pools only). */
  const pools: PoolReport[] = [];
  let remainingBinaries = active.reduce((a, pool) => a + binaries[pool.index]!, 0);
  let allProven = true;
  for (const pool of active) {
    const B = binaries[pool.index]!;
    const share = Math.max(
      0.05,
      ((clock.deadline - clock.now() - run.banked.ms) / 1000) * (B / Math.max(1, remainingBinaries)),
    );
    remainingBinaries -= B;
    const report = await solvePool(run, pool, share, lpBatch.get(pool.index));
    if (!report)
      return noAssignment(
        problem,
        pool.movable.filter((k) => run.state.assign[k]! < 0),
        t0,
      );
    if (!report.proven) allProven = false;
    pools[pool.index] = report;
  }
  if (input.engine === 'auto' && ilsApplies(run.state)) await useTimeLeft(run, pools);
  return conclude(run, pools, allProven);
}

function conclude(run: SolveRun, pools: PoolReport[], allProven: boolean): SolveResult {
  const { clock } = run;
  const reported = run.active.map((pool) => pools[pool.index]!);
  const allBounded = reported.every((p) => p.lowerBound !== null);
  const lowerBound = allBounded ? reported.reduce((s, p) => s + (p.lowerBound ?? 0), 0) : null;
  const engineNames = [...new Set(reported.map((p) => p.engine))];
  // Reproducible when the work clock (or the work budgets) ended every phase, not the wall clock.
  const reproducible = clock.mode === 'work' && !clock.wallCut && !cancelled(run);
  const result = finish(
    run.problem,
    run.state,
    reported,
    engineNames.join(' + ') || 'none',
    run.t0,
    lowerBound,
    undefined,
    reproducible,
    clock.mode === 'work' ? Math.round(clock.workMs) : null,
  );
  // Gap 0: within tolerance of the bound as a whole (tolerance.ts), though a pool alone may not be.
  if (result.status === 'feasible' && (allProven || result.gap === 0))
    return { ...result, status: 'optimal' };
  if (result.status === 'feasible' && run.hooks.shouldStop?.())
    return { ...result, status: 'timeout', reason: 'cancelled: best answer so far' };
  return result;
}
