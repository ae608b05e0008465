/** The catalog, as migrations leave it: ENABLE + FORCE row level security, policies and an org_id index everywhere. */
import { sql } from 'drizzle-orm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { queryRows } from '../../src/db/query-rows.ts';
import { ALL_TABLES, createTestDatabase, TENANT_TABLES, type TestDatabase } from '../support/db.ts';

let t: TestDatabase;

beforeAll(async () => {
  t = await createTestDatabase();
});

afterAll(async () => {
  await t?.close();
});

type TableRow = {
  table: string;
  enabled: boolean;
  forced: boolean;
  policies: number | string;
  org_policies: number | string;
  org_index: boolean;
  owner_is_app: boolean;
};

async function catalog(): Promise<Map<string, TableRow>> {
  const rows = await queryRows<TableRow>(
    t.db,
    sql`select c.relname as table, c.relrowsecurity as enabled, c.relforcerowsecurity as forced,
               (select count(*) from pg_policy p where p.polrelid = c.oid) as policies,
               (select count(*) from pg_policies p where p.schemaname = 'public' and p.tablename = c.relname
                  and p.cmd = 'ALL' and p.qual ilike '%nullif(current_setting(''app.org_id''::text, true), ''''::text)%'
                  and p.with_check ilike '%nullif(current_setting(''app.org_id''::text, true), ''''::text)%') as org_policies,
               exists (select 1 from pg_index i join pg_attribute a on a.attrelid = i.indrelid and a.attnum = i.indkey[0]
                       where i.indrelid = c.oid and a.attname = 'org_id') as org_index,
               pg_get_userbyid(c.relowner) = 'bookshift_app' as owner_is_app
        from pg_class c join pg_namespace n on n.oid = c.relnamespace
        where n.nspname = 'public' and c.relkind in ('r', 'p')`,
  );
  return new Map(rows.map((r) => [r.table, r]));
}

describe('row level security in the catalog', () => {
  it('covers exactly the tables of the schema', async () => {
    expect([...(await catalog()).keys()].sort()).toEqual(ALL_TABLES);
  });

  it.each(ALL_TABLES)(
    '%s: ENABLE and FORCE row level security, at least one policy, not owned by the app',
    async (table) => {
      const row = (await catalog()).get(table)!;
      expect(row.enabled).toBe(true);
      expect(row.forced).toBe(true);
      expect(Number(row.policies)).toBeGreaterThan(0);
      expect(row.owner_is_app).toBe(false);
    },
  );

  it.each(TENANT_TABLES)(
    '%s: a policy on the org (USING and WITH CHECK with nullif) and an index led by org_id',
    async (table) => {
      const row = (await catalog()).get(table)!;
      expect(Number(row.org_policies)).toBeGreaterThan(0);
      expect(row.org_index).toBe(true);
    },
  );

  it('the app role is no superuser, cannot bypass RLS and cannot log in', async () => {
    const [role] = await queryRows<{ rolsuper: boolean; rolbypassrls: boolean; rolcanlogin: boolean }>(
      t.db,
      sql`select rolsuper, rolbypassrls, rolcanlogin from pg_roles where rolname = 'bookshift_app'`,
    );
    expect(role).toEqual({ rolsuper: false, rolbypassrls: false, rolcanlogin: false });
  });
});
