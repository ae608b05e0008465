/**
 * Issue 15: solves share slots across every instance on the database — a global and a per-org bound counted in
 * solve_slots (leases), a bounded queue of what-ifs per process, 429 beyond it; a lease that is not renewed
 * expires and its slot returns; a lease lost while held stops its solve. Two SolveSlots on one database stand for
 * two processes (each its own holder); on a real server each also has its own connection pool.
 */
import { sql } from 'drizzle-orm';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import * as s from '../../../db/schema/index.ts';
import { type DatabaseHandle, openPostgres } from '../../../src/db/client.ts';
import { queryRows } from '../../../src/db/query-rows.ts';
import { claimSolveSlot } from '../../../src/db/solve-slot-leases.ts';
import { withOrg, withoutOrg } from '../../../src/db/tenancy.ts';
import { createSolveSlots, type SolveSlotLimits } from '../../../src/services/solve/solve-slots.ts';
import { createTestDatabase, expectPgError, type TestDatabase, testServerUrl } from '../../support/db.ts';
import { createOrg } from '../../support/factories.ts';

/** Waits until `ready` holds (a queued request first tries the database, so it joins the queue a few ms later). */
async function until(ready: () => boolean, timeoutMs = 10_000): Promise<void> {
  const end = Date.now() + timeoutMs;
  while (!ready()) {
    if (Date.now() > end) throw new Error('condition not reached in time');
    await new Promise((r) => setTimeout(r, 5));
  }
}
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

let t: TestDatabase;
let A: string;
let B: string;
let C: string;

beforeAll(async () => {
  t = await createTestDatabase();
  A = (await createOrg(t.db)).id;
  B = (await createOrg(t.db)).id;
  C = (await createOrg(t.db)).id;
});
afterAll(() => t.close());
beforeEach(async () => {
  await t.db.delete(s.solveSlots);
});

const limits = (global: number, perOrg: number, waiting: number): SolveSlotLimits => ({
  global,
  perOrg,
  waiting,
  leaseSeconds: 30,
});

/** Live leases as the owner sees them (every org): the count the limits hold. */
async function leases() {
  return queryRows<{ org_id: string; kind: string; holder: string }>(
    t.db,
    sql`select org_id, kind, holder from solve_slots where expires_at > clock_timestamp()`,
  );
}

