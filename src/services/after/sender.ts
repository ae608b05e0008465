/**
 * The notice sender (F10, RELIABILITY 12–14). Per org, one notice at a time: wait for the pacer, claim the next due
 * notice (pending, or 'sending' whose lease ran out because a worker died mid-send) FOR UPDATE SKIP LOCKED →
 * 'sending' with attempts + 1 and a lease, send it through the real Resend SDK with the notice's own idempotency
 * key (so a retry of a message the provider already accepted is not delivered twice), record sent / retry with
 * back-off / failed with the reason. Claiming one at a time, right before its request, is what makes
 * cancellation clean: 'sending' means "handed to the provider (or about to be, this instant)", so a rollback or a
 * cancel that stops the pending notices of a run mid fan-out stops everything not yet sent, and a worker never
 * sends a notice that was cancelled after it started the batch. Requests are paced to stay under Resend's 2
 * requests per second per team. Without RESEND_API_KEY nothing is claimed: notices stay pending and are shown as
 * not sent.
 */
import { and, asc, eq, inArray, lte, min, or, sql } from 'drizzle-orm';
import { Resend } from 'resend';
import { notices } from '../../../db/schema/index.ts';
import { appendAudit } from '../../db/audit.ts';
import type { Database, Tx } from '../../db/client.ts';
import { queryRows } from '../../db/query-rows.ts';
import { withOrg, withoutOrg } from '../../db/tenancy.ts';
import type { JobHandler } from '../../jobs/runner.ts';
import { type Env, parseEnv } from '../../lib/env.ts';
import type { Logger } from '../../lib/logger.ts';
import { decideOutcome, type SendOutcome } from '../../notices/delivery-policy.ts';
import { type NoticeRow, providerConfigured, scheduleNoticeDelivery } from './outbox.ts';

export interface SenderOptions {
  db: Database;
  env: Pick<Env, 'RESEND_API_KEY' | 'RESEND_BASE_URL' | 'EMAIL_FROM'>;
  clock?: () => Date;
  logger?: Logger;
  /** Least time between two provider requests of this process (Resend: 2 per second per team). */
  minIntervalMs?: number;
  /** A request that takes longer is abandoned and retried later with the same idempotency key. */
  requestTimeoutMs?: number;
  /** How long a claimed notice stays 'sending' before another worker may try it again (> the timeout). */
  sendingLeaseMs?: number;
  signal?: AbortSignal;
}

export interface SendReport {
  configured: boolean;
  claimed: number;
  sent: number;
  retrying: number;
  failed: number;
  /** When the org's next notice is due (a retry or a lease running out), if any. */
  nextDueAt: Date | null;
}

export const DEFAULT_MIN_INTERVAL_MS = 550;
export const DEFAULT_REQUEST_TIMEOUT_MS = 15_000;

/** Spaces calls at least `intervalMs` apart, across every sender of this process. */
export function createPacer(intervalMs: number) {
  let next = 0;
  return async function wait(signal?: AbortSignal) {
    const now = Date.now();
    const at = Math.max(now, next);
    next = at + intervalMs;
    if (at > now) {
      await new Promise<void>((resolve, reject) => {
        const timer = setTimeout(resolve, at - now);
        signal?.addEventListener(
          'abort',
          () => {
            clearTimeout(timer);
            reject(signal.reason);
          },
          { once: true },
        );
      });
    }
  };
}

const sharedPacers = new Map<number, ReturnType<typeof createPacer>>();
function pacerFor(intervalMs: number) {
  let pacer = sharedPacers.get(intervalMs);
  if (!pacer) {
    pacer = createPacer(intervalMs);
    sharedPacers.set(intervalMs, pacer);
  }
  return pacer;
}

