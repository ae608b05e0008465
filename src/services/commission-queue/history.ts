/** One commission queue item's history timeline, from the append-only audit trail. */
import { and, asc, eq, inArray } from 'drizzle-orm';
import { auditEvents, runOpportunityChanges } from '../../../db/schema/index.ts';
import { orgScope } from '../../auth/principal.ts';
import { withOrg } from '../../db/tenancy.ts';
import { notFound } from '../../lib/errors.ts';
import { auditValueColumn, parseAuditValue } from '../audit/audit-columns.ts';
import type { OrgContext } from '../auth/context.ts';
import { assertReader, type QueueItem, selectItems, toItem } from './list.ts';
import { QUEUE_ACTIONS, RETRIED_ACTION, retryRunsOf, rootReason } from './settle.ts';

export interface QueueHistoryEntry {
  at: string;
  action: string;
  /** What happened, in words. */
  label: string;
  /** The run it happened in: the item's own run, or a run that retried it. */
  runId: string | null;
  runRole: 'own' | 'retry' | null;
  /** The reason, error or failure the event recorded. */
  detail: string | null;
  actor: string | null;
}

export interface QueueItemHistory {
  item: QueueItem;
  /** Oldest first: planned, the run's approval and commit or cancel, each retry and how it ended, rollbacks. */
  entries: QueueHistoryEntry[];
}

const HISTORY_LABELS: Record<string, string> = {
  'run.solve_failed': 'Solve failed',
  'run.approved': 'Approved',
  'run.committed': 'Committed',
  'run.cancelled': 'Run cancelled',
  'run.cancel': 'Run cancelled',
  'run.sending_cancelled': 'Sending of notices cancelled (the changes stand)',
  'run.rolled_back': 'Run rolled back',
  [RETRIED_ACTION]: 'Retried in a new run',
  'commission_queue.run_cancelled': 'Items cancelled with the run',
  'commission_queue.retry_cancelled': 'Retry cancelled: back in error, retryable',
  'commission_queue.reopened': 'Retry rolled back: back in error, retryable',
  'commission_queue.retry_settled': 'Retry committed',
};
const RUN_HISTORY_ACTIONS = Object.keys(HISTORY_LABELS).filter((a) => a.startsWith('run.'));

function detailOf(event: { id: string; action: string; before: unknown; after: unknown }): string | null {
  const { action } = event;
  const a = parseAuditValue(auditValueColumn, { id: event.id, column: 'after', value: event.after }) ?? {};
  const b = parseAuditValue(auditValueColumn, { id: event.id, column: 'before', value: event.before }) ?? {};
  if (action === RETRIED_ACTION)
    return typeof b.error === 'string' ? `Skipped: ${rootReason(b.error)}` : null;
  if (action === QUEUE_ACTIONS.retrySettled)
    return a.status === 'complete' ? 'Complete' : String(a.error ?? '');
  for (const key of ['reason', 'error', 'failureReason']) {
    const value = a[key];
    if (typeof value === 'string' && value) return value;
  }
  return null;
}

/**
 * One item's history timeline: when it was planned, its run's approval, commit, cancel or rollback, and for each
 * retry its run's outcome and what it did to the item — from the append-only audit trail.
 */
export async function queueItemHistory({
  ctx,
  input,
}: {
  ctx: OrgContext;
  input: { itemId: string };
}): Promise<QueueItemHistory> {
  assertReader(ctx);
  return withOrg(ctx.db, orgScope(ctx.principal), async (tx) => {
    const [row] = await selectItems(tx).where(eq(runOpportunityChanges.id, input.itemId));
    if (!row) throw notFound('The commission queue item');
    const itemEvents = await tx
      .select()
      .from(auditEvents)
      .where(
        and(eq(auditEvents.entityType, 'run_opportunity_change'), eq(auditEvents.entityId, input.itemId)),
      )
      .orderBy(asc(auditEvents.seq));
    const retryRunIds = [
      ...new Set(
        itemEvents.filter((e) => e.action === RETRIED_ACTION && e.runId).map((e) => e.runId as string),
      ),
    ];
    const runEvents = await tx
      .select()
      .from(auditEvents)
      .where(
        and(
          inArray(auditEvents.runId, [row.runId, ...retryRunIds]),
          inArray(auditEvents.action, [...RUN_HISTORY_ACTIONS, QUEUE_ACTIONS.runCancelled]),
        ),
      )
      .orderBy(asc(auditEvents.seq));
    const events = [...runEvents, ...itemEvents].sort((x, y) => x.seq - y.seq);
    const entries: QueueHistoryEntry[] = [
      {
        at: row.createdAt.toISOString(),
        action: 'commission_queue.planned',
        label: 'Planned by the run’s solve',
        runId: row.runId,
        runRole: 'own',
        detail: `${row.fromRepName ?? 'nobody'} → ${row.toRepName ?? 'nobody'}`,
        actor: null,
      },
    ];
    for (const e of events) {
      entries.push({
        at: e.at.toISOString(),
        action: e.action,
        label: HISTORY_LABELS[e.action] ?? e.action,
        runId: e.runId,
        runRole: e.runId === row.runId ? 'own' : e.runId ? 'retry' : null,
        detail: detailOf(e),
        actor: e.actorLabel,
      });
    }
    const retries = row.status === 'processing' ? await retryRunsOf(tx, [row.id]) : new Map();
    return { item: toItem(row, retries.get(row.id)), entries };
  });
}
