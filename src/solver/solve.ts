/**
 * The one solve function: validate, build the problem, explain infeasibility, run the engines chosen by
 * size (heuristic always; LP bound, javascript-lp-solver or HiGHS per pool), verify independently, report.
 * Pure: no I/O. Run it through `solveInWorker` to get the hard time limit and cancellation.
 */

import { bucketBlocks, dealOut, fixSplitSingles } from './bucket.ts';
import { PAIR_EXCHANGE_MS_PER_ACCOUNT_REP, SolveClock } from './clock.ts';
import { type HighsRun, runHighs } from './engines/highs.ts';
import { prestartHighsThreads, releaseHighsThreads, runHighsMany } from './engines/highs-threads.ts';
import { runJslp } from './engines/jslp.ts';
import { DEFAULT_HEURISTIC, heuristicSolve, ILS_SLACK, improve } from './heuristic.ts';
import { ilsApplies, iteratedSearch } from './ils.ts';
import { diagnose } from './infeasibility.ts';
import { parseSolveInput, type SolveInput } from './input.ts';
import { lagrangianBound } from './lagrangian.ts';
import { lagrangianPhase } from './lagrangian-phase.ts';
import { roundLpSolution } from './lp-round.ts';
import { buildPoolModel, type MipModel, readSingleAssignment, singleBlocks, startValues } from './model.ts';
import { packingReasons } from './packing.ts';
import { pairExchange } from './pair-exchange.ts';
import { buildProblem, type Pool, type Problem } from './problem.ts';
import { buildReport, finalOwners, ownerMap } from './report.ts';
import type { PoolReport, Proposal, SolveResult } from './result.ts';
import { cloneState, place, poolScore, type State, stateFrom, unplace } from './state.ts';
import { runStrategy } from './strategies.ts';
import { absoluteTolerance, OPTIMAL_REL, reportedGap, searchTarget, withinTolerance } from './tolerance.ts';
import { verifyAssignment } from './verify.ts';

/** Lagrangian evaluations for a pool's bound when its time ran out before any (milliseconds at 100000x300). */
const QUICK_BOUND_EVALUATIONS = 6;
/** HiGHS' absolute stopping gap (our tolerance, tolerance.ts, is judged after it). */
const NUMERIC_ABS_GAP = 1e-7;

/** Engine thresholds per pool, in binaries (eligible account-rep pairs), chosen by measurement (bench/). */
export const ENGINE_LIMITS = {
  /**
   * javascript-lp-solver in auto mode: 0 (never) while HiGHS loads. Measured: a 63-binary departure pool
   * stalled for the whole 20 s limit where HiGHS took 0.3 s, and 1000x20 departures hung past the hard
   * kill. It stays available as `engine: 'jslp'` and as the fallback when HiGHS fails.
   */
  jslpMaxBinaries: 0,
  /** Full HiGHS MIP (warm-started from the heuristic) up to this size. */
  mipMaxBinaries: 12_000,
  /** LP relaxation as the lower bound up to this size (above it the LP alone can take minutes). */
  lpMaxBinaries: 150_000,
  /** HiGHS MIP time per pool (auto): base + binaries / rate seconds, and the relative gap it stops at. */
  mipBaseSec: 3,
  mipBinariesPerSec: 500,
  mipRelGap: 0.005,
  /**
   * Share of the time limit the construction + iterated search may use before the exact engines (auto);
   * the search goes on after them with the time left, so the LP bounds of the largest pools come first.
   */
  heuristicTimeShare: 0.15,
  /**
   * The same when every pool is a realignment pool above mipMaxBinaries: the rounded LP answer replaced the
   * greedy start in every such pool measured (5000x50, 20000x100), so the greedy is only the fallback.
   */
  heuristicTimeShareLarge: 0.05,
  /**
   * Pools with no MIP (too large) or a MIP that did not beat the heuristic keep improving with the
   * iterated search for the rest of their time share, up to this many move evaluations per binary.
   */
  continueIlsWorkPerBinary: 100_000,
  /** Realignment pools up to this size above mipMaxBinaries get a short MIP for its bound: this share of their time. */
  boundMipMaxBinaries: 60_000,
  boundMipShare: 0.3,
  /** Per-pair LP relaxations with more columns than this use interior point (simplex stalled at 20000x100). */
  ipmMinColumns: 40_000,
  /** Departures with this many binaries in all get their pools' LPs on `lpThreads` threads at once. */
  parallelLpMinBinaries: 100_000,
  /** ... whose threads start before the input is checked from this many accounts (100000x300: 240k binaries). */
  parallelLpMinAccounts: 50_000,
  lpThreads: 2,
  /** The work clock skips a MIP allowed fewer LP iterations than this many times its pool's LP took. */
  mipRootLpFactor: 1.5,
  /** Searches from the rounded LP answer in MIP-size pools, the best kept (solve.ts, the LP-round path). */
  lpRoundStarts: 3,
  /** Integer-rounding cuts on each rep's count deviation (model.ts): 1000x20's LP bound 0.647 → 0.673. */
  countCuts: true,
  /** Share of a pool's time left after its LP that the rounded LP answer's iterated search may use. */
  lpRoundShare: 0.3,
  /**
   * The same for pools small enough for the full MIP (rounded only on short shares, below), and the search's
   * record-to-record slack there (ils.ts; ILS_SLACK elsewhere). Measured at 1000x20, 5 s, nine seeds in one
   * run: mean 0.7033 with 0.3 and 0.02 (the MIP after it rarely improved the answer within 1 s; its bound is
   * no better than what the search reaches), 0.6985 with 0.9 and 0.05 (and the greedy phase cut, below).
   */
  lpRoundMipPoolShare: 0.9,
  lpRoundMipPoolIlsSlack: 0.05,
  /**
   * Heuristic share when every pool of an L1 realignment will be LP-rounded because its time share is short
   * (under lpRoundMipPoolMaxShareSec): the greedy is then only the fallback, as for large realignments.
   */
  heuristicTimeShareShort: 0.05,
  /**
   * MIP-size pools: double swaps (pair-exchange.ts) after the rounded answer's search, 20-60 ms. Measured at
   * 1000x20, 5 s, seeds 1-6 in one run: mean 0.6975 -> 0.6965, seed 1 (the bench's) 0.7009 -> 0.6958.
   */
  pairExchange: true,
  /**
   * Pools small enough for the full MIP get the rounding only when their time share is below this. Measured
   * at 1000x20 (same runs): 5 s limit (1.4 s per pool) 1.3-1.9 % above the bound with rounding against
   * 3.4 % without; 20 s limit (5.7 s per pool) 1.5-1.7 % with it against 0.5 % without.
   */
  lpRoundMipPoolMaxShareSec: 6,
  /**
   * ... and 3 s for pools up to quickMipMaxBinaries: the MIP proves those quickly (and ends the solve
   * early), where at 1000x20 (1,900 binaries a pool) it needs 4-11 s for its root alone and a pool of two
   * threads gets 4 s (parallel-pools.ts): 0.249 with the MIP against 0.235 rounded in one pool (measured).
   */
  lpRoundSmallPoolMaxShareSec: 3,
  quickMipMaxBinaries: 1000,
  /**
   * Bucketed pools: fix the single accounts the LP split and solve it again before dealing out (bucket.ts,
   * fixSplitSingles). Not for per-account LPs: at 5000x50 the second LP cost more than it gained (measured).
   */
  lpDive: true,
  /**
   * Realignment pools above this size get the bucketed relaxation (bucket.ts) as their LP: bound and start.
   * 20000x100 (about 110k binaries per pool): LP in 1-4 s where the per-pair LP did not finish in 60 s.
   */
  bucketMinBinaries: 40_000,
  /** ... and below this size (100000x300's 1.08M-binary pools gave 222k bucket columns: LP unsolved in 25 s). */
  bucketMaxBinaries: 400_000,
  /**
   * Departure pools the construction did not prove: an iterated search toward the LP bound before the MIP,
   * up to this many move evaluations per binary (planted books, bound 0: 1000x20 proven in 0.5 s, not 4.5).
   */
  departureSearchWorkPerBinary: 20_000,
  /** Departures: a search toward a perfect split before the LPs, this many move evaluations per binary. */
  perfectSearchWorkPerBinary: 20,
  /** Wall-clock budget of the packing proof when the construction cannot place every account (packing.ts). */
  packingProofMaxMs: 10_000,
  /** Bucketed pools: share of the pool's time left for the MIP with integer whales (bucket.ts). */
  bucketMipShare: 0.35,
};

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

