/**
 * Owners named by 18-character Salesforce ids: the Data Loader account export (CRLF, quoted values with commas,
 * quotes and a line break) after a spreadsheet touched two of its owner ids. An id is matched through its checksum,
 * also when the spreadsheet upper-cased it; an id whose checksum does not fit its first 15 characters is a row error
 * naming the row, the column and the id, never matched by its first 15 characters.
 */
import { readFileSync } from 'node:fs';
import { sql } from 'drizzle-orm';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { queryRows } from '../../src/db/query-rows.ts';
import type { OrgContext } from '../../src/services/auth/context.ts';
import { applyImport } from '../../src/services/imports/apply-import.ts';
import { listImportErrors } from '../../src/services/imports/import-history.ts';
import { createTestDatabase, type TestDatabase } from '../support/db.ts';
import { freshOrgContext } from '../support/org-context.ts';

const fixture = (name: string) => readFileSync(new URL(`../fixtures/import/${name}`, import.meta.url));
const FILE = 'accounts-edited.csv';
/** The export as a spreadsheet saved it: John's owner id upper-cased, one character of Nia's checksum changed. */
const edited = () =>
  new TextEncoder().encode(
    fixture('salesforce-account-dataloader-18.csv')
      .toString('utf8')
      .replace('"005Dn00000JohnSIAR"', '"005DN00000JOHNSIAR"')
      .replace('"005Dn00000NiaNhIAJ"', '"005Dn00000NiaNhIAA"'),
  );

let t: TestDatabase;
let ctx: OrgContext;

beforeAll(async () => {
  t = await createTestDatabase();
});
afterAll(async () => {
  await t?.close();
});
beforeEach(async () => {
  ctx = await freshOrgContext(t.db, 'analyst');
});

const apply = (file: Uint8Array, extra: Partial<Parameters<typeof applyImport>[0]['input']> = {}) =>
  applyImport({ ctx, input: { source: file, maxRows: 10_000, ...extra } });

const book = () =>
  queryRows<{ crm_id: string; owner: string }>(
    t.db as never,
    sql`select a.crm_id, r.crm_user_id as owner from accounts a join reps r on r.id = a.owner_rep_id
        where a.org_id = ${ctx.principal.orgId}::uuid order by a.crm_id`,
  );

describe('owners by 18-character Salesforce id', () => {
  it('matches through the checksum, and reports a damaged id instead of matching its first 15 characters', async () => {
    // The roster from the user report: 15-character ids, stored as 005Dn00000JaneDIAR, …JohnSIAR, …NiaNhIAJ.
    const users = await apply(fixture('salesforce-user-report.csv'), { kind: 'reps' });
    expect(users).toMatchObject({ status: 'applied', counts: { inserted: 3, rejected: 0 } });

    const failed = await apply(edited(), { sourceName: FILE });
    expect(failed.status).toBe('failed');
    expect(failed.counts).toMatchObject({ rowsRead: 3, rejected: 1, inserted: 0 });
    // One error: row 4 (Initech's name spans two lines of the file and is one row), its owner id. Globex's owner id
    // was upper-cased (005DN00000JOHNSIAR): its checksum names John's exact id, so it is no error.
    expect(failed.errors).toEqual([
      {
        row: 4,
        column: 'OWNERID',
        field: 'owner_id',
        value: '005Dn00000NiaNhIAA',
        reason: expect.stringContaining('"005Dn00000NiaNhIAA" looks like a damaged Salesforce id'),
        hint: expect.stringMatching(/Re-export the report from Salesforce with 18-character ids/),
      },
    ]);
    expect(failed.errors[0]!.reason).toContain('"IAA" are not the checksum of its first 15 ("IAJ")');
    expect(await book()).toEqual([]);
    // The attempt is kept under the file's name with the error's row, column and value.
    const [attempt] = await queryRows<{ source_name: string; status: string }>(
      t.db as never,
      sql`select source_name, status::text as status from imports where id = ${failed.importId}::uuid`,
    );
    expect(attempt).toEqual({ source_name: FILE, status: 'failed' });
    const stored = await listImportErrors({
      ctx,
      input: { importId: failed.importId, limit: 10, offset: 0 },
    });
    expect(stored.errors).toMatchObject([{ row: 4, column: 'OWNERID', value: '005Dn00000NiaNhIAA' }]);

    // The valid rows only: Acme to Jane, Globex to John; Initech is not given to Nia by its first 15 characters.
    const partial = await apply(edited(), { sourceName: FILE, mode: 'valid-rows-only' });
    expect(partial).toMatchObject({ status: 'applied', counts: { inserted: 2, rejected: 1 } });
    expect(await book()).toEqual([
      { crm_id: '001Dn00000AbCdEIAV', owner: '005Dn00000JaneDIAR' },
      { crm_id: '001Dn00000BcDeFIAV', owner: '005Dn00000JohnSIAR' },
    ]);
  });
});
