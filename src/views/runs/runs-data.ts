/**
 * Reads the run pages need beyond the runs services: the roster as choices, the regions and segments of the
 * book, the names of reps, the impact of a drafted run before it is solved, and accounts by CRM id. Read-only,
 * in the caller's org (RLS); every change goes through a service verb.
 */
import { sql } from 'drizzle-orm';
import { orgScope } from '../../auth/principal.ts';
import type { Tx } from '../../db/client.ts';
import { queryRows } from '../../db/query-rows.ts';
import { withOrg } from '../../db/tenancy.ts';
import {
  ROLLED_BACK_ACTION,
  type RollbackResult,
  readRollbackResult,
} from '../../services/after/rollback-record.ts';
import { rollbackDeadline } from '../../services/after/rollback-run.ts';
import type { OrgContext } from '../../services/auth/context.ts';

const readOnly = { transaction: { accessMode: 'read only' as const } };

function read<T>(ctx: OrgContext, work: (tx: Tx) => Promise<T>) {
  return withOrg(ctx.db, orgScope(ctx.principal), work, readOnly);
}

/** What a drafted run would touch, before solving: accounts, opportunities, revenue and amounts at stake. */
export interface Impact {
  accounts: number;
  revenueCents: number;
  protectedAccounts: number;
  openOpportunities: number;
  openAmountCents: number;
  closingSoon: number;
  closedOpportunities: number;
  schedules: number;
  scheduledCents: number;
}

export type ImpactScope =
  | { kind: 'reps'; repIds: string[] }
  | { kind: 'regions'; regions: string[]; segments: string[] }
  | { kind: 'account'; accountId: string }
  | { kind: 'opportunity'; opportunityId: string }
  /** Accounts a person ticked in the wizard. */
  | { kind: 'accounts'; accountIds: string[] }
  | { kind: 'none' };

export async function impactOf(
  ctx: OrgContext,
  scope: ImpactScope,
  today: string,
  closingDays = 30,
): Promise<Impact> {
  const empty: Impact = {
    accounts: 0,
    revenueCents: 0,
    protectedAccounts: 0,
    openOpportunities: 0,
    openAmountCents: 0,
    closingSoon: 0,
    closedOpportunities: 0,
    schedules: 0,
    scheduledCents: 0,
  };
  if (scope.kind === 'none') return empty;
  const ids = (xs: string[]) => JSON.stringify(xs);
  const accountWhere =
    scope.kind === 'reps'
      ? sql`a.owner_rep_id in (select (x)::uuid from jsonb_array_elements_text(${ids(scope.repIds)}::jsonb) x)`
      : scope.kind === 'regions'
        ? sql`(jsonb_array_length(${ids(scope.regions)}::jsonb) = 0 or a.region in (select jsonb_array_elements_text(${ids(scope.regions)}::jsonb)))
              and (jsonb_array_length(${ids(scope.segments)}::jsonb) = 0 or a.segment in (select jsonb_array_elements_text(${ids(scope.segments)}::jsonb)))`
        : scope.kind === 'accounts'
          ? sql`a.id in (select (x)::uuid from jsonb_array_elements_text(${ids(scope.accountIds)}::jsonb) x)`
          : scope.kind === 'account'
            ? sql`a.id = ${scope.accountId}::uuid`
            : sql`a.id = (select account_id from opportunities where id = ${scope.opportunityId}::uuid)`;
  const oppWhere = scope.kind === 'opportunity' ? sql`o.id = ${scope.opportunityId}::uuid` : sql`true`;
  return read(ctx, async (tx) => {
    const [a] = await queryRows<{ n: number; revenue: string | number; protected: number }>(
      tx,
      sql`select count(*)::int as n, coalesce(sum(a.annual_revenue_cents), 0) as revenue,
                 count(*) filter (where a.is_house or a.is_co_owned)::int as protected
          from accounts a where ${accountWhere}`,
    );
    const [o] = await queryRows<{
      open: number;
      amount: string | number;
      soon: number;
      closed: number;
      schedules: number;
      scheduled: string | number;
    }>(
      tx,
      sql`select count(*) filter (where o.status = 'open')::int as open,
                 coalesce(sum(o.amount_cents) filter (where o.status = 'open'), 0) as amount,
                 count(*) filter (where o.status = 'open' and o.close_date <= (${today}::date + ${closingDays}::int))::int as soon,
                 count(*) filter (where o.status <> 'open')::int as closed,
                 (select count(*)::int from revenue_schedules s join opportunities o2 on o2.id = s.opportunity_id
                    join accounts a2 on a2.id = o2.account_id
                    where s.period_end >= ${today}::date and a2.id in (select a.id from accounts a where ${accountWhere})) as schedules,
                 (select coalesce(sum(s.amount_cents), 0) from revenue_schedules s join opportunities o2 on o2.id = s.opportunity_id
                    join accounts a2 on a2.id = o2.account_id
                    where s.period_end >= ${today}::date and a2.id in (select a.id from accounts a where ${accountWhere})) as scheduled
          from opportunities o join accounts a on a.id = o.account_id
          where ${accountWhere} and ${oppWhere}`,
    );
    return {
      accounts: Number(a?.n ?? 0),
      revenueCents: Number(a?.revenue ?? 0),
      protectedAccounts: Number(a?.protected ?? 0),
      openOpportunities: Number(o?.open ?? 0),
      openAmountCents: Number(o?.amount ?? 0),
      closingSoon: Number(o?.soon ?? 0),
      closedOpportunities: Number(o?.closed ?? 0),
      schedules: Number(o?.schedules ?? 0),
      scheduledCents: Number(o?.scheduled ?? 0),
    };
  });
}

