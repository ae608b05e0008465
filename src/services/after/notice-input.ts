/**
 * Builds the input of composeNotices from a committed change set: the account lines with their open deals,
 * the split lines by participant name, the people involved (reps and their managers), and the org's managers
 * and finance members. Used for correction digests after a rollback; a commit can use it for the handoff.
 */
import { and, eq, inArray } from 'drizzle-orm';
import { accounts, memberships, opportunities, reps, users } from '../../../db/schema/index.ts';
import type { Tx } from '../../db/client.ts';
import { shareLosers } from '../../notices/shares.ts';
import type {
  NoticeAccountLine,
  NoticeInput,
  NoticeOpportunityLine,
  NoticePerson,
  NoticeSplitLine,
} from '../../notices/types.ts';
import { type LoadedChangeSet, type LoadedItem, loadRepsOf, splitOpportunityId } from './load-change-set.ts';

type SplitByName = (list: { participantId: string; bps: number }[]) => Record<string, number>;

export async function buildNoticeInput(
  tx: Tx,
  loaded: LoadedChangeSet,
  options: { purpose: NoticeInput['purpose']; appBaseUrl: string; onlyItemIds?: ReadonlySet<string> },
): Promise<NoticeInput> {
  const { run, changeSet } = loaded;
  const items = options.onlyItemIds
    ? loaded.items.filter((i) => options.onlyItemIds!.has(i.row.id))
    : loaded.items;
  const repsById = await loadRepsOf(tx, items);
  const accountLines = await accountLinesOf(tx, items);
  const byName: SplitByName = (list) =>
    Object.fromEntries(list.map((p) => [repsById.get(p.participantId)?.name ?? p.participantId, p.bps]));
  const splitItems = items.filter((i) => i.payload.object === 'split');
  const splitLines = await splitLinesOf(tx, splitItems, byName);
  // An opportunity-level run hands opportunities over without their account: each is a line of its own, with
  // its split before and after (an account-level run's opportunities travel inside its account lines).
  const opportunityLines =
    run.kind === 'opportunity' ? await opportunityLinesOf(tx, items, splitItems, byName) : [];
  const people = await peopleOf(tx, [...accountLines, ...opportunityLines], splitLines);

  const members = await tx
    .select({ id: users.id, name: users.name, email: users.email, role: memberships.role })
    .from(memberships)
    .innerJoin(users, eq(users.id, memberships.userId))
    .where(inArray(memberships.role, ['manager', 'finance']));
  const person = (m: (typeof members)[number]): NoticePerson => ({ id: m.id, name: m.name, email: m.email });

  return {
    runId: run.id,
    runLabel: run.reason,
    reason: run.reason,
    effectiveDate:
      run.reassignmentDate ?? (run.committedAt ?? changeSet.createdAt).toISOString().slice(0, 10),
    appBaseUrl: options.appBaseUrl,
    people,
    accounts: accountLines,
    opportunities: opportunityLines,
    splits: splitLines,
    managers: members.filter((m) => m.role === 'manager').map(person),
    finance: members.filter((m) => m.role === 'finance').map(person),
    purpose: options.purpose,
  };
}

/** The account lines: each account handed over, with its revenue and open deals. */
async function accountLinesOf(tx: Tx, items: readonly LoadedItem[]): Promise<NoticeAccountLine[]> {
  const accountItems = items.filter((i) => i.payload.object === 'account');
  const accountIds = accountItems.map((i) => i.row.recordId);
  const accountRows =
    accountIds.length === 0
      ? []
      : await tx
          .select({ id: accounts.id, name: accounts.name, revenue: accounts.annualRevenueCents })
          .from(accounts)
          .where(inArray(accounts.id, accountIds));
  const accountById = new Map(accountRows.map((a) => [a.id, a]));
  const openDeals =
    accountIds.length === 0
      ? []
      : await tx
          .select({
            accountId: opportunities.accountId,
            amount: opportunities.amountCents,
            closeDate: opportunities.closeDate,
          })
          .from(opportunities)
          .where(and(inArray(opportunities.accountId, accountIds), eq(opportunities.status, 'open')));

  const accountLines: NoticeAccountLine[] = [];
  for (const { row, payload } of accountItems) {
    if (payload.object !== 'account' || !payload.after.repId) continue;
    const deals = openDeals.filter((d) => d.accountId === row.recordId);
    const closes = deals
      .map((d) => d.closeDate)
      .filter((d): d is string => d !== null)
      .sort();
    accountLines.push({
      accountId: row.recordId,
      accountName: row.recordName ?? accountById.get(row.recordId)?.name ?? row.crmId ?? row.recordId,
      revenueCents: accountById.get(row.recordId)?.revenue ?? 0,
      fromRepId: payload.before.repId,
      toRepId: payload.after.repId,
      openDeals: deals.length,
      // Deals of unknown amount (blank in the CRM) add nothing to the known total.
      openDealCents: deals.reduce((s, d) => s + (d.amount ?? 0), 0),
      nextCloseDate: closes[0] ?? null,
      contacts: [],
    });
  }
  return accountLines;
}

