/**
 * One record, one identity, as a property over the database (issue 14): Salesforce users, accounts and
 * opportunities whose ids are written in any of the forms a CRM file carries them in — 15 characters (report),
 * 18 (Data Loader), 18 with a lower-case checksum (a spreadsheet's LOWER), padded — are one record each, in
 * every place an id is written: the roster, an account's owner, an opportunity's account and owner, a split's
 * rep (inline and in a splits file). Importing the same book a second time with every id in another form
 * changes nothing, and the book holds each record once, under its 18-character id.
 */
import { stringify } from 'csv-stringify/sync';
import { sql } from 'drizzle-orm';
import fc from 'fast-check';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { queryRows } from '../../src/db/query-rows.ts';
import { isSalesforceId, to18 } from '../../src/exports/salesforce-id.ts';
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

const ALNUM = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789'.split('');
/** A Salesforce 15-character id with the key prefix of its object (005 user, 001 account, 006 opportunity). */
const sfId = (prefix: string) =>
  fc
    .array(fc.constantFrom(...ALNUM), { minLength: 12, maxLength: 12 })
    .map((cs) => `${prefix}${cs.join('')}`);

/** The forms a CRM file writes one id in. */
const FORMS = ['15', '18', '18-lower-checksum', 'padded'] as const;
type Form = (typeof FORMS)[number];
const written = (id15: string, form: Form): string => {
  const id18 = to18(id15);
  if (form === '15') return id15;
  if (form === '18') return id18;
  if (form === '18-lower-checksum') return id18.slice(0, 15) + id18.slice(15).toLowerCase();
  return ` ${id15} `;
};

const book = fc
  .record({
    users: fc.uniqueArray(sfId('005'), { minLength: 2, maxLength: 4 }),
    accounts: fc.uniqueArray(sfId('001'), { minLength: 1, maxLength: 4 }),
    opportunities: fc.uniqueArray(sfId('006'), { minLength: 1, maxLength: 4 }),
    seed: fc.integer({ min: 0, max: 1000 }),
  })
  .chain((b) =>
    fc.record({
      book: fc.constant(b),
      // One form per place an id is written, for each of the two imports.
      forms: fc.array(fc.array(fc.constantFrom(...FORMS), { minLength: 64, maxLength: 64 }), {
        minLength: 2,
        maxLength: 2,
      }),
    }),
  );

type Book = { users: string[]; accounts: string[]; opportunities: string[]; seed: number };

/** The files of one import of the book, every id written in the form the next entry of `forms` says. */
function files(b: Book, forms: Form[]) {
  let i = 0;
  const w = (id: string) => written(id, forms[i++ % forms.length]!);
  const csv = (rows: string[][]) => new TextEncoder().encode(stringify(rows, { record_delimiter: '\r\n' }));
  const owner = (k: number) => b.users[(k + b.seed) % b.users.length]!;
  const house = to18(`005HOUSE${'0'.repeat(7)}`);
  return {
    reps: csv([
      ['rep_id', 'name', 'email', 'rep_type'],
      ['005HOUSE0000000', 'House', 'house@example.com', 'house'].map((c, k) => (k === 0 ? w(c) : c)),
      ...b.users.map((u, k) => [w(u), `Rep ${k}`, `rep${k}@example.com`, 'rep']),
    ]),
    accounts: csv([
      ['account_id', 'account_name', 'owner_id', 'annual_revenue'],
      ...b.accounts.map((a, k) => [w(a), `Account ${k}`, w(owner(k)), `${1000 * (k + 1)}`]),
    ]),
    opportunities: csv([
      [
        'opportunity_id',
        'account_id',
        'opportunity_name',
        'stage',
        'amount',
        'close_date',
        'created_date',
        'owner_id',
        'split_house_pct',
        'split_rep_id',
        'split_rep_pct',
      ],
      ...b.opportunities.map((o, k) => [
        w(o),
        w(b.accounts[k % b.accounts.length]!),
        `Deal ${k}`,
        'Negotiation',
        '12000',
        '2027-03-01',
        '2026-01-15',
        w(owner(k)),
        // The first opportunity's split comes from the splits file (a file's inline split is the one in force).
        ...(k === 0 ? ['', '', ''] : ['40%', w(owner(k)), '60%']),
      ]),
    ]),
    // The first opportunity's split, dated: 30% House, 70% to the next rep.
    splits: csv([
      ['opportunity_id', 'participant', 'rep_id', 'pct', 'effective_date'],
      [w(b.opportunities[0]!), 'house', '', '30%', '2026-06-01'],
      [w(b.opportunities[0]!), 'rep', w(owner(1)), '70%', '2026-06-01'],
    ]),
    house,
  };
}