/** Claims up to `limit` due notices of the transaction's org and marks them 'sending' with a lease. */
export async function claimDueNotices(
  tx: Tx,
  input: { now: Date; leaseMs: number; limit: number },
): Promise<NoticeRow[]> {
  const due = or(
    and(eq(notices.status, 'pending'), lte(notices.nextAttemptAt, input.now)),
    // A worker died after claiming (perhaps after the provider accepted): retried with the same key.
    and(eq(notices.status, 'sending'), lte(notices.nextAttemptAt, input.now)),
  );
  const picked = await tx
    .select({ id: notices.id })
    .from(notices)
    .where(due)
    .orderBy(asc(notices.nextAttemptAt), asc(notices.createdAt))
    .limit(input.limit)
    .for('update', { skipLocked: true });
  if (picked.length === 0) return [];
  return tx
    .update(notices)
    .set({
      status: 'sending',
      attempts: sql`${notices.attempts} + 1`,
      nextAttemptAt: new Date(input.now.getTime() + input.leaseMs),
      updatedAt: input.now,
    })
    .where(
      inArray(
        notices.id,
        picked.map((p) => p.id),
      ),
    )
    .returning();
}

/** One request to the provider; never throws (the SDK returns errors, and aborts become retryable errors). */
export async function deliverNotice(
  client: Resend,
  notice: NoticeRow,
  options: { from: string; timeoutMs: number; signal?: AbortSignal | undefined },
): Promise<SendOutcome> {
  const signals = [AbortSignal.timeout(options.timeoutMs)];
  if (options.signal) signals.push(options.signal);
  try {
    const result = await client.emails.send(
      {
        from: options.from,
        to: [notice.recipientEmail],
        subject: notice.subject,
        html: notice.html,
        text: notice.text,
      },
      // The payload is built only from the stored row, so every retry is byte-identical under the same key.
      { idempotencyKey: notice.idempotencyKey, signal: AbortSignal.any(signals) },
    );
    return decideOutcome(notice.attempts, result);
  } catch (error) {
    return decideOutcome(notice.attempts, {
      data: null,
      error: { name: 'request_aborted', statusCode: null, message: String(error) },
    });
  }
}

/** Stores an attempt's outcome; only a row still 'sending' (ours) is updated. */
export async function recordOutcome(
  tx: Tx,
  notice: NoticeRow,
  outcome: SendOutcome,
  now: Date,
): Promise<void> {
  const mine = and(eq(notices.id, notice.id), eq(notices.status, 'sending'));
  if (outcome.kind === 'sent') {
    await tx
      .update(notices)
      .set({ status: 'sent', providerId: outcome.providerId, sentAt: now, lastError: null, updatedAt: now })
      .where(mine);
  } else if (outcome.kind === 'retry') {
    await tx
      .update(notices)
      .set({
        status: 'pending',
        lastError: outcome.reason,
        nextAttemptAt: new Date(now.getTime() + outcome.delayMs),
        updatedAt: now,
      })
      .where(mine);
    return;
  } else {
    await tx.update(notices).set({ status: 'failed', lastError: outcome.reason, updatedAt: now }).where(mine);
  }
  await appendAudit(tx, {
    action: outcome.kind === 'sent' ? 'notice.sent' : 'notice.failed',
    entityType: 'notice',
    entityId: notice.id,
    runId: notice.runId,
    actorLabel: 'notice sender',
    before: { status: 'sending', attempts: notice.attempts },
    after:
      outcome.kind === 'sent'
        ? { status: 'sent', providerId: outcome.providerId, to: notice.recipientEmail }
        : { status: 'failed', reason: outcome.reason, to: notice.recipientEmail },
    at: now,
  });
}

