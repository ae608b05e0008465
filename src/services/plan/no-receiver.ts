/**
 * Why no rep may receive an account (issue 13, territory first): the run leaves such an account without an owner
 * as a blocking conflict — never sends it elsewhere — and says why, in the roster's terms: "No rep of West may
 * receive it: of West's 3 reps, 1 leaves in this run and 2 may not receive (roster)". Pure.
 */
import type { Ruleset } from '../../rules/ruleset-schema.ts';
import type { BookAccount, BookRep } from '../book/load-book.ts';
import { NO_REGION } from './build-solve-input.ts';

export interface NoReceiverContext {
  reps: readonly BookRep[];
  ruleset: Ruleset;
  /** The reps leaving in this run (a departure's), and who may receive in it (buildSolveInput's receivers). */
  departing: ReadonlySet<string>;
  receivers: ReadonlySet<string>;
  /** The day a rep's end date is compared with (the reassignment date, else the planning day). */
  leaveDay: string;
  /** Receivers a person picked for the run (a realignment's receiverRepIds), if any. */
  picked?: ReadonlySet<string> | null;
}

const plural = (n: number, one: string, many: string) => `${n} ${n === 1 ? one : many}`;

/** Why one rep may not receive, in a few words (null when it may). */
function repReason(r: BookRep, c: NoReceiverContext, account: BookAccount): string | null {
  if (c.departing.has(r.id)) return 'leave in this run';
  if (r.endDate !== null && r.endDate <= c.leaveDay) return `leave by ${c.leaveDay}`;
  if (!r.active) return 'are inactive';
  if (!r.mayReceive) return 'may not receive (roster)';
  if (c.picked && !c.picked.has(r.id)) return 'are not among the picked receivers';
  if (!c.receivers.has(r.id)) return 'are not receivers under the ruleset';
  if (c.ruleset.eligibility.sameSegment && r.segment !== null && r.segment !== account.segment)
    return `serve another segment than ${account.segment ?? '(none)'}`;
  const tier = c.ruleset.eligibility.tiers.find((t) => t.tier === account.tier);
  if (tier) return `are not allowed ${account.tier} accounts (tier rule)`;
  return null;
}

/** The sentence for an account nobody may receive: the region (or roster) and what rules out each of its reps. */
export function noReceiverReason(account: BookAccount, c: NoReceiverContext): string {
  const region = account.region ?? NO_REGION;
  const sameRegion = c.ruleset.eligibility.sameRegion;
  const people = c.reps.filter((r) => r.kind === 'person');
  const pool = sameRegion ? people.filter((r) => (r.region ?? NO_REGION) === region) : people;
  const fix = 'Give it an owner who stays, or change the rules (and solve again).';
  if (pool.length === 0) {
    return sameRegion
      ? `No rep of ${region} may receive it: the roster has no rep in ${region} and the rules send accounts only to reps of their own region. ${fix}`
      : `No rep may receive it: the roster has no person who may. ${fix}`;
  }
  const counts = new Map<string, number>();
  for (const r of pool) {
    const why = repReason(r, c, account) ?? 'are at their caps or kept out by the rules';
    counts.set(why, (counts.get(why) ?? 0) + 1);
  }
  const parts = [...counts.entries()].map(([why, n]) => `${n} ${why}`);
  const who = sameRegion
    ? `No rep of ${region} may receive it: of ${region}'s ${plural(pool.length, 'rep', 'reps')}, ${parts.join(', ')}`
    : `No rep may receive it: of ${plural(pool.length, 'rep', 'reps')}, ${parts.join(', ')}`;
  return `${who}. ${fix}`;
}
