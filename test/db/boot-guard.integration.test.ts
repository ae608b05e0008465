/**
 * RELIABILITY scenario 2: the boot guard refuses an app role that is a superuser, can bypass RLS or owns a
 * table, and any table without ENABLE / FORCE or a policy. Each case breaks the database inside a
 * transaction, inspects it there and rolls everything back — roles too, so the cluster-wide role
 * bookshift_app is never altered, even if the test dies halfway.
 */
import { randomBytes } from 'node:crypto';
import { sql } from 'drizzle-orm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  assertDatabaseSafe,
  inspectAsCurrentRole,
  inspectDatabaseSafety,
  type SafetyReport,
  UnsafeDatabaseError,
} from '../../src/db/boot-guard.ts';
import type { Tx } from '../../src/db/client.ts';
import { queryRows } from '../../src/db/query-rows.ts';
import { APP_ROLE } from '../../src/db/tenancy.ts';
import { createTestDatabase, type TestDatabase } from '../support/db.ts';

let t: TestDatabase;

beforeAll(async () => {
  t = await createTestDatabase();
});

afterAll(async () => {
  await t?.close();
});

class Rollback extends Error {}

/** Runs `breakIt` as the owner, then the guard as `role`, then rolls the whole transaction back. */
async function inspectBroken(breakIt: (tx: Tx) => Promise<void>, role = APP_ROLE): Promise<SafetyReport> {
  let report: SafetyReport | undefined;
  try {
    await t.db.transaction(async (tx) => {
      await breakIt(tx);
      await tx.execute(sql`set local role ${sql.identifier(role)}`);
      report = await inspectAsCurrentRole(tx);
      throw new Rollback();
    });
  } catch (error) {
    if (!(error instanceof Rollback)) throw error;
  }
  return report!;
}

describe('boot guard', () => {
  it('accepts a freshly migrated database', async () => {
    const report = await assertDatabaseSafe(t.db);
    expect(report).toMatchObject({ ok: true, role: APP_ROLE, problems: [] });
    expect(report.tables.filter((x) => x.isTenant).length).toBeGreaterThanOrEqual(20);
  });

  it('refuses to work as a superuser (the connecting role here)', async () => {
    const [me] = await queryRows<{ name: string }>(t.db, sql`select session_user as name`);
    await expect(assertDatabaseSafe(t.db, { role: me!.name })).rejects.toThrow(UnsafeDatabaseError);
    const report = await inspectDatabaseSafety(t.db, { role: me!.name });
    expect(report.problems.join('\n')).toMatch(/is a superuser/);
  });

  it('refuses a role with BYPASSRLS', async () => {
    const name = `bookshift_guard_${randomBytes(4).toString('hex')}`;
    const bypass = await inspectBroken(async (tx) => {
      await tx.execute(sql.raw(`create role ${name} nologin nosuperuser bypassrls`));
      await tx.execute(sql.raw(`grant ${APP_ROLE} to ${name}`));
    }, name);
    expect(bypass.ok).toBe(false);
    expect(bypass.problems).toContain(`role ${name} has BYPASSRLS`);
  });

  it('refuses an app role that owns a tenant table', async () => {
    const name = `bookshift_guard_${randomBytes(4).toString('hex')}`;
    const report = await inspectBroken(async (tx) => {
      await tx.execute(sql.raw(`create role ${name} nologin nosuperuser nobypassrls`));
      await tx.execute(sql.raw(`grant ${APP_ROLE} to ${name}`));
      await tx.execute(sql.raw(`alter table accounts owner to ${name}`));
    }, name);
    expect(report.ok).toBe(false);
    expect(report.problems).toContain(`table accounts is owned by (or through) role ${name}`);
  });

  it('refuses a tenant table without FORCE row level security', async () => {
    const report = await inspectBroken(async (tx) => {
      await tx.execute(sql`alter table accounts no force row level security`);
    });
    expect(report.problems).toEqual(['table accounts does not FORCE row level security']);
  });

  it('refuses a table without ENABLE row level security', async () => {
    const report = await inspectBroken(async (tx) => {
      await tx.execute(sql`alter table sessions disable row level security`);
    });
    expect(report.problems).toEqual(['table sessions does not ENABLE row level security']);
  });

  it('refuses a tenant table that lost its policy', async () => {
    const report = await inspectBroken(async (tx) => {
      await tx.execute(sql`drop policy "notices: only rows of the current org" on notices`);
    });
    expect(report.problems).toEqual([
      'table notices has no row level security policy',
      'tenant table notices has no policy with USING and WITH CHECK on app.org_id',
    ]);
  });

  it('refuses a new table that nobody secured', async () => {
    const report = await inspectBroken(async (tx) => {
      await tx.execute(sql`create table widgets (id uuid primary key, org_id uuid not null)`);
    });
    expect(report.problems).toEqual([
      'table widgets does not ENABLE row level security',
      'table widgets does not FORCE row level security',
      'table widgets has no row level security policy',
      'tenant table widgets has no policy with USING and WITH CHECK on app.org_id',
    ]);
  });

  it('refuses an audit trail the app role could rewrite', async () => {
    const granted = await inspectBroken(async (tx) => {
      await tx.execute(sql.raw(`grant update on audit_events to ${APP_ROLE}`));
    });
    expect(granted.problems).toEqual([
      `role ${APP_ROLE} may UPDATE, DELETE or TRUNCATE audit_events (it must be append-only)`,
    ]);
    const untriggered = await inspectBroken(async (tx) => {
      await tx.execute(sql`alter table audit_events disable trigger audit_events_append_only`);
    });
    expect(untriggered.problems).toEqual(['audit_events lacks its enabled append-only triggers']);
  });

  it('left the shared app role untouched', async () => {
    const [role] = await queryRows<{ rolsuper: boolean; rolbypassrls: boolean }>(
      t.db,
      sql`select rolsuper, rolbypassrls from pg_roles where rolname = ${APP_ROLE}`,
    );
    expect(role).toEqual({ rolsuper: false, rolbypassrls: false });
    const leftovers = await queryRows(
      t.db,
      sql`select rolname from pg_roles where rolname like 'bookshift_guard_%'`,
    );
    expect(leftovers).toEqual([]);
    expect((await inspectDatabaseSafety(t.db)).ok).toBe(true);
  });
});
