/**
 * The commission queue (seed 003, issue 8): every planned opportunity-level change of the org's runs
 * (run_opportunity_changes) with its status — pending while the run is planned and reviewed, complete or error
 * (with the reason) once the commit ran, rolled_back after a rollback, processing while a retry run is open — and
 * the retry of error items as new opportunity-level runs through the runs service.
 */
import { and, count, desc, eq, inArray, or, type SQL } from 'drizzle-orm';
import { alias } from 'drizzle-orm/pg-core';
import { opportunities, reps, runOpportunityChanges, runs } from '../../../db/schema/index.ts';
import { orgScope } from '../../auth/principal.ts';
import { appendAudit } from '../../db/audit.ts';
import { withOrg } from '../../db/tenancy.ts';
import { AppError, forbidden } from '../../lib/errors.ts';
import type { Role } from '../../lib/roles.ts';
import { auditActor } from '../audit/actor.ts';
import type { OrgContext } from '../auth/context.ts';
import { createRun } from '../runs/create-run.ts';
import { createRunSchema } from '../runs/run-params.ts';
import { requestSolve } from '../runs/solve-run.ts';

export const QUEUE_READERS = ['manager', 'analyst', 'finance', 'admin'] as const satisfies readonly Role[];
export const QUEUE_STATUSES = ['pending', 'processing', 'complete', 'error', 'rolled_back', 'cancelled'] as const;
export type QueueStatus = (typeof QUEUE_STATUSES)[number];
/** Runs whose items wait for a person: reviewed or approved, not yet committed. */
const AWAITING = ['in_review', 'approved'] as const;
export const MAX_RETRY_ITEMS = 100;
/** The audit action linking an item in error to the run that retries it. */
export const RETRIED_ACTION = 'commission_queue.retried';

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
    const rows = await tx
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
        updatedAt: runOpportunityChanges.updatedAt,
      })
      .from(runOpportunityChanges)
      .innerJoin(opportunities, eq(opportunities.id, runOpportunityChanges.opportunityId))
      .innerJoin(runs, eq(runs.id, runOpportunityChanges.runId))
      .leftJoin(fromRep, eq(fromRep.id, runOpportunityChanges.fromRepId))
      .leftJoin(toRep, eq(toRep.id, runOpportunityChanges.toRepId))
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
    return {
      items: rows.map((r) => ({ ...r, updatedAt: r.updatedAt.toISOString() })),
      total: Number(total?.n ?? 0),
      page: input.page,
      pageSize: input.pageSize,
      counts,
      pendingReassignments: awaiting.map((a) => ({ ...a, items: Number(a.items) })),
    };
  });
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
      })
      .from(runOpportunityChanges)
      .innerJoin(opportunities, eq(opportunities.id, runOpportunityChanges.opportunityId))
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
  for (const item of claimed as Claimed[]) {
    try {
      const runId = await startRetryRun(ctx, item);
      result.retried.push({ itemId: item.id, opportunityId: item.opportunityId, runId });
    } catch (error) {
      const message = error instanceof AppError ? describe(error) : 'The retry run could not be created.';
      await withOrg(ctx.db, orgScope(ctx.principal), async (tx) => {
        await tx
          .update(runOpportunityChanges)
          .set({ status: 'error', error: `Retry failed: ${message}`, updatedAt: ctx.clock() })
          .where(eq(runOpportunityChanges.id, item.id));
      });
      result.failed.push({ itemId: item.id, opportunityId: item.opportunityId, message });
      if (!(error instanceof AppError)) throw error;
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

/** Creates the retry run through the runs service, requests its solve and records the link in the audit trail. */
async function startRetryRun(ctx: QueueContext, item: Claimed): Promise<string> {
  const params: Record<string, unknown> = { opportunityId: item.opportunityId, newOwnerRepId: item.toRepId };
  // The commit already moved the owner and skipped the split: the retry re-applies the split change alone, from
  // the item's earlier owner's share (a plain run would plan from the current owner, the new one, and do nothing).
  if (item.ownerRepId === item.toRepId && item.fromRepId !== null) params.plannedFromRepId = item.fromRepId;
  if (item.commissionType) params.commissionType = item.commissionType;
  if (item.commissionType === 'custom' && item.customBps !== null) params.customBps = item.customBps;
  const parsed = createRunSchema.safeParse({
    kind: 'opportunity',
    scope: item.scope,
    reason:
      `Retry of opportunity ${item.opportunityName} from run ${item.runId}${item.error ? ` (skipped: ${item.error})` : ''}`.slice(
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
  await requestSolve({ ctx: runsCtx, input: { runId: run.id } });
  await withOrg(ctx.db, orgScope(ctx.principal), (tx) =>
    appendAudit(tx, {
      ...auditActor(ctx),
      action: RETRIED_ACTION,
      entityType: 'run_opportunity_change',
      entityId: item.id,
      // Filed under the retry run: its commit finds the item it retries by this event (commit-commission.ts).
      runId: run.id,
      before: { status: 'error', error: item.error, runId: item.runId },
      after: { status: 'processing', retryRunId: run.id, opportunityId: item.opportunityId },
    }),
  );
  return run.id;
}