describe('solve slots', () => {
  it('holds one org to its share while another org’s request goes first', async () => {
    const slots = createSolveSlots(t.db, limits(2, 1, 4));
    const a1 = await slots.acquire(A);
    let a2Granted = false;
    const a2 = slots.acquire(A).then((slot) => {
      a2Granted = true;
      return slot;
    });
    const b1 = await slots.acquire(B); // the second global slot: B is not behind A's queue
    await sleep(50);
    expect(a2Granted).toBe(false);
    expect(slots.held).toBe(2);
    expect((await leases()).map((l) => l.org_id).sort()).toEqual([A, B].sort());
    await a1.release();
    const second = await a2;
    expect(a2Granted).toBe(true);
    await second.release();
    await b1.release();
    expect(slots.held).toBe(0);
    expect(await leases()).toEqual([]);
  });

  it('refuses beyond the queue with 429 and Retry-After, at once', async () => {
    const slots = createSolveSlots(t.db, limits(1, 1, 1));
    const held = await slots.acquire(A);
    const queued = slots.acquire(A);
    // The queued request tries the database before it joins the queue: on a busy machine one tick was not enough,
    // B then took the one place in the queue and the test waited for ever.
    await until(() => slots.waiting === 1);
    const refused = await slots.acquire(B).catch((e: unknown) => e);
    expect(refused).toMatchObject({ code: 'TOO_MANY_REQUESTS', headers: { 'Retry-After': '5' } });
    await held.release();
    await (await queued).release();
    expect(slots.held + slots.waiting).toBe(0);
  });

  it('a waiting request whose client went away leaves the queue and never runs', async () => {
    const slots = createSolveSlots(t.db, limits(1, 1, 2));
    const held = await slots.acquire(A);
    const controller = new AbortController();
    const waiting = slots.acquire(A, controller.signal);
    await until(() => slots.waiting === 1);
    controller.abort();
    await expect(waiting).rejects.toMatchObject({ code: 'BAD_REQUEST' });
    expect(slots.waiting).toBe(0);
    await held.release();
    // A claim the queue started for it before it left may still be in flight; when it lands, its slot goes
    // straight back. Settle that first (on a loaded machine it outlasts any fixed pause, and its lease would leak
    // into the next test): A's one slot is free again only once no such claim holds it.
    let probe: Awaited<ReturnType<typeof slots.tryAcquireRun>> = null;
    const end = Date.now() + 10_000;
    while (probe === null && Date.now() < end) {
      probe = await slots.tryAcquireRun(A);
      if (probe === null) await sleep(20);
    }
    expect(probe).not.toBeNull();
    await probe!.release();
    expect(slots.held).toBe(0);
    expect(await leases()).toEqual([]);
  });

  it('tryAcquireRun (run solves) shares the same global and per-org limits and never waits', async () => {
    const slots = createSolveSlots(t.db, limits(2, 1, 4));
    const a = await slots.tryAcquireRun(A);
    expect(a).not.toBeNull();
    expect(await slots.tryAcquireRun(A)).toBeNull();
    const b = await slots.acquire(B); // a what-if takes the second global slot
    expect(await slots.tryAcquireRun(C)).toBeNull();
    expect(slots.waiting).toBe(0);
    expect((await leases()).map((l) => l.kind).sort()).toEqual(['run', 'what_if']);
    await a!.release();
    const c = await slots.tryAcquireRun(C);
    expect(c).not.toBeNull();
    await c!.release();
    await b.release();
  });

  it('two processes share the limits: one’s waiter gets the slot the other frees', async () => {
    const one = createSolveSlots(t.db, limits(2, 1, 4), { holder: 'one' });
    const two = createSolveSlots(t.db, limits(2, 1, 4), { holder: 'two', pollMs: 50 });
    const a = await one.acquire(A);
    const b = await one.tryAcquireRun(B);
    expect(b).not.toBeNull();
    // Neither A (its share) nor C (the global limit) fits on the other process.
    expect(await two.tryAcquireRun(C)).toBeNull();
    expect(await two.tryAcquireRun(A)).toBeNull();
    const waiting = two.acquire(C);
    await until(() => two.waiting === 1);
    const freed = Date.now();
    await b!.release();
    const c = await waiting;
    expect(Date.now() - freed).toBeLessThan(1000);
    expect((await leases()).map((l) => l.holder).sort()).toEqual(['one', 'two']);
    await c.release();
    await a.release();
  });

  it('a lease nobody renews (its process crashed) stops counting when it expires, and its slot returns', async () => {
    // What a crashed process leaves: a lease claimed, never renewed, never released.
    const dead = await claimSolveSlot(t.db, {
      orgId: A,
      kind: 'what_if',
      holder: 'crashed',
      leaseSeconds: 1,
      maxGlobal: 1,
      maxPerOrg: 1,
    });
    expect(dead.slotId).not.toBeNull();
    const slots = createSolveSlots(t.db, limits(1, 1, 2), { pollMs: 50 });
    expect(await slots.tryAcquireRun(B)).toBeNull();
    const started = Date.now();
    const slot = await slots.acquire(B); // waits until the dead lease expires
    expect(Date.now() - started).toBeGreaterThan(500);
    expect(Date.now() - started).toBeLessThan(2500);
    expect((await leases()).map((l) => l.holder)).not.toContain('crashed');
    await slot.release();
  });

  it('a held lease is renewed while its solve runs, past its lease time', async () => {
    const slots = createSolveSlots(t.db, { global: 1, perOrg: 1, waiting: 0, leaseSeconds: 1 });
    const slot = await slots.acquire(A);
    await sleep(2500);
    expect(slot.signal.aborted).toBe(false);
    expect(await slots.tryAcquireRun(B)).toBeNull();
    expect(await leases()).toHaveLength(1);
    await slot.release();
  });

  it('a lease lost while held (its process stalled past it) aborts its solve', async () => {
    const slots = createSolveSlots(t.db, { global: 1, perOrg: 1, waiting: 0, leaseSeconds: 1 });
    const slot = await slots.acquire(A);
    // As if this process had not renewed in time: the lease ran out and another claim took the place.
    await t.db.execute(sql`update solve_slots set expires_at = clock_timestamp() - interval '1 second'`);
    const other = await claimSolveSlot(t.db, {
      orgId: B,
      kind: 'run',
      holder: 'other',
      leaseSeconds: 30,
      maxGlobal: 1,
      maxPerOrg: 1,
    });
    expect(other.slotId).not.toBeNull();
    await new Promise((resolve) => slot.signal.addEventListener('abort', resolve, { once: true }));
    expect(String((slot.signal.reason as Error).message)).toMatch(/lease lost/);
    expect(slots.held).toBe(0);
    await slot.release(); // harmless: nothing of another's is touched
    expect((await leases()).map((l) => l.holder)).toEqual(['other']);
  });
});