/** The moves of a run's current proposal grouped by (from, to), for the approval confirmation. */
export async function moveGroups(ctx: OrgContext, runId: string) {
  return read(ctx, async (tx) => {
    const rows = await queryRows<{
      from_rep_id: string | null;
      to_rep_id: string | null;
      n: number;
      revenue: string | number;
    }>(
      tx,
      sql`select a.from_rep_id, a.to_rep_id, count(*)::int as n, coalesce(sum(c.annual_revenue_cents), 0) as revenue
          from run_assignments a join accounts c on c.id = a.account_id
          where a.run_id = ${runId}::uuid and not a.excluded and a.to_rep_id is distinct from a.from_rep_id
          group by a.from_rep_id, a.to_rep_id order by count(*) desc`,
    );
    return rows.map((r) => ({
      from: r.from_rep_id,
      to: r.to_rep_id,
      accounts: Number(r.n),
      revenueCents: Number(r.revenue),
    }));
  });
}

/** Other runs to compare with (the same kind first), newest first. */
export async function comparableRuns(ctx: OrgContext, runId: string) {
  return read(ctx, (tx) =>
    queryRows<{ id: string; reason: string; status: string }>(
      tx,
      sql`select id, reason, status::text as status from runs
          where id <> ${runId}::uuid and status in ('solved', 'in_review', 'approved', 'committed')
          order by created_at desc limit 50`,
    ),
  );
}

/** The change set of a committed run, counted from its items (what a commit or a rollback really touches). */
export async function changeSetCounts(ctx: OrgContext, runId: string) {
  return read(ctx, async (tx) => {
    const [row] = await queryRows<{
      body: Record<string, unknown>;
      accounts: number;
      opportunities: number;
      splits: number;
      notices: number;
    }>(
      tx,
      sql`select cs.body,
                 (select count(*)::int from change_set_items i where i.change_set_id = cs.id and i.object = 'account') as accounts,
                 (select count(*)::int from change_set_items i where i.change_set_id = cs.id and i.object = 'opportunity') as opportunities,
                 (select count(*)::int from change_set_items i where i.change_set_id = cs.id and i.object = 'split') as splits,
                 (select count(*)::int from notices n where n.run_id = cs.run_id and n.kind not like 'correction%') as notices
          from change_sets cs where cs.run_id = ${runId}::uuid`,
    );
    if (!row) return null;
    return {
      accounts: Number(row.accounts),
      opportunities: Number(row.opportunities),
      splits: Number(row.splits),
      notices: Number(row.notices),
    };
  });
}

/** The rollback window of a committed (or rolled back) run, the stored result and the reason a manager gave. */
export interface RollbackInfo {
  windowHours: number;
  committedAt: Date;
  deadline: Date;
  result: RollbackResult | null;
  reason: string | null;
}

export async function rollbackInfo(ctx: OrgContext, runId: string): Promise<RollbackInfo | null> {
  return read(ctx, async (tx) => {
    const [row] = await queryRows<{ window_hours: number; committed_at: string | Date | null }>(
      tx,
      sql`select o.rollback_window_hours as window_hours, coalesce(r.committed_at, r.updated_at) as committed_at
          from runs r join orgs o on o.id = r.org_id
          where r.id = ${runId}::uuid`,
    );
    if (!row?.committed_at) return null;
    const committedAt = new Date(row.committed_at);
    const windowHours = Number(row.window_hours);
    const [note] = await queryRows<{ after: { reason?: unknown } | null }>(
      tx,
      sql`select after from audit_events where run_id = ${runId}::uuid and action = ${ROLLED_BACK_ACTION}
          order by seq desc limit 1`,
    );
    return {
      windowHours,
      committedAt,
      // The same rule the service applies, so the page never offers a rollback the service refuses.
      deadline: rollbackDeadline(committedAt, windowHours),
      result: await readRollbackResult(tx, runId),
      reason: typeof note?.after?.reason === 'string' ? note.after.reason : null,
    };
  });
}
