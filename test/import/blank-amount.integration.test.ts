/**
 * A blank opportunity Amount (early-stage deals, as Salesforce writes them in a report export and in Data Loader's)
 * is imported with the amount unknown: stored as null, never as $0, with a warning naming the row and the column;
 * re-importing the same file changes nothing, an opportunity an earlier import stored as $0 becomes unknown when
 * its export is imported again, and a written 0 stays $0.
 */
import { readFileSync } from 'node:fs';
import { sql } from 'drizzle-orm';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { queryRows } from '../../src/db/query-rows.ts';
import type { OrgContext } from '../../src/services/auth/context.ts';
import { applyImport } from '../../src/services/imports/apply-import.ts';
import { previewImport } from '../../src/services/imports/preview-import.ts';
import { createTestDatabase, type TestDatabase } from '../support/db.ts';
import { freshOrgContext } from '../support/org-context.ts';

const fixture = (name: string) => readFileSync(new URL(`../fixtures/import/${name}`, import.meta.url));
const REPORT = 'salesforce-opportunity-report-footer.csv';

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
  // The users and accounts of the same Salesforce org, as their reports export them.
  for (const [file, kind] of [
    ['salesforce-user-report.csv', 'reps'],
    ['salesforce-account-report-footer.csv', 'accounts'],
  ] as const) {
    const done = await apply(fixture(file), { kind });
    expect(done.status, JSON.stringify(done.errors)).toBe('applied');
  }
});

const apply = (file: Uint8Array, extra: Partial<Parameters<typeof applyImport>[0]['input']> = {}) =>
  applyImport({ ctx, input: { source: file, maxRows: 10_000, ...extra } });
const amounts = () =>
  queryRows<{ crm_id: string; amount: string | null }>(
    t.db as never,
    sql`select crm_id, amount_cents::text as amount from opportunities
        where org_id = ${ctx.principal.orgId}::uuid order by crm_id`,
  );
const KNOWN = [
  { crm_id: '006Dn00000ExpNsIAJ', amount: '5000000' },
  { crm_id: '006Dn00000PilOtIAJ', amount: null },
  { crm_id: '006Dn00000RenWlIAJ', amount: '12000000' },
];
// Row 4 of the report (the header is row 1): "Initech pilot", Prospecting, its Amount cell empty.
const WARNING = {
  row: 4,
  column: 'Amount',
  field: 'amount',
  value: '',
  reason: 'Amount is blank: the opportunity is imported with its amount unknown, not as $0',
  hint: expect.stringContaining('Enter the amount in the CRM and export again once it is known'),
};

describe('a blank opportunity amount', () => {
  it('is previewed and imported as unknown (null, not $0) with a warning naming the row and column', async () => {
    const preview = await previewImport({ ctx, input: { source: fixture(REPORT), maxRows: 10_000 } });
    expect(preview.errors).toEqual([]);
    expect(preview.summary).toMatchObject({ valid: 3, noAmount: 1 });
    expect(preview.warnings).toEqual([WARNING]);

    const done = await apply(fixture(REPORT));
    expect(done).toMatchObject({ status: 'applied', counts: { inserted: 3, rejected: 0 } });
    expect(done.warnings).toEqual([WARNING]);
    expect(await amounts()).toEqual(KNOWN);

    // The same file again: nothing to write, the amount still unknown.
    const again = await apply(fixture(REPORT));
    expect(again.counts).toMatchObject({ inserted: 0, updated: 0, unchanged: 3 });
    expect(await amounts()).toEqual(KNOWN);
    // Data Loader's export of the same records (18-character ids, "" for the amount): the same, unknown.
    const loader = await apply(fixture('salesforce-opportunity-dataloader-18.csv'));
    expect(loader.warnings.map((w) => [w.row, w.column])).toEqual([[4, 'AMOUNT']]);
    expect(await amounts()).toEqual(KNOWN);
  });

  it('an opportunity an earlier import stored as $0 becomes unknown when its export is imported again', async () => {
    await apply(fixture(REPORT));
    await t.db.execute(sql`update opportunities set amount_cents = 0 where crm_id = '006Dn00000PilOtIAJ'`);
    const again = await apply(fixture(REPORT));
    expect(again.counts).toMatchObject({ updated: 1, unchanged: 2 });
    expect(await amounts()).toEqual(KNOWN);
  });

  it('a written 0 stays $0, without a warning', async () => {
    const zero = fixture(REPORT)
      .toString('utf8')
      .replace('"Prospecting","Q2-2027","",', '"Prospecting","Q2-2027","$0.00",');
    const done = await apply(new TextEncoder().encode(zero));
    expect(done.warnings).toEqual([]);
    expect((await amounts()).find((o) => o.crm_id === '006Dn00000PilOtIAJ')).toEqual({
      crm_id: '006Dn00000PilOtIAJ',
      amount: '0',
    });
  });
});
