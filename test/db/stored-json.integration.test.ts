/**
 * A JSON column whose stored value does not match its schema (a hand edit, an old writer) is refused where its
 * table is read, with an error that names the table, the row, the column and the path inside the value, and
 * none of zod's internals. The malformed values are written with raw SQL, as a hand edit would be.
 */
import { sql } from 'drizzle-orm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Principal } from '../../src/auth/principal.ts';
import { queryRows } from '../../src/db/query-rows.ts';
import { StoredJsonError } from '../../src/lib/json-column.ts';
import { listColumnMappings } from '../../src/services/imports/column-mappings.ts';
import { listRulesets } from '../../src/services/rulesets/rulesets.ts';
import { createTestDatabase, type TestDatabase } from '../support/db.ts';
import { createOrg, createRuleset } from '../support/factories.ts';

let h: TestDatabase;
let orgId: string;
let ctx: { db: TestDatabase['db']; clock: () => Date; principal: Principal };

beforeAll(async () => {
  h = await createTestDatabase();
  orgId = (await createOrg(h.db)).id;
  const principal: Principal = {
    kind: 'api_key',
    orgId,
    orgName: 'Stored JSON',
    role: 'admin',
    apiKeyName: 'json',
  };
  ctx = { db: h.db, clock: () => new Date(), principal };
});
afterAll(() => h.close());

/** The error a read throws, or a failure when it does not throw. */
async function refusal(read: () => Promise<unknown>): Promise<StoredJsonError> {
  try {
    await read();
  } catch (error) {
    expect(error).toBeInstanceOf(StoredJsonError);
    return error as StoredJsonError;
  }
  throw new Error('the read accepted a malformed stored value');
}

describe('a malformed stored JSON value', () => {
  it('is read back as it was saved while it matches', async () => {
    const ruleset = await createRuleset(h.db, orgId, { name: 'Well formed' });
    const listed = await listRulesets({ ctx });
    const mine = listed.find((r) => r.id === ruleset.id);
    expect(mine?.body.name).toBe('Well formed');
    expect(mine?.body.eligibility.receivers).toBe('roster');
  });

  it('names the table, the row and the path inside the value (rulesets.body)', async () => {
    const ruleset = await createRuleset(h.db, orgId, { name: 'Hand edited' });
    await h.db.execute(
      sql`update rulesets set body = jsonb_set(body, '{caps}', '{"default": {"maxAccounts": "many"}}') where id = ${ruleset.id}`,
    );
    const error = await refusal(() => listRulesets({ ctx }));
    expect(error.table).toBe('rulesets');
    expect(error.column).toBe('body');
    expect(error.rowId).toBe(ruleset.id);
    expect(error.issues.map((i) => i.path)).toEqual(['body.caps.default.maxAccounts']);
    expect(error.message).toContain(`rulesets.body of row ${ruleset.id}`);
    expect(error.message).toContain('at body.caps.default.maxAccounts:');
    expect(error.message).not.toMatch(/ZodError|"code":|\n\s+at /);
    await h.db.execute(sql`delete from rulesets where id = ${ruleset.id}`);
  });

  it('names a value of the wrong kind at its root (column_mappings.mapping)', async () => {
    const [row] = await queryRows<{ id: string }>(
      h.db,
      sql`insert into column_mappings (org_id, kind, name, mapping)
          values (${orgId}, 'accounts', 'Broken', '["Account Name"]'::jsonb) returning id`,
    );
    const id = row?.id ?? '';
    const error = await refusal(() => listColumnMappings({ ctx, input: { kind: 'accounts' } }));
    expect(error.table).toBe('column_mappings');
    expect(error.rowId).toBe(id);
    expect(error.issues).toEqual([{ path: 'mapping', message: expect.stringMatching(/object/) }]);
    expect(error.message).toBe(
      `Stored column_mappings.mapping of row ${id} does not match its schema (at mapping: ${error.issues[0]!.message}).`,
    );
  });
});
