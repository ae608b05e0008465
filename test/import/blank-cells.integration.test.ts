/**
 * A cell that is present and empty says what it means (issue 14; the table "A present, empty cell" in
 * src/import/README.md): for each accounts layout a CRM exports (Salesforce report and Data Loader, HubSpot,
 * Dynamics 365, generic), the file imported as the CRM wrote it, then the same file with every optional
 * cell emptied (the header unchanged: the columns are still carried). Every CRM writes "no value" as an empty
 * cell, so an empty cell is no value: revenue unknown (never 0), text fields and dates cleared, flags no, an
 * extra column's attribute removed. A column the file does not carry is another matter: it leaves the stored
 * value alone (narrow-import.integration.test.ts).
 */
import { readFileSync } from 'node:fs';
import { parse } from 'csv-parse/sync';
import { stringify } from 'csv-stringify/sync';
import { sql } from 'drizzle-orm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { queryRows } from '../../src/db/query-rows.ts';
import type { OrgContext } from '../../src/services/auth/context.ts';
import { applyImport } from '../../src/services/imports/apply-import.ts';
import { createTestDatabase, type TestDatabase } from '../support/db.ts';
import { freshOrgContext } from '../support/org-context.ts';

const fixture = (name: string) => readFileSync(new URL(`../fixtures/import/${name}`, import.meta.url));

let t: TestDatabase;
beforeAll(async () => {
  t = await createTestDatabase();
});
afterAll(async () => {
  await t?.close();
});

async function newOrg(): Promise<OrgContext> {
  return await freshOrgContext(t.db, 'analyst');
}

/** Each accounts layout with the columns it needs filled: id, name, owner. */
const LAYOUTS: { file: string; preset: string; keep: string[] }[] = [
  {
    file: 'salesforce-account-report-footer.csv',
    preset: 'salesforce-account-report',
    keep: ['Account ID', 'Account Name', 'Account Owner'],
  },
  {
    file: 'salesforce-account-dataloader.csv',
    preset: 'salesforce-account-dataloader',
    keep: ['ID', 'NAME', 'OWNERID'],
  },
  {
    file: 'hubspot-company-export.csv',
    preset: 'hubspot-company-export',
    keep: ['Record ID', 'Company name', 'Company owner'],
  },
  {
    file: 'dynamics-account-export.csv',
    preset: 'dynamics-account-export',
    keep: ['(Do Not Modify) Account', 'Account Name', 'Owner'],
  },
  {
    file: 'generic-accounts.csv',
    preset: 'generic-accounts',
    keep: ['account_id', 'account_name', 'owner_id'],
  },
];

/** The file's records (footer lines left out) with every cell but the kept ones emptied, as CSV with CRLF. */
function emptied(file: string, keep: string[]): Uint8Array {
  const records = parse(fixture(file), { bom: true, relax_column_count: true }) as string[][];
  const header = records[0]!;
  const rows = records.slice(1).filter((r) => r.length === header.length);
  const blank = rows.map((r) => r.map((cell, i) => (keep.includes(header[i]!) ? cell : '')));
  return new TextEncoder().encode(
    `\uFEFF${stringify([header, ...blank], { quoted: true, record_delimiter: '\r\n' })}`,
  );
}

const stored = (orgId: string) =>
  queryRows<Record<string, unknown>>(
    t.db as never,
    sql`select crm_id, name, annual_revenue_cents, region, country, tier, type, industry, is_co_owned, custom
        from accounts where org_id = ${orgId}::uuid order by crm_id`,
  );

describe('a present, empty cell is no value, in every accounts layout', () => {
  for (const layout of LAYOUTS) {
    it(layout.file, async () => {
      const ctx = await newOrg();
      const apply = (source: Uint8Array, kind?: 'reps') =>
        applyImport({ ctx, input: { source, maxRows: 100, ...(kind ? { kind } : {}) } });
      expect((await apply(fixture('roster-generic.csv'), 'reps')).status).toBe('applied');
      const full = await apply(fixture(layout.file));
      expect(full.errors).toEqual([]);
      expect(full.presetId).toBe(layout.preset);
      const before = await stored(ctx.principal.orgId);
      // The file had values: the first account has a revenue, a region, a type.
      expect(before[0]!.annual_revenue_cents).toBe('120000050');
      expect(before[0]!.region).not.toBeNull();

      const blank = await apply(emptied(layout.file, layout.keep));
      expect(blank.errors).toEqual([]);
      expect(blank.presetId).toBe(layout.preset);
      expect(blank.counts).toMatchObject({ inserted: 0, rejected: 0 });
      const after = await stored(ctx.principal.orgId);
      expect(after).toHaveLength(before.length);
      for (const [i, a] of after.entries()) {
        expect(a).toEqual({
          crm_id: before[i]!.crm_id,
          name: before[i]!.name,
          // Unknown, not zero.
          annual_revenue_cents: null,
          region: null,
          country: null,
          tier: null,
          type: null,
          industry: null,
          is_co_owned: false,
          // Every key the file carries is gone (state, next close date, protected, its extra columns).
          custom: {},
        });
      }
    });
  }
});

