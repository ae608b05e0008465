/**
 * The retry of error items as new opportunity-level runs through the plan and solve stages, and the bulk cancel of
 * the runs the queue waits on (through after/cancel-run.ts).
 */
import { and, eq, inArray } from 'drizzle-orm';
import { accounts, opportunities, reps, runOpportunityChanges, runs } from '../../../db/schema/index.ts';
import { orgScope } from '../../auth/principal.ts';
import { appendAudit } from '../../db/audit.ts';
import type { Tx } from '../../db/client.ts';
import { withOrg } from '../../db/tenancy.ts';
import { AppError, forbidden } from '../../lib/errors.ts';
import { fieldIssues } from '../../lib/field-issues.ts';
import { CANCEL_ROLES, cancelRun } from '../after/cancel-run.ts';
import { auditActor } from '../audit/actor.ts';
import type { OrgContext } from '../auth/context.ts';
import { type CommissionParams, commissionFor } from '../commission-splits/split-after.ts';
import { createRun } from '../plan/create-run.ts';
import { createRunSchema, defaultScopeOf } from '../run-records/run-params.ts';
import { requestSolve } from '../solve/solve-run.ts';
import { RETRIED_ACTION, retryRunsOf, rootReason, withRoot } from './settle.ts';

export const MAX_RETRY_ITEMS = 100;

