import { parse } from 'csv-parse/sync';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { fromCsv, toCsv } from '../../src/exports/csv-safe.ts';
import {
  bpsToPercent,
  customExport,
  dynamicsExport,
  type ExportLine,
  hubspotExport,
  inverseLines,
  NEUTRAL_FIELDS,
  neutralExport,
  salesforceExport,
  splitLookupQueries,
} from '../../src/exports/formats.ts';
import { to18 } from '../../src/exports/salesforce-id.ts';

/** Text a person could type into a CRM field, biased towards what breaks CSV files and spreadsheets. */
const hostileText = fc.oneof(
  fc.string({ unit: 'grapheme', maxLength: 30 }),
  fc
    .tuple(
      fc.constantFrom('=', '+', '-', '@', '\t', '\r', "'", '"', ',', '\n', ' '),
      fc.string({ maxLength: 20 }),
    )
    .map(([a, b]) => a + b),
  fc.constantFrom(
    '=HYPERLINK("http://x","y")',
    '@SUM(1+1)*cmd|',
    '-2+3',
    "'quoted",
    'Zoë, Ltd. "Ü"',
    'line\r\nbreak',
  ),
);

const SF_CHARS = 'abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789'.split('');
const sfId = fc.array(fc.constantFrom(...SF_CHARS), { minLength: 15, maxLength: 15 }).map((c) => c.join(''));
const owner = fc.record({ crmUserId: sfId, email: fc.emailAddress(), name: hostileText });

const line: fc.Arbitrary<ExportLine> = fc.record({
  batchId: fc.uuid(),
  changeId: fc.uuid(),
  object: fc.constantFrom('account', 'opportunity'),
  recordId: sfId,
  recordName: hostileText,
  oldOwner: fc.option(owner, { nil: null }),
  newOwner: owner,
  effectiveDate: fc.constantFrom('2026-12-01', '2027-01-15'),
  reason: hostileText,
  strategy: hostileText,
  conflicts: hostileText,
  approvedBy: hostileText,
  approvedAt: fc.constant('2026-11-23T10:00:00.000Z'),
});

/** True when a spreadsheet could treat the raw cell as a formula. */
const couldRun = (raw: string) => /^[=+\-@\t\r]/.test(raw) && !/^-?\d+(\.\d+)?$/.test(raw);

describe('export files', () => {
  it('parse back to exactly the values written (neutral CSV, hostile text)', () => {
    fc.assert(
      fc.property(fc.array(line, { maxLength: 12 }), (lines) => {
        const rows = fromCsv(neutralExport(lines).body);
        expect(rows[0]).toEqual([...NEUTRAL_FIELDS]);
        expect(rows.slice(1)).toEqual(
          lines.map((l) => [
            l.batchId,
            l.changeId,
            l.object,
            l.recordId,
            l.recordName,
            l.oldOwner?.crmUserId ?? '',
            l.oldOwner?.email ?? '',
            l.newOwner.crmUserId,
            l.newOwner.email,
            l.effectiveDate,
            l.reason,
            l.strategy,
            l.conflicts,
            l.approvedBy,
            l.approvedAt,
          ]),
        );
      }),
      { numRuns: 200 },
    );
  });

  it('never contain a cell a spreadsheet would run as a formula, in any format', () => {
    fc.assert(
      fc.property(fc.array(line, { maxLength: 8 }), (lines) => {
        const files = [
          neutralExport(lines),
          neutralExport(inverseLines(lines)),
          customExport(lines, {
            columns: [
              { header: '=Owner', field: 'new_owner_email' },
              { header: 'Why', field: 'reason' },
            ],
          }),
          ...salesforceExport(lines),
          ...hubspotExport(lines),
        ].filter((f) => f.contentType === 'text/csv');
        for (const file of files) {
          const raw = parse(file.body, { relax_column_count: true }) as string[][];
          for (const row of raw)
            for (const cell of row)
              expect(couldRun(cell), `${file.name}: ${JSON.stringify(cell)}`).toBe(false);
        }
      }),
      { numRuns: 150 },
    );
  });

  it('each CRM file says how many rows it holds, and the rows plus what its read-me leaves out cover the run', () => {
    fc.assert(
      fc.property(fc.array(line, { maxLength: 8 }), (lines) => {
        for (const files of [salesforceExport(lines), hubspotExport(lines), dynamicsExport(lines)]) {
          for (const file of files.filter((f) => f.contentType === 'text/csv')) {
            const raw = parse(file.body, { relax_column_count: true }) as string[][];
            expect(file.rows, file.name).toBe(raw.length - 1);
          }
          // Each account and opportunity change is a row of its file or left out in the read-me.
          const owners = lines.filter((l) => l.object !== 'opportunity_split').length;
          const rows = files
            .filter((f) => /(accounts|opportunities|companies|deals)\.csv$/.test(f.name))
            .reduce((n, f) => n + f.rows!, 0);
          const readme = files.find((f) => f.name.endsWith('README.txt'))!;
          const splits = lines.filter((l) => l.object === 'opportunity_split').length;
          if (readme.name.startsWith('salesforce')) {
            // Salesforce takes splits: those it cannot take are left out too, never more than there are.
            expect(readme.leftOut! - (owners - rows)).toBeGreaterThanOrEqual(0);
            expect(readme.leftOut! - (owners - rows)).toBeLessThanOrEqual(splits);
          } else {
            // HubSpot and Dynamics keep no split records: every split change is left out.
            expect(readme.leftOut, readme.name).toBe(owners - rows + splits);
          }
        }
      }),
      { numRuns: 150 },
    );
  });

  it('writes numbers as numbers, including negative adjustments', () => {
    expect(fromCsv(toCsv(['amount'], [[-1250], [0], [99]]))).toEqual([['amount'], ['-1250'], ['0'], ['99']]);
  });

  it('inverts a change set: applying the inverse of the inverse gives the original owners', () => {
    fc.assert(
      fc.property(fc.array(line, { maxLength: 10 }), (lines) => {
        const movable = lines.filter((l) => l.oldOwner !== null);
        const twice = inverseLines(inverseLines(movable));
        expect(twice.map((l) => [l.recordId, l.oldOwner, l.newOwner])).toEqual(
          movable.map((l) => [l.recordId, l.oldOwner, l.newOwner]),
        );
      }),
    );
  });
});

