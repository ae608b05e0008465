/**
 * What the page of a committed run shows about undoing it: the change set counted from its items, the rollback
 * window (the same deadline the rollback verb applies) and the stored result. Read-only, in the caller's org (RLS).
 */
import { sql } from 'drizzle-orm';
import { queryRows } from '../../db/query-rows.ts';
import { type ReadContext, readInOrg as read } from '../auth/read-in-org.ts';
import { type RollbackResult, readRolledBack } from './rollback-record.ts';
import { rollbackDeadline } from './rollback-run.ts';

/** The change set of a committed run, counted from its items (what a commit or a rollback really touches). */
export async function changeSetCounts(ctx: ReadContext, runId: string) {
  return read(ctx, async (tx) => {
    const [row] = await queryRows<{
      accounts: number;
      opportunities: number;
      splits: number;
      notices: number;
    }>(
      tx,
      sql`select (select count(*)::int from change_set_items i where i.change_set_id = cs.id and i.object = 'account') as accounts,
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

export async function rollbackInfo(ctx: ReadContext, runId: string): Promise<RollbackInfo | null> {
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
    const rolledBack = await readRolledBack(tx, runId);
    return {
      windowHours,
      committedAt,
      // The same rule the service applies, so the page never offers a rollback the service refuses.
      deadline: rollbackDeadline(committedAt, windowHours),
      result: rolledBack?.result ?? null,
      reason: rolledBack?.reason ?? null,
    };
  });
}
