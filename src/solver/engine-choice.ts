/** Which engines a pool gets: the predicates the final solve decides by (thresholds in engine-limits.ts). */
import { bucketBlocks } from './bucket.ts';
import type { SolveClock } from './clock.ts';
import { ENGINE_LIMITS } from './engine-limits.ts';
import { ilsApplies } from './ils.ts';
import type { SolveInput } from './input.ts';
import { buildPoolModel, type MipModel } from './model.ts';
import type { Pool, Problem } from './problem.ts';
import type { PoolReport } from './result.ts';
import { poolScore, type State } from './state.ts';
import { withinTolerance } from './tolerance.ts';

/** A realignment whose every pool is above the MIP size and LP-rounded: the greedy start is only the fallback. */
export function largeRealignment(problem: Problem): boolean {
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
export function shortRealignment(problem: Problem, timeLimitMs: number): boolean {
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
export function roundsLp(B: number, shareSec: number): boolean {
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
export function bucketModelFor(
  input: SolveInput,
  state: State,
  pool: Pool,
  binaries: number,
): MipModel | null {
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
export function lpSolverFor(model: MipModel, bucketed: boolean): 'ipm' | 'choose' {
  return !bucketed && model.numCols > ENGINE_LIMITS.ipmMinColumns ? 'ipm' : 'choose';
}

/** Pools that get the rep-subset search (rep-lns.ts): large ones, whose search converges short of the bound. */
export function repSubsetsApply(pool: Pool): boolean {
  const n = pool.movable.length;
  return n >= ENGINE_LIMITS.repLnsMinAccounts && n <= ENGINE_LIMITS.repLnsMaxAccounts;
}

/** Before checking: a departure for the final solve with at least parallelLpMinAccounts accounts. */
export function largeDepartureInput(raw: unknown): boolean {
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

/**
 * Departures (auto, work clock) with many binaries: every pool's LP relaxation at once on two threads
 * (engines/highs-threads.ts, started before the construction); their bounds prove the greedy answer optimal
 * (SOLVER-LAB). Measured at 100000x300: 2.8-3.4 s for the five LPs against 4.4-4.8 s one after another.
 */
export function parallelDepartureLps(
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

/** The rounded LP answers come out of the iterated search already: no fixed-budget polish after them. */
export function roundedEngine(engine: string): boolean {
  return engine.startsWith('lp-round') || engine.startsWith('buckets');
}

/** Whether the active pools' answer as a whole is within tolerance (an unknown pool bound counts as 0). */
export function answerWithinTolerance(state: State, active: Pool[], pools: PoolReport[]): boolean {
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

export function isProven(objective: number, bound: number, pool: Pool): boolean {
  return withinTolerance(objective, bound, pool.reps.length);
}

export function poolBinaries(problem: Problem, pool: Pool): number {
  let n = 0;
  for (const k of pool.movable) n += problem.eligStart[k + 1]! - problem.eligStart[k]!;
  return n;
}