describe('solve slots in the database', () => {
  it('claims only for the transaction’s own org; each org sees only its own leases; the app role cannot insert', async () => {
    const code = await expectPgError(() =>
      withoutOrg(t.db, {}, (tx) => tx.execute(sql`select * from solve_slot_claim('run', 'x', 30, 2, 1)`)),
    );
    expect(code).toBe('P0001');
    const slots = createSolveSlots(t.db, limits(3, 2, 0));
    const a = await slots.tryAcquireRun(A);
    const b = await slots.tryAcquireRun(B);
    const seen = await withOrg(t.db, { orgId: A }, (tx) =>
      queryRows<{ org_id: string }>(tx, sql`select org_id from solve_slots`),
    );
    expect(seen.map((r) => r.org_id)).toEqual([A]);
    const gone = await withOrg(t.db, { orgId: A }, (tx) =>
      queryRows<{ id: string }>(tx, sql`delete from solve_slots where org_id = ${B} returning id`),
    );
    expect(gone).toEqual([]);
    const insert = await expectPgError(() =>
      withOrg(t.db, { orgId: A }, (tx) =>
        tx.execute(
          sql`insert into solve_slots (org_id, kind, holder, expires_at) values (${A}, 'run', 'x', now() + interval '1 hour')`,
        ),
      ),
    );
    expect(insert).toBe('42501');
    await a!.release();
    await b!.release();
  });

  it('refuses a claim outside read committed (its counts would miss the claims before it)', async () => {
    const code = await expectPgError(() =>
      withOrg(
        t.db,
        { orgId: A },
        (tx) => tx.execute(sql`select * from solve_slot_claim('run', 'x', 30, 2, 1)`),
        {
          transaction: { isolationLevel: 'repeatable read' },
        },
      ),
    );
    expect(code).toBe('P0001');
  });
});

// Many claimers on two connection pools at once (two instances): only a database server runs them in parallel.
describe.skipIf(!testServerUrl())('concurrent claims from two pools (needs TEST_DATABASE_URL)', () => {
  it('never hold more than the global or the per-org limit, and reach them', async () => {
    const pools: DatabaseHandle[] = [await openPostgres(t.url!, 6), await openPostgres(t.url!, 6)];
    const G = 3;
    const P = 2;
    let maxGlobal = 0;
    let maxOrg = 0;
    let violations = 0;
    const until = Date.now() + 3000;
    const claimer = async (i: number) => {
      const pool = pools[i % 2]!.db;
      const orgId = [A, B, C][i % 3]!;
      while (Date.now() < until) {
        const got = await claimSolveSlot(pool, {
          orgId,
          kind: i % 2 ? 'run' : 'what_if',
          holder: `claimer-${i}`,
          leaseSeconds: 30,
          maxGlobal: G,
          maxPerOrg: P,
        });
        if (!got.slotId) continue;
        const rows = await leases();
        const perOrg = Math.max(...[A, B, C].map((o) => rows.filter((r) => r.org_id === o).length));
        maxGlobal = Math.max(maxGlobal, rows.length);
        maxOrg = Math.max(maxOrg, perOrg);
        if (rows.length > G || perOrg > P) violations += 1;
        await sleep(Math.random() * 10);
        await withOrg(pool, { orgId }, (tx) =>
          tx.execute(sql`delete from solve_slots where id = ${got.slotId}::uuid`),
        );
      }
    };
    try {
      await Promise.all(Array.from({ length: 12 }, (_, i) => claimer(i)));
    } finally {
      for (const p of pools) await p.close();
    }
    expect(violations).toBe(0);
    expect(maxGlobal).toBe(G);
    expect(maxOrg).toBe(P);
  }, 30_000);
});
