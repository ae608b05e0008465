/**
 * The leaf of the commission queue: its item statuses and audit actions, and the settle functions that keep the
 * items in step with each run transition (cancel, rollback, commit), in the transition's own transaction, so no item
 * is left pending or processing once its run has ended. The stages that end a run import this file only, never the
 * rest of the queue (which creates and cancels runs through them).
 */

import { z } from '@hono/zod-openapi';
import { and, desc, eq, inArray, ne } from 'drizzle-orm';
import { auditEvents, opportunities, runOpportunityChanges, runs } from '../../../db/schema/index.ts';
import { type AuditEventInput, appendAuditEvents } from '../../db/audit.ts';
import type { Tx } from '../../db/client.ts';
import { AppError } from '../../lib/errors.ts';
import type { ActorFields } from '../audit/actor.ts';
import { parseAuditValue } from '../audit/audit-columns.ts';

export const QUEUE_STATUSES = [
  'pending',
  'processing',
  'complete',
  'error',
  'rolled_back',
  'cancelled',
] as const;
export type QueueStatus = (typeof QUEUE_STATUSES)[number];

/** The audit action linking an item in error to the run that retries it. */
export const RETRIED_ACTION = 'commission_queue.retried';
/** Audit actions of the settlements: a run's items cancelled with it; an item whose retry run was cancelled, rolled
 * back, or committed (written or skipped again). */
export const QUEUE_ACTIONS = {
  runCancelled: 'commission_queue.run_cancelled',
  retryCancelled: 'commission_queue.retry_cancelled',
  reopened: 'commission_queue.reopened',
  retrySettled: 'commission_queue.retry_settled',
} as const;

/** What a commission_queue.retried event records (retry.ts writes it): the item before, and the opportunity retried. */
const retriedBefore = z.looseObject({ error: z.string().nullable().optional() }).nullable();
const retriedAfter = z.looseObject({ opportunityId: z.string().optional() }).nullable();

/** The item's reason when its retry started, from a commission_queue.retried event's `before`. */
export const retriedError = (event: { id: string; before: unknown }) =>
  parseAuditValue(retriedBefore, { id: event.id, column: 'before', value: event.before })?.error ?? null;

/** The opportunity a commission_queue.retried event retries, from its `after`. */
export const retriedOpportunity = (event: { id: string; after: unknown }) =>
  parseAuditValue(retriedAfter, { id: event.id, column: 'after', value: event.after })?.opportunityId;

/** The latest retry run of each item (its commission_queue.retried link) with the run's status. */
export async function retryRunsOf(tx: Tx, itemIds: readonly string[]) {
  const latest = new Map<string, { runId: string; status: string }>();
  if (itemIds.length === 0) return latest;
  const links = await tx
    .select({ itemId: auditEvents.entityId, runId: runs.id, status: runs.status })
    .from(auditEvents)
    .innerJoin(runs, eq(runs.id, auditEvents.runId))
    .where(and(eq(auditEvents.action, RETRIED_ACTION), inArray(auditEvents.entityId, [...itemIds])))
    .orderBy(desc(auditEvents.seq));
  for (const l of links) {
    if (l.itemId && !latest.has(l.itemId)) latest.set(l.itemId, { runId: l.runId, status: l.status });
  }
  return latest;
}

/** The first reason an item was skipped, without the notes of earlier retries wrapped around it. */
export function rootReason(error: string | null): string | null {
  if (!error) return null;
  const at = error.lastIndexOf(SKIPPED_BEFORE);
  return at >= 0 ? error.slice(at + SKIPPED_BEFORE.length) : error;
}

const SKIPPED_BEFORE = ' Skipped first because: ';
export const withRoot = (message: string, earlier: string | null) => {
  const root = rootReason(earlier);
  return root ? `${message}${SKIPPED_BEFORE}${root}` : message;
};

interface RetriedItem {
  itemId: string;
  opportunityId: string;
  status: QueueStatus;
  /** The item's reason when the retry started. */
  earlierError: string | null;
}

/**
 * The items this run retries and is the latest retry of (an item retried again since belongs to its later run),
 * locked, with their status now.
 */
