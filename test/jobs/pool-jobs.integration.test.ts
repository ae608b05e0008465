/**
 * A realignment's pools as separate jobs in the Postgres queue (services/solve/pool-jobs.ts): the joined
 * answer is the single-process one (solveParallel), with a runner in this process, and with two server
 * processes (src/index.ts) sharing one real PostgreSQL database, each claiming a part.
 */
import { type ChildProcess, spawn } from 'node:child_process';
import { createHash } from 'node:crypto';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { generateInstance, INSTANCE_SIZES } from '../../bench/solver-instances.ts';
import { withOrg } from '../../src/db/tenancy.ts';
import { getJob } from '../../src/jobs/queue.ts';
import { createJobRunner } from '../../src/jobs/runner.ts';
import { POOL_JOB_KIND, solveAcrossInstances, solvePoolsJob } from '../../src/services/solve/pool-jobs.ts';
import type { SolveResult } from '../../src/solver/index.ts';
import { solveParallel } from '../../src/solver/worker/parallel-pools.ts';
import { createTestDatabase, type TestDatabase, testServerUrl } from '../support/db.ts';
import { createOrg } from '../support/factories.ts';

const ROOT = fileURLToPath(new URL('../../', import.meta.url));
const size = INSTANCE_SIZES.find((s) => s.name === '1000x20')!;
// Three pools, two groups; the work clock alone (no wall-clock cut on a busy machine), so both ways of
// running it are deterministic and must give the same answer.
const raw = { ...generateInstance(size, 'realignment', 1), timeLimitMs: 4_000 };

function fingerprint(result: SolveResult): string {
  if (!('assignments' in result) || result.assignments === null) return `no answer: ${result.status}`;
  return createHash('sha1')
    .update(JSON.stringify(result.assignments.map((a) => [a.accountId, a.toRepId])))
    .digest('hex');
}

let t: TestDatabase;
let orgId: string;
let single: SolveResult;

beforeAll(async () => {
  t = await createTestDatabase();
  orgId = (await createOrg(t.db)).id;
  single = await solveParallel(raw, { wallClockSafety: false });
}, 120_000);
afterAll(() => t.close());

describe('pools as jobs', () => {
  it('joins the parts a runner claims into the single-process answer', async () => {
    expect(single.status === 'feasible' || single.status === 'optimal').toBe(true);
    const runner = createJobRunner({ db: t.db, handlers: { [POOL_JOB_KIND]: solvePoolsJob }, pollMs: 100 });
    runner.start();
    try {
      const result = await solveAcrossInstances(raw, {
        db: t.db,
        orgId,
        key: 'test-in-process',
        wallClockSafety: false,
        pollMs: 100,
      });
      expect(result).not.toBeNull();
      expect(result!.status).toBe(single.status);
      expect(fingerprint(result!)).toBe(fingerprint(single));
      if ('engine' in result!) expect(result.engine).toMatch(/pools as 2 jobs/);
    } finally {
      await runner.stop();
    }
  }, 120_000);

  it('returns null for an input that does not split (a departure solves in one process)', async () => {
    const departure = { ...generateInstance(size, 'departure', 1), timeLimitMs: 4_000 };
    expect(await solveAcrossInstances(departure, { db: t.db, orgId, key: 'test-departure' })).toBeNull();
  });
});

// Two server processes need a database server both can reach: PGlite lives inside one process.
describe.skipIf(!testServerUrl())(
  'pools as jobs across two server processes (needs TEST_DATABASE_URL)',
  () => {
    const servers: ChildProcess[] = [];
    const logs: string[] = [];

    beforeAll(async () => {
      for (const i of [0, 1]) {
        const env: NodeJS.ProcessEnv = {
          ...process.env,
          DATABASE_URL: t.url!,
          PORT: '0',
          HOST: '127.0.0.1',
          LOG_LEVEL: 'warn',
          SEED_DEMO: 'false',
          // One job at a time each, so each server takes one part while the other runs.
          JOB_CONCURRENCY: '1',
        };
        delete env.TEST_DATABASE_URL;
        delete env.MIGRATION_DATABASE_URL;
        const child = spawn(process.execPath, ['--import', 'tsx', 'src/index.ts'], { cwd: ROOT, env });
        servers.push(child);
        logs[i] = '';
        await new Promise<void>((resolve, reject) => {
          const timer = setTimeout(() => reject(new Error(`server ${i} did not start:\n${logs[i]}`)), 90_000);
          const read = (chunk: Buffer) => {
            logs[i] += chunk.toString();
            if (/Bookshift is running at/.test(logs[i]!)) {
              clearTimeout(timer);
              resolve();
            }
          };
          child.stdout!.on('data', read);
          child.stderr!.on('data', read);
          child.on('exit', (code) => reject(new Error(`server ${i} exited with ${code}:\n${logs[i]}`)));
        });
      }
    }, 200_000);

    afterAll(async () => {
      for (const child of servers) {
        if (child.exitCode !== null) continue;
        const exited = new Promise((resolve) => child.once('exit', resolve));
        child.kill('SIGTERM');
        await exited;
      }
    }, 60_000);

    it('each server claims a part, and the joined answer is the single-process one', async () => {
      const key = 'test-two-servers';
      const result = await solveAcrossInstances(raw, {
        db: t.db,
        orgId,
        key,
        wallClockSafety: false,
        pollMs: 100,
      });
      expect(result).not.toBeNull();
      expect(fingerprint(result!)).toBe(fingerprint(single));
      const rows = await withOrg(t.db, { orgId }, async (tx) => {
        const { jobs } = await import('../../db/schema/index.ts');
        const { like } = await import('drizzle-orm');
        const found = await tx
          .select({ id: jobs.id })
          .from(jobs)
          .where(like(jobs.dedupeKey, `${key}:%`));
        return Promise.all(found.map((f) => getJob(tx, f.id)));
      });
      expect(rows).toHaveLength(2);
      const pids = rows.map((r) => (r!.result as { instance: { pid: number } }).instance.pid);
      const serverPids = servers.map((s) => s.pid);
      expect(new Set(pids).size).toBe(2);
      for (const pid of pids) expect(serverPids).toContain(pid);
    }, 120_000);
  },
);
