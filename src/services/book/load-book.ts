/**
 * Reads the book a run plans on, inside the run's org transaction: the roster, the accounts with their
 * owners AS PLANNED (the import snapshot's owner when the run names an import, else today's owner) and today's
 * owner (for the stale check), open opportunities with their current splits, and account teams.
 */
import { sql } from 'drizzle-orm';
import type { Tx } from '../../db/client.ts';
import { queryRows } from '../../db/query-rows.ts';
import { keepsWithOwner } from './account-custom-column.ts';

export interface BookRep {
  id: string;
  crmUserId: string | null;
  name: string;
  email: string | null;
  kind: 'person' | 'house' | 'subagent';
  region: string | null;
  segment: string | null;
  active: boolean;
  mayReceive: boolean;
  maxAccounts: number | null;
  maxRevenueCents: number | null;
  seniority: number;
  weightBps: number;
  endDate: string | null;
  rampTargetBps: number | null;
}

export interface BookAccount {
  id: string;
  crmId: string;
  name: string;
  plannedOwnerId: string | null;
  currentOwnerId: string | null;
  /** 0 when unknown: what unknown counts as in a balance is the ruleset's targets.unknownRevenue. */
  revenueCents: number;
  /** False when the book has no revenue for the account (a blank cell); left out means known. */
  revenueKnown?: boolean;
  region: string | null;
  segment: string | null;
  tier: string | null;
  type: string | null;
  industry: string | null;
  isHouse: boolean;
  /** Flagged co-owned, or has an account team. */
  isCoOwned: boolean;
  /** Marked "keep with the current owner" by the import (its `protected` column). */
  keepWithOwner?: boolean;
}

export interface SplitPart {
  repId: string;
  role: 'house' | 'rep' | 'subagent';
  bps: number;
}

export interface BookOpportunity {
  id: string;
  crmId: string;
  accountId: string;
  name: string;
  ownerRepId: string | null;
  stage: string;
  isBillingStage: boolean;
  status: 'open' | 'closed_won' | 'closed_lost';
  /** null: unknown (blank in the CRM export). */
  amountCents: number | null;
  closeDate: string | null;
  createdDate: string;
  /** The split rows in force (effective_to is null). */
  splits: SplitPart[];
  /** The last day of its last reconciled schedule period, if any (a cascade may not change a split past it). */
  reconciledThrough: string | null;
}

export interface Book {
  reps: BookRep[];
  accounts: BookAccount[];
  opportunities: BookOpportunity[];
}

const num = (v: unknown) => (v === null || v === undefined ? null : Number(v));

export async function loadRoster(tx: Tx): Promise<BookRep[]> {
  const rows = await queryRows<Record<string, unknown>>(
    tx,
    sql`select id, crm_user_id, name, email, kind::text as kind, region, segment, active, may_receive,
          max_accounts, max_revenue_cents, seniority, weight_bps, end_date::text as end_date, ramp_target_bps
        from reps order by name, id`,
  );
  return rows.map((r) => ({
    id: String(r.id),
    crmUserId: (r.crm_user_id as string | null) ?? null,
    name: String(r.name),
    email: (r.email as string | null) ?? null,
    kind: r.kind as BookRep['kind'],
    region: (r.region as string | null) ?? null,
    segment: (r.segment as string | null) ?? null,
    active: Boolean(r.active),
    mayReceive: Boolean(r.may_receive),
    maxAccounts: num(r.max_accounts),
    maxRevenueCents: num(r.max_revenue_cents),
    seniority: Number(r.seniority),
    weightBps: Number(r.weight_bps),
    endDate: (r.end_date as string | null) ?? null,
    rampTargetBps: num(r.ramp_target_bps),
  }));
}

/** The accounts, with the planned owner from `importId`'s snapshot where it has the account. */
export async function loadAccounts(tx: Tx, importId: string | null): Promise<BookAccount[]> {
  const rows = await queryRows<Record<string, unknown>>(
    tx,
    sql`select a.id, a.crm_id, a.name, a.owner_rep_id, a.annual_revenue_cents, a.region, a.segment, a.tier,
          a.type, a.industry, a.is_house,
          (a.is_co_owned or exists (select 1 from account_team_members t where t.account_id = a.id)) as co_owned,
          a.custom->'protected' as protected,
          s.account_id is not null as in_snapshot, s.owner_rep_id as snapshot_owner
        from accounts a
        left join import_snapshot_accounts s on s.import_id = ${importId} and s.account_id = a.id
        order by a.crm_id`,
  );
  return rows.map((r) => ({
    id: String(r.id),
    crmId: String(r.crm_id),
    name: String(r.name),
    plannedOwnerId: r.in_snapshot
      ? ((r.snapshot_owner as string | null) ?? null)
      : ((r.owner_rep_id as string | null) ?? null),
    currentOwnerId: (r.owner_rep_id as string | null) ?? null,
    revenueCents: r.annual_revenue_cents === null ? 0 : Number(r.annual_revenue_cents),
    revenueKnown: r.annual_revenue_cents !== null,
    region: (r.region as string | null) ?? null,
    segment: (r.segment as string | null) ?? null,
    tier: (r.tier as string | null) ?? null,
    type: (r.type as string | null) ?? null,
    industry: (r.industry as string | null) ?? null,
    isHouse: Boolean(r.is_house),
    isCoOwned: Boolean(r.co_owned),
    keepWithOwner: keepsWithOwner(r.protected, String(r.id)),
  }));
}

export async function loadOpportunities(tx: Tx): Promise<BookOpportunity[]> {
  const rows = await queryRows<Record<string, unknown>>(
    tx,
    sql`select o.id, o.crm_id, o.account_id, o.name, o.owner_rep_id, o.stage, o.is_billing_stage,
          o.status::text as status, o.amount_cents, o.close_date::text as close_date,
          o.created_date::text as created_date,
          coalesce((select json_agg(json_build_object('repId', s.rep_id, 'role', s.role, 'bps', s.bps)
                     order by s.rep_id)
                    from commission_splits s where s.opportunity_id = o.id and s.effective_to is null), '[]') as splits,
          (select max(rs.period_end)::text from revenue_schedules rs
            where rs.opportunity_id = o.id and rs.reconciled) as reconciled_through
        from opportunities o order by o.crm_id`,
  );
  return rows.map((r) => ({
    id: String(r.id),
    crmId: String(r.crm_id),
    accountId: String(r.account_id),
    name: String(r.name),
    ownerRepId: (r.owner_rep_id as string | null) ?? null,
    stage: String(r.stage),
    isBillingStage: Boolean(r.is_billing_stage),
    status: r.status as BookOpportunity['status'],
    amountCents: r.amount_cents === null ? null : Number(r.amount_cents),
    closeDate: (r.close_date as string | null) ?? null,
    createdDate: String(r.created_date),
    splits: (typeof r.splits === 'string' ? JSON.parse(r.splits) : r.splits) as SplitPart[],
    reconciledThrough: (r.reconciled_through as string | null) ?? null,
  }));
}

export async function loadBook(tx: Tx, importId: string | null): Promise<Book> {
  const [reps, accounts, opportunities] = [
    await loadRoster(tx),
    await loadAccounts(tx, importId),
    await loadOpportunities(tx),
  ];
  return { reps, accounts, opportunities };
}