async function itemsRetriedBy(tx: Tx, runId: string): Promise<RetriedItem[]> {
  const links = await tx
    .select({ id: auditEvents.id, itemId: auditEvents.entityId, before: auditEvents.before })
    .from(auditEvents)
    .where(and(eq(auditEvents.runId, runId), eq(auditEvents.action, RETRIED_ACTION)));
  const ids = [...new Set(links.map((l) => l.itemId).filter((id): id is string => typeof id === 'string'))];
  if (ids.length === 0) return [];
  const latest = await retryRunsOf(tx, ids);
  const mine = ids.filter((id) => latest.get(id)?.runId === runId);
  if (mine.length === 0) return [];
  const rows = await tx
    .select({
      id: runOpportunityChanges.id,
      status: runOpportunityChanges.status,
      opportunityId: runOpportunityChanges.opportunityId,
    })
    .from(runOpportunityChanges)
    .where(inArray(runOpportunityChanges.id, mine))
    .for('update');
  const earlier = new Map(links.map((l) => [l.itemId, retriedError(l)]));
  return rows.map((r) => ({
    itemId: r.id,
    opportunityId: r.opportunityId,
    status: r.status,
    earlierError: earlier.get(r.id) ?? null,
  }));
}

async function reopen(tx: Tx, item: RetriedItem, error: string, at: Date): Promise<void> {
  await tx
    .update(runOpportunityChanges)
    .set({ status: 'error', error, updatedAt: at })
    .where(eq(runOpportunityChanges.id, item.itemId));
}

/**
 * A run is cancelled (in the cancel's transaction): its items that were waiting become `cancelled` with the reason;
 * an item this run was retrying goes back to `error` (retryable again), its reason saying the retry was cancelled
 * and keeping why it was skipped first. Audited: one event for the run's items, one per item reopened.
 */
export async function settleQueueOnCancel(
  tx: Tx,
  input: { runId: string; reason: string; at: Date; actor: ActorFields },
): Promise<{ cancelled: number; reopened: string[] }> {
  const { runId, reason, at, actor } = input;
  const own = await tx
    .update(runOpportunityChanges)
    .set({ status: 'cancelled', error: `Cancelled with its run: ${reason}`.slice(0, 4000), updatedAt: at })
    .where(
      and(
        eq(runOpportunityChanges.runId, runId),
        inArray(runOpportunityChanges.status, ['pending', 'processing']),
      ),
    )
    .returning({ id: runOpportunityChanges.id });
  const events: AuditEventInput[] = [];
  if (own.length > 0) {
    events.push({
      ...actor,
      action: QUEUE_ACTIONS.runCancelled,
      entityType: 'run',
      entityId: runId,
      runId,
      after: { status: 'cancelled', items: own.length, reason },
      at,
    });
  }
  const reopened: string[] = [];
  for (const item of await itemsRetriedBy(tx, runId)) {
    if (item.status !== 'processing') continue;
    const error = withRoot(
      `The retry in run ${runId} was cancelled (${reason}), so nothing changed; fix the data if needed and retry again.`,
      item.earlierError,
    );
    await reopen(tx, item, error, at);
    reopened.push(item.itemId);
    events.push({
      ...actor,
      action: QUEUE_ACTIONS.retryCancelled,
      entityType: 'run_opportunity_change',
      entityId: item.itemId,
      runId,
      before: { status: 'processing' },
      after: { status: 'error', error, retryRunId: runId },
      at,
    });
  }
  if (events.length > 0) await appendAuditEvents(tx, events);
  return { cancelled: own.length, reopened };
}

/**
 * Refuses to roll back a run while one of its items is being retried (processing, its retry run still open): the
 * retry would carry on changing a split the rollback restores. Commit or cancel the retry first.
 */
export async function refuseRollbackWhileRetried(tx: Tx, runId: string): Promise<void> {
  const processing = await tx
    .select({ id: runOpportunityChanges.id, opportunity: opportunities.name })
    .from(runOpportunityChanges)
    .innerJoin(opportunities, eq(opportunities.id, runOpportunityChanges.opportunityId))
    .where(and(eq(runOpportunityChanges.runId, runId), eq(runOpportunityChanges.status, 'processing')));
  if (processing.length === 0) return;
  const retries = await retryRunsOf(
    tx,
    processing.map((p) => p.id),
  );
  const named = processing.map((p) => {
    const retry = retries.get(p.id);
    return `${p.opportunity}${retry ? ` (run ${retry.runId}, ${retry.status.replace('_', ' ')})` : ''}`;
  });
  throw new AppError(
    'CONFLICT',
    `This run cannot be rolled back while ${processing.length === 1 ? 'one of its opportunities is' : `${processing.length} of its opportunities are`} being retried: ${named.join('; ')}. Commit or cancel the retry run first, then roll this run back.`,
    { details: processing.map((p) => ({ path: 'itemId', message: p.id })) },
  );
}

