/**
 * The commission queue (seed 003, issue 8): every planned opportunity-level change of the org's runs
 * (run_opportunity_changes) with its status — pending while the run is planned and reviewed, complete or error
 * (with the reason) once the commit ran, rolled_back after a rollback, cancelled with a cancelled run, processing
 * while a retry run is open — and the retry of error items as new opportunity-level runs through the runs service.
 * The settle functions below keep the items in step with each run transition (cancel, rollback, commit), in the
 * transition's own transaction, so no item is left pending or processing once its run has ended.
 */
import { and, asc, count, desc, eq, inArray, ne, or, type SQL } from 'drizzle-orm';
import { alias } from 'drizzle-orm/pg-core';
import {
  accounts,
  auditEvents,
  opportunities,
  reps,
  runOpportunityChanges,
  runs,
} from '../../../db/schema/index.ts';
import { orgScope } from '../../auth/principal.ts';
import { type AuditEventInput, appendAudit, appendAuditEvents } from '../../db/audit.ts';
import type { Tx } from '../../db/client.ts';
import { withOrg } from '../../db/tenancy.ts';
import { AppError, forbidden, notFound } from '../../lib/errors.ts';
import type { Role } from '../../lib/roles.ts';
import { CANCEL_ROLES, cancelRun } from '../after/cancel-run.ts';
import { auditActor } from '../audit/actor.ts';
import type { OrgContext } from '../auth/context.ts';
import { type CommissionParams, commissionFor } from '../commission-splits/split-after.ts';
import { createRun } from '../plan/create-run.ts';
import { createRunSchema } from '../run-records/run-params.ts';
import { requestSolve } from '../solve/solve-run.ts';

export const QUEUE_READERS = ['manager', 'analyst', 'finance', 'admin'] as const satisfies readonly Role[];
export const QUEUE_STATUSES = [
  'pending',
  'processing',
  'complete',
  'error',
  'rolled_back',
  'cancelled',
] as const;
export type QueueStatus = (typeof QUEUE_STATUSES)[number];
/** Runs whose items wait for a person: solved or being solved again, in review, approved or failed; not committed. */
const AWAITING = ['solving', 'solved', 'in_review', 'approved', 'failed'] as const;
export const MAX_RETRY_ITEMS = 100;
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
/** Run statuses in which a retry run is still going somewhere (its item stays processing). */
const _OPEN_RUN_STATUSES = [
  'draft',
  'solving',
  'solved',
  'in_review',
  'approved',
  'committing',
  'failed',
] as const;

export interface QueueContext extends OrgContext {
  /** Solver time limit of the retry runs' solves (env SOLVER_TIME_LIMIT_SECONDS). */
  solverTimeLimitMs?: number;
}

export interface QueueFilter {
  status?: QueueStatus | undefined;
  runId?: string | undefined;
  /** Items handing over from or to this rep. */
  repId?: string | undefined;
  opportunityId?: string | undefined;
  page: number;
  pageSize: number;
}

export interface QueueItem {
  id: string;
  status: QueueStatus;
  error: string | null;
  attempts: number;
  opportunityId: string;
  opportunityName: string;
  opportunityCrmId: string;
  runId: string;
  runKind: string;
  runStatus: string;
  runReason: string;
  fromRepId: string | null;
  fromRepName: string | null;
  toRepId: string | null;
  toRepName: string | null;
  commissionType: string | null;
  customBps: number | null;
  updatedAt: string;
  /** A processing item: the run retrying it and that run's status (solve it, review, approve and commit, or cancel it). */
  retryRunId: string | null;
  retryRunStatus: string | null;
}

export interface PendingReassignment {
  runId: string;
  kind: string;
  status: string;
  reason: string;
  items: number;
}

export interface QueuePage {
  items: QueueItem[];
  total: number;
  page: number;
  pageSize: number;
  counts: Record<QueueStatus, number>;
  pendingReassignments: PendingReassignment[];
}

function assertReader(ctx: OrgContext) {
  if (!(QUEUE_READERS as readonly string[]).includes(ctx.principal.role)) {
    throw forbidden('Only a manager, analyst, finance or admin can see the commission queue.');
  }
}

