/**
 * The job runner: claims due jobs of every org (claim_jobs, FOR UPDATE SKIP LOCKED, with a lease), runs each
 * through its handler inside that org's tenancy, keeps the lease alive with a heartbeat that also carries a
 * cancellation request into the handler's AbortSignal, and records success, retry with back-off, or failure.
 * A crashed instance's jobs are picked up again when their lease runs out.
 */
import { randomUUID } from 'node:crypto';
import { and, eq, sql } from 'drizzle-orm';
import { jobs } from '../../db/schema/index.ts';
import type { Database, Tx } from '../db/client.ts';
import { queryRows } from '../db/query-rows.ts';
import { withOrg, withoutOrg } from '../db/tenancy.ts';
import { parseJsonColumn } from '../lib/json-column.ts';
import type { Logger } from '../lib/logger.ts';
import { jobPayloadColumn } from './job-columns.ts';

export interface ClaimedJob {
  id: string;
  orgId: string;
  kind: string;
  payload: Record<string, unknown>;
  attempts: number;
  runId: string | null;
}

export interface JobContext {
  db: Database;
  /** Aborted when someone asks the job to stop, or the runner shuts down. */
  signal: AbortSignal;
  /** Stores progress the pages poll (e.g. { phase, done, total }). */
  reportProgress(progress: Record<string, unknown>): Promise<void>;
  /** Runs work in this job's org. */
  inOrg<T>(work: (tx: Tx) => Promise<T>): Promise<T>;
}

export type JobHandler = (job: ClaimedJob, ctx: JobContext) => Promise<unknown>;

/** A handler throws this when retrying cannot help (bad payload, missing run): the job fails at once. */
export class PermanentJobError extends Error {
  override name = 'PermanentJobError';
}

/**
 * A handler throws this when it cannot start yet (e.g. no solver slot is free): the job goes back to the queue
 * for `delayMs`, without using up an attempt, and its progress says why it waits.
 */
export class DeferJobError extends Error {
  override name = 'DeferJobError';
  constructor(
    readonly delayMs: number,
    readonly progress: Record<string, unknown>,
  ) {
    super('deferred');
  }
}

export interface JobRunnerOptions {
  db: Database;
  handlers: Record<string, JobHandler>;
  logger?: Logger;
  workerId?: string;
  /** How long a claim lasts without a heartbeat. */
  leaseSeconds?: number;
  pollMs?: number;
  /** Jobs run at once by this instance. Solves are CPU-bound in worker threads: keep it near the core count. */
  concurrency?: number;
  /** How often a running job looks for a cancel request (a person waits on it; the heartbeat is slower). */
  cancelPollMs?: number;
}

export interface JobRunner {
  start(): void;
  /** Stops claiming, aborts running jobs, waits for them to settle. */
  stop(): Promise<void>;
  /** Claims and runs what is due now, then returns how many jobs ran (tests, CLI). */
  drain(maxJobs?: number): Promise<number>;
}

const RETRY_BASE_SECONDS = 5;