/**
 * A committed run is rolled back (in the rollback's transaction): none of its items stands any more, so all become
 * `rolled_back` (nor can an error item of it be retried); an item this run had settled as the retry of an earlier
 * failure is reopened (`error`, retryable again), its reason saying the retry was rolled back. Returns the audit
 * events for the rollback to append with its own.
 */
export async function settleQueueOnRollback(
  tx: Tx,
  input: { runId: string; reason: string | null; at: Date; actor: ActorFields },
): Promise<AuditEventInput[]> {
  const { runId, reason, at, actor } = input;
  await tx
    .update(runOpportunityChanges)
    .set({ status: 'rolled_back', updatedAt: at })
    .where(and(eq(runOpportunityChanges.runId, runId), ne(runOpportunityChanges.status, 'rolled_back')));
  const events: AuditEventInput[] = [];
  for (const item of await itemsRetriedBy(tx, runId)) {
    if (item.status !== 'complete' && item.status !== 'processing') continue;
    const error = withRoot(
      `The retry in run ${runId} ${item.status === 'complete' ? 'completed it, then ' : ''}was rolled back${reason ? ` (${reason})` : ''}; retry it again if the change is still wanted.`,
      item.earlierError,
    );
    await reopen(tx, item, error, at);
    events.push({
      ...actor,
      action: QUEUE_ACTIONS.reopened,
      entityType: 'run_opportunity_change',
      entityId: item.itemId,
      runId,
      before: { status: item.status },
      after: { status: 'error', error, retryRunId: runId },
      at,
    });
  }
  return events;
}

/**
 * The commit of a retry run settles the items it retries (in the commit's transaction, after its own items are
 * recorded): `complete` where this run's own item of the same opportunity is complete, otherwise `error` with the
 * reason this commit skipped it — never left processing. Idempotent. Audited, one event per item.
 */
export async function settleRetriedItemsAfterCommit(
  tx: Tx,
  run: { id: string; kind: string },
  at: Date,
  actor: ActorFields = {},
): Promise<{ complete: number; error: number }> {
  const settled = { complete: 0, error: 0 };
  if (run.kind !== 'opportunity') return settled;
  const retried = (await itemsRetriedBy(tx, run.id)).filter((i) => i.status === 'processing');
  if (retried.length === 0) return settled;
  const own = await tx
    .select({
      opportunityId: runOpportunityChanges.opportunityId,
      status: runOpportunityChanges.status,
      error: runOpportunityChanges.error,
    })
    .from(runOpportunityChanges)
    .where(eq(runOpportunityChanges.runId, run.id));
  const ownByOpportunity = new Map(own.map((o) => [o.opportunityId, o]));
  const events: AuditEventInput[] = [];
  for (const item of retried) {
    const mine = ownByOpportunity.get(item.opportunityId);
    if (mine?.status === 'complete') {
      await tx
        .update(runOpportunityChanges)
        .set({ status: 'complete', error: null, updatedAt: at })
        .where(eq(runOpportunityChanges.id, item.itemId));
      settled.complete += 1;
      events.push(settledEvent(actor, item, run.id, 'complete', null, at));
      continue;
    }
    const error = withRoot(
      `The retry in run ${run.id} was committed but skipped it again: ${mine?.error ?? 'the run did not plan this opportunity'}`,
      item.earlierError,
    );
    await reopen(tx, item, error, at);
    settled.error += 1;
    events.push(settledEvent(actor, item, run.id, 'error', error, at));
  }
  await appendAuditEvents(tx, events);
  return settled;
}

function settledEvent(
  actor: ActorFields,
  item: RetriedItem,
  runId: string,
  status: 'complete' | 'error',
  error: string | null,
  at: Date,
): AuditEventInput {
  return {
    ...actor,
    action: QUEUE_ACTIONS.retrySettled,
    entityType: 'run_opportunity_change',
    entityId: item.itemId,
    runId,
    before: { status: 'processing' },
    after: { status, error, retryRunId: runId },
    at,
  };
}
