/**
 * The dashboard's read model, inside the caller's org (RLS): runs with filters and a page, the queue of runs
 * waiting for someone (both through the one run list), and reps leaving soon with the size of their book.
 */
import { sql } from 'drizzle-orm';
import { queryRows } from '../../db/query-rows.ts';
import { RUN_STATUSES, type RunStatus } from '../../workflow/run-status.ts';
import { type ReadContext, readInOrg } from '../auth/read-in-org.ts';
import { listRuns, type RunFilter } from '../run-records/run-list.ts';
import { RUN_KINDS, type RunKind } from '../run-records/run-params.ts';

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
const WAITING_STATUSES = ['solving', 'solved', 'in_review', 'approved', 'committing', 'failed'] as const;

async function runRows(ctx: ReadContext, input: RunFilter) {
  const { rows, total } = await listRuns({ ctx, input: { ...input, tieBreak: 'id-asc' } });
  return {
    total,
    rows: rows.map(
      (r): RunListRow => ({
        id: r.id,
        kind: r.kind,
        status: r.status,
        reason: r.reason,
        // To the second, as the page has always shown it.
        createdAt: `${r.createdAt.toISOString().slice(0, 19)}Z`,
        draftedBy: r.draftedByName,
        accounts: r.accounts,
        moving: r.moving,
        openBlocking: r.openBlocking,
      }),
    ),
  };
}

const isStatus = (s: string | undefined): s is RunStatus =>
  (RUN_STATUSES as readonly string[]).includes(s ?? '');
const isKind = (s: string | undefined): s is RunKind => (RUN_KINDS as readonly string[]).includes(s ?? '');

/** One page of runs, newest first; an unknown status or kind in the filter is ignored. */
export async function listRunsPage(ctx: ReadContext, f: RunListFilter) {
  return runRows(ctx, {
    statuses: isStatus(f.status) ? [f.status] : undefined,
    kind: isKind(f.kind) ? f.kind : undefined,
    q: f.q,
    limit: f.pageSize,
    offset: (f.page - 1) * f.pageSize,
  });
}

/** The runs waiting for a person, newest first. */
export async function listQueue(ctx: ReadContext, limit = 50) {
  return (await runRows(ctx, { statuses: WAITING_STATUSES, limit, offset: 0 })).rows;
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
export async function listLeavingReps(ctx: ReadContext, today: string, days = 90) {
  return readInOrg(ctx, async (tx) => {
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
  });
}
