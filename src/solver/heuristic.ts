/**
 * The construction + local search engine: greedy from the current owners, relocate and swap moves that
 * respect every cap (one pool's moves: pool-search.ts), and a seeded iterated local search. Budgets count
 * move evaluations, never wall-clock time, so the same input always gives the same answer.
 */

import { LOCAL_SEARCH_WORK_PER_MS, type SolveClock } from './clock.ts';
import { ilsApplies, iteratedSearch } from './ils.ts';
import { PoolSearch } from './pool-search.ts';
import type { Pool, Problem } from './problem.ts';
import { emptyState, fits, place, type State, unplace } from './state.ts';

export interface HeuristicOptions {
  seed: number;
  /** Move evaluations allowed for local search, shared by the pools in proportion to their size. */
  lsWork: number;
  /** Move evaluations allowed for the iterated local search, per pool. */
  ilsWork: number;
  /** Pools with more movable accounts skip the iterated search (it helps little there). */
  ilsMaxAccounts: number;
  /** Exhaustive swaps up to this many movable accounts in a pool; revenue-targeted swaps above. */
  exhaustiveSwapMax: number;
  /**
   * The scalable iterated search (ils.ts, L1 without a new-hire cap): move evaluations per binary of a
   * pool, and at most this many per pool.
   */
  fastIlsWorkPerBinary: number;
  fastIlsMaxWork: number;
  /** Deadline for the whole improvement (ms since epoch; on `clock` when given); budgets stay the primary limit. */
  deadline?: number;
  /**
   * The solve's work clock (clock.ts): the deadline becomes a work budget per pool, the wall clock only
   * a safety net, and the work done is charged to the clock. Without it the deadline is wall-clock time.
   */
  clock?: SolveClock;
  /** The pools to improve (default: all); the others keep the construction. */
  pools?: Pool[];
}

export const DEFAULT_HEURISTIC: HeuristicOptions = {
  seed: 1,
  lsWork: 4e8,
  ilsWork: 2e6,
  ilsMaxAccounts: 400,
  exhaustiveSwapMax: 1500,
  fastIlsWorkPerBinary: 20_000,
  fastIlsMaxWork: 1e8,
};

export interface HeuristicOutcome {
  state: State;
  /** Movable positions no rep could take (caps); empty when the assignment is complete. */
  unplaced: number[];
  work: number;
}

const EPS = 1e-12;
const ILS_WORK_PER_BINARY = 5000;
/** Record-to-record slack of the fast iterated search, in accounts' worth of deviation (measured). */
export const ILS_SLACK = 0.02;

/** Build an assignment from scratch (or from `start`) and improve it. */
export function heuristicSolve(
  problem: Problem,
  options: HeuristicOptions,
  start?: ArrayLike<number>,
): HeuristicOutcome {
  const state = emptyState(problem);
  const unplaced: number[] = [];
  if (start) {
    for (let k = 0; k < problem.movable.length; k++) if (start[k]! >= 0) place(state, k, start[k]!);
  }
  for (const pool of problem.pools) {
    if (start && pool.movable.every((k) => state.assign[k]! >= 0)) continue;
    for (const k of pool.movable) unplace(state, k);
    let stuck = construct(state, pool, 'greedy');
    if (stuck.length > 0) {
      for (const k of pool.movable) unplace(state, k);
      stuck = construct(state, pool, 'slack');
      stuck = stuck.filter((k) => !ejectFor(state, pool, k));
    }
    unplaced.push(...stuck);
  }
  for (let k = 0; k < problem.movable.length; k++) {
    if (problem.accountPool[k] === -1) unplaced.push(k);
  }
  const work = unplaced.length === 0 ? improve(state, options, options.pools) : 0;
  return { state, unplaced: unplaced.sort((a, b) => a - b), work };
}

