/**
 * The notices of a commit (F10): digests composed from the change set and written to the outbox (status pending)
 * inside the commit transaction, so a commit never exists without its notices nor notices without a commit.
 */
import { and, eq, inArray, sql } from 'drizzle-orm';
import { memberships, notices, reps, users } from '../../../db/schema/index.ts';
import type { Tx } from '../../db/client.ts';
import { queryRows } from '../../db/query-rows.ts';
import { composeNotices } from '../../notices/compose.ts';
import type { NoticeAccountLine, NoticePerson, NoticeSplitLine } from '../../notices/types.ts';
import type { RunRow } from './run-state.ts';

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
  const { drafts, unreachable } = composeNotices({
    runId: run.id,
    runLabel: `${run.kind.replaceAll('_', ' ')}: ${run.reason}`,
    reason: run.reason,
    effectiveDate: input.effectiveDate,
    appBaseUrl: input.appBaseUrl,
    people: roster,
    accounts,
    splits: input.splits,
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
