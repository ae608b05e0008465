/**
 * When a simple strategy (strategies.ts) gets stuck, what failed, in the reader's terms. A one-pass rule can
 * leave an account with no room although an assignment under every cap exists, so that is not
 * "infeasible": the packing proof (packing.ts) decides. When it proves that no assignment exists, the answer
 * is infeasible with its proof; else the strategy found no answer, and the reason names the rule, the account
 * it could not place, the reps who may take it and how full each was.
 */
import { ENGINE_LIMITS } from './engine-limits.ts';
import { formatCents } from './infeasibility.ts';
import { packingReasons } from './packing.ts';
import type { Problem } from './problem.ts';
import type { SolveResult } from './result.ts';
import { countsAsTaken, type State } from './state.ts';
import type { SimpleStrategy } from './strategies.ts';

/** Each strategy's rule, as the reason states it. */
const RULES: Record<SimpleStrategy, string> = {
  'round-robin': 'each account in turn to the next rep who may take it and has room',
  territory: 'each account to the reps its territory rule names, else to the least-loaded rep with room',
  'least-loaded': 'largest accounts first, each to the rep with the fewest accounts who has room',
  weighted: 'largest accounts first, each to the rep furthest below its weighted revenue target who has room',
};

const money = (cents: number) => `$${formatCents(cents)}`;

/** How full a rep was when the pass reached account `k`: what stopped it taking it. */
function why(state: State, k: number, r: number): string {
  const p = state.problem;
  const id = p.reps[r]!.id;
  const cents = p.accounts[p.movable[k]!]!.revenueCents;
  if (state.count[r]! + 1 > p.capCount[r]!)
    return `${id} (${state.count[r]} of its ${p.capCount[r]} accounts)`;
  if (state.cents[r]! + cents > p.capRevenueCents[r]!)
    return `${id} (${money(state.cents[r]!)} of its ${money(p.capRevenueCents[r]!)} cap)`;
  const owner = countsAsTaken(p, k);
  return owner >= 0
    ? `${id} (${p.reps[owner]!.id} already gave up ${state.taken[owner]} account(s), the most a new hire may take from one rep)`
    : id;
}

/**
 * The result of a strategy that left `unplaced` positions: infeasible with the packing proof when there is
 * one, else no answer (status timeout without assignments, CLI exit 3) with what the rule could not do.
 */
export async function strategyFailure(
  problem: Problem,
  strategy: SimpleStrategy,
  state: State,
  unplaced: number[],
  t0: number,
  shouldStop?: () => boolean,
): Promise<SolveResult> {
  const proof = await packingReasons(problem, unplaced, {
    budgetMs: Math.min(ENGINE_LIMITS.packingProofMaxMs, problem.input.timeLimitMs * 0.3),
    ...(shouldStop ? { shouldStop } : {}),
  });
  if (proof.reasons.length > 0)
    return { status: 'infeasible', reasons: proof.reasons, millis: Date.now() - t0 };
  const k = unplaced[0]!;
  const account = problem.accounts[problem.movable[k]!]!;
  const reps: string[] = [];
  for (let j = problem.eligStart[k]!; j < problem.eligStart[k + 1]!; j++)
    reps.push(why(state, k, problem.eligRep[j]!));
  const others = unplaced.slice(1, 6).map((o) => problem.accounts[problem.movable[o]!]!.id);
  const more =
    unplaced.length > 1
      ? ` ${unplaced.length - 1} other account${unplaced.length === 2 ? '' : 's'} too (${others.join(', ')}${unplaced.length > 6 ? ', …' : ''}).`
      : '';
  const exists = proof.packings.length > 0;
  return {
    status: 'timeout',
    reason: `The ${strategy} strategy found no answer: by its rule (${RULES[strategy]}), ${account.id} (${money(account.revenueCents)}) came when no rep who may take it had room left: ${reps.join(', ')}.${more} ${
      exists
        ? 'An assignment under every cap exists: solve with the optimal strategy, which searches for it.'
        : 'Solve with the optimal strategy (it searches for an assignment under the caps), or loosen these caps.'
    }`,
    millis: Date.now() - t0,
    assignments: null,
  };
}
