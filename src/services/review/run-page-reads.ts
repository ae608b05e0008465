/**
 * Reads of the run pages beyond the review read model: the moves of a proposal grouped by (from, to) for the
 * approval confirmation, and the other runs a run can be compared with. Read-only, in the caller's org (RLS).
 */
import { sql } from 'drizzle-orm';
import { queryRows } from '../../db/query-rows.ts';
import { type ReadContext, readInOrg as read } from '../auth/read-in-org.ts';

/** The moves of a run's current proposal grouped by (from, to), for the approval confirmation. */
export async function moveGroups(ctx: ReadContext, runId: string) {
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
export async function comparableRuns(ctx: ReadContext, runId: string) {
  return read(ctx, (tx) =>
    queryRows<{ id: string; reason: string; status: string }>(
      tx,
      sql`select id, reason, status::text as status from runs
          where id <> ${runId}::uuid and status in ('solved', 'in_review', 'approved', 'committed')
          order by created_at desc limit 50`,
    ),
  );
}
