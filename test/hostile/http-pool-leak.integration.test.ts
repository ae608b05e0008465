/**
 * The pool-leak test through HTTP (issue 15): thousands of interleaved requests — valid reads of two orgs,
 * invalid ids, NUL in the query, malformed and oversized JSON, anonymous calls, and requests the client aborts
 * mid-answer or mid-body — against the real app served over loopback on a pool of 4 connections. Afterwards every
 * pool connection is idle (none active or idle in a transaction, none beyond the pool size), none keeps an org
 * setting, the app still answers, and the heap after the last round is within a fixed bound of the heap after
 * the first (no growth per request).
 *
 * It needs several real connections and pg_stat_activity: it runs on a PostgreSQL server (TEST_DATABASE_URL) and
 * is skipped on PGlite.
 */
import type { AddressInfo } from 'node:net';
import { setFlagsFromString } from 'node:v8';
import { runInNewContext } from 'node:vm';
import { serve } from '@hono/node-server';
import { sql } from 'drizzle-orm';
import postgres from 'postgres';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createApp } from '../../src/app.ts';
import { withOrg } from '../../src/db/tenancy.ts';
import { parseEnv } from '../../src/lib/env.ts';
import { createMemoryLogger } from '../../src/lib/logger.ts';
import { apiKeyFor, createHarness, createOrgWithUsers, type Harness } from '../app/harness.ts';
import { holdToContract } from '../support/contract.ts';
import { createTestDatabase, type TestDatabase, testServerUrl } from '../support/db.ts';
import { createAccount, createRep } from '../support/factories.ts';

const POOL = 4;
const ROUNDS = 3;
const PER_ROUND = Number(process.env.POOL_LEAK_REQUESTS ?? 1000);
const CONCURRENCY = 24;
/** Heap growth allowed from the end of round 1 to the end of the last round, after a full collection. */
const HEAP_GROWTH_BOUND = 24 * 1024 * 1024;

setFlagsFromString('--expose-gc');
const gc = runInNewContext('gc') as () => void;

let db: TestDatabase;
let h: Harness;
let base = '';
let server: ReturnType<typeof serve>;
const orgs: Array<{ id: string; key: string; repId: string; accountId: string }> = [];

beforeAll(async () => {
  if (!testServerUrl()) return;
  db = await createTestDatabase({ poolMax: POOL });
  // The harness for its factories; the app under test is a second one on the pool of POOL.
  h = await createHarness();
  const env = parseEnv({ NODE_ENV: 'test', LOG_LEVEL: 'silent', REQUEST_MAX_BYTES: '65536' });
  const app = holdToContract(createApp({ env, db: db.db, logger: createMemoryLogger() }));
  for (const name of ['Leak A', 'Leak B']) {
    const org = await createOrgWithUsers({ ...h, db }, name);
    const rep = await createRep(db.db, org.id, { name: `${name} rep`, region: 'West' });
    const account = await createAccount(db.db, org.id, { name: `${name} account`, ownerRepId: rep.id });
    const key = (await apiKeyFor({ ...h, db }, org.id, 'analyst')).key;
    orgs.push({ id: org.id, key, repId: rep.id, accountId: account.id });
  }
  server = await new Promise((resolve) => {
    const s = serve({ fetch: app.fetch, hostname: '127.0.0.1', port: 0 }, () => resolve(s));
  });
  base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
}, 120_000);

afterAll(async () => {
  await new Promise((resolve) => (server ? server.close(resolve) : resolve(undefined)));
  await db?.close();
  await h?.close();
});

type Outcome = 'ok' | 'client-error' | 'aborted' | 'server-error';

/** One request of kind i % 10: reads of either org, refusals of many kinds, and aborts. */
async function oneRequest(i: number): Promise<Outcome> {
  const org = orgs[i % 2]!;
  const other = orgs[(i + 1) % 2]!;
  const auth = { authorization: `Bearer ${org.key}` };
  const json = { ...auth, 'content-type': 'application/json' };
  const kind = i % 10;
  const controller = new AbortController();
  const requests: Array<() => Promise<Response>> = [
    () => fetch(`${base}/v1/accounts?limit=5`, { headers: auth }),
    () => fetch(`${base}/v1/reps?q=rep`, { headers: auth }),
    () => fetch(`${base}/v1/runs`, { headers: auth }),
    () => fetch(`${base}/v1/accounts/${other.accountId}`, { headers: auth }), // the other org's: 404
    () => fetch(`${base}/v1/runs/not-a-uuid`, { headers: auth }),
    () => fetch(`${base}/v1/reps?q=%00`, { headers: auth }),
    () => fetch(`${base}/v1/runs`, { method: 'POST', headers: json, body: '{"kind":' }),
    () => fetch(`${base}/v1/runs`, { method: 'POST', headers: json, body: 'x'.repeat(100_000) }),
    () => fetch(`${base}/v1/accounts`), // anonymous
    () => {
      // Aborted by the client: half of them mid-body (a stream that never ends), half while the answer comes.
      const body =
        i % 20 === 9
          ? new ReadableStream({
              start(c) {
                c.enqueue(new TextEncoder().encode('{"kind":"rep_departure","reason":"'));
              },
            })
          : undefined;
      setTimeout(() => controller.abort(), 1 + (i % 7));
      return fetch(`${base}/v1/${body ? 'runs' : 'accounts?limit=50'}`, {
        method: body ? 'POST' : 'GET',
        headers: json,
        signal: controller.signal,
        ...(body ? { body, duplex: 'half' } : {}),
      } as RequestInit);
    },
  ];
  try {
    const res = await requests[kind]!();
    const text = await res.text();
    if (res.status >= 500) return 'server-error';
    if (kind < 3 && (res.status !== 200 || text.includes(other.id))) return 'server-error';
    return res.status < 400 ? 'ok' : 'client-error';
  } catch (error) {
    if (controller.signal.aborted) return 'aborted';
    throw error;
  }
}

