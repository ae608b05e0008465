/** Migrations: applying them again is a no-op, and instances starting together do not trip over each other. */
import { sql } from 'drizzle-orm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { migrate } from '../../db/migrate.ts';
import { inspectDatabaseSafety } from '../../src/db/boot-guard.ts';
import { openPostgres } from '../../src/db/client.ts';
import { queryRows } from '../../src/db/query-rows.ts';
import { createTestDatabase, type TestDatabase, testDriver } from '../support/db.ts';

let t: TestDatabase;

beforeAll(async () => {
  t = await createTestDatabase();
});

afterAll(async () => {
  await t?.close();
});

describe('migrate', () => {
  it('is a no-op the second time and keeps the database safe', async () => {
    const count = async () =>
      Number(
        (
          await queryRows<{ n: number | string }>(
            t.db,
            sql`select count(*) as n from drizzle.__drizzle_migrations`,
          )
        )[0]!.n,
      );
    const before = await count();
    expect(before).toBeGreaterThanOrEqual(2);
    await migrate(t);
    expect(await count()).toBe(before);
    expect((await inspectDatabaseSafety(t.db)).ok).toBe(true);
  });

  it.runIf(testDriver() === 'postgres')(
    'lets several instances migrate a fresh database at once',
    async () => {
      const name = `bookshift_test_race_${process.pid}_${Date.now()}`;
      await t.db.execute(sql.raw(`create database "${name}"`));
      const url = new URL(t.url!);
      url.pathname = `/${name}`;
      const handles = await Promise.all(
        [1, 2, 3].map(() => openPostgres(url.toString(), 2, 'bookshift-migrate-race')),
      );
      try {
        await Promise.all(handles.map((h) => migrate(h)));
        expect((await inspectDatabaseSafety(handles[0]!.db)).ok).toBe(true);
        const [row] = await queryRows<{ n: number | string }>(
          handles[0]!.db,
          sql`select count(*) as n from drizzle.__drizzle_migrations`,
        );
        expect(Number(row!.n)).toBeGreaterThanOrEqual(2);
      } finally {
        await Promise.all(handles.map((h) => h.close()));
        await t.db.execute(sql.raw(`drop database if exists "${name}" with (force)`));
      }
    },
  );
});