/** Sends every notice of one org that is due now; loops until none is left due. */
export async function sendDueNoticesOfOrg(options: SenderOptions, orgId: string): Promise<SendReport> {
  const clock = options.clock ?? (() => new Date());
  const report: SendReport = {
    configured: false,
    claimed: 0,
    sent: 0,
    retrying: 0,
    failed: 0,
    nextDueAt: null,
  };
  if (!providerConfigured(options.env)) return report;
  report.configured = true;
  const client = new Resend(
    options.env.RESEND_API_KEY,
    options.env.RESEND_BASE_URL ? { baseUrl: options.env.RESEND_BASE_URL } : {},
  );
  const timeoutMs = options.requestTimeoutMs ?? DEFAULT_REQUEST_TIMEOUT_MS;
  const leaseMs = Math.max(options.sendingLeaseMs ?? 4 * timeoutMs, timeoutMs + 1_000);
  const pace = pacerFor(options.minIntervalMs ?? DEFAULT_MIN_INTERVAL_MS);
  const scope = { orgId };
  for (;;) {
    if (options.signal?.aborted) break;
    // Wait for the provider's rate first, then claim: the notice is 'sending' only while its request is made.
    try {
      await pace(options.signal);
    } catch (error) {
      if (options.signal?.aborted) break; // stopped while waiting: nothing was claimed, nothing is half-done
      throw error;
    }
    const [notice] = await withOrg(options.db, scope, (tx) =>
      claimDueNotices(tx, { now: clock(), leaseMs, limit: 1 }),
    );
    // Nothing due (or everything left was cancelled meanwhile): this pass is over.
    if (!notice) break;
    report.claimed += 1;
    const outcome = await deliverNotice(client, notice, {
      from: options.env.EMAIL_FROM,
      timeoutMs,
      signal: options.signal,
    });
    // A notice left 'sending' by an abort is picked up again when its lease runs out, with the same key.
    await withOrg(options.db, scope, (tx) => recordOutcome(tx, notice, outcome, clock()));
    if (outcome.kind === 'sent') report.sent += 1;
    else if (outcome.kind === 'retry') report.retrying += 1;
    else report.failed += 1;
    options.logger?.info('notice attempt', {
      noticeId: notice.id,
      attempt: notice.attempts,
      outcome: outcome.kind,
      ...(outcome.kind === 'sent' ? {} : { reason: outcome.reason }),
    });
  }
  report.nextDueAt = await withOrg(options.db, scope, async (tx) => {
    const [row] = await tx
      .select({ at: min(notices.nextAttemptAt) })
      .from(notices)
      .where(inArray(notices.status, ['pending', 'sending']));
    return row?.at ? new Date(row.at) : null;
  });
  return report;
}

/** Every org with notices due (orgs_with_due_notices, SECURITY DEFINER: it reveals org ids only). */
export async function orgsWithDueNotices(db: Database, limit = 1000): Promise<string[]> {
  const rows = await withoutOrg(db, {}, (tx) =>
    queryRows<{ org_id: string }>(tx, sql`select org_id from orgs_with_due_notices(${limit})`),
  );
  return rows.map((r) => String(r.org_id));
}

/**
 * The periodic safety net: enqueues one send_notices job per org with notices due. Call it on an interval
 * (src/index.ts); commits, retries and rollbacks schedule their own jobs, so this only catches stragglers.
 */
export async function sweepDueNotices(db: Database): Promise<number> {
  const orgIds = await orgsWithDueNotices(db);
  for (const orgId of orgIds) {
    await withOrg(db, { orgId }, (tx) => scheduleNoticeDelivery(tx, orgId, { runAt: new Date(0) }));
  }
  return orgIds.length;
}

/**
 * The `send_notices` job: sends the job's org's due notices, then schedules itself again for the next retry
 * or lease expiry, so back-off needs no poller. The environment is read when the job runs.
 */
export function createSendNoticesHandler(
  overrides: Partial<Omit<SenderOptions, 'db' | 'signal'>> = {},
): JobHandler {
  return async (job, ctx) => {
    const env = overrides.env ?? parseEnv();
    const report = await sendDueNoticesOfOrg(
      { ...overrides, env, db: ctx.db, signal: ctx.signal },
      job.orgId,
    );
    if (report.configured && report.nextDueAt && !ctx.signal.aborted) {
      const now = (overrides.clock ?? (() => new Date()))();
      const runAt = new Date(Math.max(report.nextDueAt.getTime(), now.getTime()));
      await ctx.inOrg((tx) => scheduleNoticeDelivery(tx, job.orgId, { runAt }));
    }
    return report;
  };
}