export async function solve(raw: unknown, hooks: SolveHooks = {}): Promise<SolveResult> {
  const t0 = Date.now();
  // A large departure will want its LPs on threads: they start before the input is even checked, so their
  // start-up overlaps checking, building and the construction (released below when not needed).
  const early = largeDepartureInput(raw);
  if (early) prestartHighsThreads(ENGINE_LIMITS.lpThreads);
  const parsed = parseSolveInput(raw);
  if (!parsed.ok) {
    if (early) void releaseHighsThreads();
    return { status: 'invalid', issues: parsed.issues, millis: Date.now() - t0 };
  }
  const input = parsed.input;
  const built = buildProblem(input);
  if (!built.ok) {
    if (early) void releaseHighsThreads();
    return { status: 'invalid', issues: built.issues, millis: Date.now() - t0 };
  }
  const problem = built.problem;
  const reasons = diagnose(problem);
  if (reasons.length > 0) {
    if (early) void releaseHighsThreads();
    return { status: 'infeasible', reasons, millis: Date.now() - t0 };
  }
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
  const deadline = clock.deadline;
  const stop = () => clock.expired();
  const cancelled = () => hooks.shouldStop?.() ?? false;
  const phase = (label: string) => hooks.onPhase?.(label, clock.now() - t0, Date.now() - t0);
  /** A search on `pool` until `until` (a time on the clock): its work budget and safety deadline. */
  const searchUntil = (pool: Pool, until: number, cap: number) =>
    clock.searchLimits(pool, until, cap, heuristicOptions.exhaustiveSwapMax);

  if (input.strategy !== 'optimal') {
    const { state, unplaced } = runStrategy(problem, input.strategy);
    if (unplaced.length > 0) {
      return {
        status: 'infeasible',
        millis: Date.now() - t0,
        reasons: [
          {
            code: 'caps-conflict',
            message: `the ${input.strategy} strategy could not place ${unplaced.length} account(s) under the caps (e.g. ${problem.accounts[problem.movable[unplaced[0]!]!]!.id}); try the optimal strategy or loosen the caps`,
            accountIds: unplaced.map((k) => problem.accounts[problem.movable[k]!]!.id),
          },
        ],
      };
    }
    const pools = problem.pools.map((pool) => poolReport(problem, pool, state, input.strategy, null, false));
    return finish(problem, state, pools, input.strategy, t0, null, input.strategy, true);
  }

  // The scalable iterated search serves the final answer (auto, heuristic); HiGHS and jslp alone are
  // measured against the plain greedy + local search start, as before.
  const fastIls = input.engine === 'auto' || input.engine === 'heuristic';
  const heuristicOptions = {
    ...DEFAULT_HEURISTIC,
    seed: input.seed,
    clock,
    pools: active,
    ...(fastIls
      ? {
          deadline:
            t0 +
            input.timeLimitMs *
              (input.engine === 'heuristic'
                ? 0.9
                : largeRealignment(problem)
                  ? ENGINE_LIMITS.heuristicTimeShareLarge
                  : shortRealignment(problem, input.timeLimitMs)
                    ? ENGINE_LIMITS.heuristicTimeShareShort
                    : ENGINE_LIMITS.heuristicTimeShare),
        }
      : { fastIlsWorkPerBinary: 0 }),
  };
  const heur = heuristicSolve(problem, heuristicOptions);
  if (heur.unplaced.length > 0) {
    // Caps the totals satisfy but the accounts cannot be packed into: proven by a MIP (packing.ts).
    const packing = await packingReasons(problem, heur.unplaced, {
      budgetMs: Math.min(ENGINE_LIMITS.packingProofMaxMs, input.timeLimitMs * 0.3),
      shouldStop: cancelled,
    });
    if (packing.length > 0) {
      if (parallelLps) await releaseHighsThreads();
      return { status: 'infeasible', reasons: packing, millis: Date.now() - t0 };
    }
  }
  if (heur.unplaced.length > 0 && input.engine === 'heuristic') {
    return noAssignment(problem, heur.unplaced, t0);
  }
  let state = heur.state;
  phase('construction + search');
  const complete = heur.unplaced.length === 0;
  if (complete) hooks.onIncumbent?.(problem, Int32Array.from(state.assign), 'heuristic');

  /** Reports by pool index (the active pools only). */
  const pools: PoolReport[] = [];
  let remainingBinaries = active.reduce((a, pool) => a + binaries[pool.index]!, 0);
  let allBounded = true;
  let allProven = true;
  // A pool whose answer is within tolerance of a perfect split is proven by it (every bound is ≥ 0).
  const perfect = (pool: Pool) =>
    complete && poolScore(state, pool).objective <= absoluteTolerance(pool.reps.length);
  if (input.kind === 'departure' && input.engine === 'auto' && complete && ilsApplies(state)) {
    // A departure close to a perfect split gets there with a short search, and needs no LP at all
    // (planted 100000x300: two of five pools, 2 s of LP each on the work clock).
    for (const pool of active) {
      const tolerance = absoluteTolerance(pool.reps.length);
      // Only pools already near it (an ordinary departure's pools are thousands of times above).
      if (perfect(pool) || poolScore(state, pool).objective > 100 * tolerance || stop()) continue;
      const out = iteratedSearch(state, pool, {
        target: tolerance,
        seed: input.seed + 7919 * pool.index + 5,
        ...searchUntil(pool, deadline, ENGINE_LIMITS.perfectSearchWorkPerBinary * binaries[pool.index]!),
        exhaustiveSwapMax: heuristicOptions.exhaustiveSwapMax,
        slack: ILS_SLACK,
        shouldStop: cancelled,
      });
      clock.spendSearch(pool, out.work, heuristicOptions.exhaustiveSwapMax);
    }
    phase('search toward a perfect split');
  }
  const lpBatch = parallelLps
    ? await departureLps(
        problem,
        active.filter((pool) => !perfect(pool)),
        binaries,
        clock,
        complete,
      )
    : new Map<number, { model: MipModel; run: HighsRun }>();
  if (lpBatch.size > 0) phase(`LPs of ${lpBatch.size} pools on ${ENGINE_LIMITS.lpThreads} threads`);
  for (const pool of active) {
    const B = binaries[pool.index]!;
    const share = Math.max(0.05, ((deadline - clock.now()) / 1000) * (B / Math.max(1, remainingBinaries)));
    const poolDeadline = Math.min(deadline, clock.now() + share * 1000);
    remainingBinaries -= B;
    let engine = 'heuristic';
    let bound: number | null = null;
    /** Simplex iterations of the pool's LP: a MIP allowed fewer than a few times that would not finish its root. */
    let lpIterations: number | undefined;
    let proven = false;
    if (input.engine === 'auto' && perfect(pool)) {
      pools[pool.index] = poolReport(problem, pool, state, 'heuristic (a perfect split)', 0, true);
      continue;
    }
    const useExact = input.engine !== 'heuristic' && !stop();
    // Large realignment pools: the LP of the bucketed relaxation (bucket.ts) instead of one column per pair.
    const bucketModel = useExact && complete ? bucketModelFor(input, state, pool, B) : null;
    const bucketed = bucketModel !== null;
    const batched = lpBatch.get(pool.index);
    const model = batched
      ? batched.model
      : bucketModel
        ? bucketModel
        : useExact && B <= Math.max(ENGINE_LIMITS.lpMaxBinaries, ENGINE_LIMITS.mipMaxBinaries)
          ? buildPoolModel(problem, pool, singleBlocks(problem, pool), { countCuts: ENGINE_LIMITS.countCuts })
          : null;
    const current = () =>
      complete || pool.movable.every((k) => state.assign[k]! >= 0)
        ? poolScore(state, pool).objective
        : Number.POSITIVE_INFINITY;

    // No MIP follows on the largest pools: the LP is their only bound, so it may take most of the share
    // (the iterated search gets the rest, and any time other pools leave).
    const lpSeconds = !bucketed && B > ENGINE_LIMITS.boundMipMaxBinaries ? share * 0.9 : share / 2;
    if (
      model &&
      input.engine === 'auto' &&
      complete &&
      (bucketed || B <= ENGINE_LIMITS.lpMaxBinaries) &&
      (batched || clock.lpFits(model, lpSeconds))
    ) {
      const lp =
        batched?.run ??
        (await runHighs(model, {
          ...clock.highsLimits(model, lpSeconds, 'lp'),
          relax: true,
          lpSolver: lpSolverFor(model, bucketed),
        }));
      clock.spendHighs(model, lp, 'lp');
      phase(`${pool.label}: LP`);
      lpIterations = lp.iterations;
      if (lp.status === 'optimal' && lp.bound !== undefined) {
        bound = lp.bound;
        proven = isProven(current(), bound, pool);
        if (proven) engine = 'heuristic+lp-bound';
      }
      if (!proven && bound !== null && input.kind === 'departure' && ilsApplies(state) && !stop()) {
        // Departures' LPs are (almost) integral (SOLVER-LAB): the search reaches their bound where a MIP must
        // match revenues exactly (a planted book whose bound is 0: a 138-binary MIP found nothing in 3.5 s).
        const out = iteratedSearch(state, pool, {
          target: searchTarget(bound, OPTIMAL_REL, pool.reps.length),
          seed: input.seed + 7919 * pool.index + 4,
          ...searchUntil(pool, poolDeadline, ENGINE_LIMITS.departureSearchWorkPerBinary * B),
          exhaustiveSwapMax: heuristicOptions.exhaustiveSwapMax,
          slack: ILS_SLACK,
          shouldStop: cancelled,
        });
        clock.spendSearch(pool, out.work, heuristicOptions.exhaustiveSwapMax);
        proven = isProven(current(), bound, pool);
        phase(`${pool.label}: search to the LP bound`);
        if (proven) engine = 'heuristic + iterated search + lp-bound';
      }
      // Pools with a full MIP round only when their share is short: the MIP needs the time otherwise.
      const roundHere = roundsLp(B, share);
      if (
        !proven &&
        lp.colValue &&
        roundHere &&
        ENGINE_LIMITS.lpRoundShare > 0 &&
        ilsApplies(state) &&
        !stop()
      ) {
        // The LP's own assignment, rounded and repaired by the iterated search, moves far fewer accounts
        // than the greedy start (5000x50: 1.5 % above the bound against 6.7 %); the better one goes on.
        let colValue: ArrayLike<number> = lp.colValue;
        const dive = bucketed && ENGINE_LIMITS.lpDive ? fixSplitSingles(model, colValue) : null;
        if (dive) {
          // Accounts the LP split fixed where most of them are, and the LP again (measured: 20000x100's
          // worst pool 0.99 → 0.89 after the same search); its value is no bound, the first LP's stays.
          const diveSeconds = Math.max(0.05, ((poolDeadline - clock.now()) / 1000) * 0.3);
          const again = !clock.lpFits(dive, diveSeconds)
            ? null
            : await runHighs(dive, { ...clock.highsLimits(dive, diveSeconds, 'lp'), relax: true });
          if (again) clock.spendHighs(dive, again, 'lp');
          phase(`${pool.label}: LP dive`);
          if (again?.status === 'optimal' && again.colValue) colValue = again.colValue;
        }
        if (bucketed && ENGINE_LIMITS.bucketMipShare > 0 && !stop()) {
          // The bucketed model with its single accounts (the whales) integer: still a relaxation, so its
          // dual bound is valid, and its answer places the whales with the rest rebalanced around them.
          const run = await runHighs(model, {
            ...clock.highsLimits(
              model,
              Math.max(0.05, ((poolDeadline - clock.now()) / 1000) * ENGINE_LIMITS.bucketMipShare),
              'mip',
            ),
            relGap: 1e-3,
            absGap: NUMERIC_ABS_GAP,
            start: Float64Array.from(colValue),
            shouldStop: cancelled,
          });
          clock.spendHighs(model, run, 'mip');
          phase(`${pool.label}: bucket MIP`);
          if (run.bound !== undefined && Number.isFinite(run.bound)) {
            bound = Math.max(bound ?? Number.NEGATIVE_INFINITY, run.bound);
            proven = isProven(current(), bound, pool);
          }
          if ((run.status === 'optimal' || run.status === 'feasible') && run.colValue)
            colValue = run.colValue;
        }
        let rounded = bucketed
          ? dealOut(state, pool, model, colValue)
          : roundLpSolution(state, pool, model, colValue);
        if (rounded) {
          const until = Math.min(
            poolDeadline,
            clock.now() +
              Math.max(0, poolDeadline - clock.now()) *
                (B > ENGINE_LIMITS.mipMaxBinaries
                  ? ENGINE_LIMITS.lpRoundShare
                  : ENGINE_LIMITS.lpRoundMipPoolShare),
          );
          const limits = searchUntil(pool, until, ENGINE_LIMITS.continueIlsWorkPerBinary * B);
          // Pools small enough for a MIP: several searches from the rounded answer (seeds apart), the best
          // kept. The search's end depends much on its seed (1000x20, one pool: 0.2045-0.2099 over six
          // seeds), so the best of three short searches beat one three times as long (measured).
          const starts = B <= ENGINE_LIMITS.mipMaxBinaries ? ENGINE_LIMITS.lpRoundStarts : 1;
          let best: State | null = null;
          for (let s = 0; s < starts && !(s > 0 && stop()); s++) {
            const trial = s === starts - 1 ? rounded : cloneState(rounded);
            const out = iteratedSearch(trial, pool, {
              ...(bound !== null
                ? { target: searchTarget(bound, ENGINE_LIMITS.mipRelGap, pool.reps.length) }
                : {}),
              seed: input.seed + 7919 * pool.index + 3 + 104_729 * s,
              ...(clock.mode === 'work'
                ? { ...limits, work: limits.work / starts }
                : { work: limits.work, deadline: clock.now() + (until - clock.now()) / (starts - s) }),
              exhaustiveSwapMax: heuristicOptions.exhaustiveSwapMax,
              slack: B > ENGINE_LIMITS.mipMaxBinaries ? ILS_SLACK : ENGINE_LIMITS.lpRoundMipPoolIlsSlack,
              shouldStop: cancelled,
            });
            clock.spendSearch(pool, out.work, heuristicOptions.exhaustiveSwapMax);
            if (best === null || poolScore(trial, pool).objective < poolScore(best, pool).objective - 1e-12)
              best = trial;
          }
          rounded = best ?? rounded;
          phase(`${pool.label}: search from the rounded LP`);
          const exchangeMs = PAIR_EXCHANGE_MS_PER_ACCOUNT_REP * pool.movable.length * pool.reps.length;
          if (
            ENGINE_LIMITS.pairExchange &&
            B <= ENGINE_LIMITS.mipMaxBinaries &&
            !stop() &&
            // Only when the pool's share still holds it (short limits leave the time to later pools).
            (clock.mode === 'wall' || clock.now() + exchangeMs <= poolDeadline)
          ) {
            const wall = clock.mode === 'wall' ? poolDeadline : clock.wallDeadline;
            pairExchange(rounded, pool, wall !== undefined ? { deadline: wall } : {});
            clock.spend(exchangeMs);
            phase(`${pool.label}: double swaps`);
          }
          if (poolScore(rounded, pool).objective < current() - 1e-12) {
            state = rounded;
            engine = bucketed ? 'buckets (LP) + iterated search' : 'lp-round + iterated search';
            hooks.onIncumbent?.(problem, Int32Array.from(state.assign), engine);
            if (bound !== null) proven = isProven(current(), bound, pool);
          }
        }
      }
    }
    if (model && !bucketed && !proven && !stop()) {
      const wantJslp =
        input.engine === 'jslp' ||
        (input.engine === 'auto' && B <= ENGINE_LIMITS.jslpMaxBinaries && input.objective === 'l1');
      // Realignment pools above the MIP size still get a short warm-started MIP: its dual bound is often
      // far better than the LP's (5000x50: one pool proven optimal in 0.7 s), and it may improve the answer.
      const boundMip =
        input.engine === 'auto' &&
        input.kind !== 'departure' &&
        complete &&
        B > ENGINE_LIMITS.mipMaxBinaries &&
        B <= ENGINE_LIMITS.boundMipMaxBinaries;
      const auto = input.engine === 'auto';
      const mipSeconds = boundMip
        ? share * ENGINE_LIMITS.boundMipShare
        : auto
          ? Math.min(
              // Realignments: what is left of the pool's share after the LP, so later pools keep theirs.
              input.kind === 'departure' ? share : Math.max(0.05, (poolDeadline - clock.now()) / 1000),
              ENGINE_LIMITS.mipBaseSec + B / ENGINE_LIMITS.mipBinariesPerSec,
            )
          : share;
      // On the work clock a MIP stops only between nodes: one allowed fewer LP iterations than its root
      // needs would overrun its share (measured at 1000x20, 5 s: 0.65 s for a 0.15 s share). The search
      // that follows takes the time instead.
      const rootTooLong =
        clock.mode === 'work' &&
        lpIterations !== undefined &&
        clock.mipIterations(model, clock.now() + mipSeconds * 1000) <
          ENGINE_LIMITS.mipRootLpFactor * lpIterations;
      const wantMip =
        !rootTooLong && (input.engine === 'highs' || (auto && B <= ENGINE_LIMITS.mipMaxBinaries) || boundMip);
      let candidate: Int32Array | null = null;
      let candidateEngine = '';
      if (wantJslp) {
        const run = runJslp(model, { timeLimitMs: Math.max(50, share * 1000) });
        if (run.status === 'optimal' && run.colValue) {
          const trial = Int32Array.from(state.assign);
          if (readSingleAssignment(model, run.colValue, trial)) {
            candidate = trial;
            candidateEngine = 'jslp';
            // A finished branch-and-bound with tolerance 0 is a proof, a timed-out one is not.
            if (run.millis < share * 1000 * 0.9 && run.objective !== undefined)
              bound = Math.max(bound ?? 0, run.objective - 1e-9);
          }
        }
      }
      if (!candidate && wantMip) {
        const warm = input.engine === 'auto' && complete;
        // Realignment MIPs close the last fraction of a percent slowly: stop at MIP_GAP and a size-based limit.
        const run = await runHighs(model, {
          ...clock.highsLimits(model, mipSeconds, 'mip'),
          // Half our claim's tolerance, so HiGHS' own 'optimal' always passes isProven.
          relGap: auto && input.kind !== 'departure' ? ENGINE_LIMITS.mipRelGap : OPTIMAL_REL / 2,
          absGap: NUMERIC_ABS_GAP,
          ...(warm ? { start: startValues(model, state) } : {}),
          shouldStop: cancelled,
        });
        clock.spendHighs(model, run, 'mip');
        phase(`${pool.label}: MIP`);
        if (run.bound !== undefined) bound = Math.max(bound ?? Number.NEGATIVE_INFINITY, run.bound);
        if (run.status === 'error' && B <= 1000 && input.objective === 'l1') {
          // HiGHS failed (it has crashed on some models): javascript-lp-solver on a small model instead.
          const fallback = runJslp(model, { timeLimitMs: Math.max(50, share * 1000) });
          if (fallback.status === 'optimal' && fallback.colValue) {
            const trial = Int32Array.from(state.assign);
            if (readSingleAssignment(model, fallback.colValue, trial)) {
              candidate = trial;
              candidateEngine = 'jslp (HiGHS failed)';
            }
          }
        }
        if ((run.status === 'optimal' || run.status === 'feasible') && run.colValue) {
          const trial = Int32Array.from(state.assign);
          if (readSingleAssignment(model, run.colValue, trial)) {
            candidate = trial;
            candidateEngine = warm ? 'highs(warm)' : 'highs';
          }
        }
      }
      if (candidate) {
        const next = adoptPool(state, pool, candidate);
        if (!complete || poolScore(next, pool).objective < current() - 1e-12 || input.engine !== 'auto') {
          state = next;
          engine = candidateEngine;
        } else if (engine === 'heuristic') engine = `heuristic (checked by ${candidateEngine})`;
      }
    }
    const allPlaced = pool.movable.every((k) => state.assign[k]! >= 0);
    if (allPlaced && input.engine === 'auto' && !proven && engine !== 'heuristic' && !roundedEngine(engine)) {
      // Polish the exact answer on the exact objective (it may have stopped at a gap or a time limit).
      // L1: a short iterated search from the MIP's answer (a fixed budget, so still deterministic).
      improve(state, { ...heuristicOptions, ilsWork: 0, fastIlsWorkPerBinary: 2000, deadline: undefined }, [
        pool,
      ]);
    }
    if (allPlaced && input.engine === 'auto' && bound === null && !stop()) {
      // No LP for this pool (too large, or it did not finish): the Lagrangian bound and its rounded answer.
      const lag = lagrangianPhase(state, pool, {
        clock,
        until: poolDeadline,
        seed: input.seed + 7919 * pool.index + 5,
        searchLimits: (until) => searchUntil(pool, until, ENGINE_LIMITS.continueIlsWorkPerBinary * B),
        spendSearch: (work) => clock.spendSearch(pool, work, heuristicOptions.exhaustiveSwapMax),
        exhaustiveSwapMax: heuristicOptions.exhaustiveSwapMax,
        slack: ILS_SLACK,
        relGap: ENGINE_LIMITS.mipRelGap,
        shouldStop: cancelled,
      });
      bound = lag.bound;
      if (lag.improved) {
        state = lag.improved;
        engine = 'lagrangian + iterated search';
        hooks.onIncumbent?.(problem, Int32Array.from(state.assign), engine);
      }
      phase(`${pool.label}: Lagrangian`);
    } else if (allPlaced && input.engine === 'auto' && bound === null) {
      // Out of time before any bound (a short what-if): a few evaluations of the Lagrangian, each a proven
      // bound, so the answer still says how good it is instead of a gap of null.
      const pairs = pool.movable.length * pool.reps.length;
      bound = lagrangianBound(problem, pool, { work: QUICK_BOUND_EVALUATIONS * pairs }).bound;
      phase(`${pool.label}: quick bound`);
    }
    const provenNow = bound !== null && isProven(poolScore(state, pool).objective, bound, pool);
    if (allPlaced && input.engine === 'auto' && !provenNow && ilsApplies(state) && !stop()) {
      // Time left in the pool's share (no full MIP for this pool, or the MIP stopped at its time limit):
      // the iterated search keeps going until it is within the MIP's relative gap of the bound.
      const before = poolScore(state, pool).objective;
      const out = iteratedSearch(state, pool, {
        ...(bound !== null ? { target: searchTarget(bound, ENGINE_LIMITS.mipRelGap, pool.reps.length) } : {}),
        seed: input.seed + 7919 * pool.index + 1,
        ...searchUntil(pool, poolDeadline, ENGINE_LIMITS.continueIlsWorkPerBinary * B),
        exhaustiveSwapMax: heuristicOptions.exhaustiveSwapMax,
        slack: ILS_SLACK,
        shouldStop: cancelled,
      });
      clock.spendSearch(pool, out.work, heuristicOptions.exhaustiveSwapMax);
      phase(`${pool.label}: search`);
      if (poolScore(state, pool).objective < before - 1e-12 && !engine.includes('iterated search'))
        engine = `${engine} + iterated search`;
    }
    if (!allPlaced)
      return noAssignment(
        problem,
        pool.movable.filter((k) => state.assign[k]! < 0),
        t0,
      );
    if (bound !== null) proven = isProven(poolScore(state, pool).objective, bound, pool);
    if (bound === null) allBounded = false;
    if (!proven) allProven = false;
    pools[pool.index] = poolReport(problem, pool, state, engine, bound, proven);
    hooks.onIncumbent?.(problem, Int32Array.from(state.assign), engine);
  }

  // Pools finish at different times (a MIP proves one early, another reaches its target): the time left
  // goes to the pools still short of their target, in proportion to their binaries.
  if (input.engine === 'auto' && ilsApplies(state)) {
    const target = (i: number) => {
      const lb = pools[i]!.lowerBound;
      return lb === null
        ? Number.NEGATIVE_INFINITY
        : searchTarget(lb, ENGINE_LIMITS.mipRelGap, pools[i]!.reps);
    };
    const open = active.filter(
      (pool) => !pools[pool.index]!.proven && poolScore(state, pool).objective > target(pool.index) + 1e-12,
    );
    let openBinaries = open.reduce((s, pool) => s + binaries[pool.index]!, 0);
    for (const pool of open) {
      // The whole answer within tolerance of perfect (tolerance.ts) ends the solve, every pool proven or not.
      if (stop() || answerWithinTolerance(state, active, pools)) break;
      const i = pool.index;
      const B = binaries[i]!;
      const poolDeadline = clock.now() + (deadline - clock.now()) * (B / Math.max(1, openBinaries));
      openBinaries -= B;
      if (poolDeadline - clock.now() < 200) continue;
      const bucketModel = pools[i]!.lowerBound === null ? bucketModelFor(input, state, pool, B) : null;
      const bucketed = bucketModel !== null;
      if (pools[i]!.lowerBound === null && (bucketed || B <= ENGINE_LIMITS.lpMaxBinaries)) {
        // Its LP ran out of time in the first pass (large pools under load): one more try, since without
        // every pool's bound there is no gap to report.
        const lpModel = bucketModel
          ? bucketModel
          : buildPoolModel(problem, pool, singleBlocks(problem, pool), {
              countCuts: ENGINE_LIMITS.countCuts,
            });
        const retrySeconds = (poolDeadline - clock.now()) / 1000;
        if (!clock.lpFits(lpModel, retrySeconds)) continue;
        const lp = await runHighs(lpModel, {
          ...clock.highsLimits(lpModel, retrySeconds, 'lp'),
          relax: true,
          lpSolver: lpSolverFor(lpModel, bucketed),
        });
        clock.spendHighs(lpModel, lp, 'lp');
        if (lp.status === 'optimal' && lp.bound !== undefined) {
          const objective = poolScore(state, pool).objective;
          pools[i] = { ...pools[i]!, lowerBound: lp.bound, proven: isProven(objective, lp.bound, pool) };
        }
        continue;
      }
      const before = poolScore(state, pool).objective;
      const out = iteratedSearch(state, pool, {
        ...(Number.isFinite(target(i)) ? { target: target(i) } : {}),
        seed: input.seed + 7919 * i + 2,
        ...searchUntil(pool, poolDeadline, ENGINE_LIMITS.continueIlsWorkPerBinary * B),
        exhaustiveSwapMax: heuristicOptions.exhaustiveSwapMax,
        slack: ILS_SLACK,
        shouldStop: cancelled,
      });
      clock.spendSearch(pool, out.work, heuristicOptions.exhaustiveSwapMax);
      phase(`${pool.label}: search, time left`);
      if (poolScore(state, pool).objective < before - 1e-12) {
        const old = pools[i]!;
        const engine = old.engine.includes('iterated search')
          ? old.engine
          : `${old.engine} + iterated search`;
        const bound = old.lowerBound;
        const proven = bound !== null && isProven(poolScore(state, pool).objective, bound, pool);
        if (!proven) allProven = false;
        pools[i] = poolReport(problem, pool, state, engine, bound, proven);
        hooks.onIncumbent?.(problem, Int32Array.from(state.assign), engine);
      }
    }
  }

  const reported = active.map((pool) => pools[pool.index]!);
  allBounded = reported.every((p) => p.lowerBound !== null);
  const lowerBound = allBounded ? reported.reduce((s, p) => s + (p.lowerBound ?? 0), 0) : null;
  const engineNames = [...new Set(reported.map((p) => p.engine))];
  // Reproducible when the work clock (or the work budgets) ended every phase, not the wall clock.
  const reproducible = clock.mode === 'work' && !clock.wallCut && !cancelled();
  const result = finish(
    problem,
    state,
    reported,
    engineNames.join(' + ') || 'none',
    t0,
    lowerBound,
    undefined,
    reproducible,
    clock.mode === 'work' ? Math.round(clock.workMs) : null,
  );
  // Gap 0: within tolerance of the bound as a whole (tolerance.ts), though a pool alone may not be.
  if (result.status === 'feasible' && (allProven || result.gap === 0))
    return { ...result, status: 'optimal' };
  if (result.status === 'feasible' && hooks.shouldStop?.())
    return { ...result, status: 'timeout', reason: 'cancelled: best answer so far' };
  return result;
}

