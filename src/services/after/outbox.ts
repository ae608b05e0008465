/**
 * The notice outbox (F10): writing composed drafts, scheduling the sender, and the verbs people use on it —
 * list, preview, retry a failed notice, cancel a pending one, stop a run's fan-out. Sending lives in sender.ts.
 */
import { and, asc, count, desc, eq, type SQL } from 'drizzle-orm';
import { notices, runs } from '../../../db/schema/index.ts';
import { orgScope } from '../../auth/principal.ts';
import { type AuditEventInput, appendAudit, appendAuditEvents } from '../../db/audit.ts';
import type { Tx } from '../../db/client.ts';
import { withOrg } from '../../db/tenancy.ts';
import { enqueueJob } from '../../jobs/queue.ts';
import type { Env } from '../../lib/env.ts';
import { AppError, notFound } from '../../lib/errors.ts';
import type { NoticeDraft } from '../../notices/types.ts';
import { type ActorFields, auditActor } from '../audit/actor.ts';
import type { OrgContext } from '../auth/context.ts';

export const SEND_NOTICES_JOB = 'send_notices';
export const NOT_CONFIGURED_NOTE = 'not sent: no email provider configured';

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;
const REP_KINDS = new Set<string>(['receiving_rep', 'losing_rep', 'losing_rep_manager']);

export type NoticeRow = typeof notices.$inferSelect;
export type NoticeStatus = NoticeRow['status'];

/**
 * Asks the sender to deliver the org's due notices. Runs in the caller's transaction, so a commit that writes
 * notices enqueues their delivery atomically. `runAt` schedules a later pass (retries with back-off).
 * Each distinct time is its own job (dedupe per time), so a running sender never swallows a new request.
 */
export async function scheduleNoticeDelivery(
  tx: Tx,
  orgId: string,
  options: { runAt?: Date } = {},
): Promise<{ jobId: string }> {
  const runAt = options.runAt;
  const job = await enqueueJob(tx, {
    orgId,
    kind: SEND_NOTICES_JOB,
    dedupeKey: runAt ? `${SEND_NOTICES_JOB}:${orgId}:${runAt.toISOString()}` : null,
    ...(runAt ? { runAt } : {}),
    maxAttempts: 5,
  });
  return { jobId: job.id };
}

/**
 * Writes drafts to the outbox as pending notices. The idempotency key is unique, so writing the same draft
 * twice (a retried commit or rollback) adds nothing. Returns how many rows were new.
 */
export async function writeNoticeDrafts(
  tx: Tx,
  input: { orgId: string; runId: string | null; drafts: readonly NoticeDraft[]; kindPrefix?: string },
): Promise<number> {
  if (input.drafts.length === 0) return 0;
  const inserted = await tx
    .insert(notices)
    .values(
      input.drafts.map((d) => ({
        orgId: input.orgId,
        runId: input.runId,
        kind: `${input.kindPrefix ?? ''}${d.kind}`,
        recipientEmail: d.recipient.email,
        recipientName: d.recipient.name,
        // Digests to reps (and their managers, who are reps) name a rep; summaries go to org members (users).
        recipientRepId: REP_KINDS.has(d.kind) && UUID.test(d.recipient.id) ? d.recipient.id : null,
        recipientUserId: !REP_KINDS.has(d.kind) && UUID.test(d.recipient.id) ? d.recipient.id : null,
        subject: d.subject,
        html: d.html,
        text: d.text,
        idempotencyKey: d.idempotencyKey,
      })),
    )
    .onConflictDoNothing({ target: notices.idempotencyKey })
    .returning({ id: notices.id });
  return inserted.length;
}

/** What a person reads next to a notice's status. */
export function deliveryNote(notice: Pick<NoticeRow, 'status' | 'lastError'>, providerConfigured: boolean) {
  if ((notice.status === 'pending' || notice.status === 'sending') && !providerConfigured) {
    return NOT_CONFIGURED_NOTE;
  }
  if (notice.status === 'failed') return `failed: ${notice.lastError ?? 'no reason recorded'}`;
  if (notice.status === 'pending' && notice.lastError) return `will retry; last error: ${notice.lastError}`;
  return null;
}

export function providerConfigured(env: Pick<Env, 'RESEND_API_KEY'>): boolean {
  return Boolean(env.RESEND_API_KEY);
}

export interface NoticeListInput {
  runId?: string | undefined;
  status?: NoticeStatus | undefined;
  limit?: number | undefined;
  offset?: number | undefined;
  /** Newest first (the outbox page); oldest first when left out (the API's order). */
  newestFirst?: boolean | undefined;
}

export async function listNotices({
  ctx,
  input,
}: {
  ctx: OrgContext;
  input: NoticeListInput;
}): Promise<{ notices: NoticeRow[]; nextOffset: number | null }> {
  const limit = Math.min(Math.max(input.limit ?? 100, 1), 500);
  const offset = Math.max(input.offset ?? 0, 0);
  const where: SQL[] = [];
  if (input.runId) where.push(eq(notices.runId, input.runId));
  if (input.status) where.push(eq(notices.status, input.status));
  const rows = await withOrg(ctx.db, orgScope(ctx.principal), (tx) =>
    tx
      .select()
      .from(notices)
      .where(where.length > 0 ? and(...where) : undefined)
      .orderBy(
        ...(input.newestFirst
          ? [desc(notices.createdAt), asc(notices.id)]
          : [asc(notices.createdAt), asc(notices.id)]),
      )
      .limit(limit)
      .offset(offset),
  );
  return { notices: rows, nextOffset: rows.length === limit ? offset + limit : null };
}

