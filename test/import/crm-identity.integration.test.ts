/**
 * A report export (15-character ids) and a Data Loader export (18-character ids) of the same records are
 * the same records: re-importing either updates in place, never duplicates. The migration's SQL function
 * gives the same canonical form as the import.
 */
import { readFileSync } from 'node:fs';
import { sql } from 'drizzle-orm';
import fc from 'fast-check';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { queryRows } from '../../src/db/query-rows.ts';
import { to18 } from '../../src/exports/salesforce-id.ts';
import { canonicalCrmId } from '../../src/import/crm-id.ts';
import type { OrgContext } from '../../src/services/auth/context.ts';
import { applyImport } from '../../src/services/imports/apply-import.ts';
import { createTestDatabase, type TestDatabase } from '../support/db.ts';
import { freshOrgContext } from '../support/org-context.ts';

const ALNUM = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789'.split('');
const salesforceId15 = fc
  .array(fc.constantFrom(...ALNUM), { minLength: 15, maxLength: 15 })
  .map((cs) => cs.join(''))
  .filter((id) => /[a-zA-Z]/.test(id));
const fixture = (name: string) => readFileSync(new URL(`../fixtures/import/${name}`, import.meta.url));
const bytes = (text: string) => new TextEncoder().encode(text);

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
const rows = <T extends Record<string, unknown>>(query: ReturnType<typeof sql>) =>
  queryRows<T>(t.db as never, query);

describe('one record, one identity', () => {
  it('a report (15-character ids) then a Data Loader export (18) of the same records changes nothing', async () => {
    const users = await apply(fixture('salesforce-user-report.csv'), { kind: 'reps' });
    expect(users).toMatchObject({ status: 'applied', counts: { inserted: 3, rejected: 0 } });
    const report = await apply(fixture('salesforce-account-report-footer.csv'));
    expect(report).toMatchObject({ status: 'applied', counts: { rowsRead: 3, inserted: 3, rejected: 0 } });
    const stored = await rows<{ crm_id: string; owner: string }>(
      sql`select a.crm_id, r.crm_user_id as owner from accounts a join reps r on r.id = a.owner_rep_id
          where a.org_id = ${ctx.principal.orgId}::uuid order by a.crm_id`,
    );
    expect(stored).toEqual([
      { crm_id: '001Dn00000AbCdEIAV', owner: '005Dn00000JaneDIAR' },
      { crm_id: '001Dn00000BcDeFIAV', owner: '005Dn00000JohnSIAR' },
      { crm_id: '001Dn00000CdEfGIAV', owner: '005Dn00000NiaNhIAJ' },
    ]);

    // The users again, from Data Loader (18-character ids): the same three reps, nothing to write.
    const userLoader = await apply(fixture('salesforce-user-dataloader-18.csv'), { kind: 'reps' });
    expect(userLoader.counts).toMatchObject({ rowsRead: 3, inserted: 0, updated: 0, rejected: 0 });
    const loader = await apply(fixture('salesforce-account-dataloader-18.csv'));
    expect(loader).toMatchObject({ status: 'applied', counts: { rowsRead: 3, inserted: 0, rejected: 0 } });
    const again = await apply(fixture('salesforce-account-report-footer.csv'));
    expect(again.counts).toMatchObject({ inserted: 0, rejected: 0 });
    const count = await rows<{ n: number }>(
      sql`select count(*)::int as n from accounts where org_id = ${ctx.principal.orgId}::uuid`,
    );
    expect(count[0]!.n).toBe(3);

    // Opportunities: a report with its footer (Grand Totals and the furniture), 15-character ids of the
    // opportunities, their accounts and (by name) owners; then Data Loader's export of the same, 18 characters.
    const oppReport = await apply(fixture('salesforce-opportunity-report-footer.csv'));
    expect(oppReport.errors).toEqual([]);
    expect(oppReport).toMatchObject({
      status: 'applied',
      presetId: 'salesforce-opportunity-report',
      counts: { rowsRead: 3, inserted: 3, rejected: 0 },
    });
    const opportunities = () =>
      rows<{ crm_id: string; account: string; owner: string; status: string; amount: string | null }>(
        sql`select o.crm_id, a.crm_id as account, r.crm_user_id as owner, o.status::text as status,
              o.amount_cents::text as amount
            from opportunities o join accounts a on a.id = o.account_id join reps r on r.id = o.owner_rep_id
            where o.org_id = ${ctx.principal.orgId}::uuid order by o.crm_id`,
      );
    const fromReport = await opportunities();
    expect(fromReport).toEqual([
      {
        crm_id: '006Dn00000ExpNsIAJ',
        account: '001Dn00000BcDeFIAV',
        owner: '005Dn00000JohnSIAR',
        status: 'closed_won',
        amount: '5000000',
      },
      {
        crm_id: '006Dn00000PilOtIAJ',
        account: '001Dn00000CdEfGIAV',
        owner: '005Dn00000NiaNhIAJ',
        status: 'open',
        // Blank in both exports: unknown, not $0.
        amount: null,
      },
      {
        crm_id: '006Dn00000RenWlIAJ',
        account: '001Dn00000AbCdEIAV',
        owner: '005Dn00000JaneDIAR',
        status: 'open',
        amount: '12000000',
      },
    ]);
    const oppLoader = await apply(fixture('salesforce-opportunity-dataloader-18.csv'));
    expect(oppLoader).toMatchObject({
      status: 'applied',
      presetId: 'salesforce-opportunity-dataloader',
      counts: { rowsRead: 3, inserted: 0, rejected: 0 },
    });
    expect(await opportunities()).toEqual(fromReport);
  });

  it('Dynamics GUIDs match whatever their braces and case', async () => {
    await apply(fixture('dynamics-user-export.csv'), { kind: 'reps' });
    const csv =
      'rep_id,name,email\n8F3C2B1A-0000-4000-8000-00000000AA01,Jane Doe,jane.doe@example.com\n{8f3c2b1a-0000-4000-8000-00000000aa02},John Smith,john.smith@example.com\n';
    const second = await apply(bytes(csv), { kind: 'reps' });
    expect(second.counts).toMatchObject({ inserted: 0, rejected: 0 });
    const ids = await rows<{ crm_user_id: string }>(
      sql`select crm_user_id from reps where org_id = ${ctx.principal.orgId}::uuid order by crm_user_id`,
    );
    expect(ids.map((r) => r.crm_user_id)).toEqual([
      '8f3c2b1a-0000-4000-8000-00000000aa01',
      '8f3c2b1a-0000-4000-8000-00000000aa02',
    ]);
  });

  it("the migration's SQL function and the import agree on every form", async () => {
    const samples = fc.sample(salesforceId15, { numRuns: 40, seed: 14 });
    const forms = samples.flatMap((id) => [
      id,
      to18(id),
      to18(id).slice(0, 15) + to18(id).slice(15).toLowerCase(),
    ]);
    forms.push(
      '5012345678',
      '0055g00000JaneDAAA',
      'HOUSE',
      '{8F3C2B1A-0000-4000-8000-00000000AA01}',
      ' A-1 ',
    );
    const found = await rows<{ raw: string; canonical: string }>(
      sql`select x as raw, bookshift_canonical_crm_id(x) as canonical from jsonb_array_elements_text(${JSON.stringify(forms)}::jsonb) as x`,
    );
    for (const r of found) expect(r.canonical).toBe(canonicalCrmId(r.raw));
  });
});