const fromRep = alias(reps, 'queue_from_rep');
const toRep = alias(reps, 'queue_to_rep');

/** The queue's item rows with their opportunity, run and reps (callers add where, order and paging). */
function selectItems(tx: Tx) {
  return tx
    .select({
      id: runOpportunityChanges.id,
      status: runOpportunityChanges.status,
      error: runOpportunityChanges.error,
      attempts: runOpportunityChanges.attempts,
      opportunityId: runOpportunityChanges.opportunityId,
      opportunityName: opportunities.name,
      opportunityCrmId: opportunities.crmId,
      runId: runOpportunityChanges.runId,
      runKind: runs.kind,
      runStatus: runs.status,
      runReason: runs.reason,
      fromRepId: runOpportunityChanges.fromRepId,
      fromRepName: fromRep.name,
      toRepId: runOpportunityChanges.toRepId,
      toRepName: toRep.name,
      commissionType: runOpportunityChanges.commissionType,
      customBps: runOpportunityChanges.customBps,
      createdAt: runOpportunityChanges.createdAt,
      updatedAt: runOpportunityChanges.updatedAt,
    })
    .from(runOpportunityChanges)
    .innerJoin(opportunities, eq(opportunities.id, runOpportunityChanges.opportunityId))
    .innerJoin(runs, eq(runs.id, runOpportunityChanges.runId))
    .leftJoin(fromRep, eq(fromRep.id, runOpportunityChanges.fromRepId))
    .leftJoin(toRep, eq(toRep.id, runOpportunityChanges.toRepId));
}

type ItemRow = Awaited<ReturnType<ReturnType<typeof selectItems>['where']>>[number];

function toItem(r: ItemRow, retry: { runId: string; status: string } | undefined): QueueItem {
  const { createdAt: _created, ...rest } = r;
  return {
    ...rest,
    updatedAt: r.updatedAt.toISOString(),
    retryRunId: retry?.runId ?? null,
    retryRunStatus: retry?.status ?? null,
  };
}

export async function listQueue({ ctx, input }: { ctx: OrgContext; input: QueueFilter }): Promise<QueuePage> {
  assertReader(ctx);
  return withOrg(ctx.db, orgScope(ctx.principal), async (tx) => {
    const where: SQL[] = [];
    if (input.status) where.push(eq(runOpportunityChanges.status, input.status));
    if (input.runId) where.push(eq(runOpportunityChanges.runId, input.runId));
    if (input.opportunityId) where.push(eq(runOpportunityChanges.opportunityId, input.opportunityId));
    if (input.repId) {
      where.push(
        or(eq(runOpportunityChanges.fromRepId, input.repId), eq(runOpportunityChanges.toRepId, input.repId))!,
      );
    }
    const cond = where.length > 0 ? and(...where) : undefined;
    const rows = await selectItems(tx)
      .where(cond)
      .orderBy(desc(runOpportunityChanges.updatedAt), desc(runOpportunityChanges.id))
      .limit(input.pageSize)
      .offset((input.page - 1) * input.pageSize);
    const [total] = await tx.select({ n: count() }).from(runOpportunityChanges).where(cond);
    const byStatus = await tx
      .select({ status: runOpportunityChanges.status, n: count() })
      .from(runOpportunityChanges)
      .groupBy(runOpportunityChanges.status);
    const counts = Object.fromEntries(QUEUE_STATUSES.map((s) => [s, 0])) as Record<QueueStatus, number>;
    for (const r of byStatus) counts[r.status] = Number(r.n);
    const awaiting = await tx
      .select({
        runId: runs.id,
        kind: runs.kind,
        status: runs.status,
        reason: runs.reason,
        items: count(runOpportunityChanges.id),
      })
      .from(runs)
      .innerJoin(runOpportunityChanges, eq(runOpportunityChanges.runId, runs.id))
      .where(inArray(runs.status, [...AWAITING]))
      .groupBy(runs.id)
      .orderBy(desc(runs.updatedAt), desc(runs.id))
      .limit(100);
    const retries = await retryRunsOf(
      tx,
      rows.filter((r) => r.status === 'processing').map((r) => r.id),
    );
    return {
      items: rows.map((r) => toItem(r, retries.get(r.id))),
      total: Number(total?.n ?? 0),
      page: input.page,
      pageSize: input.pageSize,
      counts,
      pendingReassignments: awaiting.map((a) => ({ ...a, items: Number(a.items) })),
    };
  });
}

