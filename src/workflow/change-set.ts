/**
 * The change set: the approved list of changes a run makes. Every export, notice and rollback derives from it,
 * and approval pins its hash, so the hash must depend on the content only (not on order or key order).
 */
import { createHash } from 'node:crypto';
import { canonicalJson } from '../lib/canonical-json.ts';

export interface OwnershipChange {
  accountId: string;
  accountCrmId: string;
  fromRepId: string | null;
  toRepId: string;
}

export interface SplitChange {
  opportunityId: string;
  /** Basis points per participant before and after; each side totals 10,000. */
  before: Record<string, number>;
  after: Record<string, number>;
  effectiveDate: string;
}

export interface ChangeSetContent {
  runId: string;
  ownership: OwnershipChange[];
  splits: SplitChange[];
}

/** The content in its one canonical order: ownership by account id, splits by opportunity id. */
export function normaliseChangeSet(content: ChangeSetContent): ChangeSetContent {
  const byKey =
    <T>(key: (t: T) => string) =>
    (a: T, b: T) =>
      key(a) < key(b) ? -1 : key(a) > key(b) ? 1 : 0;
  return {
    runId: content.runId,
    ownership: [...content.ownership].sort(byKey((c) => c.accountId)),
    splits: [...content.splits].sort(byKey((c) => c.opportunityId)),
  };
}

/** sha256 of the canonical content; what an approval pins. */
export function hashChangeSet(content: ChangeSetContent): string {
  return createHash('sha256')
    .update(canonicalJson(normaliseChangeSet(content)))
    .digest('hex');
}

/**
 * What a run's proposal would change, as the proposal hash sees it: the change set plus what a change set cannot
 * hold, the accounts left without an owner (a move to nobody) and, under the manual commission strategy, the
 * opportunities nobody has decided yet (so deciding one changes the hash even where its split equals one already in
 * the set).
 */
export interface ProposalContent extends ChangeSetContent {
  unassignedAccountIds: readonly string[];
  undecidedOpportunityIds: readonly string[];
}

/**
 * The proposal hash: what reviewers see, what approval pins and what commit checks again. The hash of the change
 * set, folded with the unassigned accounts and then the undecided opportunities when there are any, in the same
 * layering as the hashes already stored on runs, so a proposal hashed before stays equal to itself.
 */
export function proposalHash(content: ProposalContent): string {
  const fold = (base: string, label: string, ids: readonly string[]) =>
    ids.length === 0
      ? base
      : hashChangeSet({
          runId: `${content.runId}|${label}:${[...ids].sort().join(',')}|${base}`,
          ownership: [],
          splits: [],
        });
  const base = hashChangeSet({ runId: content.runId, ownership: content.ownership, splits: content.splits });
  return fold(
    fold(base, 'unassigned', content.unassignedAccountIds),
    'undecided',
    content.undecidedOpportunityIds,
  );
}

/** Problems that make a change set unsafe to commit: an account twice, a no-op move, a split not totalling 100%. */
export function changeSetProblems(content: ChangeSetContent): string[] {
  const problems: string[] = [];
  const seen = new Set<string>();
  for (const change of content.ownership) {
    if (seen.has(change.accountId)) problems.push(`Account ${change.accountCrmId} appears more than once.`);
    seen.add(change.accountId);
    if (change.fromRepId === change.toRepId)
      problems.push(`Account ${change.accountCrmId} does not change owner.`);
  }
  const seenOpps = new Set<string>();
  for (const split of content.splits) {
    if (seenOpps.has(split.opportunityId))
      problems.push(`Opportunity ${split.opportunityId} appears more than once.`);
    seenOpps.add(split.opportunityId);
    for (const side of ['before', 'after'] as const) {
      const total = Object.values(split[side]).reduce((s, v) => s + v, 0);
      if (total !== 10_000) {
        problems.push(
          `Opportunity ${split.opportunityId}: the ${side} split totals ${total / 100}% instead of 100%.`,
        );
      }
    }
  }
  return problems;
}