export async function getNotice({ ctx, input }: { ctx: OrgContext; input: { id: string } }) {
  const [row] = await withOrg(ctx.db, orgScope(ctx.principal), (tx) =>
    tx.select().from(notices).where(eq(notices.id, input.id)),
  );
  if (!row) throw notFound(`Notice ${input.id}`);
  return row;
}

async function lockNotice(tx: Tx, id: string): Promise<NoticeRow> {
  const [row] = await tx.select().from(notices).where(eq(notices.id, id)).for('update');
  if (!row) throw notFound(`Notice ${id}`);
  return row;
}

/**
 * A failed notice goes back to pending with a fresh attempt budget; the idempotency key stays the same. A handoff
 * of a run that was rolled back is out of date and is not sent again (its correction tells the person instead).
 */
export async function retryNotice({ ctx, input }: { ctx: OrgContext; input: { id: string } }) {
  return withOrg(ctx.db, orgScope(ctx.principal), async (tx) => {
    const row = await lockNotice(tx, input.id);
    if (row.status !== 'failed') {
      throw new AppError('CONFLICT', `Only a failed notice can be retried; this one is ${row.status}.`, {
        details: { status: row.status },
      });
    }
    if (row.runId && !row.kind.startsWith('correction_')) {
      const [run] = await tx.select({ status: runs.status }).from(runs).where(eq(runs.id, row.runId));
      if (run?.status === 'rolled_back') {
        throw new AppError(
          'CONFLICT',
          'The run of this notice was rolled back, so what it says is no longer true; it is not sent again.',
          { details: { status: row.status, runStatus: run.status } },
        );
      }
    }
    const now = ctx.clock();
    const [updated] = await tx
      .update(notices)
      .set({ status: 'pending', attempts: 0, nextAttemptAt: now, updatedAt: now })
      .where(eq(notices.id, row.id))
      .returning();
    await appendAudit(tx, {
      ...auditActor(ctx),
      action: 'notice.retry_requested',
      entityType: 'notice',
      entityId: row.id,
      runId: row.runId,
      before: { status: row.status, attempts: row.attempts, lastError: row.lastError },
      after: { status: 'pending', attempts: 0 },
    });
    await scheduleNoticeDelivery(tx, ctx.principal.orgId);
    return updated!;
  });
}

/** A pending notice is cancelled and never sent. One being sent right now cannot be recalled. */
export async function cancelNotice({ ctx, input }: { ctx: OrgContext; input: { id: string } }) {
  return withOrg(ctx.db, orgScope(ctx.principal), async (tx) => {
    const row = await lockNotice(tx, input.id);
    if (row.status !== 'pending') {
      throw new AppError(
        'CONFLICT',
        row.status === 'sending'
          ? 'This notice is being sent right now and cannot be recalled; look again in a minute.'
          : `Only a pending notice can be cancelled; this one is ${row.status}.`,
        { details: { status: row.status } },
      );
    }
    const now = ctx.clock();
    const [updated] = await tx
      .update(notices)
      .set({ status: 'cancelled', cancelledAt: now, updatedAt: now })
      .where(eq(notices.id, row.id))
      .returning();
    await appendAudit(tx, {
      ...auditActor(ctx),
      action: 'notice.cancelled',
      entityType: 'notice',
      entityId: row.id,
      runId: row.runId,
      before: { status: row.status },
      after: { status: 'cancelled' },
    });
    return updated!;
  });
}

export interface StoppedNotice {
  id: string;
  kind: string;
  to: string;
}

/**
 * Stops a run's notice fan-out in the caller's transaction: every notice of the run not yet handed to the provider
 * (pending, including those waiting for a retry) becomes cancelled, one audit event each. Notices being sent this
 * instant ('sending') cannot be recalled and are left to finish; the sender claims one notice at a time, right
 * before its request, so nothing else is in flight. Used by the rollback and by cancelling a run while it sends.
 */
export async function cancelPendingNoticesOfRun(
  tx: Tx,
  input: {
    runId: string;
    at: Date;
    reason: string;
    actor: ActorFields;
  },
): Promise<StoppedNotice[]> {
  const cancelled = await tx
    .update(notices)
    .set({ status: 'cancelled', cancelledAt: input.at, updatedAt: input.at })
    .where(and(eq(notices.runId, input.runId), eq(notices.status, 'pending')))
    .returning({ id: notices.id, to: notices.recipientEmail, kind: notices.kind });
  await appendAuditEvents(
    tx,
    cancelled.map(
      (n): AuditEventInput => ({
        ...input.actor,
        action: 'notice.cancelled',
        entityType: 'notice',
        entityId: n.id,
        runId: input.runId,
        before: { status: 'pending' },
        after: { status: 'cancelled', reason: input.reason, to: n.to },
        at: input.at,
      }),
    ),
  );
  return cancelled;
}

/** How many notices of the org are in each status (the outbox page's summary). */
export async function noticeCounts({ ctx }: { ctx: OrgContext }): Promise<Record<NoticeStatus, number>> {
  const rows = await withOrg(ctx.db, orgScope(ctx.principal), (tx) =>
    tx.select({ status: notices.status, n: count() }).from(notices).groupBy(notices.status),
  );
  const out: Record<NoticeStatus, number> = { pending: 0, sending: 0, sent: 0, failed: 0, cancelled: 0 };
  for (const r of rows) out[r.status] = Number(r.n);
  return out;
}

/** One notice and the reason of its run (the outbox page names the run it came from). */
export async function getNoticeWithRun({ ctx, input }: { ctx: OrgContext; input: { id: string } }) {
  const notice = await getNotice({ ctx, input });
  if (!notice.runId) return { notice, runReason: null };
  const [run] = await withOrg(ctx.db, orgScope(ctx.principal), (tx) =>
    tx.select({ reason: runs.reason }).from(runs).where(eq(runs.id, notice.runId!)),
  );
  return { notice, runReason: run?.reason ?? null };
}
