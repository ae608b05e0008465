/**
 * Cancellation (F12): a run that is not yet committed stops here, with a reason. A solve in flight is asked to
 * stop through the job queue; a committed run is refused (it is undone with a rollback).
 */
import { and, eq, inArray } from 'drizzle-orm';
import { jobs, runs } from '../../../db/schema/index.ts';
import { orgScope } from '../../auth/principal.ts';
import { appendAudit } from '../../db/audit.ts';
import { withOrg } from '../../db/tenancy.ts';
import { requestCancel } from '../../jobs/queue.ts';
import { AppError, forbidden } from '../../lib/errors.ts';
import { nextStatus } from '../../workflow/run-status.ts';
import { lockRun, type RunActionContext, type RunState, runState, transitionEvent } from './run-state.ts';

export const CANCEL_ROLES = ['manager', 'analyst'] as const;

export interface CancelInput {
  runId: string;
  reason: string;
}

export interface CancelResult {
  run: RunState;
  /** Solve jobs asked to stop: cancelled at once when queued, `cancelling` when running (stops at its next check). */
  jobs: { id: string; outcome: 'cancelled' | 'cancelling' | 'finished' }[];
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
    if (run.status === 'committed') {
      throw new AppError('CONFLICT', 'This run is committed: roll it back instead of cancelling it.', {
        details: { status: run.status },
      });
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
    const [updated] = await tx
      .update(runs)
      .set({ status: to, cancelledBy: ctx.principal.userId ?? null, cancelledAt: now, updatedAt: now })
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
    return { run: runState(updated!), jobs: stopped };
  });
}