/** The latest retry run of each item (its commission_queue.retried link) with the run's status. */
async function retryRunsOf(tx: Tx, itemIds: readonly string[]) {
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

function detailOf(action: string, before: unknown, after: unknown): string | null {
  const a = (after ?? {}) as Record<string, unknown>;
  const b = (before ?? {}) as Record<string, unknown>;
  if (action === RETRIED_ACTION)
    return typeof b.error === 'string' ? `Skipped: ${rootReason(b.error)}` : null;
  if (action === QUEUE_ACTIONS.retrySettled)
    return a.status === 'complete' ? 'Complete' : String(a.error ?? '');
  for (const key of ['reason', 'error', 'failureReason']) {
    if (typeof a[key] === 'string' && a[key]) return a[key] as string;
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
        detail: detailOf(e.action, e.before, e.after),
        actor: e.actorLabel,
      });
    }
    const retries = row.status === 'processing' ? await retryRunsOf(tx, [row.id]) : new Map();
    return { item: toItem(row, retries.get(row.id)), entries };
  });
}

export interface CancelRunsResult {
  cancelled: { runId: string; items: number; reopened: number }[];
  refused: { runId: string; message: string }[];
}

/**
 * Bulk action of the queue's "Pending reassignments": cancels each selected run (cancel-run.ts, one transaction per
 * run, so one refusal does not stop the others); its items are cancelled and items it was retrying reopened.
 */
export async function cancelQueueRuns({
  ctx,
  input,
}: {
  ctx: OrgContext;
  input: { runIds: string[]; reason: string };
}): Promise<CancelRunsResult> {
  const ids = [...new Set(input.runIds)];
  if (ids.length === 0) {
    throw new AppError('VALIDATION_FAILED', 'Select at least one run to cancel.', {
      details: [{ path: 'runIds', message: 'Select at least one run.' }],
    });
  }
  if (ids.length > MAX_RETRY_ITEMS) {
    throw new AppError('VALIDATION_FAILED', `Cancel at most ${MAX_RETRY_ITEMS} runs at once.`, {
      details: [{ path: 'runIds', message: `${ids.length} runs selected.` }],
    });
  }
  // A role that may cancel nothing is refused once; a refusal that depends on the run (an approved run and an
  // analyst) is listed with that run, and the others are still cancelled.
  if (!(CANCEL_ROLES as readonly string[]).includes(ctx.principal.role)) {
    throw forbidden('Only a manager or an analyst can cancel a run.');
  }
  const result: CancelRunsResult = { cancelled: [], refused: [] };
  for (const runId of ids) {
    try {
      const done = await cancelRun({ ctx, input: { runId, reason: input.reason } });
      result.cancelled.push({
        runId,
        items: done.queue?.cancelled ?? 0,
        reopened: done.queue?.reopened ?? 0,
      });
    } catch (error) {
      if (!(error instanceof AppError)) throw error;
      // A missing reason refuses every run the same way: stop at once rather than repeat it per run.
      if (error.code === 'VALIDATION_FAILED') throw error;
      result.refused.push({ runId, message: error.message });
    }
  }
  return result;
}

export interface RetryResult {
  retried: { itemId: string; opportunityId: string; runId: string }[];
  /** Items claimed for a retry whose run could not be created; they are back in error with the reason. */
  failed: { itemId: string; opportunityId: string; message: string }[];
}

interface Claimed {
  id: string;
  opportunityId: string;
  opportunityName: string;
  fromRepId: string | null;
  ownerRepId: string | null;
  toRepId: string;
  commissionType: string | null;
  customBps: number | null;
  error: string | null;
  runId: string;
  scope: 'ownership' | 'open_opportunities' | 'complete';
  commissionEndDate: string | null;
  reassignmentDate: string | null;
  /** The original run's params and what its strategy looks at, to find the rep the share went to (a segment's or a decision's receiver). */
  runParams: unknown;
  stage: string;
  amountCents: number;
  accountType: string | null;
  region: string | null;
}

