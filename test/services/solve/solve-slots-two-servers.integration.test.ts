/**
 * Solver slots across two server processes (src/index.ts) on one real PostgreSQL database, with the default
 * limits (SOLVE_MAX_CONCURRENT 2, SOLVE_MAX_PER_ORG 1): under what-ifs and run solves of two orgs sent to both
 * servers, the leases sampled from solve_slots never pass either limit (what-ifs and run solves counted together),
 * and each org's run solves never overlap; a client that leaves frees its what-if's slot within a second, and a
 * cancelled run solve's slot goes as soon as its job sees the cancel; the slots of a killed server come back when
 * its leases expire.
 */
import { type ChildProcess, spawn } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { eq, sql } from 'drizzle-orm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { generateInstance, INSTANCE_SIZES } from '../../../bench/solver-instances.ts';
import * as s from '../../../db/schema/index.ts';
import { queryRows } from '../../../src/db/query-rows.ts';
import { apiKeyFor, createHarness, createOrgWithUsers, type Harness } from '../../app/harness.ts';
import { testServerUrl } from '../../support/db.ts';
import { createAccount, createRep } from '../../support/factories.ts';

const ROOT = fileURLToPath(new URL('../../../', import.meta.url));
const LEASE_SECONDS = 3;
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));
// A what-if that keeps a worker busy for a while (a realignment of 300 accounts, up to 2 s).
const size = INSTANCE_SIZES.find((x) => x.name === '300x12')!;
const whatIfBody = (seed: number, timeLimitMs = 2000) => ({
  input: { ...generateInstance(size, 'realignment', seed) },
  timeLimitMs,
});

interface Server {
  child: ChildProcess;
  url: string;
  log: string;
}

interface Org {
  id: string;
  key: string;
  departingRepId: string;
}

type Lease = {
  id: string;
  org_id: string;
  kind: string;
  holder: string;
  claimed_at: Date | string;
  expires_at: Date | string;
};

/** The live leases of every org (the owner connection sees past RLS). */
async function leases(h: Harness) {
  return queryRows<Lease>(
    h.db.db,
    sql`select id, org_id, kind, holder, claimed_at, expires_at from solve_slots where expires_at > clock_timestamp()`,
  );
}

const pidOf = (holder: string) => Number(holder.split(':')[1]);

async function startServer(databaseUrl: string): Promise<Server> {
  const env: NodeJS.ProcessEnv = {
    ...process.env,
    DATABASE_URL: databaseUrl,
    PORT: '0',
    HOST: '127.0.0.1',
    LOG_LEVEL: 'warn',
    SEED_DEMO: 'false',
    JOB_CONCURRENCY: '2',
    SOLVE_MAX_CONCURRENT: '2',
    SOLVE_MAX_PER_ORG: '1',
    WHAT_IF_MAX_WAITING: '8',
    SOLVE_SLOT_LEASE_SECONDS: String(LEASE_SECONDS),
    SOLVER_TIME_LIMIT_SECONDS: '30',
  };
  delete env.TEST_DATABASE_URL;
  delete env.MIGRATION_DATABASE_URL;
  const child = spawn(process.execPath, ['--import', 'tsx', 'src/index.ts'], { cwd: ROOT, env });
  const server: Server = { child, url: '', log: '' };
  await new Promise<void>((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`server did not start:\n${server.log}`)), 90_000);
    const read = (chunk: Buffer) => {
      server.log += chunk.toString();
      const started = /Bookshift is running at (http:\/\/[^\s]+)/.exec(server.log);
      if (started && !server.url) {
        server.url = started[1]!;
        clearTimeout(timer);
        resolve();
      }
    };
    child.stdout!.on('data', read);
    child.stderr!.on('data', read);
    child.on('exit', (code) => reject(new Error(`server exited with ${code}:\n${server.log}`)));
  });
  return server;
}

async function call(
  server: Server,
  org: Org,
  method: string,
  path: string,
  body?: unknown,
  signal?: AbortSignal,
) {
  const res = await fetch(`${server.url}/v1${path}`, {
    method,
    headers: {
      authorization: `Bearer ${org.key}`,
      ...(body !== undefined ? { 'content-type': 'application/json' } : {}),
    },
    ...(body !== undefined ? { body: JSON.stringify(body) } : {}),
    ...(signal ? { signal } : {}),
  });
  const text = await res.text();
  return { status: res.status, headers: res.headers, body: text ? JSON.parse(text) : null };
}

/** Leases sampled every 20 ms while `work` runs: the most held at once, overall and per org, and by whom. */
async function sampled<T>(h: Harness, work: () => Promise<T>) {
  const seen = {
    maxGlobal: 0,
    maxPerOrg: 0,
    holders: new Set<string>(),
    kindsByOrg: new Map<string, Set<string>>(),
  };
  let done = false;
  const sampler = (async () => {
    while (!done) {
      const rows = await leases(h);
      seen.maxGlobal = Math.max(seen.maxGlobal, rows.length);
      const byOrg = new Map<string, number>();
      for (const r of rows) {
        byOrg.set(r.org_id, (byOrg.get(r.org_id) ?? 0) + 1);
        seen.holders.add(r.holder);
        seen.kindsByOrg.set(r.org_id, (seen.kindsByOrg.get(r.org_id) ?? new Set()).add(r.kind));
      }
      seen.maxPerOrg = Math.max(seen.maxPerOrg, ...byOrg.values(), 0);
      await sleep(20);
    }
  })();
  try {
    return { result: await work(), seen };
  } finally {
    done = true;
    await sampler;
  }
}