export function createJobRunner(options: JobRunnerOptions): JobRunner {
  const { db, handlers } = options;
  const workerId = options.workerId ?? `worker-${randomUUID()}`;
  const leaseSeconds = options.leaseSeconds ?? 60;
  const pollMs = options.pollMs ?? 500;
  const concurrency = options.concurrency ?? 2;
  // Twice a second: a cancelled solve then frees its solver slot (shared by every instance) within about a second.
  const cancelPollMs = options.cancelPollMs ?? 500;
  const kinds = Object.keys(handlers);
  for (const kind of kinds) {
    if (!/^[a-z][a-z0-9_]*$/.test(kind)) throw new Error(`Job kind "${kind}" must be lower_snake_case.`);
  }
  const running = new Set<Promise<void>>();
  const controllers = new Set<AbortController>();
  let timer: NodeJS.Timeout | null = null;
  let stopped = true;

  /** Claims up to `limit` due jobs of the kinds this runner handles, across orgs (a SECURITY DEFINER function). */
  async function claim(limit: number): Promise<ClaimedJob[]> {
    if (limit <= 0 || kinds.length === 0) return [];
    const rows = await withoutOrg(db, {}, (tx) =>
      queryRows<ClaimedRow>(
        tx,
        sql`select * from claim_jobs(${workerId}, string_to_array(${kinds.join(',')}, ','), ${leaseSeconds}, ${limit})`,
      ),
    );
    return rows.map(toJob);
  }

  async function runJob(job: ClaimedJob): Promise<void> {
    const handler = handlers[job.kind];
    const controller = new AbortController();
    controllers.add(controller);
    const inOrg = <T>(work: (tx: Tx) => Promise<T>) => withOrg(db, { orgId: job.orgId }, work);
    const heartbeat = setInterval(
      () => {
        void inOrg(async (tx) => {
          const [row] = await tx
            .update(jobs)
            .set({ lockedUntil: sql`now() + make_interval(secs => ${leaseSeconds})`, updatedAt: sql`now()` })
            .where(and(eq(jobs.id, job.id), eq(jobs.lockedBy, workerId)))
            .returning({ cancel: jobs.cancelRequestedAt });
          if (!row || row.cancel) controller.abort(new Error(row ? 'cancelled' : 'lease lost'));
        }).catch((error) =>
          options.logger?.warn('job heartbeat failed', { jobId: job.id, error: String(error) }),
        );
      },
      Math.max(200, (leaseSeconds * 1000) / 3),
    );
    // A cancel request reaches the job within half a second, not at the next heartbeat (a third of the lease).
    const cancelWatch = setInterval(() => {
      if (controller.signal.aborted) return;
      void inOrg(async (tx) => {
        const [row] = await tx
          .select({ cancel: jobs.cancelRequestedAt })
          .from(jobs)
          .where(eq(jobs.id, job.id));
        if (row?.cancel) controller.abort(new Error('cancelled'));
      }).catch((error) =>
        options.logger?.warn('job cancel check failed', { jobId: job.id, error: String(error) }),
      );
    }, cancelPollMs);
    try {
      if (!handler) throw new PermanentJobError(`No handler for job kind "${job.kind}".`);
      const result = await handler(job, {
        db,
        signal: controller.signal,
        inOrg,
        reportProgress: (progress) =>
          inOrg((tx) =>
            tx.update(jobs).set({ progress, updatedAt: sql`now()` }).where(eq(jobs.id, job.id)),
          ).then(() => {}),
      });
      await finish(job, controller.signal.aborted ? 'cancelled' : 'succeeded', { result: result ?? null });
    } catch (error) {
      const message = error instanceof Error ? error.message : String(error);
      if (error instanceof DeferJobError && !controller.signal.aborted) {
        await defer(job, error);
      } else if (controller.signal.aborted) {
        await finish(job, 'cancelled', { error: message });
      } else {
        options.logger?.warn('job failed', {
          jobId: job.id,
          kind: job.kind,
          attempts: job.attempts,
          error: message,
        });
        await fail(job, message, error instanceof PermanentJobError);
      }
    } finally {
      clearInterval(heartbeat);
      clearInterval(cancelWatch);
      controllers.delete(controller);
    }
  }

  async function finish(
    job: ClaimedJob,
    status: 'succeeded' | 'cancelled',
    fields: { result?: unknown; error?: string },
  ) {
    await withOrg(db, { orgId: job.orgId }, (tx) =>
      tx
        .update(jobs)
        .set({
          status,
          result: fields.result ?? null,
          error: fields.error ?? null,
          lockedBy: null,
          lockedUntil: null,
          finishedAt: sql`now()`,
          updatedAt: sql`now()`,
        })
        .where(and(eq(jobs.id, job.id), eq(jobs.lockedBy, workerId))),
    );
  }

  async function defer(job: ClaimedJob, deferred: DeferJobError) {
    await withOrg(db, { orgId: job.orgId }, (tx) =>
      tx
        .update(jobs)
        .set({
          status: 'queued',
          progress: deferred.progress,
          attempts: sql`greatest(${jobs.attempts} - 1, 0)`,
          lockedBy: null,
          lockedUntil: null,
          runAt: sql`now() + make_interval(secs => ${deferred.delayMs / 1000})`,
          updatedAt: sql`now()`,
        })
        .where(and(eq(jobs.id, job.id), eq(jobs.lockedBy, workerId))),
    );
  }

  async function fail(job: ClaimedJob, message: string, permanent: boolean) {
    await withOrg(db, { orgId: job.orgId }, async (tx) => {
      const [row] = await tx.select({ max: jobs.maxAttempts }).from(jobs).where(eq(jobs.id, job.id));
      const retry = !permanent && row !== undefined && job.attempts < row.max;
      await tx
        .update(jobs)
        .set({
          status: retry ? 'queued' : 'failed',
          error: message,
          lockedBy: null,
          lockedUntil: null,
          runAt: retry
            ? sql`now() + make_interval(secs => ${RETRY_BASE_SECONDS * 2 ** (job.attempts - 1)})`
            : sql`run_at`,
          finishedAt: retry ? null : sql`now()`,
          updatedAt: sql`now()`,
        })
        .where(and(eq(jobs.id, job.id), eq(jobs.lockedBy, workerId)));
    });
  }

  function launch(job: ClaimedJob) {
    const p = runJob(job)
      .catch((error) =>
        options.logger?.error('job bookkeeping failed', { jobId: job.id, error: String(error) }),
      )
      .finally(() => running.delete(p));
    running.add(p);
  }

  async function tick() {
    if (stopped) return;
    try {
      for (const job of await claim(concurrency - running.size)) launch(job);
    } catch (error) {
      options.logger?.warn('job claim failed', { error: String(error) });
    } finally {
      if (!stopped) timer = setTimeout(() => void tick(), pollMs);
    }
  }

  return {
    start() {
      if (!stopped) return;
      stopped = false;
      void tick();
    },
    async stop() {
      stopped = true;
      if (timer) clearTimeout(timer);
      for (const c of controllers) c.abort(new Error('shutting down'));
      await Promise.allSettled([...running]);
    },
    async drain(maxJobs = 100) {
      let ran = 0;
      while (ran < maxJobs) {
        const batch = await claim(Math.min(concurrency, maxJobs - ran));
        if (batch.length === 0) break;
        await Promise.all(batch.map((job) => runJob(job)));
        ran += batch.length;
      }
      return ran;
    },
  };
}

/** A row claim_jobs returns (the jobs table's columns, by their SQL names). */
type ClaimedRow = {
  id: string;
  org_id: string;
  kind: string;
  payload: unknown;
  attempts: number;
  run_id: unknown;
};

/** The claimed row with its payload parsed: a JSON object, whose fields each kind's handler parses by its own contract. */
function toJob(r: ClaimedRow): ClaimedJob {
  const id = String(r.id);
  return {
    id,
    orgId: String(r.org_id),
    kind: String(r.kind),
    payload: parseJsonColumn(jobPayloadColumn, r.payload ?? {}, {
      table: 'jobs',
      column: 'payload',
      rowId: id,
    }),
    attempts: Number(r.attempts),
    runId: r.run_id === null || r.run_id === undefined ? null : String(r.run_id),
  };
}
