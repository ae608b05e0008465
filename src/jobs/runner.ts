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

/** The runner's options with their defaults, and the job kinds it claims. */
interface Settings {
  db: Database;
  handlers: Record<string, JobHandler>;
  logger: Logger | undefined;
  workerId: string;
  leaseSeconds: number;
  pollMs: number;
  concurrency: number;
  cancelPollMs: number;
  kinds: string[];
}

function settingsOf(options: JobRunnerOptions): Settings {
  const kinds = Object.keys(options.handlers);
  for (const kind of kinds) {
    if (!/^[a-z][a-z0-9_]*$/.test(kind)) throw new Error(`Job kind "${kind}" must be lower_snake_case.`);
  }
  return {
    db: options.db,
    handlers: options.handlers,
    logger: options.logger,
    workerId: options.workerId ?? `worker-${randomUUID()}`,
    leaseSeconds: options.leaseSeconds ?? 60,
    pollMs: options.pollMs ?? 500,
    concurrency: options.concurrency ?? 2,
    // Twice a second: a cancelled solve then frees its solver slot (shared by every instance) within about a second.
    cancelPollMs: options.cancelPollMs ?? 500,
    kinds,
  };
}

export function createJobRunner(options: JobRunnerOptions): JobRunner {
  const settings = settingsOf(options);
  const { concurrency, pollMs } = settings;
  const running = new Set<Promise<void>>();
  const controllers = new Set<AbortController>();
  let timer: NodeJS.Timeout | null = null;
  let stopped = true;

  function launch(job: ClaimedJob) {
    const p = runJob(settings, controllers, job)
      .catch((error) =>
        options.logger?.error('job bookkeeping failed', { jobId: job.id, error: String(error) }),
      )
      .finally(() => running.delete(p));
    running.add(p);
  }

  async function tick() {
    if (stopped) return;
    try {
      for (const job of await claim(settings, concurrency - running.size)) launch(job);
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
        const batch = await claim(settings, Math.min(concurrency, maxJobs - ran));
        if (batch.length === 0) break;
        await Promise.all(batch.map((job) => runJob(settings, controllers, job)));
        ran += batch.length;
      }
      return ran;
    },
  };
}

/** Claims up to `limit` due jobs of the kinds this runner handles, across orgs (a SECURITY DEFINER function). */
async function claim(s: Settings, limit: number): Promise<ClaimedJob[]> {
  if (limit <= 0 || s.kinds.length === 0) return [];
  const rows = await withoutOrg(s.db, {}, (tx) =>
    queryRows<ClaimedRow>(
      tx,
      sql`select * from claim_jobs(${s.workerId}, string_to_array(${s.kinds.join(',')}, ','), ${s.leaseSeconds}, ${limit})`,
    ),
  );
  return rows.map(toJob);
}

type InOrg = <T>(work: (tx: Tx) => Promise<T>) => Promise<T>;

async function runJob(s: Settings, controllers: Set<AbortController>, job: ClaimedJob): Promise<void> {
  const handler = s.handlers[job.kind];
  const controller = new AbortController();
  controllers.add(controller);
  const inOrg: InOrg = (work) => withOrg(s.db, { orgId: job.orgId }, work);
  const unwatch = watchJob(s, job, controller, inOrg);
  try {
    if (!handler) throw new PermanentJobError(`No handler for job kind "${job.kind}".`);
    const result = await handler(job, {
      db: s.db,
      signal: controller.signal,
      inOrg,
      reportProgress: (progress) =>
        inOrg((tx) =>
          tx.update(jobs).set({ progress, updatedAt: sql`now()` }).where(eq(jobs.id, job.id)),
        ).then(() => {}),
    });
    await finish(s, job, controller.signal.aborted ? 'cancelled' : 'succeeded', { result: result ?? null });
  } catch (error) {
    const message = error instanceof Error ? error.message : String(error);
    if (error instanceof DeferJobError && !controller.signal.aborted) {
      await defer(s, job, error);
    } else if (controller.signal.aborted) {
      await finish(s, job, 'cancelled', { error: message });
    } else {
      s.logger?.warn('job failed', {
        jobId: job.id,
        kind: job.kind,
        attempts: job.attempts,
        error: message,
      });
      await fail(s, job, message, error instanceof PermanentJobError);
    }
  } finally {
    unwatch();
    controllers.delete(controller);
  }
}

/**
 * Keeps a running job's lease alive (a heartbeat every third of the lease) and watches for a cancel request; either
 * aborts the job's signal on a cancel request or a lost lease. Returns what stops both.
 */
function watchJob(s: Settings, job: ClaimedJob, controller: AbortController, inOrg: InOrg): () => void {
  const heartbeat = setInterval(
    () => {
      void inOrg(async (tx) => {
        const [row] = await tx
          .update(jobs)
          .set({ lockedUntil: sql`now() + make_interval(secs => ${s.leaseSeconds})`, updatedAt: sql`now()` })
          .where(and(eq(jobs.id, job.id), eq(jobs.lockedBy, s.workerId)))
          .returning({ cancel: jobs.cancelRequestedAt });
        if (!row || row.cancel) controller.abort(new Error(row ? 'cancelled' : 'lease lost'));
      }).catch((error) => s.logger?.warn('job heartbeat failed', { jobId: job.id, error: String(error) }));
    },
    Math.max(200, (s.leaseSeconds * 1000) / 3),
  );
  // A cancel request reaches the job within half a second, not at the next heartbeat (a third of the lease).
  const cancelWatch = setInterval(() => {
    if (controller.signal.aborted) return;
    void inOrg(async (tx) => {
      const [row] = await tx.select({ cancel: jobs.cancelRequestedAt }).from(jobs).where(eq(jobs.id, job.id));
      if (row?.cancel) controller.abort(new Error('cancelled'));
    }).catch((error) => s.logger?.warn('job cancel check failed', { jobId: job.id, error: String(error) }));
  }, s.cancelPollMs);
  return () => {
    clearInterval(heartbeat);
    clearInterval(cancelWatch);
  };
}

async function finish(
  s: Settings,
  job: ClaimedJob,
  status: 'succeeded' | 'cancelled',
  fields: { result?: unknown; error?: string },
) {
  await withOrg(s.db, { orgId: job.orgId }, (tx) =>
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
      .where(and(eq(jobs.id, job.id), eq(jobs.lockedBy, s.workerId))),
  );
}

async function defer(s: Settings, job: ClaimedJob, deferred: DeferJobError) {
  await withOrg(s.db, { orgId: job.orgId }, (tx) =>
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
      .where(and(eq(jobs.id, job.id), eq(jobs.lockedBy, s.workerId))),
  );
}

async function fail(s: Settings, job: ClaimedJob, message: string, permanent: boolean) {
  await withOrg(s.db, { orgId: job.orgId }, async (tx) => {
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
      .where(and(eq(jobs.id, job.id), eq(jobs.lockedBy, s.workerId)));
  });
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
