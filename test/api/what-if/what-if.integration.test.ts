/** What-if solves (analysts): a proposal with metrics, limits refused before solving, and nothing written to any table. */
import { sql } from 'drizzle-orm';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { queryRows } from '../../../src/db/query-rows.ts';
import { createRunsWorld, type RunsWorld, seedBook } from '../runs/run-fixture.ts';

let w: RunsWorld;
let book: Awaited<ReturnType<typeof seedBook>>;
beforeAll(async () => {
  w = await createRunsWorld();
  book = await seedBook(w);
});
afterAll(() => w.close());

/** Row counts of every table of the public schema. */
async function rowCounts() {
  const tables = await queryRows<{ name: string }>(
    w.h.db.db,
    sql`select tablename as name from pg_tables where schemaname = 'public' order by tablename`,
  );
  const out: Record<string, number> = {};
  for (const t of tables) {
    const [row] = await queryRows<{ n: number }>(
      w.h.db.db,
      sql`select count(*)::int as n from ${sql.identifier(t.name)}`,
    );
    out[t.name] = Number(row!.n);
  }
  return out;
}

const inline = {
  kind: 'departure',
  accounts: [
    { id: 'A1', ownerId: 'R1', revenueCents: 1_000_000, region: 'West' },
    { id: 'A2', ownerId: 'R1', revenueCents: 2_000_000, region: 'West' },
    { id: 'A3', ownerId: 'R2', revenueCents: 3_000_000, region: 'West' },
  ],
  reps: [
    { id: 'R1', region: 'West', departing: true },
    { id: 'R2', region: 'West' },
    { id: 'R3', region: 'West' },
  ],
};

it('solves inline and by reference, compares variants, and writes nothing', async () => {
  const before = await rowCounts();
  const solved = await w.call('analyst', 'POST', '/what-if/solve', { input: inline });
  expect(solved.status, JSON.stringify(solved.body)).toBe(200);
  expect(solved.body.status).toBe('optimal');
  expect(solved.body.assignments.filter((a: { moved: boolean }) => a.moved)).toHaveLength(2);
  expect(solved.body.balance).toBeDefined();

  const byRef = await w.call('manager', 'POST', '/what-if/solve', {
    reference: { kind: 'rep_departure', params: { departingRepIds: [book.reps.dana.id] } },
  });
  expect(byRef.status, JSON.stringify(byRef.body)).toBe(200);
  expect(byRef.body.moved).toBe(6);

  const cmp = await w.call('analyst', 'POST', '/what-if/compare', {
    input: inline,
    variants: [{ name: 'optimal' }, { name: 'R3 capped', repChanges: [{ id: 'R3', maxAccounts: 0 }] }],
  });
  expect(cmp.status, JSON.stringify(cmp.body)).toBe(200);
  const r3 = cmp.body.reps.find((r: { repId: string }) => r.repId === 'R3');
  const [free, capped] = r3.byVariant.map((v: { countAfter: number }) => v.countAfter);
  expect(free).toBeGreaterThan(0);
  expect(capped).toBe(0);

  const infeasible = await w.call('analyst', 'POST', '/what-if/solve', {
    input: { ...inline, reps: inline.reps.map((r) => (r.departing ? r : { ...r, maxAccounts: 1 })) },
  });
  expect(infeasible.status).toBe(200);
  expect(infeasible.body.status).toBe('infeasible');
  expect(infeasible.body.reasons.length).toBeGreaterThan(0);
  expect(await rowCounts()).toEqual(before);
});

it('refuses bad input with field paths (400), over-limit problems before solving (422), and other roles (403)', async () => {
  const bad = await w.call('analyst', 'POST', '/what-if/solve', {
    input: { ...inline, accounts: [{ id: 'A1', ownerId: 'R1', revenueCents: -5, region: 'West' }] },
  });
  expect(bad.status).toBe(400);
  expect(bad.body.details[0].path).toBe('input.accounts.0.revenueCents');
  // An option the solver does not know is named at the path the caller sent it, not at the input's root.
  const unknown = await w.call('analyst', 'POST', '/what-if/solve', { input: { ...inline, timeLimit: 5 } });
  expect(unknown.status).toBe(400);
  expect(unknown.body.details[0].path).toBe('input.timeLimit');
  expect(unknown.body.details[0].message).toMatch(
    /^unknown option "timeLimit"; the options are .*timeLimitMs/,
  );
  const huge = await w.call('analyst', 'POST', '/what-if/solve', {
    input: { ...inline, reps: Array.from({ length: 2001 }, (_, i) => ({ id: `R${i}`, region: 'West' })) },
  });
  expect(huge.status).toBe(422);
  expect(huge.body.code).toBe('UNPROCESSABLE');
  const both = await w.call('analyst', 'POST', '/what-if/solve', {});
  expect(both.status).toBe(400);
  expect((await w.call('finance', 'POST', '/what-if/solve', { input: inline })).status).toBe(403);
  expect(
    (await w.call('rep', 'POST', '/what-if/compare', { input: inline, variants: [{ name: 'a' }] })).status,
  ).toBe(403);
});

it("a variant's issue is named under the variant, with the account's id, not an index into a list the caller never sent", async () => {
  // The variant makes R3 leave while A3 is pinned to R3: the solver refuses the pin at accounts[2] of the input
  // it builds for the variant; the caller sent variants[1].repChanges, so the detail names the variant and A3.
  const pinned = {
    ...inline,
    accounts: inline.accounts.map((a) => (a.id === 'A3' ? { ...a, pinnedOwnerId: 'R3' } : a)),
  };
  const cmp = await w.call('analyst', 'POST', '/what-if/compare', {
    input: pinned,
    variants: [{ name: 'as is' }, { name: 'R3 leaves', repChanges: [{ id: 'R3', departing: true }] }],
  });
  expect(cmp.status, JSON.stringify(cmp.body)).toBe(400);
  expect(cmp.body.details).toEqual([
    {
      path: 'variants.1',
      message:
        'account "A3" (pinnedOwnerId): pinned owner "R3" is departing; pin the account to a staying rep',
    },
  ]);
  // The same pin sent inline keeps the caller's own path.
  const sent = await w.call('analyst', 'POST', '/what-if/solve', {
    input: { ...pinned, reps: inline.reps.map((r) => (r.id === 'R3' ? { ...r, departing: true } : r)) },
  });
  expect(sent.status).toBe(400);
  expect(sent.body.details[0].path).toBe('input.accounts.2.pinnedOwnerId');
});