/**
 * Retries error items: each becomes one new opportunity-level run (same opportunity, new owner, commission type
 * and dates; for an opportunity the commit already handed to the new owner, plannedFromRepId = the item's earlier
 * owner, so the run changes the split alone) whose solve is requested, so it goes through review, approval and commit like any run. The items are
 * claimed first (error → processing, locked), so a second retry of the same item is refused rather than doubled.
 */
export async function retryQueueItems({
  ctx,
  input,
}: {
  ctx: QueueContext;
  input: { itemIds: string[] };
}): Promise<RetryResult> {
  if (ctx.principal.role !== 'manager') throw forbidden('Only a manager can retry commission queue items.');
  const ids = [...new Set(input.itemIds)];
  if (ids.length === 0) {
    throw new AppError('VALIDATION_FAILED', 'Select at least one item in error to retry.', {
      details: [{ path: 'itemIds', message: 'Select at least one item.' }],
    });
  }
  if (ids.length > MAX_RETRY_ITEMS) {
    throw new AppError('VALIDATION_FAILED', `Retry at most ${MAX_RETRY_ITEMS} items at once.`, {
      details: [{ path: 'itemIds', message: `${ids.length} items selected.` }],
    });
  }
  const claimed = await withOrg(ctx.db, orgScope(ctx.principal), async (tx) => {
    const rows = await tx
      .select({
        id: runOpportunityChanges.id,
        status: runOpportunityChanges.status,
        error: runOpportunityChanges.error,
        opportunityId: runOpportunityChanges.opportunityId,
        opportunityName: opportunities.name,
        ownerRepId: opportunities.ownerRepId,
        opportunityStatus: opportunities.status,
        fromRepId: runOpportunityChanges.fromRepId,
        toRepId: runOpportunityChanges.toRepId,
        toRepName: reps.name,
        commissionType: runOpportunityChanges.commissionType,
        customBps: runOpportunityChanges.customBps,
        runId: runs.id,
        scope: runs.scope,
        commissionEndDate: runs.commissionEndDate,
        reassignmentDate: runs.reassignmentDate,
        runParams: runs.params,
        stage: opportunities.stage,
        amountCents: opportunities.amountCents,
        accountType: accounts.type,
        region: accounts.region,
      })
      .from(runOpportunityChanges)
      .innerJoin(opportunities, eq(opportunities.id, runOpportunityChanges.opportunityId))
      .innerJoin(accounts, eq(accounts.id, opportunities.accountId))
      .innerJoin(runs, eq(runs.id, runOpportunityChanges.runId))
      .leftJoin(reps, eq(reps.id, runOpportunityChanges.toRepId))
      .where(inArray(runOpportunityChanges.id, ids))
      .for('update', { of: runOpportunityChanges });
    const found = new Set(rows.map((r) => r.id));
    const missing = ids.filter((id) => !found.has(id));
    if (missing.length > 0) {
      throw new AppError('NOT_FOUND', `${missing.length} selected queue item(s) do not exist in this org.`, {
        details: missing.map((id) => ({ path: 'itemIds', message: `No queue item ${id}.` })),
      });
    }
    const problems: { itemId: string; opportunity: string; message: string }[] = [];
    for (const r of rows) {
      const problem =
        r.status !== 'error'
          ? `is ${r.status.replace('_', ' ')}, not in error: only items the commit skipped can be retried`
          : r.toRepId === null
            ? 'names no new owner, so there is nothing to retry'
            : r.opportunityStatus !== 'open'
              ? 'is closed now; closed opportunities cannot be reassigned'
              : r.ownerRepId === r.toRepId && (r.fromRepId === null || r.fromRepId === r.toRepId)
                ? `is already owned by ${r.toRepName ?? r.toRepId} and names no earlier owner whose share could move, so a retry would change nothing; change its split on the opportunity page`
                : null;
      if (problem) problems.push({ itemId: r.id, opportunity: r.opportunityName, message: problem });
    }
    // One opportunity is retried once at a time: not twice in one request, not while a retry of it is open.
    const seen = new Map<string, string>();
    for (const r of rows) {
      const first = seen.get(r.opportunityId);
      if (first) {
        problems.push({
          itemId: r.id,
          opportunity: r.opportunityName,
          message: `is selected twice (items ${first} and ${r.id} are the same opportunity): select one of them`,
        });
      } else seen.set(r.opportunityId, r.id);
    }
    const inFlight = await tx
      .select({
        id: runOpportunityChanges.id,
        opportunityId: runOpportunityChanges.opportunityId,
        runId: runOpportunityChanges.runId,
      })
      .from(runOpportunityChanges)
      .where(
        and(
          inArray(runOpportunityChanges.opportunityId, [...seen.keys()]),
          eq(runOpportunityChanges.status, 'processing'),
        ),
      );
    const retries = await retryRunsOf(
      tx,
      inFlight.map((f) => f.id),
    );
    for (const f of inFlight) {
      const r = rows.find((x) => x.opportunityId === f.opportunityId)!;
      const run = retries.get(f.id)?.runId;
      problems.push({
        itemId: r.id,
        opportunity: r.opportunityName,
        message: `is already being retried${run ? ` in run ${run}` : ''}: commit or cancel that run first`,
      });
    }
    if (problems.length > 0) {
      throw new AppError(
        'CONFLICT',
        `Nothing was retried: ${problems.map((p) => `opportunity ${p.opportunity} ${p.message}`).join('; ')}.`,
        { details: problems },
      );
    }
    await tx
      .update(runOpportunityChanges)
      .set({ status: 'processing', updatedAt: ctx.clock() })
      .where(inArray(runOpportunityChanges.id, ids));
    return rows as (typeof rows)[number][];
  });

  const result: RetryResult = { retried: [], failed: [] };
  const items = claimed as Claimed[];
  for (const [i, item] of items.entries()) {
    try {
      const runId = await startRetryRun(ctx, item);
      result.retried.push({ itemId: item.id, opportunityId: item.opportunityId, runId });
    } catch (error) {
      const unexpected = !(error instanceof AppError);
      const message = unexpected ? 'The retry run could not be created.' : describe(error);
      const reason = withRoot(`Retry failed: ${message}`, item.error);
      await withOrg(ctx.db, orgScope(ctx.principal), async (tx) => {
        await tx
          .update(runOpportunityChanges)
          .set({ status: 'error', error: reason, updatedAt: ctx.clock() })
          .where(eq(runOpportunityChanges.id, item.id));
        // An unexpected failure stops the batch: the items not started yet go back to error as they were (their
        // reason unchanged), never left processing without a run.
        const rest = unexpected ? items.slice(i + 1).map((r) => r.id) : [];
        if (rest.length > 0) {
          await tx
            .update(runOpportunityChanges)
            .set({ status: 'error', updatedAt: ctx.clock() })
            .where(
              and(inArray(runOpportunityChanges.id, rest), eq(runOpportunityChanges.status, 'processing')),
            );
        }
      });
      result.failed.push({ itemId: item.id, opportunityId: item.opportunityId, message });
      if (unexpected) throw error;
    }
  }
  return result;
}

