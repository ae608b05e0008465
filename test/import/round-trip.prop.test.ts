import { isUtf8 } from 'node:buffer';
import { fc, test } from '@fast-check/vitest';
import { stringify } from 'csv-stringify/sync';
import iconv from 'iconv-lite';
import { describe, expect } from 'vitest';
import { to18 } from '../../src/exports/salesforce-id.ts';
import { OwnerDirectory } from '../../src/import/owner-directory.ts';
import type { AccountRecord, OpportunityRecord } from '../../src/import/records.ts';
import { scanImport } from '../../src/import/scan.ts';
import { allRecords } from './helpers.ts';

// A roster with distinct ids, e-mails and names, so owner columns in any form resolve to one rep.
const ROSTER = Array.from({ length: 6 }, (_, i) => ({
  crmId: to18(`0055g00000Rep0${i}`),
  email: `rep${i}@example.com`,
  name: `Rep Number ${i}`,
}));
const directory = new OwnerDirectory(ROSTER);

const text = fc
  .string({ minLength: 1, maxLength: 30, unit: 'grapheme' })
  .map((s) => s.trim())
  .filter((s) => s.length > 0);
const latinText = fc
  .string({ minLength: 1, maxLength: 20, unit: fc.constantFrom(...'abcXYZ ,"\n;éüßÀ€ñ’'.split('')) })
  .map((s) => s.trim())
  .filter((s) => s.length > 0);

const account = (name: fc.Arbitrary<string>) =>
  fc.record({
    name,
    owner: fc.integer({ min: 0, max: ROSTER.length - 1 }),
    // null: the revenue cell is blank (unknown, not zero); 0 is written as a zero amount.
    cents: fc.option(fc.integer({ min: 0, max: 10_000_000_000_00 }), { nil: null, freq: 5 }),
    state: fc.option(fc.constantFrom('CA', 'NY', 'TX', 'Île-de-France'), { nil: null }),
  });

const dollars = (cents: number | null) =>
  cents === null ? '' : `${Math.floor(cents / 100)}.${String(cents % 100).padStart(2, '0')}`;
const usd = (cents: number | null) =>
  cents === null
    ? ''
    : `$${Math.floor(cents / 100).toLocaleString('en-US')}.${String(cents % 100).padStart(2, '0')}`;

interface Layout {
  preset: string;
  header: string[];
  row: (
    id: string,
    a: { name: string; owner: number; cents: number | null; state: string | null },
  ) => string[];
}

const owner = (i: number) => ROSTER[i]!;
const LAYOUTS: Layout[] = [
  {
    preset: 'salesforce-account-report',
    header: [
      'Account Owner',
      'Account Name',
      'Type',
      'Annual Revenue',
      'Billing State/Province',
      'Account ID',
    ],
    row: (id, a) => [owner(a.owner).name, a.name, 'Customer', usd(a.cents), a.state ?? '', id],
  },
  {
    preset: 'salesforce-account-dataloader',
    header: ['ID', 'NAME', 'OWNERID', 'ANNUALREVENUE', 'BILLINGSTATE'],
    // Data Loader writes 18-character ids; the roster may hold the 15-character form.
    row: (id, a) => [id, a.name, owner(a.owner).crmId, dollars(a.cents), a.state ?? ''],
  },
  {
    preset: 'hubspot-company-export',
    header: [
      'Record ID',
      'Company name',
      'Company owner',
      'Annual Revenue',
      'State/Region',
      'Country/Region',
    ],
    row: (id, a) => [id, a.name, owner(a.owner).email, dollars(a.cents), a.state ?? '', 'United States'],
  },
  {
    preset: 'dynamics-account-export',
    header: [
      '(Do Not Modify) Account',
      '(Do Not Modify) Row Checksum',
      '(Do Not Modify) Modified On',
      'Account Name',
      'Owner',
      'Annual Revenue',
      'Address 1: State/Province',
    ],
    row: (id, a) => [
      id,
      'x1y2',
      '1/15/2024 10:22:33 AM',
      a.name,
      owner(a.owner).name,
      usd(a.cents),
      a.state ?? '',
    ],
  },
  {
    preset: 'generic-accounts',
    header: ['account_id', 'account_name', 'owner_id', 'annual_revenue', 'region'],
    row: (id, a) => [id, a.name, owner(a.owner).crmId, dollars(a.cents), a.state ?? ''],
  },
];

