/**
 * The commission queue (run_opportunity_changes) in step with a commit, in its transaction: what the commit wrote
 * is complete, what it left is in error with the reason; a retry run settles the item it retried.
 */
import { and, eq, inArray, notInArray, sql } from 'drizzle-orm';
import { auditEvents, opportunities, runOpportunityChanges } from '../../../db/schema/index.ts';
import type { Tx } from '../../db/client.ts';
import { retriedOpportunity } from '../commission-queue/settle.ts';
import type { RunRow } from '../run-records/run-records.ts';
import type { CommissionOutcome } from './commit-commission.ts';

/**
 * The commission queue in step with the commit, in its transaction: every planned opportunity change of the run
 * becomes `complete`, except the ones the commit skipped, which become `error` with the reason (opportunity ids in
 * the core's messages replaced by names). A commit that fails rolls this back with everything else, so the items
 * stay `pending`.
 */
export async function recordQueueOutcomes(
  tx: Tx,
  run: RunRow,
  skipped: CommissionOutcome['skipped'],
  at: Date,
): Promise<{ complete: number; error: number }> {
  const planned = await tx
    .select({
      id: runOpportunityChanges.id,
      opportunityId: runOpportunityChanges.opportunityId,
      name: opportunities.name,
    })
    .from(runOpportunityChanges)
    .innerJoin(opportunities, eq(opportunities.id, runOpportunityChanges.opportunityId))
    .where(eq(runOpportunityChanges.runId, run.id));
  const reasons = new Map<string, string>();
  for (const s of skipped) if (!reasons.has(s.opportunityId)) reasons.set(s.opportunityId, s.reason);
  const failed = planned.filter((p) => reasons.has(p.opportunityId));
  for (const item of failed) {
    const reason = reasons.get(item.opportunityId)!.replaceAll(`"${item.opportunityId}"`, `"${item.name}"`);
    await tx
      .update(runOpportunityChanges)
      .set({
        status: 'error',
        error: reason,
        attempts: sql`${runOpportunityChanges.attempts} + 1`,
        updatedAt: at,
      })
      .where(eq(runOpportunityChanges.id, item.id));
  }
  const failedIds = failed.map((f) => f.id);
  const done = await tx
    .update(runOpportunityChanges)
    .set({
      status: 'complete',
      error: null,
      attempts: sql`${runOpportunityChanges.attempts} + 1`,
      updatedAt: at,
    })
    .where(
      failedIds.length > 0
        ? and(eq(runOpportunityChanges.runId, run.id), notInArray(runOpportunityChanges.id, failedIds))
        : eq(runOpportunityChanges.runId, run.id),
    )
    .returning({ id: runOpportunityChanges.id });
  await settleRetriedItems(tx, run, planned, failedIds, at);
  return { complete: done.length, error: failed.length };
}

/**
 * A run created by a queue retry (audit event commission_queue.retried filed under it) settles the item it
 * retried: complete when this commit wrote its opportunity; otherwise the item stays processing, and this run's
 * own item in error is the one to retry next (so one failure is never retried twice).
 */
async function settleRetriedItems(
  tx: Tx,
  run: RunRow,
  planned: readonly { id: string; opportunityId: string }[],
  failedIds: readonly string[],
  at: Date,
) {
  if (run.kind !== 'opportunity') return;
  const links = await tx
    .select({ id: auditEvents.id, itemId: auditEvents.entityId, after: auditEvents.after })
    .from(auditEvents)
    .where(and(eq(auditEvents.runId, run.id), eq(auditEvents.action, 'commission_queue.retried')));
  const written = new Set(planned.filter((p) => !failedIds.includes(p.id)).map((p) => p.opportunityId));
  const settled = links
    .filter((l) => written.has(String(retriedOpportunity(l))))
    .map((l) => l.itemId)
    .filter((id): id is string => typeof id === 'string');
  if (settled.length === 0) return;
  await tx
    .update(runOpportunityChanges)
    .set({ status: 'complete', error: null, updatedAt: at })
    .where(and(inArray(runOpportunityChanges.id, settled), eq(runOpportunityChanges.status, 'processing')));
}
