import { eq } from 'drizzle-orm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { jobs } from '../../db/schema/index.ts';
import { withOrg } from '../../src/db/tenancy.ts';
import { enqueueJob, getJob, requestCancel } from '../../src/jobs/queue.ts';
import { createJobRunner, type JobHandler, PermanentJobError } from '../../src/jobs/runner.ts';
import { createTestDatabase, type TestDatabase } from '../support/db.ts';
import { createOrg } from '../support/factories.ts';

let t: TestDatabase;
let orgA: string;
let orgB: string;

beforeAll(async () => {
  t = await createTestDatabase();
  orgA = (await createOrg(t.db)).id;
  orgB = (await createOrg(t.db)).id;
});
afterAll(() => t.close());

const enqueue = (orgId: string, kind: string, payload: Record<string, unknown> = {}, dedupeKey?: string) =>
  withOrg(t.db, { orgId }, (tx) =>
    enqueueJob(tx, { orgId, kind, payload, ...(dedupeKey ? { dedupeKey } : {}) }),
  );
const load = (orgId: string, id: string) => withOrg(t.db, { orgId }, (tx) => getJob(tx, id));

describe('job runner', () => {
  it('runs each org’s jobs inside that org, records results and progress', async () => {
    const seen: string[] = [];
    const handler: JobHandler = async (job, ctx) => {
      // Inside the job's org, only that org's jobs are visible (row-level security).
      const visible = await ctx.inOrg((tx) => tx.select({ org: jobs.orgId }).from(jobs));
      seen.push(...visible.map((v) => String(v.org === job.orgId)));
      await ctx.reportProgress({ phase: 'done', n: job.payload.n });
      return { doubled: Number(job.payload.n) * 2 };
    };
    const a = await enqueue(orgA, 'double', { n: 2 });
    const b = await enqueue(orgB, 'double', { n: 5 });
    const runner = createJobRunner({ db: t.db, handlers: { double: handler } });
    expect(await runner.drain()).toBe(2);
    expect(seen.length).toBeGreaterThan(0);
    expect(seen.every((s) => s === 'true')).toBe(true);
    expect(await load(orgA, a.id)).toMatchObject({
      status: 'succeeded',
      result: { doubled: 4 },
      progress: { phase: 'done', n: 2 },
    });
    expect(await load(orgB, b.id)).toMatchObject({ status: 'succeeded', result: { doubled: 10 } });
    expect(await runner.drain()).toBe(0);
  });

  it('retries a failing job later, and fails a permanent error at once', async () => {
    const flaky = await enqueue(orgA, 'flaky');
    const broken = await enqueue(orgA, 'broken');
    const runner = createJobRunner({
      db: t.db,
      handlers: {
        flaky: async () => {
          throw new Error('provider down');
        },
        broken: async () => {
          throw new PermanentJobError('run not found');
        },
      },
    });
    await runner.drain();
    expect(await load(orgA, flaky.id)).toMatchObject({
      status: 'queued',
      attempts: 1,
      error: 'provider down',
    });
    expect((await load(orgA, flaky.id))!.runAt.getTime()).toBeGreaterThan(Date.now());
    expect(await load(orgA, broken.id)).toMatchObject({
      status: 'failed',
      attempts: 1,
      error: 'run not found',
    });
  });

  it('keeps one active job per dedupe key', async () => {
    const first = await enqueue(orgA, 'noop', {}, 'solve:run-1');
    const second = await enqueue(orgA, 'noop', {}, 'solve:run-1');
    expect(second).toEqual({ id: first.id, created: false });
    const other = await enqueue(orgB, 'noop', {}, 'solve:run-1');
    expect(other.created).toBe(true);
    await createJobRunner({ db: t.db, handlers: { noop: async () => null } }).drain();
    expect((await enqueue(orgA, 'noop', {}, 'solve:run-1')).created).toBe(true);
  });

  /** Runs the queued 'slow' job (it waits for its abort), asks to cancel it once started; the ms until it ended. */
  async function cancelWhileRunning(jobId: string, leaseSeconds: number): Promise<number> {
    let started!: () => void;
    const hasStarted = new Promise<void>((r) => {
      started = r;
    });
    const runner = createJobRunner({
      db: t.db,
      leaseSeconds,
      handlers: {
        slow: (_job, ctx) =>
          new Promise((_resolve, reject) => {
            started();
            ctx.signal.addEventListener('abort', () => reject(new Error('stopped')));
          }),
      },
    });
    const drained = runner.drain();
    await hasStarted;
    const asked = Date.now();
    expect(await withOrg(t.db, { orgId: orgA }, (tx) => requestCancel(tx, jobId))).toBe('cancelling');
    await drained;
    return Date.now() - asked;
  }

  it('cancels a queued job at once and a running job through its heartbeat', async () => {
    const queued = await enqueue(orgA, 'slow');
    expect(await withOrg(t.db, { orgId: orgA }, (tx) => requestCancel(tx, queued.id))).toBe('cancelled');
    const running = await enqueue(orgA, 'slow');
    await cancelWhileRunning(running.id, 1);
    expect(await load(orgA, queued.id)).toMatchObject({ status: 'cancelled', attempts: 0 });
    expect(await load(orgA, running.id)).toMatchObject({ status: 'cancelled', error: 'stopped' });
  });

  it('stops a running job within about a second of its cancel request, long before the next heartbeat', async () => {
    const running = await enqueue(orgA, 'slow');
    // A 60 s lease: the heartbeat (a third of it) would first look after 20 s.
    expect(await cancelWhileRunning(running.id, 60)).toBeLessThan(10_000);
    expect(await load(orgA, running.id)).toMatchObject({ status: 'cancelled', error: 'stopped' });
  });

  it('never runs one job twice when several runners compete', async () => {
    const ids = await Promise.all(Array.from({ length: 12 }, (_, n) => enqueue(orgA, 'count', { n })));
    const runs = new Map<string, number>();
    const handler: JobHandler = async (job) => {
      runs.set(job.id, (runs.get(job.id) ?? 0) + 1);
      await new Promise((r) => setTimeout(r, 5));
    };
    const runners = [1, 2, 3].map((i) =>
      createJobRunner({ db: t.db, workerId: `w${i}`, concurrency: 2, handlers: { count: handler } }),
    );
    await Promise.all(runners.map((r) => r.drain()));
    expect(ids.every((j) => runs.get(j.id) === 1)).toBe(true);
    const rows = await withOrg(t.db, { orgId: orgA }, (tx) =>
      tx.select().from(jobs).where(eq(jobs.kind, 'count')),
    );
    expect(rows.every((r) => r.status === 'succeeded')).toBe(true);
  });
});
