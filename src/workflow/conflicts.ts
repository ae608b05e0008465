/**
 * Conflicts (F5): everything a person must look at before a proposal can be approved, computed on
 * the proposal as it stands (after overrides), with a severity. Blocking conflicts stop approval until resolved
 * (accept, override the owner, or exclude the account); warnings are shown and need no action.
 */
import { addDays } from '../commission/dates.ts';
import type {
  ConflictAccount,
  ConflictInput,
  ConflictOpportunity,
  ConflictRep,
  ProposalLine,
} from './conflict-input.ts';

export type { ConflictAccount, ConflictInput, ConflictRep } from './conflict-input.ts';

export const CONFLICT_KINDS = {
  unassigned: 'blocking',
  owner_leaving: 'blocking',
  hire_over_target: 'blocking',
  over_count_cap: 'blocking',
  over_revenue_cap: 'blocking',
  deal_closing_soon: 'blocking',
  protected_touched: 'blocking',
  house_account: 'blocking',
  co_owned_account: 'blocking',
  receiver_departing: 'blocking',
  receiver_ineligible: 'blocking',
  stale_owner: 'blocking',
  split_not_100: 'blocking',
  date_rule: 'blocking',
  owner_not_in_roster: 'warning',
  owner_inactive: 'warning',
  closed_opportunity_in_scope: 'warning',
} as const;
export type ConflictKind = keyof typeof CONFLICT_KINDS;

/**
 * Conflicts that only an owner who stays resolves (override), never an acceptance: an account nobody may receive,
 * and one excluded from the run while its owner leaves — accepting them would leave it with someone who leaves.
 */
export const NEEDS_AN_OWNER: ReadonlySet<string> = new Set<ConflictKind>(['unassigned', 'owner_leaving']);
export type Severity = 'blocking' | 'warning';

export interface DetectedConflict {
  kind: ConflictKind;
  severity: Severity;
  /** Stable identity, so a resolution survives a re-solve that produces the same conflict again. */
  key: string;
  accountId: string | null;
  opportunityId: string | null;
  repId: string | null;
  message: string;
}

const money = (cents: number) => `$${Math.round(cents / 100).toLocaleString('en-US')}`;

type AddConflict = (
  kind: ConflictKind,
  ids: { accountId?: string; opportunityId?: string; repId?: string },
  message: string,
) => void;

/** What every check reads: the input, its reps and accounts by id, and where a conflict goes. */
interface Scan {
  input: ConflictInput;
  add: AddConflict;
  reps: Map<string, ConflictRep>;
  accounts: Map<string, ConflictAccount>;
  repName: (id: string | null) => string;
  /** The last day a deal may close on and still count as closing soon. */
  horizon: string;
}

export function detectConflicts(input: ConflictInput): DetectedConflict[] {
  const out: DetectedConflict[] = [];
  const add: AddConflict = (kind, ids, message) => {
    const accountId = ids.accountId ?? null;
    const opportunityId = ids.opportunityId ?? null;
    const repId = ids.repId ?? null;
    out.push({
      kind,
      severity: CONFLICT_KINDS[kind],
      key: [kind, accountId ?? '', opportunityId ?? '', repId ?? ''].join(':'),
      accountId,
      opportunityId,
      repId,
      message,
    });
  };
  const reps = new Map(input.reps.map((r) => [r.id, r]));
  const accounts = new Map(input.accounts.map((a) => [a.id, a]));
  const oppsByAccount = new Map<string, ConflictOpportunity[]>();
  for (const o of input.opportunities) {
    const list = oppsByAccount.get(o.accountId);
    if (list) list.push(o);
    else oppsByAccount.set(o.accountId, [o]);
  }
  const repName = (id: string | null) =>
    id === null ? 'nobody' : (reps.get(id)?.name ?? `unknown rep ${id}`);
  const horizon = addDays(input.asOfDate, input.closingWithinDays);
  const scan: Scan = { input, add, reps, accounts, repName, horizon };

  if (input.commissionEndDate && input.reassignmentDate && input.reassignmentDate < input.commissionEndDate) {
    add(
      'date_rule',
      {},
      `The reassignment date ${input.reassignmentDate} is before the commission end date ${input.commissionEndDate}; it must be on or after it.`,
    );
  }
  leftWithLeavers(scan);
  for (const line of input.proposal) {
    const account = accounts.get(line.accountId);
    if (!account) continue;
    plannedOwnerConflicts(scan, account);
    if (line.toRepId === null) {
      add(
        'unassigned',
        { accountId: account.id },
        line.reason
          ? `${account.name} has no eligible receiver. ${line.reason}`
          : `${account.name} has no eligible receiver: give it an owner who stays.`,
      );
      continue;
    }
    const moves = line.toRepId !== account.plannedOwnerId;
    if (!moves) continue;
    moveConflicts(scan, account, line.toRepId);
    opportunityConflicts(scan, account, oppsByAccount.get(account.id) ?? []);
  }
  capConflicts(scan);
  return out;
}

