/**
 * The notices of a commit (F10): digests composed from the change set and written to the outbox (status pending)
 * inside the commit transaction, so a commit never exists without its notices nor notices without a commit.
 * An opportunity-level run hands over opportunities without their account: those come from the run's planned
 * opportunity changes, with the split as the commit left it, so the new owner, the previous owner and their
 * manager hear about them too.
 */
import { and, eq, inArray, sql } from 'drizzle-orm';
import { memberships, notices, reps, users } from '../../../db/schema/index.ts';
import type { Tx } from '../../db/client.ts';
import { queryRows } from '../../db/query-rows.ts';
import { composeNotices } from '../../notices/compose.ts';
import type {
  NoticeAccountLine,
  NoticeOpportunityLine,
  NoticePerson,
  NoticeSplitLine,
} from '../../notices/types.ts';
import type { RunRow } from '../run-records/run-records.ts';

export interface NoticeMove {
  accountId: string;
  name: string;
  revenueCents: number;
  fromRepId: string | null;
  toRepId: string;
}

export interface WrittenNotices {
  count: number;
  unreachable: { personId: string; name: string; kind: string }[];
}

export async function writeHandoffNotices(
  tx: Tx,
  run: RunRow,
  input: { moves: NoticeMove[]; splits: NoticeSplitLine[]; appBaseUrl: string; effectiveDate: string },
): Promise<WrittenNotices> {
  const roster = await tx
    .select({ id: reps.id, name: reps.name, email: reps.email, managerId: reps.managerRepId })
    .from(reps);
  const members = await tx
    .select({ id: users.id, name: users.name, email: users.email, role: memberships.role })
    .from(memberships)
    .innerJoin(users, eq(users.id, memberships.userId))
    .where(and(eq(memberships.orgId, run.orgId), inArray(memberships.role, ['manager', 'finance'])));
  const person = (m: (typeof members)[number]): NoticePerson => ({ id: m.id, name: m.name, email: m.email });
  const deals = await openDealsOf(tx, run.id);
  const accounts: NoticeAccountLine[] = input.moves.map((m) => {
    const d = deals.get(m.accountId);
    return {
      accountId: m.accountId,
      accountName: m.name,
      revenueCents: m.revenueCents,
      fromRepId: m.fromRepId,
      toRepId: m.toRepId,
      openDeals: d?.count ?? 0,
      openDealCents: d?.cents ?? 0,
      nextCloseDate: d?.nextClose ?? null,
      contacts: [],
    };
  });
  const repName = new Map(roster.map((r) => [r.id, r.name]));
  const opportunityLines = await handedOverOpportunities(tx, run, repName);
  const { drafts, unreachable } = composeNotices({
    runId: run.id,
    runLabel: `${run.kind.replaceAll('_', ' ')}: ${run.reason}`,
    reason: run.reason,
    effectiveDate: input.effectiveDate,
    appBaseUrl: input.appBaseUrl,
    people: roster,
    accounts,
    splits: input.splits,
    opportunities: opportunityLines,
    managers: members.filter((m) => m.role === 'manager').map(person),
    finance: members.filter((m) => m.role === 'finance').map(person),
    purpose: 'handoff',
  });
  const repIds = new Set(roster.map((r) => r.id));
  if (drafts.length > 0) {
    await tx.insert(notices).values(
      drafts.map((d) => ({
        orgId: run.orgId,
        runId: run.id,
        kind: d.kind,
        recipientEmail: d.recipient.email,
        recipientName: d.recipient.name,
        recipientRepId: repIds.has(d.recipient.id) ? d.recipient.id : null,
        recipientUserId: repIds.has(d.recipient.id) ? null : d.recipient.id,
        subject: d.subject,
        html: d.html,
        text: d.text,
        status: 'pending' as const,
        idempotencyKey: d.idempotencyKey,
      })),
    );
  }
  return {
    count: drafts.length,
    unreachable: unreachable.map((u) => ({ personId: u.person.id, name: u.person.name, kind: u.kind })),
  };
}

/** Open deals per moved account: how many, their amount and the next close date (context for the digest). */
async function openDealsOf(tx: Tx, runId: string) {
  const rows = await queryRows<{
    account_id: string;
    n: string | number;
    cents: string | number;
    next_close: string | null;
  }>(
    tx,
    sql`select o.account_id, count(*) as n, coalesce(sum(o.amount_cents), 0) as cents, min(o.close_date)::text as next_close
          from opportunities o
          join run_assignments ra on ra.account_id = o.account_id and ra.run_id = ${runId} and not ra.excluded
         where o.status = 'open'
         group by o.account_id`,
  );
  return new Map(
    rows.map((r) => [r.account_id, { count: Number(r.n), cents: Number(r.cents), nextClose: r.next_close }]),
  );
}

/**
 * Opportunities an opportunity-level run hands to a new owner on their own (the lines its commit moves), with the
 * split in force on the commission end date and the split in force from then on, read after the commit wrote it.
 */
async function handedOverOpportunities(
  tx: Tx,
  run: RunRow,
  repName: ReadonlyMap<string, string>,
): Promise<NoticeOpportunityLine[]> {
  if (run.kind !== 'opportunity') return [];
  const rows = await queryRows<{
    opportunity_id: string;
    name: string;
    account_name: string;
    amount_cents: string | number | null;
    close_date: string | null;
    from_rep_id: string | null;
    to_rep_id: string;
  }>(
    tx,
    sql`select o.id as opportunity_id, o.name, a.name as account_name, o.amount_cents,
               o.close_date::text as close_date, c.from_rep_id, c.to_rep_id
          from run_opportunity_changes c
          join opportunities o on o.id = c.opportunity_id
          join accounts a on a.id = o.account_id
         where c.run_id = ${run.id} and c.to_rep_id is not null
           and c.to_rep_id is distinct from c.from_rep_id
         order by o.id`,
  );
  if (rows.length === 0) return [];
  const splits = await queryRows<{
    opportunity_id: string;
    rep_id: string;
    bps: number;
    effective_from: string;
    effective_to: string | null;
  }>(
    tx,
    sql`select opportunity_id, rep_id, bps, effective_from::text as effective_from, effective_to::text as effective_to
          from commission_splits
         where opportunity_id in (${sql.join(
           rows.map((r) => sql`${r.opportunity_id}::uuid`),
           sql`, `,
         )})`,
  );
  const endDate = run.commissionEndDate;
  const byName = (list: typeof splits) => {
    const out: Record<string, number> = {};
    for (const p of list) {
      const name = repName.get(p.rep_id) ?? p.rep_id;
      out[name] = (out[name] ?? 0) + Number(p.bps);
    }
    return out;
  };
  return rows.map((r) => {
    const own = splits.filter((p) => p.opportunity_id === r.opportunity_id);
    const after = own.filter((p) => p.effective_to === null);
    // ISO dates compare as strings; without an end date nothing was re-dated and the split is unchanged.
    const before = endDate
      ? own.filter(
          (p) => p.effective_from <= endDate && (p.effective_to === null || p.effective_to >= endDate),
        )
      : after;
    return {
      opportunityId: r.opportunity_id,
      opportunityName: r.name,
      accountName: r.account_name,
      amountCents: r.amount_cents === null ? null : Number(r.amount_cents),
      closeDate: r.close_date,
      fromRepId: r.from_rep_id,
      toRepId: r.to_rep_id,
      splitBefore: byName(before),
      splitAfter: byName(after),
    };
  });
}
