/**
 * Reads of the book for the rep and account pages: a rep with their load against caps, one account with its
 * opportunities, its commission splits (effective-dated) and the runs that moved it, and the notices addressed to
 * one person. Read-only, in the caller's org (RLS).
 */
import { sql } from 'drizzle-orm';
import { queryRows } from '../../db/query-rows.ts';
import { type ReadContext, readInOrg as read } from '../auth/read-in-org.ts';

export interface RepDetail {
  id: string;
  name: string;
  email: string | null;
  kind: string;
  region: string | null;
  segment: string | null;
  active: boolean;
  mayReceive: boolean;
  endDate: string | null;
  startDate: string | null;
  maxAccounts: number | null;
  maxRevenueCents: number | null;
  accounts: number;
  revenueCents: number;
  openOpportunities: number;
  manager: string | null;
}

export async function getRep(ctx: ReadContext, repId: string): Promise<RepDetail | null> {
  return read(ctx, async (tx) => {
    const [r] = await queryRows<Record<string, unknown>>(
      tx,
      sql`select p.id, p.name, p.email, p.kind::text as kind, p.region, p.segment, p.active, p.may_receive,
                 p.end_date::text as end_date, p.start_date::text as start_date, p.max_accounts, p.max_revenue_cents,
                 (select count(*)::int from accounts a where a.owner_rep_id = p.id) as accounts,
                 (select coalesce(sum(a.annual_revenue_cents), 0) from accounts a where a.owner_rep_id = p.id) as revenue,
                 (select count(*)::int from opportunities o where o.owner_rep_id = p.id and o.status = 'open') as open_opps,
                 m.name as manager
          from reps p left join reps m on m.id = p.manager_rep_id
          where p.id = ${repId}::uuid`,
    );
    if (!r) return null;
    return {
      id: String(r.id),
      name: String(r.name),
      email: (r.email as string | null) ?? null,
      kind: String(r.kind),
      region: (r.region as string | null) ?? null,
      segment: (r.segment as string | null) ?? null,
      active: Boolean(r.active),
      mayReceive: Boolean(r.may_receive),
      endDate: (r.end_date as string | null) ?? null,
      startDate: (r.start_date as string | null) ?? null,
      maxAccounts: r.max_accounts === null ? null : Number(r.max_accounts),
      maxRevenueCents: r.max_revenue_cents === null ? null : Number(r.max_revenue_cents),
      accounts: Number(r.accounts),
      revenueCents: Number(r.revenue),
      openOpportunities: Number(r.open_opps),
      manager: (r.manager as string | null) ?? null,
    };
  });
}

/** An amount read from SQL: null stays unknown (a blank in the CRM export), never $0. */
const centsOrNull = (v: string | number | null) => (v === null ? null : Number(v));

export async function getAccount(ctx: ReadContext, accountId: string) {
  return read(ctx, async (tx) => {
    const [a] = await queryRows<Record<string, unknown>>(
      tx,
      sql`select a.id, a.crm_id, a.name, a.region, a.tier, a.type, a.industry, a.segment, a.annual_revenue_cents,
                 a.is_house, a.is_co_owned, a.owner_rep_id, p.name as owner, a.owner_changed_at
          from accounts a left join reps p on p.id = a.owner_rep_id where a.id = ${accountId}::uuid`,
    );
    if (!a) return null;
    const opportunities = await queryRows<{
      id: string;
      crm_id: string;
      name: string;
      stage: string | null;
      status: string;
      amount_cents: string | number | null;
      close_date: string | null;
      owner: string | null;
    }>(
      tx,
      sql`select o.id, o.crm_id, o.name, o.stage, o.status::text as status, o.amount_cents, o.close_date::text as close_date, p.name as owner
          from opportunities o left join reps p on p.id = o.owner_rep_id
          where o.account_id = ${accountId}::uuid order by o.close_date desc nulls last limit 100`,
    );
    const splits = await queryRows<{
      opportunity_id: string;
      rep: string;
      role: string;
      bps: number;
      effective_from: string;
      effective_to: string | null;
    }>(
      tx,
      sql`select s.opportunity_id, p.name as rep, s.role::text as role, s.bps, s.effective_from::text as effective_from,
                 s.effective_to::text as effective_to
          from commission_splits s join reps p on p.id = s.rep_id
          join opportunities o on o.id = s.opportunity_id
          where o.account_id = ${accountId}::uuid
          order by s.opportunity_id, s.effective_from, s.role`,
    );
    const history = await queryRows<{
      run_id: string;
      reason: string;
      status: string;
      committed_at: string | null;
      from_name: string | null;
      to_name: string | null;
    }>(
      tx,
      sql`select r.id as run_id, r.reason, r.status::text as status,
                 to_char(r.committed_at at time zone 'UTC', 'YYYY-MM-DD HH24:MI "UTC"') as committed_at,
                 f.name as from_name, t.name as to_name
          from run_assignments ra join runs r on r.id = ra.run_id
          left join reps f on f.id = ra.from_rep_id left join reps t on t.id = ra.to_rep_id
          where ra.account_id = ${accountId}::uuid and not ra.excluded and ra.to_rep_id is distinct from ra.from_rep_id
            and r.status in ('committed', 'rolled_back')
          order by r.committed_at desc nulls last`,
    );
    return {
      id: String(a.id),
      crmId: String(a.crm_id),
      name: String(a.name),
      region: (a.region as string | null) ?? null,
      tier: (a.tier as string | null) ?? null,
      type: (a.type as string | null) ?? null,
      industry: (a.industry as string | null) ?? null,
      revenueCents: a.annual_revenue_cents === null ? null : Number(a.annual_revenue_cents),
      isHouse: Boolean(a.is_house),
      isCoOwned: Boolean(a.is_co_owned),
      ownerId: (a.owner_rep_id as string | null) ?? null,
      owner: (a.owner as string | null) ?? null,
      ownerSince: a.owner_changed_at as Date | string | null,
      opportunities: opportunities.map((o) => ({ ...o, amountCents: centsOrNull(o.amount_cents) })),
      splits,
      history,
    };
  });
}

/** The notices addressed to one person (the rep's own view). */
export async function noticesFor(
  ctx: ReadContext,
  who: { repId?: string | undefined; userId?: string | undefined },
) {
  return read(ctx, (tx) =>
    queryRows<{ id: string; subject: string; status: string; created_at: string; run_id: string | null }>(
      tx,
      sql`select id, subject, status::text as status, to_char(created_at at time zone 'UTC', 'YYYY-MM-DD HH24:MI "UTC"') as created_at, run_id
          from notices
          where (${who.repId ?? null}::uuid is not null and recipient_rep_id = ${who.repId ?? null}::uuid)
             or (${who.userId ?? null}::uuid is not null and recipient_user_id = ${who.userId ?? null}::uuid)
          order by created_at desc limit 50`,
    ),
  );
}
