/** The end of a solve: the pool reports, and the proposal recomputed from scratch and checked independently. */
import { poolBinaries } from './engine-choice.ts';
import type { Pool, Problem } from './problem.ts';
import { buildReport, finalOwners, ownerMap } from './report.ts';
import type { PoolReport, Proposal, SolveResult } from './result.ts';
import { withPoolCleared } from './rounding.ts';
import { place, poolScore, type State, stateFrom } from './state.ts';
import { reportedGap } from './tolerance.ts';
import { verifyAssignment } from './verify.ts';

/** A copy of the state with the pool's accounts moved as in `assign`. */
export function adoptPool(state: State, pool: Pool, assign: Int32Array): State {
  const next = withPoolCleared(state, pool);
  for (const k of pool.movable) place(next, k, assign[k]!);
  return next;
}

export function poolReport(
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

export function noAssignment(problem: Problem, unplaced: number[], t0: number): SolveResult {
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