/** Local search, then iterated local search on small pools; returns the move evaluations used. */
export function improve(state: State, options: HeuristicOptions, pools?: Pool[]): number {
  const problem = state.problem;
  const list = pools ?? problem.pools;
  const sizes = list.map((pool) => poolSize(problem, pool));
  const totalSize = sizes.reduce((a, b) => a + b, 0) || 1;
  let work = 0;
  let remaining = totalSize;
  list.forEach((pool, i) => {
    // Departures: greedy + local search already reach the LP bound (SOLVER-LAB), and 100000x300 must
    // stay within seconds, so they keep the plain path; the iterated search is for realignments.
    if (ilsApplies(state) && options.fastIlsWorkPerBinary > 0 && problem.input.kind !== 'departure') {
      // Each pool gets a share of the time left, in proportion to its binaries.
      const clock = options.clock;
      const now = clock ? clock.now() : Date.now();
      const until =
        options.deadline === undefined
          ? undefined
          : now + Math.max(0, options.deadline - now) * (sizes[i]! / Math.max(1, remaining));
      remaining -= sizes[i]!;
      const cap = Math.min(options.fastIlsMaxWork, options.fastIlsWorkPerBinary * sizes[i]!);
      // No deadline (a fixed-budget polish): the budget alone, and the wall clock's safety on a clock.
      const safety = clock ? clock.wallDeadline : until;
      const limits =
        clock && until !== undefined
          ? clock.searchLimits(pool, until, cap, options.exhaustiveSwapMax)
          : { work: cap, ...(safety !== undefined ? { deadline: safety } : {}) };
      const out = iteratedSearch(state, pool, {
        seed: options.seed + pool.index * 7919,
        ...limits,
        exhaustiveSwapMax: options.exhaustiveSwapMax,
        slack: ILS_SLACK,
      });
      clock?.spendSearch(pool, out.work, options.exhaustiveSwapMax);
      work += out.work;
      return;
    }
    const search = new PoolSearch(state, pool, options);
    search.budget = Math.max(1e5, (options.lsWork * sizes[i]!) / totalSize);
    search.localSearch();
    if (pool.movable.length <= options.ilsMaxAccounts && pool.movable.length >= 2) {
      // Tiny pools converge after a few thousand perturbations; the cap keeps them from burning the budget.
      search.budget = search.work + Math.min(options.ilsWork, ILS_WORK_PER_BINARY * sizes[i]!);
      search.iterated(options.seed + pool.index * 7919);
    }
    options.clock?.spend(search.work / LOCAL_SEARCH_WORK_PER_MS);
    work += search.work;
  });
  return work;
}

function poolSize(problem: Problem, pool: Pool): number {
  let n = 0;
  for (const k of pool.movable) n += problem.eligStart[k + 1]! - problem.eligStart[k]!;
  return n;
}

function construct(state: State, pool: Pool, rule: 'greedy' | 'slack'): number[] {
  const p = state.problem;
  const order = [...pool.movable].sort(
    (a, b) => p.accounts[p.movable[b]!]!.revenueCents - p.accounts[p.movable[a]!]!.revenueCents || a - b,
  );
  const search = new PoolSearch(state, pool, DEFAULT_HEURISTIC);
  const stuck: number[] = [];
  for (const k of order) {
    let best = -1;
    let bestScore = Number.POSITIVE_INFINITY;
    for (let j = p.eligStart[k]!; j < p.eligStart[k + 1]!; j++) {
      const r = p.eligRep[j]!;
      if (!fits(state, k, r) || !search.takenAllows(k, -1, r)) continue;
      const score = rule === 'greedy' ? search.relocateDelta(k, -1, r) : -relativeSlack(state, k, r);
      if (score < bestScore - EPS) {
        bestScore = score;
        best = r;
      }
    }
    if (best >= 0) place(state, k, best);
    else stuck.push(k);
  }
  return stuck;
}

function relativeSlack(state: State, k: number, r: number): number {
  const p = state.problem;
  const cc = p.capCount[r]!;
  const cr = p.capRevenueCents[r]!;
  const sc = Number.isFinite(cc) ? (cc - state.count[r]! - 1) / Math.max(cc, 1) : 1;
  const sr = Number.isFinite(cr)
    ? (cr - state.cents[r]! - p.accounts[p.movable[k]!]!.revenueCents) / Math.max(cr, 1)
    : 1;
  return Math.min(sc, sr);
}

/** Make room for k by moving one account off an eligible rep to another rep with room. */
function ejectFor(state: State, pool: Pool, k: number): boolean {
  const p = state.problem;
  const search = new PoolSearch(state, pool, DEFAULT_HEURISTIC);
  for (let j = p.eligStart[k]!; j < p.eligStart[k + 1]!; j++) {
    const r = p.eligRep[j]!;
    for (const k2 of pool.movable) {
      if (state.assign[k2] !== r) continue;
      for (let j2 = p.eligStart[k2]!; j2 < p.eligStart[k2 + 1]!; j2++) {
        const r2 = p.eligRep[j2]!;
        if (r2 === r || !fits(state, k2, r2) || !search.takenAllows(k2, r, r2)) continue;
        unplace(state, k2);
        place(state, k2, r2);
        if (fits(state, k, r) && search.takenAllows(k, -1, r)) {
          place(state, k, r);
          return true;
        }
        unplace(state, k2);
        place(state, k2, r);
      }
    }
  }
  return false;
}
