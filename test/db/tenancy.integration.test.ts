/**
 * The tenancy helper: the role switch and the org are per transaction only, so nothing leaks to the next
 * transaction on the same connection (pool of one), including after a failed transaction (scenario 3).
 */
import { sql } from 'drizzle-orm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import * as s from '../../db/schema/index.ts';
import { queryRows } from '../../src/db/query-rows.ts';
import { APP_ROLE, withOrg, withoutOrg } from '../../src/db/tenancy.ts';
import { createTestDatabase, type TestDatabase } from '../support/db.ts';
import { createAccount, createOrg } from '../support/factories.ts';

let t: TestDatabase;
let orgA: string;
let orgB: string;

beforeAll(async () => {
  t = await createTestDatabase({ poolMax: 1 });
  orgA = (await createOrg(t.db)).id;
  orgB = (await createOrg(t.db)).id;
  for (let i = 0; i < 5; i += 1) await createAccount(t.db, orgA);
  for (let i = 0; i < 3; i += 1) await createAccount(t.db, orgB);
});

afterAll(async () => {
  await t?.close();
});

async function outsideState() {
  const [row] = await queryRows<{ role: string; org: string | null; user_id: string | null }>(
    t.db,
    sql`select current_user as role, current_setting('app.org_id', true) as org, current_setting('app.user_id', true) as user_id`,
  );
  return row!;
}

describe('withOrg', () => {
  it('works as the app role with the org set, for that transaction only', async () => {
    const inside = await withOrg(t.db, { orgId: orgA, userId: orgB }, (tx) =>
      queryRows<{ role: string; org: string; user_id: string }>(
        tx,
        sql`select current_user as role, current_setting('app.org_id', true) as org, current_setting('app.user_id', true) as user_id`,
      ),
    );
    expect(inside[0]).toEqual({ role: APP_ROLE, org: orgA, user_id: orgB });
    const after = await outsideState();
    expect(after.role).not.toBe(APP_ROLE);
    expect(after.org ?? '').toBe('');
    expect(after.user_id ?? '').toBe('');
  });

  it('leaves nothing behind after a failed transaction either', async () => {
    await expect(
      withOrg(t.db, { orgId: orgA }, async (tx) => {
        await tx.select().from(s.accounts);
        throw new Error('boom');
      }),
    ).rejects.toThrow('boom');
    const after = await outsideState();
    expect(after.role).not.toBe(APP_ROLE);
    expect(after.org ?? '').toBe('');
    const visible = await withoutOrg(t.db, {}, (tx) => tx.select().from(s.accounts));
    expect(visible).toEqual([]);
  });

  it('never shows one org the other org’s rows across interleaved transactions', async () => {
    const work = Array.from({ length: 200 }, (_, i) => {
      const org = i % 2 === 0 ? orgA : orgB;
      return withOrg(t.db, { orgId: org }, async (tx) => {
        const rows = await tx.select({ orgId: s.accounts.orgId }).from(s.accounts);
        return { org, seen: rows.map((r) => r.orgId) };
      });
    });
    for (const { org, seen } of await Promise.all(work)) {
      expect(seen.length).toBe(org === orgA ? 5 : 3);
      expect(new Set(seen)).toEqual(new Set([org]));
    }
  });

  it('refuses an org or user id that is not a UUID before touching the database', async () => {
    await expect(withOrg(t.db, { orgId: "x'; drop table accounts; --" }, async () => 1)).rejects.toThrow(
      /UUID/,
    );
    await expect(withoutOrg(t.db, { userId: 'nope' }, async () => 1)).rejects.toThrow(/UUID/);
  });
});