/** A realignment whose every pool is above the MIP size and LP-rounded: the greedy start is only the fallback. */
function largeRealignment(problem: Problem): boolean {
  return (
    problem.input.kind !== 'departure' &&
    problem.pools.length > 0 &&
    problem.pools.every((pool) => {
      const B = poolBinaries(problem, pool);
      // Pools above the bucket size get the Lagrangian start instead (L1, lagrangian-phase.ts).
      return (
        B > ENGINE_LIMITS.mipMaxBinaries &&
        (B <= ENGINE_LIMITS.bucketMaxBinaries ||
          (problem.input.objective === 'l1' && !Number.isFinite(problem.takenCap)))
      );
    })
  );
}

/**
 * An L1 realignment whose every pool gets its LP and a short time share (under lpRoundMipPoolMaxShareSec,
 * shares in proportion to binaries as in the pool loop), so each is LP-rounded: the greedy is the fallback.
 */
function shortRealignment(problem: Problem, timeLimitMs: number): boolean {
  if (
    problem.input.kind === 'departure' ||
    problem.input.objective !== 'l1' ||
    Number.isFinite(problem.takenCap) ||
    problem.pools.length === 0
  )
    return false;
  const binaries = problem.pools.map((pool) => poolBinaries(problem, pool));
  const total = binaries.reduce((a, b) => a + b, 0);
  return binaries.every(
    (B) => B <= ENGINE_LIMITS.lpMaxBinaries && roundsLp(B, (timeLimitMs / 1000) * (B / Math.max(1, total))),
  );
}