describe('a present, empty cell in a roster', () => {
  const reps = (orgId: string) =>
    queryRows<Record<string, unknown>>(
      t.db as never,
      sql`select r.crm_user_id, r.name, r.kind::text as kind, r.email, r.region, r.segment, r.active, r.may_receive,
            r.end_date::text as end_date, r.max_accounts, r.max_revenue_cents, r.seniority, r.weight_bps,
            r.ramp_target_bps, m.crm_user_id as manager
          from reps r left join reps m on m.id = r.manager_rep_id where r.org_id = ${orgId}::uuid order by r.crm_user_id`,
    );

  it('is the field default: no e-mail, region or cap, active, may receive, no manager, a person', async () => {
    const ctx = await newOrg();
    const apply = (source: Uint8Array) => applyImport({ ctx, input: { source, maxRows: 100, kind: 'reps' } });
    expect((await apply(fixture('roster-generic.csv'))).errors).toEqual([]);
    const before = await reps(ctx.principal.orgId);
    expect(before.filter((r) => r.manager !== null)).toHaveLength(3);
    const blank = await apply(emptied('roster-generic.csv', ['rep_id', 'name']));
    expect(blank.errors).toEqual([]);
    expect(blank.counts).toMatchObject({ inserted: 0, updated: before.length, rejected: 0 });
    expect(await reps(ctx.principal.orgId)).toEqual(
      before.map((r) => ({
        crm_user_id: r.crm_user_id,
        name: r.name,
        kind: 'person',
        email: null,
        region: null,
        segment: null,
        active: true,
        may_receive: true,
        end_date: null,
        max_accounts: null,
        max_revenue_cents: null,
        seniority: 0,
        weight_bps: 10_000,
        ramp_target_bps: null,
        manager: null,
      })),
    );
  });

  it('a roster without the manager column keeps every manager', async () => {
    const ctx = await newOrg();
    const apply = (source: Uint8Array) => applyImport({ ctx, input: { source, maxRows: 100, kind: 'reps' } });
    await apply(fixture('roster-generic.csv'));
    const before = await reps(ctx.principal.orgId);
    const narrow = await apply(new TextEncoder().encode('rep_id,name\r\n0055g00000JaneDAAR,Jane Doe\r\n'));
    expect(narrow.counts).toMatchObject({ unchanged: 1, rejected: 0 });
    expect(await reps(ctx.principal.orgId)).toEqual(before);
  });
});

describe('a present, empty cell in an opportunities file', () => {
  it('amount unknown (not $0, each a warning), owner and term cleared, the name its id, the stored split kept', async () => {
    const ctx = await newOrg();
    const apply = (source: Uint8Array, kind: 'reps' | 'accounts' | 'opportunities') =>
      applyImport({ ctx, input: { source, maxRows: 100, kind } });
    await apply(fixture('roster-generic.csv'), 'reps');
    await apply(fixture('generic-accounts.csv'), 'accounts');
    expect((await apply(fixture('generic-opportunities.csv'), 'opportunities')).errors).toEqual([]);
    const read = () =>
      queryRows<Record<string, unknown>>(
        t.db as never,
        sql`select o.crm_id, o.name, o.amount_cents::text as amount, o.owner_rep_id, o.custom,
              (select count(*)::int from commission_splits s where s.opportunity_id = o.id) as splits
            from opportunities o where o.org_id = ${ctx.principal.orgId}::uuid order by o.crm_id`,
      );
    const before = await read();
    const keep = ['opportunity_id', 'account_id', 'stage', 'close_date', 'created_date', 'status'];
    const blank = await apply(emptied('generic-opportunities.csv', keep), 'opportunities');
    expect(blank.errors).toEqual([]);
    expect(blank.warnings.map((w) => [w.row, w.column, w.field])).toEqual(
      before.map((_, i) => [i + 2, 'amount', 'amount']),
    );
    expect(await read()).toEqual(
      before.map((o) => ({
        crm_id: o.crm_id,
        name: o.crm_id,
        amount: null,
        owner_rep_id: null,
        custom: {},
        splits: o.splits,
      })),
    );
    expect(before.map((o) => o.splits)).toEqual([2, 3, 0]);
  });
});
