import { parse } from 'csv-parse/sync';
import { describe, expect, it } from 'vitest';
import { OwnerDirectory } from '../../src/import/owner-directory.ts';
import type { AccountRecord } from '../../src/import/records.ts';
import type { RowError } from '../../src/import/types.ts';
import { allRecords, scanText } from './helpers.ts';

const HEADER = 'account_id,account_name,owner_id,annual_revenue,region,next_close_date\n';
const only = (errors: RowError[], row: number) => errors.filter((e) => e.row === row);

describe('row-level validation of accounts', () => {
  it('reports every bad value with row, column, field, value, reason and hint — and keeps the good rows', async () => {
    const scan = await scanText(
      HEADER +
        'A1,Good,Jane Doe,"$1,000.00",West,2026-05-01\n' + // row 2 ok
        ',No id,Jane Doe,1,West,\n' + // row 3 missing id
        'A3,Negative,Jane Doe,-5,West,\n' + // row 4
        'A4,Text revenue,Jane Doe,lots,West,\n' + // row 5
        'A5,Bad date,Jane Doe,1,West,2026-02-30\n' + // row 6
        'A6,Unknown owner,Nobody Here,1,West,\n' + // row 7
        'A7,,Jane Doe,1,West,\n', // row 8 missing name
    );
    const { errors, summary } = scan.report;
    expect(summary).toEqual({
      rowsRead: 7,
      valid: 1,
      rejected: 6,
      blankRows: 0,
      footerLines: 0,
      noRevenue: 0,
      noAmount: 0,
    });
    expect(only(errors, 3)).toEqual([
      expect.objectContaining({ column: 'account_id', field: 'account_id', reason: 'account_id is missing' }),
    ]);
    expect(only(errors, 4)[0]).toMatchObject({
      column: 'annual_revenue',
      value: '-5',
      reason: expect.stringMatching(/negative/),
    });
    expect(only(errors, 5)[0]).toMatchObject({
      column: 'annual_revenue',
      value: 'lots',
      reason: expect.stringMatching(/not an amount/),
    });
    expect(only(errors, 6)[0]).toMatchObject({
      column: 'next_close_date',
      value: '2026-02-30',
      reason: expect.stringMatching(/not a real date/),
    });
    expect(only(errors, 7)[0]).toMatchObject({
      column: 'owner_id',
      reason: expect.stringMatching(/not a rep in the roster/),
    });
    expect(only(errors, 8)[0]).toMatchObject({ field: 'account_name' });
    for (const e of errors) expect(e.hint.length).toBeGreaterThan(10);
    const records = await allRecords<AccountRecord>(scan);
    expect(records.map((r) => r.crmId)).toEqual(['A1']);
  });

  it('reports a duplicate id on both rows and imports neither', async () => {
    const scan = await scanText(
      `${HEADER}A1,One,Jane Doe,1,,\nA2,Two,Jane Doe,1,,\nA1,One again,Jane Doe,2,,\nA1,Thrice,Jane Doe,2,,\n`,
    );
    const dupes = scan.report.errors.filter((e) => /duplicate/.test(e.reason));
    expect(dupes.map((e) => e.row)).toEqual([2, 4, 5]);
    expect(dupes[0]!.reason).toMatch(/again at row 4/);
    expect(dupes[1]!.reason).toMatch(/as row 2/);
    expect((await allRecords<AccountRecord>(scan)).map((r) => r.crmId)).toEqual(['A2']);
  });

  it('an owner name two reps share is an error listing the candidates, never a guess', async () => {
    const twins = new OwnerDirectory([
      { crmId: 'U1', email: 'alex.a@example.com', name: 'Alex Kim' },
      { crmId: 'U2', email: 'alex.b@example.com', name: 'Alex Kim' },
    ]);
    const scan = await scanText(`${HEADER}A1,One,Alex Kim,1,,\nA2,Two,alex.b@example.com,1,,\n`, {
      context: { roster: twins },
    });
    expect(scan.report.errors).toHaveLength(1);
    expect(scan.report.errors[0]).toMatchObject({ row: 2, field: 'owner_id' });
    expect(scan.report.errors[0]!.reason).toMatch(/U1 <alex.a@example.com>, U2 <alex.b@example.com>/);
    expect(scan.report.preview[0]).toMatchObject({ crmId: 'A2', ownerCrmId: 'U2' });
  });

  it('flags a row with more values than the header (an unquoted comma)', async () => {
    const scan = await scanText(`${HEADER}A1,Acme, Inc.,Jane Doe,1,West,2026-01-01\n`);
    expect(scan.report.errors.some((e) => e.row === 2 && /more value/.test(e.reason))).toBe(true);
  });

  it('counts blank lines apart and keeps spreadsheet row numbers', async () => {
    const scan = await scanText(`${HEADER}\nA1,One,Jane Doe,1,,\n\n,Two,Jane Doe,1,,\n`);
    expect(scan.report.summary).toMatchObject({ rowsRead: 2, blankRows: 2, rejected: 1 });
    expect(scan.report.errors[0]!.row).toBe(5);
  });

  it('blank revenue is unknown (null, counted) by default, and an error when the mapping says so', async () => {
    const text = `${HEADER}A1,One,Jane Doe,,,\nA2,Two,Jane Doe,0,,\n`;
    const scan = await scanText(text);
    expect(
      scan.report.preview.map((r) => (r as { annualRevenueCents: number | null }).annualRevenueCents),
    ).toEqual([null, 0]);
    expect(scan.report.summary.noRevenue).toBe(1);
    const strict = await scanText(text, {
      mapping: {
        kind: 'accounts',
        columns: {
          account_id: 'account_id',
          account_name: 'account_name',
          owner_id: 'owner_id',
          annual_revenue: 'annual_revenue',
        },
        options: { blankMoney: 'error' },
      },
    });
    expect(strict.report.errors[0]).toMatchObject({
      field: 'annual_revenue',
      reason: 'annual_revenue is missing',
    });
  });
});

