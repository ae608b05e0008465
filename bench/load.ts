/**
 * Load on loopback (issue 15, RELIABILITY 3 and 20): the real app served over HTTP on a small database pool,
 * two orgs, many connections at once, each request checked — status 200, and not one id of the other org in the
 * body (the org is set per transaction only, so a leak through the pool would show here). Prints latency by
 * percentile, errors, 5xx, pool timeouts and leaks; writes bench/results/load.json; fails on any of them.
 *
 *   npx tsx bench/load.ts [--ci] [--connections N] [--seconds S] [--pglite]
 */
import { randomUUID } from 'node:crypto';
import type { AddressInfo } from 'node:net';
import { serve } from '@hono/node-server';
import { memberships, orgs, users } from '../db/schema/index.ts';
import { createApp } from '../src/app.ts';
import type { Principal } from '../src/auth/principal.ts';
import type { Database } from '../src/db/client.ts';
import { parseEnv } from '../src/lib/env.ts';
import { createMemoryLogger } from '../src/lib/logger.ts';
import { createApiKey } from '../src/services/auth/api-keys.ts';
import { createAccount, createRep } from '../test/support/factories.ts';
import { benchServerUrl, openBenchDatabase, writeBenchResult } from './bench-db.ts';

interface Org {
  id: string;
  key: string;
  /** Ids that must never appear in the other org's answers. */
  secrets: string[];
}

async function seedOrg(db: Database, name: string, accounts: number): Promise<Org> {
  const [org] = await db
    .insert(orgs)
    .values({ name, slug: `load-${randomUUID()}` })
    .returning({ id: orgs.id });
  const [user] = await db
    .insert(users)
    .values({ email: `load-${randomUUID()}@example.test`, name: 'Load', passwordHash: 'unused' })
    .returning({ id: users.id });
  await db.insert(memberships).values({ orgId: org!.id, userId: user!.id, role: 'analyst' });
  const principal: Principal = { kind: 'session', orgId: org!.id, orgName: name, role: 'analyst' };
  const { key } = await createApiKey({
    ctx: { db, clock: () => new Date(), principal },
    input: { name: 'load', role: 'analyst' },
  });
  const secrets = [org!.id, user!.id];
  const reps = [];
  for (let i = 0; i < 5; i++) {
    const rep = await createRep(db, org!.id, { name: `${name} rep ${i}`, region: 'West' });
    reps.push(rep);
    secrets.push(rep.id);
  }
  for (let i = 0; i < accounts; i++) {
    const a = await createAccount(db, org!.id, {
      name: `${name} account ${i}`,
      ownerRepId: reps[i % reps.length]!.id,
      region: 'West',
    });
    secrets.push(a.id);
  }
  return { id: org!.id, key, secrets };
}

const PATHS = ['/v1/me', '/v1/reps', '/v1/accounts?limit=50', '/v1/runs', '/v1/reps?q=rep'];

function percentile(sorted: number[], p: number) {
  if (sorted.length === 0) return 0;
  return sorted[Math.min(sorted.length - 1, Math.floor((p / 100) * sorted.length))]!;
}

export async function run(options: { ci: boolean; args: string[] }): Promise<{ ok: boolean }> {
  const { ci, args } = options;
  const arg = (name: string, fallback: number) => {
    const i = args.indexOf(name);
    return i >= 0 ? Number(args[i + 1]) : fallback;
  };
  const connections = arg('--connections', ci ? 16 : 64);
  const seconds = arg('--seconds', ci ? 3 : 15);
  const pglite = args.includes('--pglite');
  const { handle, drop } = await openBenchDatabase(pglite, benchServerUrl());
  const server = serve({
    fetch: createApp({
      env: parseEnv({ NODE_ENV: 'test', LOG_LEVEL: 'silent' }),
      db: handle.db,
      logger: createMemoryLogger(),
    }).fetch,
    hostname: '127.0.0.1',
    port: 0,
  });
  try {
    await new Promise((resolve) => server.once('listening', resolve));
    const base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
    const orgA = await seedOrg(handle.db, 'Load A', ci ? 100 : 500);
    const orgB = await seedOrg(handle.db, 'Load B', ci ? 100 : 500);
    const both = [orgA, orgB];
    const latencies: number[] = [];
    const counts = { requests: 0, errors: 0, serverErrors: 0, poolTimeouts: 0, leaks: 0, other: 0 };
    const end = performance.now() + seconds * 1000;
    const worker = async (w: number) => {
      let i = w;
      while (performance.now() < end) {
        const me = both[i % 2]!;
        const other = both[(i + 1) % 2]!;
        const path = PATHS[(i >> 1) % PATHS.length]!;
        i += 1;
        const started = performance.now();
        try {
          const res = await fetch(`${base}${path}`, { headers: { authorization: `Bearer ${me.key}` } });
          const text = await res.text();
          latencies.push(performance.now() - started);
          counts.requests += 1;
          if (res.status === 503 || /timeout|too many clients/i.test(text)) counts.poolTimeouts += 1;
          if (res.status >= 500) counts.serverErrors += 1;
          else if (res.status !== 200) counts.other += 1;
          if (other.secrets.some((s) => text.includes(s))) counts.leaks += 1;
        } catch {
          counts.errors += 1;
        }
      }
    };
    const started = performance.now();
    await Promise.all(Array.from({ length: connections }, (_, w) => worker(w)));
    const elapsed = (performance.now() - started) / 1000;
    latencies.sort((a, b) => a - b);
    const result = {
      driver: pglite ? 'pglite' : 'postgres',
      poolSize: pglite ? 1 : 4,
      connections,
      seconds: Math.round(elapsed * 10) / 10,
      ...counts,
      requestsPerSecond: Math.round(counts.requests / elapsed),
      latencyMs: {
        p50: Math.round(percentile(latencies, 50)),
        p95: Math.round(percentile(latencies, 95)),
        p99: Math.round(percentile(latencies, 99)),
        max: Math.round(latencies[latencies.length - 1] ?? 0),
      },
    };
    console.table([
      {
        driver: result.driver,
        connections,
        requests: counts.requests,
        'req/s': result.requestsPerSecond,
        p50: result.latencyMs.p50,
        p95: result.latencyMs.p95,
        p99: result.latencyMs.p99,
        errors: counts.errors,
        '5xx': counts.serverErrors,
        'pool timeouts': counts.poolTimeouts,
        'non-200': counts.other,
        leaks: counts.leaks,
      },
    ]);
    const ok =
      counts.requests > 0 &&
      counts.errors === 0 &&
      counts.serverErrors === 0 &&
      counts.poolTimeouts === 0 &&
      counts.leaks === 0 &&
      counts.other === 0;
    await writeBenchResult('load', { ci, ok, ...result });
    return { ok };
  } finally {
    server.close();
    await drop();
  }
}

if (import.meta.url === `file://${process.argv[1]}`) {
  const args = process.argv.slice(2);
  run({ ci: args.includes('--ci'), args }).then((r) => {
    process.exitCode = r.ok ? 0 : 1;
  });
}
