/** Quick, exact reasons why no assignment can exist: no eligible rep, or a pool's caps too small. */
import type { Problem } from './problem.ts';

export interface InfeasibleReason {
  code: 'no-eligible-rep' | 'count-capacity' | 'revenue-capacity' | 'account-too-large' | 'caps-conflict';
  message: string;
  /** The pool (regions/segments) concerned, and by how much it falls short (accounts or cents). */
  scope?: string;
  shortfall?: number;
  accountIds?: string[];
  repIds?: string[];
  /** caps-conflict: true when the named accounts are proven irreducible (without any one, the rest fit). */
  minimal?: boolean;
}

export function formatCents(cents: number): string {
  const d = cents / 100;
  if (Math.abs(d) >= 1e6) return `${(d / 1e6).toFixed(d >= 1e7 ? 1 : 2).replace(/\.?0+$/, '')}M`;
  if (Math.abs(d) >= 1e3) return `${(d / 1e3).toFixed(1).replace(/\.0$/, '')}k`;
  return d.toFixed(2);
}

export function diagnose(problem: Problem): InfeasibleReason[] {
  const reasons: InfeasibleReason[] = [];
  const orphans: string[] = [];
  for (let k = 0; k < problem.movable.length; k++) {
    if (problem.eligStart[k + 1] === problem.eligStart[k])
      orphans.push(problem.accounts[problem.movable[k]!]!.id);
  }
  if (orphans.length > 0) {
    reasons.push({
      code: 'no-eligible-rep',
      message: `${orphans.length} account(s) have no rep who may receive them (check regions, segments, tiers and who is departing): ${orphans.slice(0, 10).join(', ')}${orphans.length > 10 ? ', …' : ''}`,
      accountIds: orphans,
    });
  }
  for (const pool of problem.pools) {
    let slots = 0;
    let cents = 0;
    let needCents = 0;
    let largestRoom = 0;
    for (const r of pool.reps) {
      slots += problem.capCount[r]! - problem.fixedCount[r]!;
      const room = problem.capRevenueCents[r]! - problem.fixedRevenueCents[r]!;
      cents += room;
      largestRoom = Math.max(largestRoom, room);
    }
    for (const k of pool.movable) needCents += problem.accounts[problem.movable[k]!]!.revenueCents;
    const repIds = pool.reps.map((r) => problem.reps[r]!.id);
    if (slots < pool.movable.length) {
      const short = pool.movable.length - slots;
      reasons.push({
        code: 'count-capacity',
        scope: pool.label,
        shortfall: short,
        message: `${pool.label} needs ${short} more account slot${short === 1 ? '' : 's'}: ${pool.movable.length} accounts to place, room for ${slots} under the count caps of ${repIds.length} rep(s)`,
        repIds,
      });
    }
    if (cents < needCents) {
      const short = needCents - cents;
      reasons.push({
        code: 'revenue-capacity',
        scope: pool.label,
        shortfall: short,
        message: `${pool.label} needs ${formatCents(short)} more revenue capacity: ${formatCents(needCents)} to place, room for ${formatCents(cents)} under the revenue caps`,
        repIds,
      });
    }
    const tooBig: string[] = [];
    for (const k of pool.movable) {
      const acc = problem.accounts[problem.movable[k]!]!;
      let fitsSomewhere = false;
      for (let j = problem.eligStart[k]!; j < problem.eligStart[k + 1]! && !fitsSomewhere; j++) {
        const r = problem.eligRep[j]!;
        fitsSomewhere =
          problem.capRevenueCents[r]! - problem.fixedRevenueCents[r]! >= acc.revenueCents &&
          problem.capCount[r]! - problem.fixedCount[r]! >= 1;
      }
      if (!fitsSomewhere) tooBig.push(acc.id);
    }
    if (tooBig.length > 0) {
      reasons.push({
        code: 'account-too-large',
        scope: pool.label,
        message: `${tooBig.length} account(s) in ${pool.label} fit under no eligible rep's remaining caps (largest room ${formatCents(largestRoom)}): ${tooBig.slice(0, 10).join(', ')}`,
        accountIds: tooBig,
      });
    }
  }
  return reasons;
}