/** The split lines: each changed split by participant name, with who gains and who loses a share. */
async function splitLinesOf(
  tx: Tx,
  splitItems: readonly LoadedItem[],
  byName: SplitByName,
): Promise<NoticeSplitLine[]> {
  const oppIds = splitItems.map((i) => splitOpportunityId(i));
  const oppRows =
    oppIds.length === 0
      ? []
      : await tx
          .select({ id: opportunities.id, name: opportunities.name, accountName: accounts.name })
          .from(opportunities)
          .innerJoin(accounts, eq(accounts.id, opportunities.accountId))
          .where(inArray(opportunities.id, oppIds));
  const oppById = new Map(oppRows.map((o) => [o.id, o]));
  return splitItems.flatMap((item) =>
    item.payload.object === 'split'
      ? [
          {
            opportunityName: oppById.get(splitOpportunityId(item))?.name ?? item.row.recordName ?? '',
            accountName: oppById.get(splitOpportunityId(item))?.accountName ?? '',
            before: byName(item.payload.before.participants),
            after: byName(item.payload.after.participants),
            receiverRepIds: shareReceivers(
              item.payload.before.participants,
              item.payload.after.participants,
              item.row.toRepId,
            ),
            loserRepIds: shareLosers(item.payload.before.participants, item.payload.after.participants),
          },
        ]
      : [],
  );
}

/** The opportunity lines of an opportunity-level run: each opportunity handed over, with its split. */
async function opportunityLinesOf(
  tx: Tx,
  items: readonly LoadedItem[],
  splitItems: readonly LoadedItem[],
  byName: SplitByName,
): Promise<NoticeOpportunityLine[]> {
  const opportunityLines: NoticeOpportunityLine[] = [];
  const oppItems = items.filter((i) => i.payload.object === 'opportunity');
  const ids = oppItems.map((i) => i.row.recordId);
  const rows =
    ids.length === 0
      ? []
      : await tx
          .select({
            id: opportunities.id,
            name: opportunities.name,
            amount: opportunities.amountCents,
            closeDate: opportunities.closeDate,
            accountName: accounts.name,
          })
          .from(opportunities)
          .innerJoin(accounts, eq(accounts.id, opportunities.accountId))
          .where(inArray(opportunities.id, ids));
  const byId = new Map(rows.map((r) => [r.id, r]));
  for (const { row, payload } of oppItems) {
    if (payload.object !== 'opportunity' || !payload.after.repId) continue;
    const opp = byId.get(row.recordId);
    const split = splitItems.find((i) => splitOpportunityId(i) === row.recordId);
    opportunityLines.push({
      opportunityId: row.recordId,
      opportunityName: opp?.name ?? row.recordName ?? row.crmId ?? row.recordId,
      accountName: opp?.accountName ?? '',
      amountCents: opp ? opp.amount : null,
      closeDate: opp?.closeDate ?? null,
      fromRepId: payload.before.repId,
      toRepId: payload.after.repId,
      splitBefore: split?.payload.object === 'split' ? byName(split.payload.before.participants) : {},
      splitAfter: split?.payload.object === 'split' ? byName(split.payload.after.participants) : {},
    });
  }
  return opportunityLines;
}

/** Reps involved and their managers (managers are reps too), so each digest names people. */
async function peopleOf(
  tx: Tx,
  lines: readonly { fromRepId: string | null; toRepId: string }[],
  splitLines: readonly NoticeSplitLine[],
): Promise<NoticePerson[]> {
  const repIds = new Set<string>();
  for (const a of lines) {
    repIds.add(a.toRepId);
    if (a.fromRepId) repIds.add(a.fromRepId);
  }
  for (const l of splitLines)
    for (const id of [...(l.receiverRepIds ?? []), ...(l.loserRepIds ?? [])]) repIds.add(id);
  const people: NoticePerson[] = [];
  if (repIds.size > 0) {
    const involved = await tx
      .select({ id: reps.id, name: reps.name, email: reps.email, managerId: reps.managerRepId })
      .from(reps)
      .where(inArray(reps.id, [...repIds]));
    people.push(...involved);
    const managerIds = [...new Set(involved.map((r) => r.managerId).filter((m): m is string => !!m))].filter(
      (m) => !repIds.has(m),
    );
    if (managerIds.length > 0) {
      people.push(
        ...(await tx
          .select({ id: reps.id, name: reps.name, email: reps.email, managerId: reps.managerRepId })
          .from(reps)
          .where(inArray(reps.id, managerIds))),
      );
    }
  }
  return people;
}

/**
 * Reps whose share of a split grew without receiving its account (a receiving rep per segment or decision): the
 * rep-role participants with more basis points after than before, other than the account's new owner.
 */
export function shareReceivers(
  before: readonly { participantId: string; role: string; bps: number }[],
  after: readonly { participantId: string; role: string; bps: number }[],
  ownerRepId: string | null,
): string[] {
  const had = new Map(before.filter((p) => p.role === 'rep').map((p) => [p.participantId, p.bps]));
  return after
    .filter(
      (p) => p.role === 'rep' && p.participantId !== ownerRepId && p.bps > (had.get(p.participantId) ?? 0),
    )
    .map((p) => p.participantId);
}
