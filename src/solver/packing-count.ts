/**
 * The counting proof of packing infeasibility: exact, in integer cents, and linear in the (account, rep) pairs.
 *
 * Take the accounts of a pool largest first. For any prefix S of that order, a rep can hold at most k_r of S:
 * the most of S's accounts it may receive whose smallest k_r fit its room (revenue and count). Every account
 * of S goes to one rep, so when Σ k_r < |S| no assignment exists. Since each account added is the smallest so
 * far, a rep's k_r smallest are the last k_r it could receive, and k_r grows by one or its window slides:
 * the whole scan costs one step per pair. This proves at once what a MIP proves slowly (151 accounts of $60
 * for 150 reps with room for $110: the LP relaxation is feasible and the symmetry defeats branching).
 */
import { formatCents, type InfeasibleReason } from './infeasibility.ts';
import type { Pool, Problem } from './problem.ts';

export interface CountingProof {
  /** Movable positions of the accounts that cannot all be placed (largest first). */
  accounts: number[];
  /** The reps who may take any of them, with the most of them each can hold (ascending rep index). */
  reps: { rep: number; atMost: number }[];
}

function revenue(problem: Problem, k: number): number {
  return problem.accounts[problem.movable[k]!]!.revenueCents;
}

/** Room a rep has left for movable accounts: count and cents (never below 0). */
export function repRoom(problem: Problem, r: number): { count: number; cents: number } {
  return {
    count: Math.max(0, problem.capCount[r]! - problem.fixedCount[r]!),
    cents: Math.max(0, problem.capRevenueCents[r]! - problem.fixedRevenueCents[r]!),
  };
}

/** Largest first, ties by position: the same order on every run. */
export function largestFirst(problem: Problem, set: readonly number[]): number[] {
  return [...set].sort((a, b) => revenue(problem, b) - revenue(problem, a) || a - b);
}

interface RepWindow {
  room: { count: number; cents: number };
  /** Revenues of the accounts it may receive, in the order added (largest first). */
  seen: number[];
  /** How many of them it can hold, and their sum (the last `fit` of `seen`). */
  fit: number;
  sum: number;
}

/**
 * The shortest infeasible prefix of `set` (largest first) by the counting argument, or null when every prefix
 * passes (which proves nothing either way). `work` counts the pairs visited.
 */
export function countingPrefix(
  problem: Problem,
  set: readonly number[],
  work: { pairs: number } = { pairs: 0 },
): number[] | null {
  const order = largestFirst(problem, set);
  const windows = new Map<number, RepWindow>();
  let total = 0;
  for (let i = 0; i < order.length; i++) {
    const k = order[i]!;
    const v = revenue(problem, k);
    for (let j = problem.eligStart[k]!; j < problem.eligStart[k + 1]!; j++) {
      const r = problem.eligRep[j]!;
      let w = windows.get(r);
      if (!w) {
        w = { room: repRoom(problem, r), seen: [], fit: 0, sum: 0 };
        windows.set(r, w);
      }
      w.seen.push(v);
      if (w.fit < w.room.count && w.sum + v <= w.room.cents) {
        w.fit += 1;
        w.sum += v;
        total += 1;
      } else if (w.fit > 0) {
        // The same number, the largest of the window swapped for this smaller one.
        w.sum += v - w.seen[w.seen.length - 1 - w.fit]!;
      }
    }
    work.pairs += problem.eligStart[k + 1]! - problem.eligStart[k]!;
    if (total < i + 1) return order.slice(0, i + 1);
  }
  return null;
}

/**
 * A counting proof for `pool`'s movable accounts: the shortest infeasible prefix, then shrunk (chunked
 * deletion, within `maxPairs` pair visits, so the same input always names the same set) to accounts that the
 * argument needs; null when the argument does not apply.
 */