describe('opportunities, splits and schedules', () => {
  const OPP =
    'opportunity_id,account_id,stage,amount,close_date,created_date,split_house_pct,split_rep_id,split_rep_pct,split_subagent_id,split_subagent_pct\n';

  it('checks inline splits total exactly 100%', async () => {
    const scan = await scanText(
      OPP +
        'O1,A1,Open,1,2026-01-01,2025-01-01,45,Jane Doe,55,,\n' +
        'O2,A1,Open,1,2026-01-01,2025-01-01,40,Jane Doe,50,,\n' +
        'O3,A1,Open,1,2026-01-01,2025-01-01,,Jane Doe,90,SUB-001,10\n' +
        'O4,A1,Open,1,2026-01-01,2025-01-01,50,,50,,\n' +
        'O5,A1,Open,1,2026-01-01,2025-01-01,,,,,\n',
    );
    expect(scan.report.errors.map((e) => [e.row, e.reason])).toEqual([
      [3, 'the split totals 90% (house 40% + rep 50%), not 100%'],
      [5, 'split_rep_pct is 50% but no rep is named'],
    ]);
    const records = await allRecords<{ crmId: string; split: unknown }>(scan);
    expect(records.find((r) => r.crmId === 'O3')!.split).toEqual([
      { participant: 'rep', repCrmId: '0055g00000JaneDAAR', pctBps: 9000 },
      { participant: 'subagent', repCrmId: 'SUB-001', pctBps: 1000 },
    ]);
    expect(records.find((r) => r.crmId === 'O5')!.split).toBeNull();
  });

  it('checks that an opportunity account exists when the book is known', async () => {
    const scan = await scanText(`${OPP}O1,A-missing,Open,1,2026-01-01,2025-01-01,,,,,\n`, {
      context: { roster: undefined, accountExists: (id) => id === 'A1' },
    });
    expect(scan.report.errors[0]).toMatchObject({
      row: 2,
      field: 'account_id',
      reason: 'account "A-missing" is not in the book',
    });
  });

  it('reports every row of a split file whose opportunity does not total 100%', async () => {
    const scan = await scanText(
      'opportunity_id,participant,rep_id,pct\nO1,house,,45%\nO1,rep,Jane Doe,55%\nO2,house,,40%\nO2,rep,Jane Doe,50%\nO3,boss,,100\n',
    );
    expect(scan.report.errors.map((e) => e.row)).toEqual([4, 5, 6]);
    expect(scan.report.errors[0]!.reason).toMatch(/"O2" totals 90% \(rows 4, 5\)/);
    expect(scan.report.summary.valid).toBe(2);
  });

  it('rejects schedules outside the opportunity term, or ending before they start', async () => {
    const opportunity = (id: string) =>
      id === 'O1'
        ? {
            createdDate: '2025-01-01',
            closeDate: '2025-03-01',
            startDate: '2025-04-01',
            endDate: '2026-03-31',
          }
        : undefined;
    const scan = await scanText(
      'opportunity_id,period_start,period_end,amount\n' +
        'O1,2025-04-01,2025-04-30,100\n' +
        'O1,2025-03-01,2025-03-31,100\n' +
        'O1,2026-03-01,2026-04-30,100\n' +
        'O1,2025-06-30,2025-06-01,100\n' +
        'O9,2025-06-01,2025-06-30,100\n' +
        'O1,2025-07-01,2025-07-31,\n',
      { context: { opportunity } },
    );
    expect(scan.report.errors.map((e) => [e.row, e.field])).toEqual([
      [3, 'period_start'],
      [4, 'period_end'],
      [5, 'period_end'],
      [6, 'opportunity_id'],
      [7, 'amount'],
    ]);
  });
});

describe('the error file', () => {
  it('holds each rejected row as it was, its errors, and no cell that can run as a formula', async () => {
    const scan = await scanText(
      `${HEADER}A1,Good,Jane Doe,1,,\n=cmd|' /C calc'!A0,"@SUM(1,2)",Jane Doe,-5,+West,\n`,
    );
    const csv = await scan.errorFile();
    const rows = parse(csv) as string[][];
    expect(rows[0]).toEqual([
      ...HEADER.trim().split(','),
      'error_row',
      'error_columns',
      'error_reasons',
      'error_hints',
    ]);
    expect(rows).toHaveLength(2);
    const [id, name, , revenue, region, , row, columns, reasons] = rows[1]!;
    expect([id, name, revenue, region]).toEqual(["'=cmd|' /C calc'!A0", "'@SUM(1,2)", "'-5", "'+West"]);
    expect(row).toBe('3');
    expect(columns).toBe('annual_revenue');
    expect(reasons).toMatch(/negative/);
    for (const cell of rows.flat()) expect(cell).not.toMatch(/^[=+\-@\t\r]/);
  });

  it('is empty when the file has no errors', async () => {
    expect(await (await scanText(`${HEADER}A1,Good,Jane Doe,1,,\n`)).errorFile()).toBe('');
  });
});
