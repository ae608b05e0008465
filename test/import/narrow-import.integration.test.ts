/**
 * A file changes only what it carries: importing any subset of an accounts file's columns (with new values)
 * changes exactly those fields and no other, custom attributes included. Observed: a three-account file with
 * an id and a `protected` column wiped each account's `state`.
 */

import { stringify } from 'csv-stringify/sync';
import { sql } from 'drizzle-orm';
import fc from 'fast-check';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { queryRows } from '../../src/db/query-rows.ts';
import type { OrgContext } from '../../src/services/auth/context.ts';
import { applyImport } from '../../src/services/imports/apply-import.ts';
import { createTestDatabase, type TestDatabase } from '../support/db.ts';
import { freshOrgContext } from '../support/org-context.ts';

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

const csv = (header: string[], rows: string[][]) => new TextEncoder().encode(stringify([header, ...rows]));
const apply = async (ctx: OrgContext, file: Uint8Array, kind?: 'reps') => {
  const result = await applyImport({
    ctx,
    input: { source: file, maxRows: 1000, ...(kind ? { kind } : {}) },
  });
  expect(result.status).toBe('applied');
  return result;
};

type Account = Record<string, unknown>;
const stored = async (ctx: OrgContext): Promise<Account[]> =>
  queryRows<Account>(
    t.db as never,
    sql`select a.crm_id, a.name, r.crm_user_id as owner_id, a.annual_revenue_cents::text as annual_revenue, a.region,
          a.country, a.tier, a.type, a.industry, a.is_co_owned as co_owned, a.custom
        from accounts a join reps r on r.id = a.owner_rep_id where a.org_id = ${ctx.principal.orgId}::uuid order by a.crm_id`,
  );

/** Each optional column with the cell of the first import, of the second, and what it changes in the row read back. */
const OPTIONAL: Record<string, { first: string; second: string }> = {
  annual_revenue: { first: '1000', second: '2500' },
  region: { first: 'West', second: 'East' },
  country: { first: 'USA', second: 'Canada' },
  tier: { first: '1', second: '2' },
  type: { first: 'Customer', second: 'Partner' },
  industry: { first: 'Energy', second: 'Retail' },
  co_owned: { first: 'no', second: 'yes' },
  state: { first: 'CA', second: 'NY' },
  protected: { first: 'yes', second: 'no' },
  next_close_date: { first: '2027-03-01', second: '2027-06-30' },
  'Segment Code': { first: 'ENT', second: 'MM' },
  Partner: { first: 'Acme Partners', second: '' },
};
const ALL = Object.keys(OPTIONAL);
const IDS = ['A-1', 'A-2', 'A-3'];

describe('a file changes only what it carries', () => {
  it('the observed case: id + protected keeps state and every other attribute', async () => {
    const ctx = await newOrg();
    await apply(ctx, csv(['rep_id', 'name'], [['R1', 'Ann Lee']]), 'reps');
    const header = ['account_id', 'account_name', 'owner_id', ...ALL];
    await apply(
      ctx,
      csv(
        header,
        IDS.map((id) => [id, `Name ${id}`, 'R1', ...ALL.map((c) => OPTIONAL[c]!.first)]),
      ),
    );
    const before = await stored(ctx);
    expect(before[0]!.custom).toEqual({
      state: 'CA',
      protected: true,
      next_close_date: '2027-03-01',
      'Segment Code': 'ENT',
      Partner: 'Acme Partners',
    });
    await apply(
      ctx,
      csv(
        ['account_id', 'account_name', 'owner_id', 'protected'],
        IDS.map((id) => [id, `Name ${id}`, 'R1', 'no']),
      ),
    );
    const after = await stored(ctx);
    for (const [i, a] of after.entries()) {
      const { protected: _, ...rest } = before[i]!.custom as Record<string, unknown>;
      expect(a).toEqual({ ...before[i], custom: rest });
    }
  });

  it('property: importing any column subset with new values changes those fields and no other', async () => {
    await fc.assert(
      fc.asyncProperty(fc.subarray(ALL), async (subset) => {
        const ctx = await newOrg();
        await apply(
          ctx,
          csv(
            ['rep_id', 'name'],
            [
              ['R1', 'Ann Lee'],
              ['R2', 'Bo Ray'],
            ],
          ),
          'reps',
        );
        const full = ['account_id', 'account_name', 'owner_id', ...ALL];
        await apply(
          ctx,
          csv(
            full,
            IDS.map((id) => [id, `Name ${id}`, 'R1', ...ALL.map((c) => OPTIONAL[c]!.first)]),
          ),
        );
        const before = await stored(ctx);
        const narrow = ['account_id', 'account_name', 'owner_id', ...subset];
        await apply(
          ctx,
          csv(
            narrow,
            IDS.map((id) => [id, `Name ${id}`, 'R1', ...subset.map((c) => OPTIONAL[c]!.second)]),
          ),
        );
        const after = await stored(ctx);
        // What a full import of the second values gives, field by field.
        const ctx2 = await newOrg();
        await apply(ctx2, csv(['rep_id', 'name'], [['R1', 'Ann Lee']]), 'reps');
        await apply(
          ctx2,
          csv(
            full,
            IDS.map((id) => [id, `Name ${id}`, 'R1', ...ALL.map((c) => OPTIONAL[c]!.second)]),
          ),
        );
        const second = await stored(ctx2);
        const columnOf = (field: string) => (field in before[0]! ? field : null);
        for (const [i, a] of after.entries()) {
          const expected: Account = { ...before[i] };
          const custom = { ...(before[i]!.custom as Record<string, unknown>) };
          const secondCustom = second[i]!.custom as Record<string, unknown>;
          for (const field of subset) {
            const column = columnOf(field);
            if (column) expected[column] = second[i]![column];
            else if (field in secondCustom) custom[field] = secondCustom[field];
            else delete custom[field];
          }
          expected.custom = custom;
          expect(a).toEqual(expected);
        }
      }),
      { numRuns: 12, seed: 14 },
    );
  });
});