/** Whether a pool of B binaries with `shareSec` seconds takes the rounded LP answer rather than a full MIP. */
function roundsLp(B: number, shareSec: number): boolean {
  if (B > ENGINE_LIMITS.mipMaxBinaries) return true;
  return (
    shareSec <
    (B > ENGINE_LIMITS.quickMipMaxBinaries
      ? ENGINE_LIMITS.lpRoundMipPoolMaxShareSec
      : ENGINE_LIMITS.lpRoundSmallPoolMaxShareSec)
  );
}

/**
 * The bucketed relaxation of a pool (bucket.ts) when it applies — auto, L1 realignment without a new-hire
 * cap, pools above bucketMinBinaries — and has at most lpMaxBinaries columns (100000x300: 222k columns
 * per pool, whose LP did not finish in 25 s; those pools keep the iterated search alone). Else null.
 */
function bucketModelFor(input: SolveInput, state: State, pool: Pool, binaries: number): MipModel | null {
  if (
    input.engine !== 'auto' ||
    input.kind === 'departure' ||
    !ilsApplies(state) ||
    ENGINE_LIMITS.bucketMinBinaries <= 0 ||
    binaries <= ENGINE_LIMITS.bucketMinBinaries ||
    binaries > ENGINE_LIMITS.bucketMaxBinaries
  )
    return null;
  const blocks = bucketBlocks(state.problem, pool);
  let columns = 0;
  for (const b of blocks) columns += b.reps.length * (b.range && b.range.hi > b.range.lo ? 2 : 1);
  if (columns > ENGINE_LIMITS.lpMaxBinaries) return null;
  return buildPoolModel(state.problem, pool, blocks, { countCuts: ENGINE_LIMITS.countCuts });
}

