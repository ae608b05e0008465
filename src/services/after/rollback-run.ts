/**
 * Rollback of a committed run (F12, RELIABILITY 11), in one transaction: inside the org's window after the
 * commit, every record the change set changed returns to its previous value — unless it changed since (then
 * it is listed as a conflict and left alone); split history gets the exact inverse of the applied edit
 * (HISTORY_STALE → flagged); pending notices are cancelled; people already notified get a correction digest;
 * the run becomes rolled_back; all of it audited. A second rollback returns the first result unchanged.
 */
import { and, eq, inArray, sql } from 'drizzle-orm';
import { notices, orgs, runs } from '../../../db/schema/index.ts';
import { orgScope } from '../../auth/principal.ts';
import { appendAuditEvents } from '../../db/audit.ts';
import type { Tx } from '../../db/client.ts';
import { withOrg } from '../../db/tenancy.ts';
import { AppError } from '../../lib/errors.ts';
import { composeNotices } from '../../notices/compose.ts';
import { nextStatus } from '../../workflow/run-status.ts';
import { auditActor } from '../audit/actor.ts';
import type { OrgContext } from '../auth/context.ts';
import { refuseRollbackWhileRetried, settleQueueOnRollback } from '../commission-queue/settle.ts';
import { reverseAdjustments } from '../commit/commit-commission.ts';
import { lockRun, type RunRow } from '../run-records/run-records.ts';
import { type LoadedChangeSet, loadChangeSet } from './load-change-set.ts';
import { buildNoticeInput } from './notice-input.ts';
import { cancelPendingNoticesOfRun, scheduleNoticeDelivery, writeNoticeDrafts } from './outbox.ts';
import { ROLLED_BACK_ACTION, type RollbackResult, readRollbackResult } from './rollback-record.ts';
import { type AuditActor, restoreRecords } from './rollback-restore.ts';

export interface RollbackContext extends OrgContext {
  /** Base URL of the links in correction emails. */
  appBaseUrl: string;
}

/** The last moment a rollback is accepted: the commit time plus the org's window (inclusive). */
export function rollbackDeadline(committedAt: Date, windowHours: number): Date {
  return new Date(committedAt.getTime() + windowHours * 3_600_000);
}

export async function rollbackRun({
  ctx,
  input,
}: {
  ctx: RollbackContext;
  /** reason: why the run is undone, kept in the run.rolled_back audit event of the same transaction. */
  input: { runId: string; reason?: string | undefined };
}): Promise<{ result: RollbackResult; replayed: boolean }> {
  return withOrg(ctx.db, orgScope(ctx.principal), async (tx) => {
    // The row lock serialises concurrent rollbacks of one run: the second sees rolled_back and replays.
    const run = await lockRun(tx, input.runId);
    if (run.status === 'rolled_back') {
      const stored = await readRollbackResult(tx, run.id);
      if (stored) return { result: stored, replayed: true };
    }
    nextStatus(run.status, 'rollback');
    const { committedAt, deadline, now } = await checkWindow(tx, ctx, run);
    await refuseRollbackWhileRetried(tx, run.id);
    const loaded = await loadChangeSet(tx, run.id, { run });
    const actor = auditActor(ctx);
    const { events, conflicts, restoredItemIds, restored, restoredSplitOpportunities } = await restoreRecords(
      tx,
      run.id,
      loaded.items,
      { actor, now },
    );
    // Clawbacks and credits the commit booked (commission_adjustments) are reversed by new rows, history kept, for
    // every opportunity whose split came back; where the split could not be restored they still apply.
    await reverseAdjustments(tx, run, restoredSplitOpportunities, now);
    const notices = await stopAndCorrectNotices(tx, ctx, loaded, { restoredItemIds, actor, now });

    const result: RollbackResult = {
      runId: run.id,
      status: 'rolled_back',
      rolledBackAt: now.toISOString(),
      rolledBackBy: ctx.principal.email ?? ctx.principal.apiKeyName ?? null,
      deadline: deadline.toISOString(),
      restored,
      restoredItemIds,
      conflicts,
      notices,
      inverseExport: `/v1/runs/${run.id}/exports/inverse`,
    };
    await tx
      .update(runs)
      .set({
        status: 'rolled_back',
        rolledBackBy: ctx.principal.userId ?? null,
        rolledBackAt: now,
        updatedAt: now,
      })
      .where(eq(runs.id, run.id));
    // The commission queue follows the run: none of its items stands any more (nor can an error item be retried),
    // and an item this run settled as a retry is reopened, retryable again.
    events.push(
      ...(await settleQueueOnRollback(tx, {
        runId: run.id,
        reason: input.reason ?? null,
        at: now,
        actor,
      })),
    );
    events.push({
      ...actor,
      action: ROLLED_BACK_ACTION,
      entityType: 'run',
      entityId: run.id,
      runId: run.id,
      before: { status: run.status, committedAt: committedAt.toISOString() },
      after: { status: 'rolled_back', result, reason: input.reason ?? null },
    });
    await appendAuditEvents(tx, events);
    return { result, replayed: false };
  });
}