/** Accounts the run leaves as they are (excluded, or not selected) whose owner now leaves. */
function leftWithLeavers({ input, add, reps, accounts }: Scan) {
  const leaveDay = input.reassignmentDate ?? input.asOfDate;
  const leaves = (rep: ConflictRep) =>
    rep.departing || !rep.active || (rep.endDate !== null && rep.endDate <= leaveDay);
  const leftWith = (line: ProposalLine, left: string) => {
    const account = accounts.get(line.accountId);
    // An account the run does not move is left as it is in the CRM at commit: with its owner now.
    const owner = account?.currentOwnerId ? reps.get(account.currentOwnerId) : undefined;
    if (!account || !owner || !leaves(owner)) return;
    const when = owner.departing
      ? 'leaves in this run'
      : !owner.active
        ? 'is inactive'
        : `leaves on ${owner.endDate}`;
    add(
      'owner_leaving',
      { accountId: account.id, repId: owner.id },
      `${account.name} ${left} but its owner ${owner.name} ${when}: it would be left with someone who leaves. Give it an owner who stays.`,
    );
  };
  for (const line of input.excluded ?? []) leftWith(line, 'is excluded from the run');
  for (const line of input.leftWithLeaver ?? []) leftWith(line, 'is not among the accounts this run moves');
}

/** A proposal line's planned owner is not in the roster, or is inactive (warnings). */
function plannedOwnerConflicts({ add, reps, repName }: Scan, account: ConflictAccount) {
  const name = account.name;
  if (account.plannedOwnerId !== null && !reps.has(account.plannedOwnerId)) {
    add(
      'owner_not_in_roster',
      { accountId: account.id },
      `${name} is owned by ${account.plannedOwnerId}, who is not in the roster.`,
    );
  } else if (account.plannedOwnerId !== null && reps.get(account.plannedOwnerId)?.active === false) {
    add(
      'owner_inactive',
      { accountId: account.id },
      `${name} is owned by ${repName(account.plannedOwnerId)}, who is inactive.`,
    );
  }
}

/** An account that moves: its owner changed since planning, its receiver, and what the account itself forbids. */
function moveConflicts({ input, add, reps, repName }: Scan, account: ConflictAccount, toRepId: string) {
  const name = account.name;
  if (account.currentOwnerId !== account.plannedOwnerId) {
    add(
      'stale_owner',
      { accountId: account.id },
      `${name} was owned by ${repName(account.plannedOwnerId)} when the run was planned and is now owned by ${repName(account.currentOwnerId)} in the CRM.`,
    );
  }
  const to = reps.get(toRepId);
  if (!to) {
    add(
      'receiver_ineligible',
      { accountId: account.id, repId: toRepId },
      `${name} would go to ${toRepId}, who is not in the roster.`,
    );
  } else if (
    to.departing ||
    (to.endDate !== null && to.endDate <= (input.reassignmentDate ?? input.asOfDate))
  ) {
    add(
      'receiver_departing',
      { accountId: account.id, repId: to.id },
      `${name} would go to ${to.name}, who is leaving${to.endDate ? ` on ${to.endDate}` : ''}.`,
    );
  } else if (!to.active || !to.mayReceive) {
    add(
      'receiver_ineligible',
      { accountId: account.id, repId: to.id },
      `${name} would go to ${to.name}, who may not receive accounts.`,
    );
  }
  if (account.isProtected) {
    add(
      'protected_touched',
      { accountId: account.id },
      `${name} is protected (${account.protectedWhy ?? 'kept with its owner'}) but would move to ${repName(toRepId)}.`,
    );
  }
  if (account.isHouse)
    add(
      'house_account',
      { accountId: account.id },
      `${name} is a house account but would move to ${repName(toRepId)}.`,
    );
  if (account.isCoOwned) {
    add(
      'co_owned_account',
      { accountId: account.id },
      `${name} is co-owned by an account team; moving it changes the team's owner.`,
    );
  }
}