/** Interior point for the large per-pair LPs (simplex stalled at 20000x100), HiGHS' choice otherwise. */
function lpSolverFor(model: MipModel, bucketed: boolean): 'ipm' | 'choose' {
  return !bucketed && model.numCols > ENGINE_LIMITS.ipmMinColumns ? 'ipm' : 'choose';
}

/**
 * Departures (auto, work clock) with many binaries: every pool's LP relaxation at once on two threads
 * (engines/highs-threads.ts, started before the construction); their bounds prove the greedy answer optimal
 * (SOLVER-LAB). Measured at 100000x300: 2.8-3.4 s for the five LPs against 4.4-4.8 s one after another.
 */
/** Before checking: a departure for the final solve with at least parallelLpMinAccounts accounts. */
function largeDepartureInput(raw: unknown): boolean {
  if (typeof raw !== 'object' || raw === null) return false;
  const r = raw as { kind?: unknown; engine?: unknown; strategy?: unknown; accounts?: unknown };
  return (
    r.kind === 'departure' &&
    (r.engine === undefined || r.engine === 'auto') &&
    (r.strategy === undefined || r.strategy === 'optimal') &&
    Array.isArray(r.accounts) &&
    r.accounts.length >= ENGINE_LIMITS.parallelLpMinAccounts
  );
}

