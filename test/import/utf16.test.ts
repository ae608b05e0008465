/**
 * UTF-16 files as Excel and some CRMs write them: Excel's "Unicode Text" (UTF-16LE with a BOM, tab-separated,
 * CRLF, quotes only where a value needs them) and UTF-16BE with a BOM. Read like any other file: encoding by
 * the byte-order mark, separator from the header, rows and columns in the spreadsheet's terms.
 */
import { describe, expect, it } from 'vitest';
import { type CsvEvent, readCsv } from '../../src/import/csv-rows.ts';
import { inspectSource } from '../../src/import/inspect.ts';
import type { AccountRecord } from '../../src/import/records.ts';
import { scanImport } from '../../src/import/scan.ts';
import type { ImportSource } from '../../src/import/source.ts';
import { allRecords, fixture, roster } from './helpers.ts';

/** The bytes in chunks of `size`, so a chunk boundary falls inside a UTF-16 code unit and a BOM. */
function chunked(data: Uint8Array, size: number): ImportSource {
  return {
    open: async function* () {
      for (let i = 0; i < data.length; i += size) yield data.subarray(i, i + size);
    },
  };
}

async function rows(source: ImportSource): Promise<CsvEvent[]> {
  const file = await inspectSource(source);
  const out: CsvEvent[] = [];
  for await (const e of readCsv(source, { maxRows: 100, encoding: file.encoding, delimiter: file.delimiter }))
    out.push(e);
  return out;
}

describe('UTF-16 imports', () => {
  it('Excel "Unicode Text": UTF-16LE by its BOM, tab-separated, rows numbered as the spreadsheet does', async () => {
    const data = fixture('generic-accounts-unicode-text.txt');
    expect(await inspectSource(data)).toMatchObject({ encoding: 'utf-16le', delimiter: '\t' });
    const events = await rows(data);
    expect(events).toEqual([
      {
        type: 'header',
        row: 1,
        cells: ['account_id', 'account_name', 'owner_id', 'annual_revenue', 'region'],
        encoding: 'utf-16le',
      },
      { type: 'row', row: 2, cells: ['A1', 'Société Générale', 'Jane Doe', '$125,000.00', 'Île-de-France'] },
      { type: 'row', row: 3, cells: ['A2', 'Acme\nHQ, Building 2', 'John Smith', '$80,500.00', 'West'] },
      { type: 'blank', row: 4 },
      { type: 'row', row: 5, cells: ['A3', '12" Display Co', 'Jane Doe', 'lots', 'West'] },
    ]);
    // Odd chunk sizes split code units and the BOM: the same rows.
    expect(await rows(chunked(data, 3))).toEqual(events);
  });

  it('UTF-16BE with a BOM, comma-separated: the same rows', async () => {
    const be = fixture('generic-accounts-utf16be.csv');
    expect(await inspectSource(be)).toMatchObject({ encoding: 'utf-16be', delimiter: ',' });
    const events = await rows(chunked(be, 5));
    expect(events.map((e) => ('cells' in e ? e.cells : e.type))).toEqual(
      (await rows(fixture('generic-accounts-unicode-text.txt'))).map((e) =>
        'cells' in e ? e.cells : e.type,
      ),
    );
  });

  it('a scan reads the records and names a bad value at its spreadsheet row and column', async () => {
    const scan = await scanImport(fixture('generic-accounts-unicode-text.txt'), {
      maxRows: 100,
      context: { roster },
    });
    expect(scan.report.errors).toEqual([
      expect.objectContaining({ row: 5, column: 'annual_revenue', value: 'lots' }),
    ]);
    const records = await allRecords<AccountRecord>(scan);
    expect(records.map((r) => [r.crmId, r.name])).toEqual([
      ['A1', 'Société Générale'],
      ['A2', 'Acme\nHQ, Building 2'],
    ]);
  });
});
