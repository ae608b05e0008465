/**
 * Shrinks a set of accounts that cannot be packed (packing-check.ts) to a small one that still cannot, and says
 * whether it is irreducible (without any one of its accounts the rest fit).
 *
 * First over reps: a set that does not fit fills every rep who may take one of its accounts, so a small one
 * lives in a small group of reps R and consists of accounts no rep outside R may take ("trapped" in R). Dropping
 * reps from R (in halving chunks, reps the construction could not place accounts with kept to the last) and
 * keeping the accounts still trapped is a cheap cut even in a pool of thousands of accounts: the trapped set
 * is small and the checks on it are exact. Then a deletion filter over accounts (halving chunks, smallest
 * accounts dropped first) down to single accounts. Every set kept was proven not to fit, so the result always
 * does not fit; it is irreducible when the last pass showed, for each account, that the rest fit.
 */

import { eligibleReps, PAIR_MS, type PackingChecker, repsOf } from './packing-check.ts';
import { largestFirst } from './packing-count.ts';
import type { Problem } from './problem.ts';

export interface Core {
  /** Movable positions, largest first. */
  accounts: number[];
  /** True when removing any one account lets the rest fit (proven for each). */
  minimal: boolean;
}

/** The accounts of `set` that only reps of `reps` may take. */
export function trappedIn(problem: Problem, set: readonly number[], reps: ReadonlySet<number>): number[] {
  return set.filter((k) => eligibleReps(problem, k).every((r) => reps.has(r)));
}

/** A deletion filter in halving chunks: drops a chunk whenever `smaller` proves the rest still infeasible. */
async function deletionFilter<T>(
  items: T[],
  smaller: (rest: T[]) => Promise<{ items: T[]; proven: boolean } | null>,
  left: () => number,
): Promise<{ items: T[]; complete: boolean }> {
  let complete = true;
  for (let chunk = Math.max(1, items.length >> 1); ; chunk = Math.max(1, chunk >> 1)) {
    for (let i = items.length - chunk; i >= 0; i -= chunk) {
      if (left() <= 0) return { items, complete: false };
      const rest = [...items.slice(0, i), ...items.slice(i + chunk)];
      const out = rest.length > 0 ? await smaller(rest) : null;
      if (out?.proven) {
        items = out.items;
        i = Math.min(i, items.length);
      } else if (chunk === 1 && out === null) complete = false;
    }
    if (chunk === 1) return { items, complete };
  }
}

/**
 * A small set of `set`'s accounts that cannot be packed either (`set` itself must be proven not to). `hint`:
 * accounts the construction could not place, whose reps are tried last for removal.
 */
export async function shrinkCore(
  problem: Problem,
  set: readonly number[],
  checker: PackingChecker,
  hint: readonly number[] = [],
): Promise<Core> {
  let accounts = largestFirst(problem, set);
  // Over reps: keep the hinted accounts' reps at the front, where the filter reaches them last.
  const hinted = new Set(repsOf(problem, hint));
  const reps = repsOf(problem, accounts).sort(
    (a, b) => Number(hinted.has(b)) - Number(hinted.has(a)) || a - b,
  );
  await deletionFilter(
    reps,
    async (rest) => {
      const trapped = trappedIn(problem, accounts, new Set(rest));
      checker.charge(accounts.length * rest.length * PAIR_MS);
      if (trapped.length === 0 || trapped.length === accounts.length) return null;
      if ((await checker.check(trapped)).verdict !== 'infeasible') return null;
      accounts = trapped;
      // Reps no trapped account may go to are gone with their accounts.
      const still = new Set(repsOf(problem, trapped));
      return { items: rest.filter((r) => still.has(r)), proven: true };
    },
    checker.left,
  );
  // Over accounts, down to single ones: each verdict 'unknown' leaves the set possibly reducible.
  const filtered = await deletionFilter(
    accounts,
    async (rest) => {
      const verdict = (await checker.check(rest)).verdict;
      if (verdict === 'unknown') return null;
      return { items: rest, proven: verdict === 'infeasible' };
    },
    checker.left,
  );
  return { accounts: filtered.items, minimal: filtered.complete };
}
