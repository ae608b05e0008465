/**
 * What the search property tests (ils, pair-exchange, rep-lns) start from and check after every search:
 * the greedy answer with its plain local search, and a state that is still a valid answer.
 */
import { expect } from 'vitest';
import { DEFAULT_HEURISTIC, heuristicSolve } from '../../src/solver/heuristic.ts';
import type { Problem } from '../../src/solver/problem.ts';
import { finalOwners, ownerMap } from '../../src/solver/report.ts';
import { isEligible, type State, stateFrom, totalObjective } from '../../src/solver/state.ts';
import { verifyAssignment } from '../../src/solver/verify.ts';

/** The greedy answer after its plain local search (no iterated search), or null when an account is unplaced. */
export function greedyStart(problem: Problem): State | null {
  const out = heuristicSolve(problem, { ...DEFAULT_HEURISTIC, fastIlsWorkPerBinary: 0, ilsWork: 0 });
  return out.unplaced.length === 0 ? out.state : null;
}

/**
 * Every movable account exactly once on an eligible rep; the incremental loads equal the loads recomputed
 * from the assignment; caps hold in exact cents; and the independent checker (pins, protections,
 * departures, eligibility from the raw input) agrees, with the objective recomputed from the owners alone.
 */
export function checkSearchState(problem: Problem, state: State): void {
  expect(state.assign.length).toBe(problem.movable.length);
  for (let k = 0; k < problem.movable.length; k++) {
    expect(state.assign[k]).toBeGreaterThanOrEqual(0);
    expect(isEligible(problem, k, state.assign[k]!)).toBe(true);
  }
  const fresh = stateFrom(problem, state.assign);
  for (let r = 0; r < problem.reps.length; r++) {
    expect(state.count[r]).toBe(fresh.count[r]);
    expect(state.cents[r]).toBe(fresh.cents[r]);
    expect(fresh.count[r]!).toBeLessThanOrEqual(problem.capCount[r]!);
    expect(fresh.cents[r]!).toBeLessThanOrEqual(problem.capRevenueCents[r]!);
  }
  const owners = ownerMap(problem, finalOwners(problem, state.assign));
  expect(verifyAssignment(problem.input, owners, totalObjective(fresh)).errors).toEqual([]);
}