/** The opportunities of an account that moves: deals about to close, and (beyond ownership) their splits. */
function opportunityConflicts(
  { input, add, horizon }: Scan,
  account: ConflictAccount,
  opps: ConflictOpportunity[],
) {
  const name = account.name;
  for (const opp of opps) {
    if (
      opp.status === 'open' &&
      opp.closeDate !== null &&
      opp.closeDate >= input.asOfDate &&
      opp.closeDate <= horizon
    ) {
      add(
        'deal_closing_soon',
        { accountId: account.id, opportunityId: opp.id },
        `${opp.name} on ${name} closes on ${opp.closeDate}, within ${input.closingWithinDays} days; moving the account takes it from the rep about to close it.`,
      );
    }
    if (input.scope === 'ownership') continue;
    if (opp.status !== 'open') {
      add(
        'closed_opportunity_in_scope',
        { accountId: account.id, opportunityId: opp.id },
        `${opp.name} on ${name} is closed; its commission split will not be changed.`,
      );
      continue;
    }
    if (opp.splitTotalBps !== null && opp.splitTotalBps !== 10_000) {
      add(
        'split_not_100',
        { accountId: account.id, opportunityId: opp.id },
        `${opp.name} on ${name} has a commission split totalling ${opp.splitTotalBps / 100}%; fix it to 100% before it can be reassigned.`,
      );
    }
    if (input.commissionEndDate && opp.createdDate && input.commissionEndDate < opp.createdDate) {
      add(
        'date_rule',
        { accountId: account.id, opportunityId: opp.id },
        `The commission end date ${input.commissionEndDate} is before ${opp.name} was created (${opp.createdDate}).`,
      );
    }
  }
}

/** Each rep's book after the proposal: a hire above its bound, a receiving or balanced rep over a cap. */
function capConflicts({ input, add, reps, accounts }: Scan) {
  const finalOwner = new Map<string, string | null>();
  for (const a of input.accounts) finalOwner.set(a.id, a.plannedOwnerId);
  for (const line of input.proposal) finalOwner.set(line.accountId, line.toRepId);
  const load = new Map<string, { count: number; revenue: number }>();
  for (const a of input.accounts) {
    const owner = finalOwner.get(a.id);
    if (!owner) continue;
    const l = load.get(owner) ?? { count: 0, revenue: 0 };
    l.count += 1;
    l.revenue += a.revenueCents;
    load.set(owner, l);
  }
  for (const bound of input.hireBounds ?? []) {
    const rep = reps.get(bound.repId);
    const l = load.get(bound.repId) ?? { count: 0, revenue: 0 };
    if (!rep || (l.count <= bound.maxAccounts && l.revenue <= bound.maxRevenueCents)) continue;
    const pct = `${(bound.toleranceBps / 100).toLocaleString('en-US')}%`;
    add(
      'hire_over_target',
      { repId: rep.id },
      `${rep.name}'s starter book would be ${l.count} accounts and ${money(l.revenue)}, above the target of ${Math.round(bound.targetCount)} accounts and ${money(bound.targetRevenueCents)} plus ${pct} (at most ${bound.maxAccounts} accounts and ${money(bound.maxRevenueCents)})${bound.cause ? `: ${bound.cause}` : '. Give accounts back to their owners, or accept a larger starter book.'}`,
    );
  }
  const receivers = new Set(
    input.proposal
      .filter((l) => l.toRepId !== null && l.toRepId !== accounts.get(l.accountId)?.plannedOwnerId)
      .map((l) => l.toRepId!),
  );
  for (const repId of [...new Set([...receivers, ...(input.balancedRepIds ?? [])])].sort()) {
    const rep = reps.get(repId);
    const l = load.get(repId);
    if (!rep || !l) continue;
    // A rep that receives nothing is over because of what it had: the run could not move enough of it away.
    const why = receivers.has(repId)
      ? '.'
      : `: over before this run, which cannot move enough of their accounts away. Raise the cap, move accounts away from ${rep.name} in a realignment, or accept it with a note.`;
    if (rep.maxAccounts !== null && l.count > rep.maxAccounts) {
      add(
        'over_count_cap',
        { repId },
        `${rep.name} would own ${l.count} accounts, over the cap of ${rep.maxAccounts} by ${l.count - rep.maxAccounts}${why}`,
      );
    }
    if (rep.maxRevenueCents !== null && l.revenue > rep.maxRevenueCents) {
      add(
        'over_revenue_cap',
        { repId },
        `${rep.name} would own ${money(l.revenue)} of revenue, over the cap of ${money(rep.maxRevenueCents)} by ${money(l.revenue - rep.maxRevenueCents)}${why}`,
      );
    }
  }
}

export interface ConflictResolution {
  key: string;
  resolution: 'accept' | 'override' | 'exclude';
}

/** Blocking conflicts without a resolution: approval is refused while any remain. */
export function openBlocking(
  conflicts: readonly DetectedConflict[],
  resolutions: readonly ConflictResolution[],
): DetectedConflict[] {
  const resolved = new Set(resolutions.map((r) => r.key));
  return conflicts.filter((c) => c.severity === 'blocking' && !resolved.has(c.key));
}