function parallelDepartureLps(
  problem: Problem,
  active: Pool[],
  binaries: number[],
  clock: SolveClock,
): boolean {
  const input = problem.input;
  const total = active.reduce((s, pool) => s + binaries[pool.index]!, 0);
  return (
    input.engine === 'auto' &&
    input.kind === 'departure' &&
    clock.mode === 'work' &&
    active.length >= 2 &&
    total >= ENGINE_LIMITS.parallelLpMinBinaries
  );
}

/** The departure's pool LPs (parallelDepartureLps), by pool index. */
async function departureLps(
  problem: Problem,
  active: Pool[],
  binaries: number[],
  clock: SolveClock,
  complete: boolean,
): Promise<Map<number, { model: MipModel; run: HighsRun }>> {
  const batch = new Map<number, { model: MipModel; run: HighsRun }>();
  try {
    if (complete) await batchLps(problem, active, binaries, clock, batch);
  } finally {
    // Started threads no job took (an incomplete construction, LPs too large for the limit).
    await releaseHighsThreads();
  }
  return batch;
}

async function batchLps(
  problem: Problem,
  active: Pool[],
  binaries: number[],
  clock: SolveClock,
  batch: Map<number, { model: MipModel; run: HighsRun }>,
): Promise<void> {
  const total = active.reduce((s, pool) => s + binaries[pool.index]!, 0);
  const left = clock.deadline - clock.now();
  // Each model is built when a thread is free for it (largest first), so the later ones are built while
  // the first LPs run. Whether an LP fits its share is judged by its size (lpEstimateMs).
  const pools = active.filter(
    (pool) =>
      binaries[pool.index]! <= ENGINE_LIMITS.lpMaxBinaries &&
      clock.lpFitsSize(binaries[pool.index]!, ((left / 1000) * binaries[pool.index]!) / total),
  );
  if (pools.length < 2) return;
  const models = new Map<number, MipModel>();
  const runs = await runHighsMany(
    pools.map((pool) => ({
      size: binaries[pool.index]!,
      model: () => {
        const model = buildPoolModel(problem, pool, singleBlocks(problem, pool), {
          countCuts: ENGINE_LIMITS.countCuts,
        });
        models.set(pool.index, model);
        return model;
      },
      options: {
        timeLimitSec: clock.wallLeftSec(),
        relax: true,
        lpSolver:
          binaries[pool.index]! > ENGINE_LIMITS.ipmMinColumns ? ('ipm' as const) : ('choose' as const),
      },
    })),
    { threads: ENGINE_LIMITS.lpThreads },
  );
  for (const [i, pool] of pools.entries()) {
    const model = models.get(pool.index);
    if (model) batch.set(pool.index, { model, run: runs[i]! });
  }
}