export function countingProof(problem: Problem, pool: Pool, maxPairs = 50_000_000): CountingProof | null {
  const work = { pairs: 0 };
  const first = countingPrefix(problem, pool.movable, work);
  if (!first) return null;
  let set: number[] = first;
  for (let chunk = Math.max(1, set.length >> 1); ; chunk = Math.max(1, chunk >> 1)) {
    for (let i = set.length - chunk; i >= 0 && work.pairs < maxPairs; i -= chunk) {
      const rest: number[] = [...set.slice(0, i), ...set.slice(i + chunk)];
      const shorter: number[] | null = rest.length > 0 ? countingPrefix(problem, rest, work) : null;
      if (shorter) {
        set = shorter;
        i = Math.min(i, set.length);
      }
    }
    if (chunk === 1 || work.pairs >= maxPairs) break;
  }
  return { accounts: set, reps: holdings(problem, set) };
}

/** For each rep who may take one of `set`, the most of `set` it can hold. */
function holdings(problem: Problem, set: readonly number[]): { rep: number; atMost: number }[] {
  const byRep = new Map<number, number[]>();
  for (const k of set)
    for (let j = problem.eligStart[k]!; j < problem.eligStart[k + 1]!; j++) {
      const r = problem.eligRep[j]!;
      const list = byRep.get(r) ?? [];
      list.push(revenue(problem, k));
      byRep.set(r, list);
    }
  return [...byRep.entries()]
    .sort((a, b) => a[0] - b[0])
    .map(([rep, revenues]) => {
      const room = repRoom(problem, rep);
      revenues.sort((a, b) => a - b);
      let atMost = 0;
      let sum = 0;
      while (atMost < revenues.length && atMost < room.count && sum + revenues[atMost]! <= room.cents)
        sum += revenues[atMost++]!;
      return { rep, atMost };
    });
}

const money = (cents: number) => `$${formatCents(cents)}`;

/** A list for a message: the first dozen, then an ellipsis. */
export function list(items: string[]): string {
  return items.length > 12
    ? `${items.slice(0, 12).join(', ')}, … (${items.length} in all)`
    : items.join(', ');
}

/** The counting proof in the reader's terms: which accounts, how many each rep can hold, and what to change. */
export function countingReason(
  problem: Problem,
  pool: Pool,
  proof: CountingProof,
  minimal?: boolean,
): InfeasibleReason {
  const n = proof.accounts.length;
  const smallest = revenue(problem, proof.accounts[n - 1]!);
  const capacity = proof.reps.reduce((s, r) => s + r.atMost, 0);
  const accountIds = proof.accounts.map((k) => problem.accounts[problem.movable[k]!]!.id);
  const repText = proof.reps.map(({ rep, atMost }) => {
    const room = repRoom(problem, rep);
    const parts = [
      Number.isFinite(room.cents) ? money(room.cents) : '',
      Number.isFinite(room.count) ? `${room.count} account${room.count === 1 ? '' : 's'}` : '',
    ].filter(Boolean);
    return `${problem.reps[rep]!.id} (room for ${parts.join(' and ')}: ${atMost} of them)`;
  });
  return {
    code: 'caps-conflict',
    scope: pool.label,
    message: `${pool.label}: ${n} account${n === 1 ? '' : 's'} of ${money(smallest)} or more (${list(
      proof.accounts.map((k) => `${problem.accounts[problem.movable[k]!]!.id} ${money(revenue(problem, k))}`),
    )}) cannot all be placed: the ${proof.reps.length} rep${proof.reps.length === 1 ? '' : 's'} who may take them have room for at most ${capacity} of them (${list(
      repText,
    )}). Raise one of these caps, or let another rep receive one of the accounts${
      minimal === undefined
        ? ''
        : minimal
          ? '. Each of these accounts is needed: without any one of them the rest fit'
          : '. Not shown to be the smallest such set: a few of these accounts may fit after all'
    }.`,
    accountIds,
    repIds: proof.reps.map((r) => problem.reps[r.rep]!.id),
  };
}