export interface QueueContext extends OrgContext {
  /** Solver time limit of the retry runs' solves (env SOLVER_TIME_LIMIT_SECONDS). */
  solverTimeLimitMs?: number;
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

/** A claimed item: one the claim checked names a new owner. It keeps the original run's params and what its strategy
 * looks at, to find the rep the share went to (a segment's or a decision's receiver). */
interface Claimed extends LockedItem {
  toRepId: string;
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
  const claimed = await withOrg(ctx.db, orgScope(ctx.principal), (tx) => claimItems(tx, ctx, ids));
  return startRetries(ctx, claimed as Claimed[]);
}

type Problem = { itemId: string; opportunity: string; message: string };

/** Locks the items, refuses the claim if any cannot be retried, and moves them all from error to processing. */
async function claimItems(tx: Tx, ctx: QueueContext, ids: string[]) {
  const rows = await lockItems(tx, ids);
  const { problems, opportunityIds } = itemProblems(rows);
  problems.push(...(await inFlightProblems(tx, rows, opportunityIds)));
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
  return rows;
}

/** The selected items with what a retry needs, locked for update; an id of no item in this org is refused. */
async function lockItems(tx: Tx, ids: string[]) {
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
  return rows;
}

type LockedItem = Awaited<ReturnType<typeof lockItems>>[number];

/** What keeps each locked item from a retry by itself, and the same opportunity selected twice. */
function itemProblems(rows: LockedItem[]): { problems: Problem[]; opportunityIds: string[] } {
  const problems: Problem[] = [];
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
  return { problems, opportunityIds: [...seen.keys()] };
}

/** The selected opportunities a retry of is already open (an item of theirs is processing). */
async function inFlightProblems(tx: Tx, rows: LockedItem[], opportunityIds: string[]): Promise<Problem[]> {
  const inFlight = await tx
    .select({
      id: runOpportunityChanges.id,
      opportunityId: runOpportunityChanges.opportunityId,
      runId: runOpportunityChanges.runId,
    })
    .from(runOpportunityChanges)
    .where(
      and(
        inArray(runOpportunityChanges.opportunityId, opportunityIds),
        eq(runOpportunityChanges.status, 'processing'),
      ),
    );
  const retries = await retryRunsOf(
    tx,
    inFlight.map((f) => f.id),
  );
  return inFlight.map((f) => {
    const r = rows.find((x) => x.opportunityId === f.opportunityId)!;
    const run = retries.get(f.id)?.runId;
    return {
      itemId: r.id,
      opportunity: r.opportunityName,
      message: `is already being retried${run ? ` in run ${run}` : ''}: commit or cancel that run first`,
    };
  });
}

/** Starts each claimed item's retry run in turn; a failed one goes back to error with the reason. */
async function startRetries(ctx: QueueContext, items: Claimed[]): Promise<RetryResult> {
  const result: RetryResult = { retried: [], failed: [] };
  for (const [i, item] of items.entries()) {
    try {
      const runId = await startRetryRun(ctx, item);
      result.retried.push({ itemId: item.id, opportunityId: item.opportunityId, runId });
    } catch (error) {
      const unexpected = !(error instanceof AppError);
      const message = unexpected ? 'The retry run could not be created.' : describe(error);
      // An unexpected failure stops the batch: the items not started yet go back to error as they were (their
      // reason unchanged), never left processing without a run.
      const rest = unexpected ? items.slice(i + 1).map((r) => r.id) : [];
      await releaseFailed(ctx, item.id, withRoot(`Retry failed: ${message}`, item.error), rest);
      result.failed.push({ itemId: item.id, opportunityId: item.opportunityId, message });
      if (unexpected) throw error;
    }
  }
  return result;
}

/** Puts a failed item back in error with its reason, and the items not started (rest) back in error unchanged. */
async function releaseFailed(
  ctx: QueueContext,
  itemId: string,
  reason: string,
  rest: string[],
): Promise<void> {
  await withOrg(ctx.db, orgScope(ctx.principal), async (tx) => {
    await tx
      .update(runOpportunityChanges)
      .set({ status: 'error', error: reason, updatedAt: ctx.clock() })
      .where(eq(runOpportunityChanges.id, itemId));
    if (rest.length > 0) {
      await tx
        .update(runOpportunityChanges)
        .set({ status: 'error', updatedAt: ctx.clock() })
        .where(and(inArray(runOpportunityChanges.id, rest), eq(runOpportunityChanges.status, 'processing')));
    }
  });
}

function describe(error: AppError): string {
  const details = Array.isArray(error.details)
    ? (error.details as { path?: string; message?: string }[])
        .map((d) => (d.path ? `${d.path}: ${d.message}` : d.message))
        .filter(Boolean)
    : [];
  return details.length > 0 ? `${error.message} (${details.join('; ')})` : error.message;
}

/** The retry run's params: the item's opportunity, new owner and commission, and the receiver of its share. */
function retryParams(item: Claimed): Record<string, unknown> {
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
  return params;
}

/** The retry run's create input, validated as the runs service would. */
function retryRunInput(item: Claimed) {
  const params = retryParams(item);
  const skipped = rootReason(item.error);
  const parsed = createRunSchema.safeParse({
    kind: 'opportunity',
    // An opportunity run takes its one scope, whatever the scope of the run whose change is retried.
    scope: defaultScopeOf('opportunity'),
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
      details: fieldIssues(parsed.error),
    });
  }
  return parsed.data;
}

/** Creates the retry run through the runs service, records the link in the audit trail, and requests its solve. */
async function startRetryRun(ctx: QueueContext, item: Claimed): Promise<string> {
  const input = retryRunInput(item);
  const runsCtx = { ...ctx, requestId: ctx.requestId ?? '' };
  const run = await createRun({ ctx: runsCtx, input });
  try {
    // The link is written under the run's lock before the solve is requested: a cancel of the run (which takes the
    // same lock) either comes first and is seen here, or comes after and finds the link (settleQueueOnCancel).
    await withOrg(ctx.db, orgScope(ctx.principal), (tx) => linkRetryRun(tx, ctx, item, run.id));
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

/** Under the retry run's lock (still a draft), files the item's retry link in the audit trail. */
async function linkRetryRun(tx: Tx, ctx: QueueContext, item: Claimed, runId: string): Promise<void> {
  const [locked] = await tx
    .select({ status: runs.status })
    .from(runs)
    .where(eq(runs.id, runId))
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
    runId,
    before: { status: 'error', error: item.error, runId: item.runId },
    after: { status: 'processing', retryRunId: runId, opportunityId: item.opportunityId },
  });
}