async function importBook(ctx: OrgContext, f: ReturnType<typeof files>) {
  const counts = [];
  for (const kind of ['reps', 'accounts', 'opportunities', 'splits'] as const) {
    const result = await applyImport({ ctx, input: { source: f[kind], maxRows: 1000, kind } });
    expect(result.errors, kind).toEqual([]);
    expect(result.status, kind).toBe('applied');
    counts.push({ kind, ...result.counts });
  }
  return counts;
}

const snapshot = async (orgId: string) => {
  const read = <T extends Record<string, unknown>>(q: ReturnType<typeof sql>) =>
    queryRows<T>(t.db as never, q);
  return {
    reps: await read(
      sql`select crm_user_id, name, email from reps where org_id = ${orgId}::uuid order by crm_user_id`,
    ),
    accounts: await read(
      sql`select a.crm_id, r.crm_user_id as owner, a.annual_revenue_cents::text as revenue
          from accounts a join reps r on r.id = a.owner_rep_id where a.org_id = ${orgId}::uuid order by a.crm_id`,
    ),
    opportunities: await read(
      sql`select o.crm_id, a.crm_id as account, r.crm_user_id as owner from opportunities o
          join accounts a on a.id = o.account_id left join reps r on r.id = o.owner_rep_id
          where o.org_id = ${orgId}::uuid order by o.crm_id`,
    ),
    splits: await read(
      sql`select o.crm_id as opportunity, r.crm_user_id as rep, s.role::text as role, s.bps,
            s.effective_from::text as "from", s.effective_to::text as "to"
          from commission_splits s join opportunities o on o.id = s.opportunity_id join reps r on r.id = s.rep_id
          where s.org_id = ${orgId}::uuid order by o.crm_id, s.effective_from, s.role, r.crm_user_id`,
    ),
  };
};

describe('any Salesforce id in either form is one record', () => {
  it('a second import of the same book with every id in another form changes nothing', async () => {
    await fc.assert(
      fc.asyncProperty(book, async ({ book: b, forms }) => {
        const ctx = await newOrg();
        const first = files(b, forms[0]!);
        await importBook(ctx, first);
        const before = await snapshot(ctx.principal.orgId);
        // Each record once, under its 18-character id with a valid checksum.
        const ids18 = (ids: string[]) => ids.map(to18).sort();
        expect(before.reps.map((r) => r.crm_user_id)).toEqual([...ids18(b.users), first.house].sort());
        expect(before.accounts.map((a) => a.crm_id)).toEqual(ids18(b.accounts));
        expect(before.opportunities.map((o) => o.crm_id)).toEqual(ids18(b.opportunities));
        for (const s of before.splits) expect(isSalesforceId(s.rep as string)).toBe(true);
        expect(
          before.splits.filter((s) => s.opportunity === to18(b.opportunities[0]!)).map((s) => s.bps),
        ).toEqual([3000, 7000]);
        expect(before.splits).toHaveLength(2 * b.opportunities.length);

        const again = await importBook(ctx, files(b, forms[1]!));
        for (const c of again) expect(c, c.kind).toMatchObject({ inserted: 0, updated: 0, rejected: 0 });
        expect(await snapshot(ctx.principal.orgId)).toEqual(before);
      }),
      { numRuns: 8, seed: 1414 },
    );
  }, 180_000);
});
