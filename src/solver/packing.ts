/**
 * Infeasibility by packing: caps whose totals suffice but whose accounts cannot be packed into them (three
 * $60 accounts, two reps with room for $100 each). The capacity checks (infeasibility.ts) cannot see it and
 * the construction only fails; this proves it. First by counting (packing-count.ts: exact, linear, it decides
 * the common cases at any size); else with the checks of packing-check.ts (exact search, greedy packings, a
 * feasibility MIP on caps and eligibility alone: a relaxation of the real problem, so its infeasibility is a
 * proof) on the accounts trapped with the reps of those the construction could not place, then on the whole
 * pool; then shrinks the set (packing-core.ts) to a small one that still cannot fit and names it with the reps
 * it could go to, saying whether it is irreducible.
 *
 * The budget is counted in work (search nodes, pairs visited, HiGHS LP iterations), not in real time, so the
 * same input names the same set on a busy machine; real time is only the safety net.
 */
import { formatCents, type InfeasibleReason } from './infeasibility.ts';
import { greedyPacking, packingChecker, repsOf, revenue } from './packing-check.ts';
import { type Core, shrinkCore, trappedIn } from './packing-core.ts';
import { countingProof, countingReason, largestFirst, list, repRoom } from './packing-count.ts';
import type { Pool, Problem } from './problem.ts';
import { place, type State, unplace } from './state.ts';

export interface PackingOptions {
  /** Work budget (ms on the work clock, clock.ts) for all the checks together; the proof gives up past it. */
  budgetMs: number;
  shouldStop?: () => boolean;
  /** Accounts the construction could not place: the search for a small set that cannot fit starts there. */
  hint?: readonly number[];
}

/** Counting sets up to this many (account, rep) pairs times accounts are checked to be irreducible. */
const COUNTING_MINIMAL_MAX_WORK = 20_000_000;

const money = (cents: number) => `$${formatCents(cents)}`;

/** A proof that the pool's accounts cannot be placed, or a placement of them all (position → rep) under the caps. */
export type PackingOutcome = { reason: InfeasibleReason } | { packing: Map<number, number> } | null;

/**
 * A proof that `pool`'s movable accounts cannot all be placed under the caps, with a small set of accounts
 * (irreducible when the budget allowed showing it) and the reps that could take them; or, when they can, a
 * placement of them all; null when neither was found within the budget.
 */
export async function provePackingInfeasible(
  problem: Problem,
  pool: Pool,
  options: PackingOptions,
): Promise<PackingOutcome> {
  const counted = countingProof(problem, pool);
  if (counted) {
    const minimal = countingMinimal(problem, counted.accounts);
    return { reason: { ...countingReason(problem, pool, counted, minimal), minimal } };
  }
  const checker = packingChecker(problem, pool, options.budgetMs, options.shouldStop);
  const hint = (options.hint ?? []).filter((k) => problem.accountPool[k] === pool.index);
  // The accounts trapped with the reps of those the construction could not place: when they alone do not
  // fit, the whole pool (thousands of accounts, a slow MIP) need not be decided.
  const near = hint.length > 0 ? trappedIn(problem, pool.movable, new Set(repsOf(problem, hint))) : [];
  let set: number[] | null = null;
  if (near.length > 0 && near.length < pool.movable.length)
    if ((await checker.check(near)).verdict === 'infeasible') set = near;
  if (!set) {
    const whole = await checker.check(pool.movable);
    if (whole.verdict !== 'infeasible') return whole.packing ? { packing: whole.packing } : null;
    set = pool.movable;
  }
  const core = await shrinkCore(problem, set, checker, hint);
  return { reason: reasonFor(problem, pool, core) };
}

/**
 * Whether a counting set is irreducible: without any one of its accounts, a greedy packing places the rest
 * (within a work limit; false when not shown for every account).
 */
