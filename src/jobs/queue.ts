/**
 * Enqueueing and cancelling background jobs (solves, imports, notice sending). Jobs live in Postgres, so any
 * app instance can run them; these verbs run inside the caller's withOrg transaction, so a job is enqueued
 * atomically with the change that asked for it.
 */
import { and, eq, inArray, sql } from 'drizzle-orm';
import { jobs } from '../../db/schema/index.ts';
import type { Tx } from '../db/client.ts';

export interface EnqueueInput {
  orgId: string;
  kind: string;
  payload?: Record<string, unknown>;
  runId?: string | null;
  /** At most one queued or running job per key (e.g. `solve:<run id>`): a second enqueue returns the first. */
  dedupeKey?: string | null;
  runAt?: Date;
  maxAttempts?: number;
  priority?: number;
}

export interface EnqueuedJob {
  id: string;
  /** False when an active job with the same dedupe key already existed and was returned instead. */
  created: boolean;
}

export async function enqueueJob(tx: Tx, input: EnqueueInput): Promise<EnqueuedJob> {
  const inserted = await tx
    .insert(jobs)
    .values({
      orgId: input.orgId,
      kind: input.kind,
      payload: input.payload ?? {},
      runId: input.runId ?? null,
      dedupeKey: input.dedupeKey ?? null,
      runAt: input.runAt ?? sql`now()`,
      maxAttempts: input.maxAttempts ?? 3,
      priority: input.priority ?? 0,
    })
    .onConflictDoNothing()
    .returning({ id: jobs.id });
  if (inserted[0]) return { id: inserted[0].id, created: true };
  const existing = await tx
    .select({ id: jobs.id })
    .from(jobs)
    .where(and(eq(jobs.dedupeKey, input.dedupeKey ?? ''), inArray(jobs.status, ['queued', 'running'])))
    .limit(1);
  if (!existing[0])
    throw new Error(`Job ${input.kind} could not be enqueued and no active duplicate exists.`);
  return { id: existing[0].id, created: false };
}

/**
 * Asks a job to stop. A queued job is cancelled at once; a running one is told through its heartbeat and stops
 * at its next check. Returns the job's status after the request, or null when there is no such job.
 */
export async function requestCancel(
  tx: Tx,
  jobId: string,
): Promise<'cancelled' | 'cancelling' | 'finished' | null> {
  const [job] = await tx.select({ status: jobs.status }).from(jobs).where(eq(jobs.id, jobId));
  if (!job) return null;
  if (job.status === 'queued') {
    await tx
      .update(jobs)
      .set({
        status: 'cancelled',
        cancelRequestedAt: sql`now()`,
        finishedAt: sql`now()`,
        updatedAt: sql`now()`,
      })
      .where(eq(jobs.id, jobId));
    return 'cancelled';
  }
  if (job.status === 'running') {
    await tx
      .update(jobs)
      .set({ cancelRequestedAt: sql`now()`, updatedAt: sql`now()` })
      .where(eq(jobs.id, jobId));
    return 'cancelling';
  }
  return 'finished';
}

export async function getJob(tx: Tx, jobId: string) {
  const [job] = await tx.select().from(jobs).where(eq(jobs.id, jobId));
  return job ?? null;
}
