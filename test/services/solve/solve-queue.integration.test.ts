/**
 * Run solves as a shared resource: an org may have at most SOLVE_MAX_QUEUED_PER_ORG runs queued or solving (429
 * with Retry-After beyond, the run untouched), and a run solve takes one of the solver slots (shared with
 * what-ifs and every instance, global and per org) only when one is free; until then its job waits queued, says so, and keeps
 * its attempts.
 */
import { eq } from 'drizzle-orm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import * as s from '../../../db/schema/index.ts';
import { createJobRunner } from '../../../src/jobs/runner.ts';
import { createSolveRunJob } from '../../../src/services/solve/solve-run-job.ts';
import { createSolveSlots } from '../../../src/services/solve/solve-slots.ts';
import { createRunsWorld, type RunsWorld, seedBook } from '../../api/runs/run-fixture.ts';

let w: RunsWorld;
let book: Awaited<ReturnType<typeof seedBook>>;

beforeAll(async () => {
  w = await createRunsWorld({ SOLVE_MAX_QUEUED_PER_ORG: '2' });
  book = await seedBook(w);
});
afterAll(async () => {
  await w?.close();
});

async function draft(reason: string) {
  const res = await w.call('analyst', 'POST', '/runs', {
    kind: 'rep_departure',
    reason,
    commissionEndDate: '2026-03-31',
    reassignmentDate: '2026-04-01',
    params: { departingRepIds: [book.reps.dana.id] },
  });
  expect(res.status, JSON.stringify(res.body)).toBe(201);
  return res.body.id as string;
}

async function jobOf(runId: string) {
  const [job] = await w.h.db.db.select().from(s.jobs).where(eq(s.jobs.runId, runId));
  return job!;
}

describe('run solves queue per org', () => {
  it('answers 202 with the runs ahead, then 429 with Retry-After beyond the org limit; the refused run stays a draft', async () => {
    const first = await draft('first');
    const second = await draft('second');
    const third = await draft('third');
    const a = await w.call('analyst', 'POST', `/runs/${first}/solve`);
    expect(a.status).toBe(202);
    expect(a.body.solvesAhead).toBe(0);
    const b = await w.call('manager', 'POST', `/runs/${second}/solve`);
    expect(b.status).toBe(202);
    expect(b.body.solvesAhead).toBe(1);

    const res = await w.h.app.request(`http://bookshift.test/v1/runs/${third}/solve`, {
      method: 'POST',
      headers: { authorization: `Bearer ${w.keys.analyst}` },
    });
    expect(res.status).toBe(429);
    expect(res.headers.get('retry-after')).toBe('30');
    const body = (await res.json()) as { code: string; message: string };
    expect(body.code).toBe('TOO_MANY_REQUESTS');
    expect(body.message).toMatch(/2 runs of your org are already queued or solving \(at most 2\)/);
    expect((await w.call('analyst', 'GET', `/runs/${third}`)).body.status).toBe('draft');
    expect(await w.h.db.db.select().from(s.jobs).where(eq(s.jobs.runId, third))).toEqual([]);

    // Once the queue drains, the refused run may solve.
    await w.runner.drain();
    expect((await w.call('analyst', 'GET', `/runs/${first}`)).body.status).toBe('solved');
    expect((await w.call('analyst', 'POST', `/runs/${third}/solve`)).status).toBe(202);
    await w.runner.drain();
    expect((await w.call('analyst', 'GET', `/runs/${third}`)).body.status).toBe('solved');
  });

  it('a run solve waits queued while its org holds every slot (a what-if solving), then solves, without spending attempts', async () => {
    const slots = createSolveSlots(w.h.db.db, { global: 2, perOrg: 1, waiting: 0, leaseSeconds: 30 });
    const runner = createJobRunner({ db: w.h.db.db, handlers: { solve_run: createSolveRunJob({ slots }) } });
    const runId = await draft('waits for a slot');
    expect((await w.call('analyst', 'POST', `/runs/${runId}/solve`)).status).toBe(202);

    const whatIf = await slots.acquire(w.orgId); // what a what-if of this org holds while it solves
    expect(await runner.drain()).toBe(1);
    const waiting = await jobOf(runId);
    expect(waiting).toMatchObject({ status: 'queued', attempts: 0, progress: { phase: 'queued' } });
    const run = (await w.call('analyst', 'GET', `/runs/${runId}`)).body;
    expect(run.status).toBe('solving');
    expect(run.job.progress.phase).toBe('queued');
    expect(slots.held).toBe(1);

    await whatIf.release();
    await new Promise((r) => setTimeout(r, 1100)); // the job looks again after SLOT_RETRY_MS
    expect(await runner.drain()).toBe(1);
    expect((await w.call('analyst', 'GET', `/runs/${runId}`)).body.status).toBe('solved');
    expect((await jobOf(runId)).attempts).toBe(1);
    expect(slots.held).toBe(0);
  });
});
