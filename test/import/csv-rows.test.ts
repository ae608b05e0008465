import iconv from 'iconv-lite';
import { describe, expect, it } from 'vitest';
import { type CsvEvent, readCsv } from '../../src/import/csv-rows.ts';
import { ImportFileError } from '../../src/import/import-file-error.ts';
import type { ImportSource } from '../../src/import/source.ts';

const bytes = (text: string) => new TextEncoder().encode(text);

async function collect(source: ImportSource, maxRows = 100): Promise<CsvEvent[]> {
  const out: CsvEvent[] = [];
  for await (const e of readCsv(source, { maxRows })) out.push(e);
  return out;
}

async function fileError(source: ImportSource, maxRows = 100): Promise<ImportFileError> {
  try {
    await collect(source, maxRows);
  } catch (error) {
    if (error instanceof ImportFileError) return error;
    throw error;
  }
  throw new Error('expected an ImportFileError');
}

describe('readCsv', () => {
  it('drops a BOM, reads CRLF, quoted commas and newlines, and numbers rows as a spreadsheet does', async () => {
    const events = await collect(
      bytes('\uFEFFid,name\r\n1,"a, b"\r\n\r\n2,"line one\r\nline two"\r\n3,"say ""hi"""\r\n'),
    );
    expect(events).toEqual([
      { type: 'header', row: 1, cells: ['id', 'name'], encoding: 'utf-8' },
      { type: 'row', row: 2, cells: ['1', 'a, b'] },
      { type: 'blank', row: 3 },
      { type: 'row', row: 4, cells: ['2', 'line one\r\nline two'] },
      { type: 'row', row: 5, cells: ['3', 'say "hi"'] },
    ]);
  });

  it('falls back to Windows-1252 when the bytes are not UTF-8', async () => {
    const latin = iconv.encode('id,name,revenue\n1,Société Générale,€ 5\n2,Müller,1\n', 'windows-1252');
    const events = await collect(latin);
    expect(events[0]).toMatchObject({ type: 'header', encoding: 'windows-1252' });
    expect(events[1]).toEqual({ type: 'row', row: 2, cells: ['1', 'Société Générale', '€ 5'] });
    expect(events[2]).toEqual({ type: 'row', row: 3, cells: ['2', 'Müller', '1'] });
  });

  it('keeps UTF-8 that a chunk boundary splits in the middle of a character', async () => {
    const data = bytes('id,name\n1,Zoë Ångström\n');
    const source = {
      open: async function* () {
        for (let i = 0; i < data.length; i += 3) yield data.subarray(i, i + 3);
      },
    };
    const events = await collect(source);
    expect(events[1]).toEqual({ type: 'row', row: 2, cells: ['1', 'Zoë Ångström'] });
  });

  it('reports an unbalanced quote with the row where it opens', async () => {
    const error = await fileError(bytes('id,name\n1,ok\n2,"never closed\n3,more\n4,rows\n'));
    expect(error.problem).toBe('UNBALANCED_QUOTES');
    expect(error.message).toMatch(/Row 3/);
    expect(error.code).toBe('UNPROCESSABLE');
  });

  it('refuses an empty file and a file with only blank lines', async () => {
    expect((await fileError(bytes(''))).problem).toBe('EMPTY_FILE');
    expect((await fileError(bytes('\r\n\r\n'))).problem).toBe('EMPTY_FILE');
  });

  it('refuses a header without data rows', async () => {
    expect((await fileError(bytes('id,name\r\n'))).problem).toBe('HEADER_ONLY');
  });

  it('stops at the row cap while streaming, without reading the rest', async () => {
    let chunksRead = 0;
    const source = {
      open: async function* () {
        yield bytes('id\n');
        for (let i = 0; i < 100_000; i += 1) {
          chunksRead += 1;
          yield bytes(`${i}\n`);
        }
      },
    };
    const error = await fileError(source, 10);
    expect(error.problem).toBe('TOO_MANY_ROWS');
    expect(error.details).toMatchObject({ row: 12 });
    // Detection reads the whole source once; parsing stops soon after the cap.
    expect(chunksRead).toBeLessThan(100_000 + 10_000);
  });
});
