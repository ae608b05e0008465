/**
 * A realignment run solved with SOLVE_POOL_JOBS: the solve_run job splits the pools into solve_pools jobs,
 * a runner claims them (here the same one; any instance's would do) and the run is solved with the joined,
 * verified answer.
 */
import { and, eq } from 'drizzle-orm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import * as s from '../../../db/schema/index.ts';
import { createJobRunner } from '../../../src/jobs/runner.ts';
import { POOL_JOB_KIND, solvePoolsJob } from '../../../src/services/solve/pool-jobs.ts';
import { createSolveRunJob } from '../../../src/services/solve/solve-run-job.ts';
import { apiKeyFor, createHarness, createOrgWithUsers, type Harness, ORIGIN } from '../../app/harness.ts';
import { createAccount, createRep, createRuleset } from '../../support/factories.ts';

let h: Harness;
let orgId: string;
let key: string;
let rulesetId: string;

beforeAll(async () => {
  h = await createHarness({ SOLVER_TIME_LIMIT_SECONDS: '5' });
  orgId = (await createOrgWithUsers(h, 'Pool Jobs Org')).id;
  key = (await apiKeyFor(h, orgId, 'analyst')).key;
  // Accounts stay in their region: each region is its own pool.
  rulesetId = (
    await createRuleset(h.db.db, orgId, {
      body: { schemaVersion: 1, name: 'Territories', eligibility: { sameRegion: true } },
    })
  ).id;
  // Three regions of five reps, 60 accounts each, lopsided revenue: 900 accounts, 4,500 binaries, so the
  // realignment splits into two groups of pools.
  for (const region of ['West', 'East', 'North']) {
    for (let r = 0; r < 5; r++) {
      const rep = await createRep(h.db.db, orgId, { name: `${region} rep ${r}`, region });
      for (let a = 0; a < 60; a++)
        await createAccount(h.db.db, orgId, {
          name: `${region} ${r}-${a}`,
          ownerRepId: rep.id,
          region,
          annualRevenueCents: (1 + ((a * 7 + r * 13) % 17)) * (r + 1) * 1_000_00,
        });
    }
  }
}, 180_000);
afterAll(() => h.close());

async function call(method: string, path: string, body?: unknown) {
  const res = await h.app.request(`${ORIGIN}/v1${path}`, {
    method,
    headers: {
      authorization: `Bearer ${key}`,
      ...(body !== undefined ? { 'content-type': 'application/json' } : {}),
    },
    ...(body !== undefined ? { body: JSON.stringify(body) } : {}),
  });
  const text = await res.text();
  return { status: res.status, body: text ? JSON.parse(text) : null };
}

describe('solve_run with pools as jobs', () => {
  it('solves the realignment through solve_pools jobs and stores the joined answer', async () => {
    const created = await call('POST', '/runs', {
      kind: 'realignment',
      reason: 'Even out every region',
      rulesetId,
      params: { regions: ['West', 'East', 'North'] },
    });
    expect(created.status, JSON.stringify(created.body)).toBe(201);
    const runId = created.body.id as string;
    const runner = createJobRunner({
      db: h.db.db,
      handlers: { solve_run: createSolveRunJob({ poolJobs: true }), [POOL_JOB_KIND]: solvePoolsJob },
      concurrency: 3,
      pollMs: 100,
    });
    runner.start();
    try {
      expect((await call('POST', `/runs/${runId}/solve`)).status).toBe(202);
      let run = (await call('GET', `/runs/${runId}`)).body;
      for (let i = 0; i < 600 && run.status === 'solving'; i++) {
        await new Promise((resolve) => setTimeout(resolve, 200));
        run = (await call('GET', `/runs/${runId}`)).body;
      }
      expect(run.status, JSON.stringify(run)).toBe('solved');
    } finally {
      await runner.stop();
    }
    const [row] = await h.db.db.select().from(s.runs).where(eq(s.runs.id, runId));
    expect(row!.solverEngine).toMatch(/pools as 2 jobs/);
    const parts = await h.db.db
      .select({ status: s.jobs.status })
      .from(s.jobs)
      .where(and(eq(s.jobs.orgId, orgId), eq(s.jobs.kind, POOL_JOB_KIND)));
    expect(parts.map((p) => p.status)).toEqual(['succeeded', 'succeeded']);
  }, 240_000);
});