async function draftRun(server: Server, org: Org, reason: string) {
  const created = await call(server, org, 'POST', '/runs', {
    kind: 'rep_departure',
    reason,
    commissionEndDate: '2026-03-31',
    reassignmentDate: '2026-04-01',
    params: { departingRepIds: [org.departingRepId] },
  });
  expect(created.status, JSON.stringify(created.body)).toBe(201);
  return created.body.id as string;
}

async function runSettled(server: Server, org: Org, runId: string, timeoutMs = 120_000) {
  const until = Date.now() + timeoutMs;
  for (;;) {
    const run = (await call(server, org, 'GET', `/runs/${runId}`)).body;
    if (run.status !== 'solving' || Date.now() > until) return run;
    await sleep(200);
  }
}

async function leaseAppears(h: Harness, match: (l: Lease) => boolean, timeoutMs = 60_000) {
  const until = Date.now() + timeoutMs;
  for (;;) {
    const found = (await leases(h)).find(match);
    if (found || Date.now() > until) return found;
    await sleep(20);
  }
}

async function leaseGone(h: Harness, id: string, timeoutMs = 10_000) {
  const until = Date.now() + timeoutMs;
  for (;;) {
    const rows = await queryRows<{ id: string }>(
      h.db.db,
      sql`select id from solve_slots where id = ${id}::uuid`,
    );
    if (rows.length === 0 || Date.now() > until) return rows.length === 0;
    await sleep(10);
  }
}

