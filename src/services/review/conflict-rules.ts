/**
 * Conflicts a person may not accept as they are. A split the commit cannot write (House below 0, shares not 100%,
 * an end date before the opportunity was created) would make the commit refuse, or — accepted — move the owner
 * while the old rep keeps the share: only excluding the account, another owner, or another type or share
 * resolves it, so ownership and the split change together or not at all.
 */
import { NEEDS_AN_OWNER } from '../../workflow/conflicts.ts';

const UNWRITABLE_SPLIT: ReadonlySet<string> = new Set(['split_not_100', 'date_rule']);

/** A split the commit cannot write (a reconciled period is a cascade policy, not such a split). */
export const isUnwritableSplit = (kind: string, key?: string | null) =>
  UNWRITABLE_SPLIT.has(kind) && !key?.endsWith(':RECONCILED_PERIOD');

/** Why a conflict cannot be accepted, or null when it can (`key`: its stable key, details.key). */
export function acceptRefusal(kind: string, key?: string | null): string | null {
  if (NEEDS_AN_OWNER.has(kind))
    return 'This account needs an owner who stays: give it to a rep (override); it cannot be accepted as it is.';
  // A reconciled period keeps a cascade off the split by policy: accepted, the split stays as the review says.
  if (isUnwritableSplit(kind, key))
    return 'This commission split cannot be written, so the conflict cannot be accepted: choose another commission type or share for the opportunity, exclude the account (it keeps its owner and split), or give it to another rep.';
  return null;
}

/** The conflict kinds a person may accept. */
export const acceptable = (kind: string, details: { key?: string | undefined } | null) =>
  acceptRefusal(kind, details?.key) === null;
