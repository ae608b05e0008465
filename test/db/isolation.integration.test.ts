/**
 * RELIABILITY scenario 1, the isolation matrix: every tenant table × select / insert / update / delete × two
 * orgs, as the app role through withOrg. Zero rows of the other org visible or writable; a row carrying the
 * other org's id is refused. The table list comes from the schema and is checked against the catalog.
 */
import { sql } from 'drizzle-orm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { queryRows } from '../../src/db/query-rows.ts';
import { withOrg } from '../../src/db/tenancy.ts';
import { createTestDatabase, expectPgError, TENANT_TABLES, type TestDatabase } from '../support/db.ts';
import { createOrgGraph } from '../support/factories.ts';

const INSUFFICIENT_PRIVILEGE = '42501';
const INTEGRITY_CONSTRAINT_VIOLATION = '23000';

let t: TestDatabase;
let orgs: { a: string; b: string };
let fixtureTables: string[];

beforeAll(async () => {
  t = await createTestDatabase();
  const a = await createOrgGraph(t.db, 'isolation-a');
  const b = await createOrgGraph(t.db, 'isolation-b');
  orgs = { a: a.org.id, b: b.org.id };
  fixtureTables = a.tables;
});

afterAll(async () => {
  await t?.close();
});

/** Rows of `org` in `table`, counted as the owner (who bypasses RLS): the ground truth. */
async function ownerCount(table: string, org: string): Promise<number> {
  const [row] = await queryRows<{ n: number | string }>(
    t.db,
    sql`select count(*) as n from ${sql.identifier(table)} where org_id = ${org}`,
  );
  return Number(row?.n ?? 0);
}

describe('the tenant table list', () => {
  it('matches every table with an org_id column in the catalog', async () => {
    const rows = await queryRows<{ table: string }>(
      t.db,
      sql`select c.relname as table from pg_class c join pg_namespace n on n.oid = c.relnamespace
          where n.nspname = 'public' and c.relkind in ('r', 'p')
            and exists (select 1 from pg_attribute a where a.attrelid = c.oid and a.attname = 'org_id' and not a.attisdropped)
          order by 1`,
    );
    expect(rows.map((r) => r.table)).toEqual(TENANT_TABLES);
    expect(TENANT_TABLES.length).toBeGreaterThanOrEqual(20);
  });

  it('has a fixture row in both orgs for every tenant table (add one to createOrgGraph for a new table)', async () => {
    for (const table of TENANT_TABLES) {
      expect(fixtureTables, `createOrgGraph does not write ${table}`).toContain(table);
      expect(await ownerCount(table, orgs.a), `${table} rows of org A`).toBeGreaterThan(0);
      expect(await ownerCount(table, orgs.b), `${table} rows of org B`).toBeGreaterThan(0);
    }
  });
});

const directions = [
  { viewer: 'a', other: 'b' },
  { viewer: 'b', other: 'a' },
] as const;

describe.each(TENANT_TABLES)('%s', (table) => {
  const tbl = sql.identifier(table);

  it.each(directions)('select as org $viewer sees only its own rows', async ({ viewer, other }) => {
    const [row] = await withOrg(t.db, { orgId: orgs[viewer] }, (tx) =>
      queryRows<{ total: number | string; foreign: number | string }>(
        tx,
        sql`select count(*) as total, count(*) filter (where org_id <> ${orgs[viewer]}) as foreign from ${tbl}`,
      ),
    );
    expect(Number(row?.foreign)).toBe(0);
    expect(Number(row?.total)).toBe(await ownerCount(table, orgs[viewer]));
    const [hidden] = await withOrg(t.db, { orgId: orgs[viewer] }, (tx) =>
      queryRows<{ n: number | string }>(
        tx,
        sql`select count(*) as n from ${tbl} where org_id = ${orgs[other]}`,
      ),
    );
    expect(Number(hidden?.n)).toBe(0);
  });

  it.each(directions)(
    'insert as org $viewer of a row of org $other is refused',
    async ({ viewer, other }) => {
      const [source] = await queryRows<{ j: unknown }>(
        t.db,
        sql`select to_jsonb(x) as j from ${tbl} x where org_id = ${orgs[other]} limit 1`,
      );
      expect(source?.j).toBeTruthy();
      const before = await ownerCount(table, orgs[other]);
      const code = await expectPgError(() =>
        withOrg(t.db, { orgId: orgs[viewer] }, (tx) =>
          tx.execute(
            sql`insert into ${tbl} select * from jsonb_populate_record(null::${tbl}, ${JSON.stringify(source!.j)}::jsonb)`,
          ),
        ),
      );
      expect(code).toBe(INSUFFICIENT_PRIVILEGE);
      expect(await ownerCount(table, orgs[other])).toBe(before);
    },
  );

  it.each(directions)('update as org $viewer touches no row of org $other', async ({ viewer, other }) => {
    const before = await ownerCount(table, orgs[other]);
    const result = await withOrg(t.db, { orgId: orgs[viewer] }, (tx) =>
      queryRows<{ one: number }>(
        tx,
        sql`update ${tbl} set org_id = org_id where org_id = ${orgs[other]} returning 1 as one`,
      ),
    ).catch((error: unknown) => error);
    if (Array.isArray(result)) expect(result).toHaveLength(0);
    else expect(table).toBe('audit_events'); // the app role may not update the audit trail at all
    expect(await ownerCount(table, orgs[other])).toBe(before);
  });

  it.each(directions)(
    'update as org $viewer cannot move its rows to org $other',
    async ({ viewer, other }) => {
      const before = await ownerCount(table, orgs[viewer]);
      const code = await expectPgError(() =>
        withOrg(t.db, { orgId: orgs[viewer] }, (tx) =>
          tx.execute(sql`update ${tbl} set org_id = ${orgs[other]} where org_id = ${orgs[viewer]}`),
        ),
      );
      // commission_splits refuses earlier: its immutability trigger (BEFORE UPDATE) fires before the policy check.
      expect(code).toBe(
        table === 'commission_splits' ? INTEGRITY_CONSTRAINT_VIOLATION : INSUFFICIENT_PRIVILEGE,
      );
      expect(await ownerCount(table, orgs[viewer])).toBe(before);
    },
  );

  it.each(directions)('delete as org $viewer removes no row of org $other', async ({ viewer, other }) => {
    const before = await ownerCount(table, orgs[other]);
    const result = await withOrg(t.db, { orgId: orgs[viewer] }, (tx) =>
      queryRows<{ one: number }>(
        tx,
        sql`delete from ${tbl} where org_id = ${orgs[other]} returning 1 as one`,
      ),
    ).catch((error: unknown) => error);
    if (Array.isArray(result)) expect(result).toHaveLength(0);
    else expect(table).toBe('audit_events');
    expect(await ownerCount(table, orgs[other])).toBe(before);
  });
});