// Two server processes need a database server both can reach: PGlite lives inside one process.
describe.skipIf(!testServerUrl())(
  'solver slots across two server processes (needs TEST_DATABASE_URL)',
  () => {
    let h: Harness;
    const servers: Server[] = [];
    const orgs: Org[] = [];

    beforeAll(async () => {
      h = await createHarness();
      for (const name of ['Slots Org A', 'Slots Org B']) {
        const org = await createOrgWithUsers(h, name);
        const key = (await apiKeyFor(h, org.id, 'analyst')).key;
        const departing = await createRep(h.db.db, org.id, { name: 'Dana', region: 'West' });
        const staying = [];
        for (let r = 0; r < 4; r++)
          staying.push(await createRep(h.db.db, org.id, { name: `Rep ${r}`, region: 'West' }));
        for (let a = 0; a < 40; a++)
          await createAccount(h.db.db, org.id, {
            name: `Account ${a}`,
            ownerRepId: a < 16 ? departing.id : staying[a % 4]!.id,
            region: 'West',
            annualRevenueCents: (1 + ((a * 7) % 13)) * 10_000_00,
          });
        orgs.push({ id: org.id, key, departingRepId: departing.id });
      }
      for (let i = 0; i < 2; i++) servers.push(await startServer(h.db.url!));
    }, 240_000);

    afterAll(async () => {
      for (const { child } of servers) {
        if (child.exitCode !== null || child.signalCode !== null) continue;
        const exited = new Promise((resolve) => child.once('exit', resolve));
        child.kill('SIGTERM');
        await exited;
      }
      await h?.close();
    }, 60_000);

    it('what-ifs and run solves of two orgs on both servers never pass SOLVE_MAX_CONCURRENT nor SOLVE_MAX_PER_ORG together', async () => {
      const runs: { org: Org; id: string }[] = [];
      for (const org of orgs)
        for (const n of [1, 2]) runs.push({ org, id: await draftRun(servers[0]!, org, `solve ${n}`) });
      const { result, seen } = await sampled(h, async () => {
        const solves = runs.map((r, i) => call(servers[i % 2]!, r.org, 'POST', `/runs/${r.id}/solve`));
        const whatIfs = [];
        for (const [i, org] of orgs.entries())
          for (const [j, server] of servers.entries())
            for (let k = 0; k < 3; k++)
              whatIfs.push(call(server, org, 'POST', '/what-if/solve', whatIfBody(1 + i * 10 + j * 3 + k)));
        const solveAnswers = await Promise.all(solves);
        const answers = await Promise.all(whatIfs);
        const settled = await Promise.all(runs.map((r) => runSettled(servers[0]!, r.org, r.id)));
        return { solveAnswers, answers, settled };
      });
      for (const a of result.solveAnswers) expect(a.status, JSON.stringify(a.body)).toBe(202);
      for (const a of result.answers) {
        expect([200, 429], JSON.stringify(a.body)).toContain(a.status);
        if (a.status === 429) expect(a.headers.get('retry-after')).toBe('5');
      }
      expect(result.answers.filter((a) => a.status === 200).length).toBeGreaterThan(0);
      for (const run of result.settled) expect(run.status, JSON.stringify(run)).toBe('solved');

      // Never more than the limits, and reached: the two servers did solve at once.
      expect(seen.maxGlobal).toBe(2);
      expect(seen.maxPerOrg).toBe(1);
      const serverPids = servers.map((x) => x.child.pid);
      expect(new Set([...seen.holders].map(pidOf))).toEqual(new Set(serverPids));
      // Each org had what-ifs and run solves, and still never two at once.
      for (const org of orgs) expect(seen.kindsByOrg.get(org.id)).toEqual(new Set(['run', 'what_if']));

      // The runs' own clocks agree: one org's run solves never overlapped.
      for (const org of orgs) {
        const rows = await h.db.db
          .select({ metrics: s.runs.metrics })
          .from(s.runs)
          .where(eq(s.runs.orgId, org.id));
        const spans = rows
          .map((r) => r.metrics as { solveStartedAt: string; solvedAt: string })
          .map((m) => [Date.parse(m.solveStartedAt), Date.parse(m.solvedAt)] as const)
          .sort((a, b) => a[0] - b[0]);
        expect(spans).toHaveLength(2);
        expect(spans[1]![0]).toBeGreaterThanOrEqual(spans[0]![1]);
      }
      expect(await leases(h)).toEqual([]);
    }, 300_000);

    it('a what-if whose client leaves frees its slot within a second; a cancelled run solve frees its slot when its job sees the cancel', async () => {
      const [server] = servers;
      const [org] = orgs;
      const controller = new AbortController();
      const leaving = call(
        server!,
        org!,
        'POST',
        '/what-if/solve',
        whatIfBody(99, 20_000),
        controller.signal,
      ).catch(() => null);
      const lease = await leaseAppears(h, (l) => l.org_id === org!.id && l.kind === 'what_if');
      expect(lease).toBeDefined();
      const left = Date.now();
      controller.abort();
      expect(await leaseGone(h, lease!.id)).toBe(true);
      const whatIfFreedMs = Date.now() - left;
      await leaving;

      const runId = await draftRun(server!, org!, 'to cancel');
      expect((await call(server!, org!, 'POST', `/runs/${runId}/solve`)).status).toBe(202);
      const runLease = await leaseAppears(h, (l) => l.org_id === org!.id && l.kind === 'run');
      expect(runLease).toBeDefined();
      const cancelled = Date.now();
      const answer = await call(server!, org!, 'POST', `/runs/${runId}/cancel`, { reason: 'Not now' });
      expect(answer.status, JSON.stringify(answer.body)).toBe(200);
      const gone = await leaseGone(h, runLease!.id);
      const runFreedMs = Date.now() - cancelled;
      expect(gone).toBe(true);
      expect(whatIfFreedMs, 'what-if slot freed after the client left').toBeLessThan(1000);
      // The job runner looks for cancel requests twice a second (src/jobs/runner.ts, cancelPollMs); the slot goes
      // within a second after that.
      expect(runFreedMs, 'run slot freed after the cancel').toBeLessThan(1500);
      expect((await runSettled(server!, org!, runId)).status).toBe('cancelled');
    }, 180_000);

    it('the slots of a killed server come back when its leases expire', async () => {
      const [survivor, victim] = servers;
      const [org] = orgs;
      // The victim solves a long what-if of the org (its one slot), then dies without releasing it.
      void call(victim!, org!, 'POST', '/what-if/solve', whatIfBody(7, 20_000)).catch(() => null);
      const held = await leaseAppears(
        h,
        (l) => l.org_id === org!.id && pidOf(l.holder) === victim!.child.pid,
      );
      expect(held).toBeDefined();
      const exited = new Promise((resolve) => victim!.child.once('exit', resolve));
      victim!.child.kill('SIGKILL');
      await exited;
      const killed = Date.now();
      // Nobody renews it now: this is when it stops counting.
      const [dead] = await queryRows<{ expires_at: Date | string }>(
        h.db.db,
        sql`select expires_at from solve_slots where id = ${held!.id}::uuid`,
      );
      expect(dead).toBeDefined();

      // The org's next what-if on the surviving server waits for the dead lease, then solves.
      const next = call(survivor!, org!, 'POST', '/what-if/solve', whatIfBody(8, 500));
      const taken = await leaseAppears(
        h,
        (l) => l.org_id === org!.id && pidOf(l.holder) === survivor!.child.pid,
        (LEASE_SECONDS + 5) * 1000,
      );
      expect(taken, 'the survivor took the slot').toBeDefined();
      expect(Date.now() - killed).toBeLessThan((LEASE_SECONDS + 1) * 1000);
      // Not before the dead lease had run out: until then it still counted.
      expect(new Date(taken!.claimed_at).getTime()).toBeGreaterThanOrEqual(
        new Date(dead!.expires_at).getTime(),
      );
      expect((await next).status).toBe(200);
    }, 180_000);
  },
);