/** The rounded LP answers come out of the iterated search already: no fixed-budget polish after them. */
function roundedEngine(engine: string): boolean {
  return engine.startsWith('lp-round') || engine.startsWith('buckets');
}

/** Whether the active pools' answer as a whole is within tolerance (an unknown pool bound counts as 0). */
function answerWithinTolerance(state: State, active: Pool[], pools: PoolReport[]): boolean {
  let objective = 0;
  let bound = 0;
  let reps = 0;
  for (const pool of active) {
    objective += poolScore(state, pool).objective;
    bound += pools[pool.index]?.lowerBound ?? 0;
    reps += pool.reps.length;
  }
  return withinTolerance(objective, bound, reps);
}

function isProven(objective: number, bound: number, pool: Pool): boolean {
  return withinTolerance(objective, bound, pool.reps.length);
}

export function poolBinaries(problem: Problem, pool: Pool): number {
  let n = 0;
  for (const k of pool.movable) n += problem.eligStart[k + 1]! - problem.eligStart[k]!;
  return n;
}

/** A copy of the state with the pool's accounts moved as in `assign`. */
function adoptPool(state: State, pool: Pool, assign: Int32Array): State {
  const next = cloneState(state);
  for (const k of pool.movable) unplace(next, k);
  for (const k of pool.movable) place(next, k, assign[k]!);
  return next;
}