function describe(error: AppError): string {
  const details = Array.isArray(error.details)
    ? (error.details as { path?: string; message?: string }[])
        .map((d) => (d.path ? `${d.path}: ${d.message}` : d.message))
        .filter(Boolean)
    : [];
  return details.length > 0 ? `${error.message} (${details.join('; ')})` : error.message;
}

/** Creates the retry run through the runs service, records the link in the audit trail, and requests its solve. */
async function startRetryRun(ctx: QueueContext, item: Claimed): Promise<string> {
  const params: Record<string, unknown> = { opportunityId: item.opportunityId, newOwnerRepId: item.toRepId };
  // The commit already moved the owner and skipped the split: the retry re-applies the split change alone, from
  // the item's earlier owner's share (a plain run would plan from the current owner, the new one, and do nothing).
  if (item.ownerRepId === item.toRepId && item.fromRepId !== null) params.plannedFromRepId = item.fromRepId;
  if (item.commissionType) params.commissionType = item.commissionType;
  if (item.commissionType === 'custom' && item.customBps !== null) params.customBps = item.customBps;
  // A share the original run handed to another rep than the new owner (a segment's or a decision's receiver) goes
  // to that rep again: the retry run carries it as its one decision (the manual strategy of one opportunity).
  const { receiverRepId } = commissionFor((item.runParams ?? {}) as CommissionParams, {
    opportunityId: item.opportunityId,
    accountType: item.accountType,
    region: item.region,
    stage: item.stage,
    amountCents: item.amountCents,
  });
  if (receiverRepId && item.commissionType && item.commissionType !== 'house_absorbs') {
    params.commissionStrategy = 'manual';
    params.commissionDecisions = {
      [item.opportunityId]: {
        commissionType: item.commissionType,
        ...(item.commissionType === 'custom' && item.customBps !== null ? { customBps: item.customBps } : {}),
        receiverRepId,
      },
    };
  }
  const skipped = rootReason(item.error);
  const parsed = createRunSchema.safeParse({
    kind: 'opportunity',
    scope: item.scope,
    reason:
      `Retry of opportunity ${item.opportunityName} from run ${item.runId}${skipped ? ` (skipped: ${skipped})` : ''}`.slice(
        0,
        2000,
      ),
    ...(item.commissionEndDate ? { commissionEndDate: item.commissionEndDate } : {}),
    ...(item.reassignmentDate ? { reassignmentDate: item.reassignmentDate } : {}),
    params,
  });
  if (!parsed.success) {
    throw new AppError('VALIDATION_FAILED', 'The retry run would not be valid.', {
      details: parsed.error.issues.map((i) => ({ path: i.path.join('.'), message: i.message })),
    });
  }
  const runsCtx = { ...ctx, requestId: ctx.requestId ?? '' };
  const run = await createRun({ ctx: runsCtx, input: parsed.data });
  try {
    // The link is written under the run's lock before the solve is requested: a cancel of the run (which takes the
    // same lock) either comes first and is seen here, or comes after and finds the link (settleQueueOnCancel).
    await withOrg(ctx.db, orgScope(ctx.principal), async (tx) => {
      const [locked] = await tx
        .select({ status: runs.status })
        .from(runs)
        .where(eq(runs.id, run.id))
        .for('update');
      if (locked?.status !== 'draft') {
        throw new AppError('CONFLICT', `The retry run was ${locked?.status ?? 'removed'} before it started.`);
      }
      await appendAudit(tx, {
        ...auditActor(ctx),
        action: RETRIED_ACTION,
        entityType: 'run_opportunity_change',
        entityId: item.id,
        // Filed under the retry run: its commit, cancel and rollback find the item it retries by this event.
        runId: run.id,
        before: { status: 'error', error: item.error, runId: item.runId },
        after: { status: 'processing', retryRunId: run.id, opportunityId: item.opportunityId },
      });
    });
    await requestSolve({ ctx: runsCtx, input: { runId: run.id } });
  } catch (error) {
    // The run exists but could not start: it is cancelled, so no orphan draft is left behind.
    const message = error instanceof AppError ? describe(error) : 'The retry run could not start.';
    await cancelRun({
      ctx,
      input: { runId: run.id, reason: `The retry could not start: ${message}`.slice(0, 2000) },
    }).catch(() => undefined);
    throw error;
  }
  return run.id;
}

/** The first reason an item was skipped, without the notes of earlier retries wrapped around it. */
export function rootReason(error: string | null): string | null {
  if (!error) return null;
  const at = error.lastIndexOf(SKIPPED_BEFORE);
  return at >= 0 ? error.slice(at + SKIPPED_BEFORE.length) : error;
}

const SKIPPED_BEFORE = ' Skipped first because: ';
const withRoot = (message: string, earlier: string | null) => {
  const root = rootReason(earlier);
  return root ? `${message}${SKIPPED_BEFORE}${root}` : message;
};

type ActorFields = Pick<AuditEventInput, 'actorUserId' | 'actorApiKeyId' | 'actorLabel' | 'requestId'>;

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
    .select({ itemId: auditEvents.entityId, before: auditEvents.before })
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
  const earlier = new Map(
    links.map((l) => [
      l.itemId,
      ((l.before as { error?: string | null } | null)?.error ?? null) as string | null,
    ]),
  );
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