async function round(offset: number) {
  const counts: Record<Outcome, number> = { ok: 0, 'client-error': 0, aborted: 0, 'server-error': 0 };
  let next = 0;
  await Promise.all(
    Array.from({ length: CONCURRENCY }, async () => {
      while (next < PER_ROUND) {
        const i = offset + next++;
        counts[await oneRequest(i)] += 1;
      }
    }),
  );
  return counts;
}

/** The pool's connections as the server sees them. */
async function poolConnections() {
  const admin = postgres(testServerUrl()!, { max: 1, onnotice: () => {} });
  try {
    const name = new URL(db.url!).pathname.slice(1);
    const rows = await admin<Array<{ state: string | null; n: number }>>`
      select state, count(*)::int as n from pg_stat_activity
      where datname = ${name} and pid <> pg_backend_pid() group by state`;
    return rows.map((r) => ({ state: r.state, n: r.n }));
  } finally {
    await admin.end({ timeout: 5 });
  }
}

async function settledHeap() {
  for (let i = 0; i < 3; i++) {
    gc();
    await new Promise((r) => setTimeout(r, 50));
  }
  return process.memoryUsage().heapUsed;
}

describe.skipIf(!testServerUrl())('HTTP pool leak (real PostgreSQL server, pool of 4)', () => {
  it(`${ROUNDS} rounds of ${PER_ROUND} mixed valid, invalid and aborted requests: the pool returns to idle and the heap does not grow`, async () => {
    const heaps: number[] = [];
    const totals: Record<Outcome, number> = { ok: 0, 'client-error': 0, aborted: 0, 'server-error': 0 };
    for (let r = 0; r < ROUNDS; r++) {
      const counts = await round(r * PER_ROUND);
      for (const k of Object.keys(totals) as Outcome[]) totals[k] += counts[k];
      heaps.push(await settledHeap());
    }
    expect(totals['server-error']).toBe(0);
    expect(totals.ok).toBe((ROUNDS * PER_ROUND * 3) / 10); // kinds 0-2, each checked for 200 and no foreign id
    expect(totals['client-error']).toBeGreaterThan(ROUNDS * PER_ROUND * 0.4);
    expect(totals.aborted).toBeGreaterThan(0);

    // Aborted requests finish their work on the server a moment later; then every connection is idle.
    let states: Array<{ state: string | null; n: number }> = [];
    for (let i = 0; i < 50; i++) {
      states = await poolConnections();
      if (states.every((s) => s.state === 'idle')) break;
      await new Promise((r) => setTimeout(r, 100));
    }
    expect(states.filter((s) => s.state !== 'idle')).toEqual([]);
    const open = states.reduce((n, s) => n + s.n, 0);
    expect(open).toBeGreaterThan(0);
    expect(open).toBeLessThanOrEqual(POOL);

    // No connection kept an org or a role: POOL reads at once (one per connection) see neither.
    const leftovers = await Promise.all(
      Array.from({ length: POOL }, () =>
        db.db.execute(
          sql`select current_setting('app.org_id', true) as org, current_user as who, pg_sleep(0.05)`,
        ),
      ),
    );
    for (const rows of leftovers) {
      const row = (Array.isArray(rows) ? rows[0] : (rows as { rows: unknown[] }).rows[0]) as {
        org: string | null;
        who: string;
      };
      expect(row.org ?? '').toBe('');
      expect(row.who).not.toBe('bookshift_app');
    }
    // And the app still answers inside an org on every connection.
    const after = await Promise.all(
      Array.from({ length: POOL * 2 }, (_, i) =>
        withOrg(db.db, { orgId: orgs[i % 2]!.id }, (tx) =>
          tx.execute(sql`select nullif(current_setting('app.org_id', true), '') as org`),
        ),
      ),
    );
    expect(after).toHaveLength(POOL * 2);

    const growth = heaps[heaps.length - 1]! - heaps[0]!;
    console.log(
      `pool leak: ${JSON.stringify(totals)}; heap after each round (MB): ${heaps
        .map((b) => (b / 2 ** 20).toFixed(1))
        .join(', ')}; pool connections: ${JSON.stringify(states)}`,
    );
    expect(growth).toBeLessThan(HEAP_GROWTH_BOUND);
  }, 600_000);
});