function poolReport(
  problem: Problem,
  pool: Pool,
  state: State,
  engine: string,
  bound: number | null,
  proven: boolean,
): PoolReport {
  return {
    label: pool.label,
    reps: pool.reps.length,
    movable: pool.movable.length,
    binaries: poolBinaries(problem, pool),
    engine,
    objective: poolScore(state, pool).objective,
    lowerBound: bound,
    proven,
  };
}

function noAssignment(problem: Problem, unplaced: number[], t0: number): SolveResult {
  return {
    status: 'timeout',
    reason: `no assignment found that places ${problem.accounts[problem.movable[unplaced[0]!]!]!.id}${unplaced.length > 1 ? ` and ${unplaced.length - 1} other account(s)` : ''} under the caps; the caps may be too tight (loosen them or allow more receiving reps)`,
    millis: Date.now() - t0,
    assignments: null,
  };
}

/** Recompute from scratch, verify independently, and build the proposal. */
export function finish(
  problem: Problem,
  state: State,
  pools: PoolReport[],
  engine: string,
  t0: number,
  lowerBound: number | null,
  strategyName: string | undefined,
  reproducible: boolean,
  workMillis: number | null = null,
): SolveResult {
  const fresh = stateFrom(problem, state.assign);
  let objective = 0;
  for (const pool of problem.pools) objective += poolScore(fresh, pool).objective;
  const finals = finalOwners(problem, fresh.assign);
  const check = verifyAssignment(problem.input, ownerMap(problem, finals), objective);
  if (!check.ok) {
    return {
      status: 'timeout',
      reason: `internal check failed, no answer returned: ${check.errors.slice(0, 3).join('; ')}`,
      millis: Date.now() - t0,
      assignments: null,
    };
  }
  const report = buildReport(problem, finals, strategyName);
  const lb = lowerBound === null ? null : Math.min(lowerBound, objective);
  const proposal: Proposal = {
    objective,
    lowerBound: lb,
    gap: reportedGap(
      objective,
      lb,
      pools.reduce((s, p) => s + p.reps, 0),
    ),
    engine,
    millis: Date.now() - t0,
    ...report,
    pools,
    verified: true,
    reproducible,
    workMillis,
  };
  return { status: 'feasible', ...proposal };
}