/** Refuses a rollback after the org's window closed; otherwise says when it closes and what time it is now. */
async function checkWindow(tx: Tx, ctx: RollbackContext, run: RunRow) {
  const [org] = await tx
    .select({ windowHours: orgs.rollbackWindowHours })
    .from(orgs)
    .where(eq(orgs.id, ctx.principal.orgId));
  const committedAt = run.committedAt ?? run.updatedAt;
  const deadline = rollbackDeadline(committedAt, org?.windowHours ?? 48);
  const now = ctx.clock();
  if (now.getTime() > deadline.getTime()) {
    throw new AppError(
      'CONFLICT',
      `The rollback window of this run closed at ${deadline.toISOString()} (${org?.windowHours ?? 48} hours after the commit at ${committedAt.toISOString()}). Undo the changes with a new run instead.`,
      {
        details: {
          deadline: deadline.toISOString(),
          committedAt: committedAt.toISOString(),
          windowHours: org?.windowHours ?? 48,
        },
      },
    );
  }
  return { committedAt, deadline, now };
}

/**
 * Pending notices of the run are stopped; one already handed to the provider ('sending') may arrive, so its
 * recipient counts as notified and gets the correction (a digest of what was restored).
 */
async function stopAndCorrectNotices(
  tx: Tx,
  ctx: RollbackContext,
  loaded: LoadedChangeSet,
  { restoredItemIds, actor, now }: { restoredItemIds: string[]; actor: AuditActor; now: Date },
): Promise<RollbackResult['notices']> {
  const runId = loaded.run.id;
  const cancelled = await cancelPendingNoticesOfRun(tx, {
    runId,
    at: now,
    reason: 'run rolled back',
    actor,
  });
  const notified = await tx
    .select({ to: notices.recipientEmail })
    .from(notices)
    .where(
      and(
        eq(notices.runId, runId),
        inArray(notices.status, ['sent', 'sending']),
        sql`${notices.kind} not like 'correction%'`,
      ),
    );
  const notifiedEmails = new Set(notified.map((n) => n.to.toLowerCase()));
  let corrections = 0;
  let unreachable: string[] = [];
  if (notifiedEmails.size > 0 && restoredItemIds.length > 0) {
    const composed = composeNotices(
      await buildNoticeInput(tx, loaded, {
        purpose: 'correction',
        appBaseUrl: ctx.appBaseUrl,
        onlyItemIds: new Set(restoredItemIds),
      }),
    );
    const drafts = composed.drafts.filter((d) => notifiedEmails.has(d.recipient.email.toLowerCase()));
    corrections = await writeNoticeDrafts(tx, {
      orgId: ctx.principal.orgId,
      runId,
      drafts,
      kindPrefix: 'correction_',
    });
    unreachable = composed.unreachable.map((u) => `${u.person.name} (${u.kind}): no email address`);
    if (corrections > 0) await scheduleNoticeDelivery(tx, ctx.principal.orgId);
  }
  return { cancelled: cancelled.length, corrections, unreachable };
}