describe('generated books written in each preset layout import back to the same records', () => {
  for (const layout of LAYOUTS) {
    test.prop([fc.array(account(text), { minLength: 1, maxLength: 25 }), fc.boolean()], { numRuns: 40 })(
      layout.preset,
      async (accounts, crlf) => {
        const ids = accounts.map((_, i) => `0015g0000${String(i).padStart(6, '0')}AAA`);
        const csv = stringify([layout.header, ...accounts.map((a, i) => layout.row(ids[i]!, a))], {
          record_delimiter: crlf ? 'windows' : 'unix',
        });
        const scan = await scanImport(new TextEncoder().encode(`\uFEFF${csv}`), {
          maxRows: 100,
          context: { roster: directory },
        });
        expect(scan.report.errors).toEqual([]);
        expect(scan.report.presetId).toBe(layout.preset);
        const records = await allRecords<AccountRecord>(scan);
        expect(records.map((r) => [r.crmId, r.name, r.ownerCrmId, r.annualRevenueCents, r.region])).toEqual(
          accounts.map((a, i) => [ids[i], a.name, owner(a.owner).crmId, a.cents, a.state]),
        );
      },
    );
  }

  test.prop([fc.array(account(latinText), { minLength: 1, maxLength: 15 })], { numRuns: 30 })(
    'a Windows-1252 (Latin-1) file reads the same as UTF-8',
    async (accounts) => {
      const layout = LAYOUTS.at(-1)!;
      const csv = stringify([layout.header, ...accounts.map((a, i) => layout.row(`A${i}`, a))]);
      const bytes = iconv.encode(csv, 'windows-1252');
      // Bytes that happen to be valid UTF-8 too ("ß€" is DF 80, a valid two-byte sequence) are read as UTF-8 —
      // no detector can tell those apart; the example below pins that case and the preview shows the encoding.
      fc.pre(!isUtf8(bytes));
      const scan = await scanImport(bytes, {
        maxRows: 100,
        context: { roster: directory },
      });
      const records = await allRecords<AccountRecord>(scan);
      expect(records.map((r) => r.name)).toEqual(accounts.map((a) => a.name));
    },
  );

  test('Windows-1252 bytes that are also valid UTF-8 are read as UTF-8, and the scan says which', async () => {
    const layout = LAYOUTS.at(-1)!;
    const csv = stringify([
      layout.header,
      layout.row('A0', { name: 'Straß€', owner: 0, cents: 100, state: null }),
    ]);
    const bytes = iconv.encode(csv, 'windows-1252');
    expect(isUtf8(bytes)).toBe(true);
    const scan = await scanImport(bytes, { maxRows: 100, context: { roster: directory } });
    expect(scan.report.file.encoding).toBe('utf-8');
    const [record] = await allRecords<AccountRecord>(scan);
    expect(record!.name).toBe('Stra\u07c0'); // DF 80 read as UTF-8: one character, not "ß€".
  });

  const split = fc
    .tuple(fc.integer({ min: 0, max: 10_000 }), fc.integer({ min: 0, max: 10_000 }))
    .map(([a, b]) => [Math.min(a, b), Math.max(a, b) - Math.min(a, b), 10_000 - Math.max(a, b)] as const);
  const date = fc
    .date({ min: new Date('2000-01-01'), max: new Date('2099-12-31'), noInvalidDate: true })
    .map((d) => d.toISOString().slice(0, 10));

  test.prop(
    [
      fc.array(
        fc.record({
          stage: fc.constantFrom('Prospecting', 'Billing', 'Closed Won'),
          cents: fc.integer({ min: 0, max: 1e12 }),
          close: date,
          split,
        }),
        { minLength: 1, maxLength: 20 },
      ),
      fc.constantFrom('iso', 'us', 'eu'),
      fc.constantFrom('percent', 'fraction'),
    ],
    { numRuns: 40 },
  )(
    'opportunities with splits, in any stated date format and percent scale',
    async (opps, dateFormat, percentScale) => {
      const fmtDate = (iso: string) => {
        const [y, m, d] = iso.split('-');
        return dateFormat === 'iso' ? iso : dateFormat === 'us' ? `${m}/${d}/${y}` : `${d}/${m}/${y}`;
      };
      const fmtPct = (bps: number) => (percentScale === 'percent' ? `${bps / 100}` : `${bps / 10_000}`);
      const header = [
        'opportunity_id',
        'account_id',
        'stage',
        'amount',
        'close_date',
        'created_date',
        'split_house_pct',
        'split_rep_id',
        'split_rep_pct',
        'split_subagent_id',
        'split_subagent_pct',
      ];
      const rows = opps.map((o, i) => [
        `O${i}`,
        'A1',
        o.stage,
        dollars(o.cents),
        fmtDate(o.close),
        fmtDate(o.close),
        fmtPct(o.split[0]),
        ROSTER[0]!.email,
        fmtPct(o.split[1]),
        ROSTER[5]!.crmId,
        fmtPct(o.split[2]),
      ]);
      const columns = Object.fromEntries(header.map((h) => [h, h]));
      const scan = await scanImport(new TextEncoder().encode(stringify([header, ...rows])), {
        maxRows: 100,
        context: { roster: directory },
        mapping: { kind: 'opportunities', columns, options: { dateFormat, percentScale } },
      });
      expect(scan.report.errors).toEqual([]);
      const records = await allRecords<OpportunityRecord>(scan);
      expect(records.map((r) => [r.amountCents, r.closeDate, r.status, r.split])).toEqual(
        opps.map((o) => [
          o.cents,
          o.close,
          o.stage === 'Closed Won' ? 'closed_won' : 'open',
          [
            ...(o.split[0] > 0 ? [{ participant: 'house', repCrmId: null, pctBps: o.split[0] }] : []),
            { participant: 'rep', repCrmId: ROSTER[0]!.crmId, pctBps: o.split[1] },
            { participant: 'subagent', repCrmId: ROSTER[5]!.crmId, pctBps: o.split[2] },
          ],
        ]),
      );
    },
  );
});

describe('no value crashes the scanner', () => {
  test.prop(
    [
      fc.array(fc.array(fc.string({ maxLength: 12 }), { minLength: 0, maxLength: 8 }), {
        minLength: 1,
        maxLength: 10,
      }),
    ],
    {
      numRuns: 100,
    },
  )('arbitrary cells give row errors or records, never an exception', async (cells) => {
    const header = [
      'account_id',
      'account_name',
      'owner_id',
      'annual_revenue',
      'region',
      'protected',
      'next_close_date',
      'tier',
    ];
    const csv = stringify([header, ...cells.filter((r) => r.some((c) => c.trim() !== ''))]);
    if (!csv.includes('\n', csv.indexOf('\n') + 1)) return;
    const scan = await scanImport(new TextEncoder().encode(csv), {
      maxRows: 100,
      context: { roster: directory },
    });
    const records = await allRecords<AccountRecord>(scan);
    expect(records.length + scan.report.summary.rejected).toBe(scan.report.summary.rowsRead);
    for (const e of scan.report.errors) expect(e.row).toBeGreaterThan(1);
  });
});