function countingMinimal(problem: Problem, set: readonly number[]): boolean {
  const pairs = set.reduce((s, k) => s + problem.eligStart[k + 1]! - problem.eligStart[k]!, 0);
  if (pairs * set.length > COUNTING_MINIMAL_MAX_WORK) return false;
  return set.every((_, i) => greedyPacking(problem, [...set.slice(0, i), ...set.slice(i + 1)]) !== null);
}

function reasonFor(problem: Problem, pool: Pool, core: Core): InfeasibleReason {
  const accounts = largestFirst(problem, core.accounts);
  const reps = repsOf(problem, accounts);
  const accountIds = accounts.map((k) => problem.accounts[problem.movable[k]!]!.id);
  const repIds = reps.map((r) => problem.reps[r]!.id);
  const total = accounts.reduce((s, k) => s + revenue(problem, k), 0);
  const roomText = reps
    .map((r) => {
      const l = repRoom(problem, r);
      const parts = [
        Number.isFinite(l.cents) ? money(l.cents) : 'any revenue',
        Number.isFinite(l.count) ? `${l.count} account${l.count === 1 ? '' : 's'}` : '',
      ].filter(Boolean);
      return `${problem.reps[r]!.id} (room for ${parts.join(', ')})`;
    })
    .join(', ');
  return {
    code: 'caps-conflict',
    scope: pool.label,
    message: `${pool.label}: ${accountIds.length} account${accountIds.length === 1 ? '' : 's'} (${list(
      accounts.map((k) => `${problem.accounts[problem.movable[k]!]!.id} ${money(revenue(problem, k))}`),
    )}; ${money(total)} in all) cannot be packed into the caps of the ${repIds.length} rep${
      repIds.length === 1 ? '' : 's'
    } who may take them: ${roomText}. The totals fit but the accounts do not; raise one of these caps or let another rep receive one of the accounts. ${
      core.minimal
        ? 'Each of these accounts is needed: without any one of them the rest fit.'
        : 'Not shown to be the smallest such set: the search ran out of time, and a few of these accounts may fit after all.'
    }`,
    accountIds,
    repIds,
    minimal: core.minimal,
  };
}

/**
 * The packing proofs of the pools where the construction left `unplaced` positions, each pool given an equal
 * part of the budget. `reasons` is empty when none could be proven (the accounts may fit: the solve goes on);
 * `packings` holds, for a pool whose accounts the proof could place, a placement of them all.
 */
export async function packingReasons(
  problem: Problem,
  unplaced: readonly number[],
  options: PackingOptions,
): Promise<{ reasons: InfeasibleReason[]; packings: Map<number, number>[] }> {
  // A position's pool is its eligible reps' pool (every unplaced position has one: the checks came first).
  const poolOf = (k: number) => problem.repPool[problem.eligRep[problem.eligStart[k]!]!]!;
  const failed = [...new Set(unplaced.map(poolOf))].map((i) => problem.pools[i]!);
  const reasons: InfeasibleReason[] = [];
  const packings: Map<number, number>[] = [];
  for (const pool of failed) {
    const outcome = await provePackingInfeasible(problem, pool, {
      ...options,
      budgetMs: options.budgetMs / failed.length,
      hint: unplaced,
    });
    if (outcome && 'reason' in outcome) reasons.push(outcome.reason);
    else if (outcome) packings.push(outcome.packing);
  }
  return { reasons, packings };
}

/**
 * Puts the accounts of a pool the construction could not complete where the proof's placement has them (it
 * holds every cap: the search polishes it from there). Not for new-hire runs, whose cap on accounts taken
 * from one rep the placement does not know.
 */
export function applyPackings(state: State, packings: readonly Map<number, number>[]): void {
  if (Number.isFinite(state.problem.takenCap)) return;
  for (const packing of packings) {
    for (const k of packing.keys()) unplace(state, k);
    for (const [k, r] of packing) place(state, k, r);
  }
}
