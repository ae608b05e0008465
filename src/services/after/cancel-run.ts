/**
 * Cancellation (F12): a run that is not yet committed stops here, with a reason. A solve in flight is asked to
 * stop through the job queue. A committed run is undone with a rollback, not a cancellation; but while it is still
 * sending its notices, a manager can cancel the sending: every notice not yet handed to the provider is cancelled
 * and the run stays committed. The commission queue settles with the cancel, in its transaction: the run's waiting
 * items become cancelled, and an item the run was retrying goes back to error (settleQueueOnCancel).
 */

import { and, eq, inArray } from 'drizzle-orm';
import { jobs, runs } from '../../../db/schema/index.ts';
import { orgScope } from '../../auth/principal.ts';
import { appendAudit } from '../../db/audit.ts';
import type { Tx } from '../../db/client.ts';
import { withOrg } from '../../db/tenancy.ts';
import { requestCancel } from '../../jobs/queue.ts';
import { AppError, forbidden } from '../../lib/errors.ts';
import { nextStatus } from '../../workflow/run-status.ts';
import { actingIds, actorFields } from '../audit/actor.ts';
import { settleQueueOnCancel } from '../commission-queue/settle.ts';
import { lockRun, type RunRow } from '../run-records/run-records.ts';
import { type RunActionContext, type RunState, runState, transitionEvent } from '../run-records/run-state.ts';
import { cancelPendingNoticesOfRun } from './outbox.ts';

export const CANCEL_ROLES = ['manager', 'analyst'] as const;

export interface CancelInput {
  runId: string;
  reason: string;
}

export interface CancelResult {
  run: RunState;
  /** Solve jobs asked to stop: cancelled at once when queued, `cancelling` when running (stops at its next check). */
  jobs: { id: string; outcome: 'cancelled' | 'cancelling' | 'finished' }[];
  /** A committed run that was still sending: how many of its notices were stopped (the run stays committed). */
  notices?: { cancelled: number };
  /** Commission queue items: the run's own cancelled, and items it was retrying returned to error. */
  queue?: { cancelled: number; reopened: number };
}

export async function cancelRun({
  ctx,
  input,
}: {
  ctx: RunActionContext;
  input: CancelInput;
}): Promise<CancelResult> {
  if (!(CANCEL_ROLES as readonly string[]).includes(ctx.principal.role)) {
    throw forbidden('Only a manager or an analyst can cancel a run.');
  }
  const reason = input.reason.trim();
  if (reason === '') {
    throw new AppError('VALIDATION_FAILED', 'Say why the run is cancelled.', {
      details: [{ path: 'reason', message: 'Required.' }],
    });
  }
  return withOrg(ctx.db, orgScope(ctx.principal), async (tx) => {
    const run = await lockRun(tx, input.runId);
    if (run.status === 'committed') return cancelSending(ctx, tx, run, reason);
    // A manager's approval is undone only by a manager: an analyst could otherwise void what was signed off.
    if (run.status === 'approved' && ctx.principal.role !== 'manager') {
      throw forbidden('Only a manager can cancel an approved run.');
    }
    const to = nextStatus(run.status, 'cancel');
    const active = await tx
      .select({ id: jobs.id })
      .from(jobs)
      .where(and(eq(jobs.runId, run.id), inArray(jobs.status, ['queued', 'running'])));
    const stopped: CancelResult['jobs'] = [];
    for (const job of active) {
      const outcome = await requestCancel(tx, job.id);
      if (outcome) stopped.push({ id: job.id, outcome });
    }
    const now = ctx.clock();
    const acting = actingIds(ctx.principal);
    const [updated] = await tx
      .update(runs)
      .set({
        status: to,
        cancelledBy: acting.userId,
        cancelledByApiKeyId: acting.apiKeyId,
        cancelledAt: now,
        updatedAt: now,
      })
      .where(eq(runs.id, run.id))
      .returning();
    await appendAudit(
      tx,
      transitionEvent(
        ctx,
        run.id,
        'run.cancelled',
        run.status,
        to,
        { after: { reason, jobs: stopped } },
        now,
      ),
    );
    const queue = await settleQueueOnCancel(tx, { runId: run.id, reason, at: now, actor: actorFields(ctx) });
    return {
      run: runState(updated!),
      jobs: stopped,
      queue: { cancelled: queue.cancelled, reopened: queue.reopened.length },
    };
  });
}

/**
 * A committed run still sending its notices (F12: cancellation while sending): its changes stand (a rollback undoes
 * them), every notice not yet handed to the provider is cancelled, and one in flight finishes. Managers only, like
 * a rollback. With nothing left to send it is refused, as before.
 */
async function cancelSending(
  ctx: RunActionContext,
  tx: Tx,
  run: RunRow,
  reason: string,
): Promise<CancelResult> {
  if (ctx.principal.role !== 'manager') {
    throw forbidden('Only a manager can cancel the sending of a committed run.');
  }
  const now = ctx.clock();
  const stopped = await cancelPendingNoticesOfRun(tx, {
    runId: run.id,
    at: now,
    reason: `sending cancelled: ${reason}`,
    actor: actorFields(ctx),
  });
  if (stopped.length === 0) {
    throw new AppError(
      'CONFLICT',
      'This run is committed and has no notices left to send: roll it back instead of cancelling it.',
      { details: { status: run.status } },
    );
  }
  await appendAudit(tx, {
    action: 'run.sending_cancelled',
    entityType: 'run',
    entityId: run.id,
    runId: run.id,
    ...actorFields(ctx),
    before: { status: run.status },
    after: { status: run.status, reason, noticesCancelled: stopped.length },
    at: now,
  });
  return { run: runState(run), jobs: [], notices: { cancelled: stopped.length } };
}