describe('CRM formats', () => {
  const base: ExportLine = {
    batchId: 'b',
    changeId: 'c1',
    object: 'account',
    recordId: '001D000000IqhSL',
    recordName: 'Acme',
    oldOwner: { crmUserId: '005D0000001abcD', email: 'old@x.test', name: 'Old Rep' },
    newOwner: { crmUserId: '005D0000001xyzQ', email: 'new@x.test', name: 'New Rep' },
    effectiveDate: '2026-12-01',
    reason: 'Departure',
    strategy: 'optimal',
    conflicts: '',
    approvedBy: 'manager@x.test',
    approvedAt: '2026-11-23T10:00:00.000Z',
  };

  it('Salesforce: 18-character ids, splits as delete + insert, notes on the traps', () => {
    const split: ExportLine = {
      ...base,
      changeId: 'c2',
      object: 'opportunity_split',
      recordId: '006D000000AbCdE',
      recordName: 'Acme renewal',
      splitBefore: [{ owner: base.oldOwner!, bps: 5500, crmSplitId: '149D000000AaAaA' }],
      splitAfter: [
        { owner: base.newOwner, bps: 5500 },
        { owner: { crmUserId: '005D000000House', email: null, name: 'House' }, bps: 4500 },
      ],
    };
    const files = Object.fromEntries(
      salesforceExport([base, split]).map((f) => [f.name, fromCsvOrText(f.body, f.contentType)]),
    );
    expect(files['salesforce/accounts.csv']).toEqual([
      ['Id', 'OwnerId'],
      ['001D000000IqhSLIAZ', expect.stringMatching(/^005D0000001xyzQ[A-Z0-5]{3}$/)],
    ]);
    expect(files['salesforce/opportunity-splits-delete.csv']).toEqual([
      ['Id'],
      [expect.stringMatching(/^149D000000AaAaA[A-Z0-5]{3}$/)],
    ]);
    expect(files['salesforce/opportunity-splits-insert.csv']).toEqual([
      ['OpportunityId', 'SplitOwnerId', 'SplitPercentage'],
      [expect.stringMatching(/^006D000000AbCdE/), expect.stringMatching(/^005D0000001xyzQ/), '55.00'],
      [expect.stringMatching(/^006D000000AbCdE/), expect.stringMatching(/^005D000000House/), '45.00'],
    ]);
    const readme = files['salesforce/README.txt'] as string;
    expect(readme).toMatch(/Load opportunities\.csv BEFORE touching splits/);
    expect(readme).toMatch(/Can't delete the opportunity owner's split/);
    // Every Id was known: no section about finding records.
    expect(readme).not.toContain('Why opportunity-splits-delete.csv has no row');
  });

  it('Salesforce: a participant who stays in the split keeps its record (not deleted, percentage updated)', () => {
    const house = { crmUserId: '005D000000House', email: null, name: 'House' };
    const split: ExportLine = {
      ...base,
      object: 'opportunity_split',
      recordId: '006D000000AbCdE',
      recordName: 'Acme renewal',
      splitBefore: [
        { owner: base.oldOwner!, bps: 5500, crmSplitId: '149D000000AaAaA' },
        { owner: house, bps: 4500, crmSplitId: '149D000000BbBbB' },
      ],
      splitAfter: [
        { owner: base.newOwner, bps: 3500 },
        { owner: house, bps: 6500 },
      ],
    };
    const files = Object.fromEntries(
      salesforceExport([split]).map((f) => [f.name, fromCsvOrText(f.body, f.contentType)]),
    );
    expect(files['salesforce/opportunity-splits-delete.csv']).toEqual([
      ['Id'],
      [expect.stringMatching(/^149D000000AaAaA/)],
    ]);
    expect(
      (files['salesforce/opportunity-splits-insert.csv'] as string[][]).slice(1).map((r) => r[2]),
    ).toEqual(['35.00', '65.00']);
  });

  it('Salesforce: split records without a Salesforce Id are not invented; the note says why and how to find them', () => {
    const house = { crmUserId: '005D000000House', email: null, name: 'House' };
    const splits: ExportLine[] = ['006D000000AbCdE', '006D000000ZyXwV'].map((recordId, i) => ({
      ...base,
      changeId: `s${i}`,
      object: 'opportunity_split',
      recordId,
      recordName: i === 0 ? 'Acme\r\nrenewal =1+1' : 'Globex',
      splitBefore: [
        { owner: base.oldOwner!, bps: 5500 },
        { owner: house, bps: 4500 },
      ],
      splitAfter: [
        { owner: base.newOwner, bps: 5500 },
        { owner: house, bps: 4500 },
      ],
    }));
    const files = Object.fromEntries(
      salesforceExport(splits).map((f) => [f.name, fromCsvOrText(f.body, f.contentType)]),
    );
    expect(files['salesforce/opportunity-splits-delete.csv']).toEqual([['Id']]);
    expect(files['salesforce/opportunity-splits-insert.csv']).toHaveLength(5);
    const readme = files['salesforce/README.txt'] as string;
    // Only the departing owner's record is missing per opportunity: House keeps its record.
    expect(readme).toContain('Why opportunity-splits-delete.csv has no row for 2 existing split record(s)');
    expect(readme).toContain('not the Salesforce Id of each\nOpportunitySplit record');
    expect(readme).toContain(
      `SELECT Id, OpportunityId, SplitOwnerId, SplitPercentage, SplitTypeId FROM OpportunitySplit WHERE OpportunityId IN ('${to18('006D000000AbCdE')}', '${to18('006D000000ZyXwV')}')`,
    );
    // Each changed split on one line, names flattened, before -> after with 18-character user ids.
    const line = readme.split('\n').find((l) => l.includes(to18('006D000000AbCdE')) && l.includes('->'))!;
    expect(line).toContain('Acme renewal =1+1: Old Rep');
    expect(line).toContain(`${to18('005D0000001abcD')}) 55.00`);
    expect(line).toContain(`-> New Rep (${to18('005D0000001xyzQ')}) 55.00, House`);
  });

  it('Salesforce: the lookup queries stay short and name every opportunity once', () => {
    const ids = Array.from({ length: 400 }, (_, i) => to18(`006D00000${String(i).padStart(6, '0')}`));
    const queries = splitLookupQueries([...ids, ...ids.slice(0, 10)]);
    expect(queries).toHaveLength(3);
    for (const q of queries) expect(q.length).toBeLessThan(4000);
    const named = queries.flatMap((q) => [...q.matchAll(/'([A-Za-z0-9]{18})'/g)].map((m) => m[1]));
    expect(named).toEqual(ids);
  });

  it('Salesforce: a change it cannot take is left out and listed in the read-me; the rest still exports', () => {
    const files = salesforceExport([
      { ...base, recordId: '001D000000IqhSL', newOwner: { crmUserId: null, email: 'n@x.test', name: 'Nia' } },
      { ...base, recordId: '001D000000IqhSM', newOwner: { crmUserId: 'HOUSE', email: null, name: 'House' } },
      { ...base, object: 'opportunity', recordId: 'O-17', recordName: 'Not from Salesforce' },
      { ...base, recordId: '001D000000IqhSN' },
    ]);
    const byName = new Map(files.map((f) => [f.name, f.body]));
    expect(fromCsv(byName.get('salesforce/accounts.csv')!)).toEqual([
      ['Id', 'OwnerId'],
      [to18('001D000000IqhSN'), to18('005D0000001xyzQ')],
    ]);
    expect(fromCsv(byName.get('salesforce/opportunities.csv')!)).toEqual([['Id', 'OwnerId']]);
    const readme = byName.get('salesforce/README.txt')!;
    expect(readme).toContain('Not in these files: 3 change(s) Salesforce cannot take as they are');
    expect(readme).toMatch(/account 001D000000IqhSL Acme: the new owner Nia has no Salesforce user id/);
    expect(readme).toMatch(
      /account 001D000000IqhSM Acme: the new owner House \(HOUSE\) is not a Salesforce user/,
    );
    expect(readme).toMatch(/opportunity O-17 Not from Salesforce: "O-17" is not a Salesforce record id/);
  });

  it('Salesforce: House without a Salesforce user is the remainder of a split, and the read-me says so', () => {
    const house = { crmUserId: 'HOUSE', email: null, name: 'House', isHouse: true };
    const rep = { crmUserId: '005D0000001xyzQ', email: 'new@x.test', name: 'New Rep' };
    const sub = { crmUserId: 'SUB-001', email: 'p@x.test', name: 'Partner Co' };
    const files = salesforceExport([
      {
        ...base,
        object: 'opportunity_split',
        recordId: '006D000000AbCdE',
        recordName: 'Renewal',
        splitBefore: [{ owner: house, bps: 10_000 }],
        splitAfter: [
          { owner: house, bps: 4500 },
          { owner: rep, bps: 5500 },
        ],
      },
      {
        ...base,
        object: 'opportunity_split',
        recordId: '006D000000ZyXwV',
        recordName: 'With partner',
        splitAfter: [
          { owner: rep, bps: 9000 },
          { owner: sub, bps: 1000 },
        ],
      },
    ]);
    const byName = new Map(files.map((f) => [f.name, f.body]));
    expect(fromCsv(byName.get('salesforce/opportunity-splits-insert.csv')!)).toEqual([
      ['OpportunityId', 'SplitOwnerId', 'SplitPercentage'],
      [to18('006D000000AbCdE'), to18('005D0000001xyzQ'), '55.00'],
    ]);
    const readme = byName.get('salesforce/README.txt')!;
    expect(readme).toContain('House shares: the remainder');
    expect(readme).toContain(`${to18('006D000000AbCdE')} Renewal: House 45.00`);
    expect(readme).toMatch(
      /split of opportunity 006D000000ZyXwV With partner: split owner Partner Co \(SUB-001\)/,
    );
  });

  it('HubSpot: owner by email', () => {
    const [companies] = hubspotExport([{ ...base, recordId: '1234567' }]);
    expect(fromCsv(companies!.body)).toEqual([
      ['Record ID', 'Company name', 'Company owner'],
      ['1234567', 'Acme', 'new@x.test'],
    ]);
  });

  it('Dynamics: GUIDs and owner type; a non-GUID row is left out and listed in its read-me', () => {
    const guidLine = {
      ...base,
      recordId: 'A1B2C3D4-0000-4000-8000-000000000001',
      newOwner: { crmUserId: '5f6e7d8c-0000-4000-8000-0000000000aa', email: null, name: 'New' },
    };
    const [accounts] = dynamicsExport([guidLine]);
    expect(fromCsv(accounts!.body)).toEqual([
      ['accountid', 'ownerid', 'owneridtype'],
      ['a1b2c3d4-0000-4000-8000-000000000001', '5f6e7d8c-0000-4000-8000-0000000000aa', 'systemuser'],
    ]);
    const [only, , readme] = dynamicsExport([base, guidLine]);
    expect(fromCsv(only!.body)).toHaveLength(2);
    expect(readme!.body).toMatch(
      /account 001D000000IqhSL Acme: the record id "001D000000IqhSL" is not a Dynamics GUID/,
    );
  });

  it('formats basis points exactly', () => {
    expect([0, 1, 5500, 3333, 10000].map(bpsToPercent)).toEqual(['0.00', '0.01', '55.00', '33.33', '100.00']);
  });
});

function fromCsvOrText(body: string, type: string) {
  return type === 'text/csv' ? fromCsv(body) : body;
}
