/**
 * Reads behind the dashboard, inside the caller's org (RLS): runs with filters and a page, the queue of runs
 * waiting for someone, reps leaving soon with the size of their book. Read-only; every change goes through a
 * service verb. (When the runs service publishes a list verb, runs are read through it instead.)
 */
import { sql } from 'drizzle-orm';
import { orgScope } from '../../auth/principal.ts';
import { queryRows } from '../../db/query-rows.ts';
import { withOrg } from '../../db/tenancy.ts';
import type { OrgContext } from '../../services/auth/context.ts';
import { RUN_STATUSES } from '../../workflow/run-status.ts';

export interface RunListFilter {
  q?: string;
  status?: string;
  kind?: string;
  page: number;
  pageSize: number;
}

export interface RunListRow {
  id: string;
  kind: string;
  status: string;
  reason: string;
  createdAt: string;
  draftedBy: string | null;
  accounts: number;
  moving: number;
  openBlocking: number;
}

/** Statuses of runs waiting for a person: to review, to approve, to commit, or to look at after a failure. */
export const QUEUE_STATUSES = ['solving', 'solved', 'in_review', 'approved', 'committing', 'failed'] as const;

const KINDS = ['rep_departure', 'realignment', 'new_hire', 'account', 'opportunity'];

function runRows(where: ReturnType<typeof sql>, limit: number, offset: number) {
  return sql`
    select r.id, r.kind::text as kind, r.status::text as status, r.reason,
           to_char(r.created_at at time zone 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS"Z"') as created_at,
           u.name as drafted_by,
           (select count(*)::int from run_assignments a where a.run_id = r.id and not a.excluded) as accounts,
           (select count(*)::int from run_assignments a where a.run_id = r.id and not a.excluded
              and a.to_rep_id is distinct from a.from_rep_id) as moving,
           (select count(*)::int from conflicts k where k.run_id = r.id and k.severity = 'blocking'
              and k.resolution is null) as open_blocking
    from runs r left join users u on u.id = r.drafted_by
    where ${where}
    order by r.created_at desc, r.id
    limit ${limit} offset ${offset}`;
}

type Raw = {
  id: string;
  kind: string;
  status: string;
  reason: string;
  created_at: string;
  drafted_by: string | null;
  accounts: number;
  moving: number;
  open_blocking: number;
};

const toRow = (r: Raw): RunListRow => ({
  id: r.id,
  kind: r.kind,
  status: r.status,
  reason: r.reason,
  createdAt: r.created_at,
  draftedBy: r.drafted_by,
  accounts: Number(r.accounts),
  moving: Number(r.moving),
  openBlocking: Number(r.open_blocking),
});

function filterSql(f: RunListFilter) {
  const parts = [sql`true`];
  if (f.status && (RUN_STATUSES as readonly string[]).includes(f.status))
    parts.push(sql`r.status::text = ${f.status}`);
  if (f.kind && KINDS.includes(f.kind)) parts.push(sql`r.kind::text = ${f.kind}`);
  if (f.q) {
    // A plain substring search: escape LIKE's wildcards so "50%" means 50%.
    const like = `%${f.q.replace(/[\\%_]/g, (m) => `\\${m}`)}%`;
    parts.push(sql`(r.reason ilike ${like} or r.id::text = ${f.q})`);
  }
  return sql.join(parts, sql` and `);
}

export async function listRunsPage(ctx: OrgContext, f: RunListFilter) {
  return withOrg(
    ctx.db,
    orgScope(ctx.principal),
    async (tx) => {
      const where = filterSql(f);
      const [total] = await queryRows<{ n: number }>(
        tx,
        sql`select count(*)::int as n from runs r where ${where}`,
      );
      const rows = await queryRows<Raw>(tx, runRows(where, f.pageSize, (f.page - 1) * f.pageSize));
      return { total: Number(total?.n ?? 0), rows: rows.map(toRow) };
    },
    { transaction: { accessMode: 'read only' } },
  );
}

export async function listQueue(ctx: OrgContext, limit = 50) {
  return withOrg(
    ctx.db,
    orgScope(ctx.principal),
    async (tx) => {
      const statuses = sql.join(
        QUEUE_STATUSES.map((s) => sql`${s}`),
        sql`, `,
      );
      const rows = await queryRows<Raw>(tx, runRows(sql`r.status::text in (${statuses})`, limit, 0));
      return rows.map(toRow);
    },
    { transaction: { accessMode: 'read only' } },
  );
}

export interface LeavingRep {
  id: string;
  name: string;
  region: string | null;
  endDate: string;
  accounts: number;
  revenueCents: number;
  /** A run for this rep's departure that is still going, if any. */
  activeRunId: string | null;
}

/** Reps whose last day is today or within `days`, soonest first, with their book's size. */
export async function listLeavingReps(ctx: OrgContext, today: string, days = 90) {
  return withOrg(
    ctx.db,
    orgScope(ctx.principal),
    async (tx) => {
      const rows = await queryRows<{
        id: string;
        name: string;
        region: string | null;
        end_date: string;
        accounts: number;
        revenue: string | number;
        active_run_id: string | null;
      }>(
        tx,
        sql`select p.id, p.name, p.region, p.end_date::text as end_date,
                   (select count(*)::int from accounts a where a.owner_rep_id = p.id) as accounts,
                   (select coalesce(sum(a.annual_revenue_cents), 0) from accounts a where a.owner_rep_id = p.id) as revenue,
                   (select r.id from runs r where r.kind = 'rep_departure'
                      and r.status not in ('cancelled', 'rolled_back', 'committed')
                      and r.params->'departingRepIds' ? p.id::text
                    order by r.created_at desc limit 1) as active_run_id
            from reps p
            where p.end_date is not null and p.end_date >= ${today}::date
              and p.end_date <= (${today}::date + ${days}::int)
            order by p.end_date, p.name`,
      );
      return rows.map(
        (r): LeavingRep => ({
          id: r.id,
          name: r.name,
          region: r.region,
          endDate: r.end_date,
          accounts: Number(r.accounts),
          revenueCents: Number(r.revenue),
          activeRunId: r.active_run_id,
        }),
      );
    },
    { transaction: { accessMode: 'read only' } },
  );
}
