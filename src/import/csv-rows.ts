/**
 * Streams the records of a CSV file with csv-parse: the header first, then data rows numbered as a
 * spreadsheet shows them (header = row 1). Blank lines are reported, not returned as data. The row cap
 * is enforced while streaming, so an oversized file stops early instead of filling memory.
 */
import { Readable } from 'node:stream';
import { CsvError, parse } from 'csv-parse';
import { decodeSource, detectEncoding, type FileEncoding } from './decode.ts';
import { ImportFileError } from './import-file-error.ts';
import type { ImportSource } from './source.ts';

export type CsvEvent =
  | { type: 'header'; row: number; cells: string[]; encoding: FileEncoding }
  | { type: 'row'; row: number; cells: string[] }
  | { type: 'blank'; row: number };

export interface ReadCsvOptions {
  maxRows: number;
  /** Skip detection when a previous pass already found the encoding. */
  encoding?: FileEncoding;
  /** Field delimiter; exports from European Excel use ';'. */
  delimiter?: string;
}

const isBlank = (cells: string[]) => cells.every((c) => c.trim() === '');

export async function* readCsv(source: ImportSource, options: ReadCsvOptions): AsyncGenerator<CsvEvent> {
  const encoding = options.encoding ?? (await detectEncoding(source));
  const text = Readable.from(decodeSource(source, encoding));
  const parser = parse({
    bom: true,
    delimiter: options.delimiter ?? ',',
    relax_column_count: true,
    // A stray quote inside an unquoted cell (`5" screen`) is kept literally, as spreadsheets do.
    relax_quotes: true,
    skip_empty_lines: false,
    info: true,
  });
  text.on('error', (error) => parser.destroy(error));
  text.pipe(parser);

  let row = 0;
  let headerSeen = false;
  let dataRows = 0;
  try {
    for await (const item of parser as AsyncIterable<{ record: string[] }>) {
      row += 1;
      const cells = item.record;
      if (isBlank(cells)) {
        yield { type: 'blank', row };
        continue;
      }
      if (!headerSeen) {
        headerSeen = true;
        yield { type: 'header', row, cells: cells.map((c) => c.trim()), encoding };
        continue;
      }
      dataRows += 1;
      if (dataRows > options.maxRows) {
        throw new ImportFileError(`The file has more than ${options.maxRows} data rows (the limit).`, {
          problem: 'TOO_MANY_ROWS',
          row,
          hint: `Split the file into parts of at most ${options.maxRows} rows, or ask an admin to raise IMPORT_MAX_ROWS.`,
          data: { maxRows: options.maxRows },
        });
      }
      yield { type: 'row', row, cells };
    }
  } catch (error) {
    throw toFileError(error);
  } finally {
    text.destroy();
    parser.destroy();
  }
  if (!headerSeen) {
    throw new ImportFileError('The file is empty.', {
      problem: 'EMPTY_FILE',
      hint: 'Export the report again with its header row and at least one data row.',
    });
  }
  if (dataRows === 0) {
    throw new ImportFileError('The file has a header row but no data rows.', {
      problem: 'HEADER_ONLY',
      row: 1,
      hint: 'Check that the report or sheet was exported with its rows (filters may have hidden them all).',
    });
  }
}

function toFileError(error: unknown): unknown {
  if (!(error instanceof CsvError)) return error;
  // The parser may run ahead of the rows consumed so far: its own count of complete records locates
  // the failing one (blank lines are records too, so this is the spreadsheet row).
  const row = Number((error as CsvError & { records?: number }).records ?? 0) + 1;
  if (error.code === 'CSV_QUOTE_NOT_CLOSED') {
    return new ImportFileError(
      `Row ${row} opens a quoted value that is never closed (the file ends inside the quotes).`,
      {
        problem: 'UNBALANCED_QUOTES',
        row,
        hint: `Look at row ${row}: a value starting with " must end with ", and a " inside a quoted value is written "".`,
      },
    );
  }
  return new ImportFileError(`Row ${row} could not be read as CSV: ${error.message}`, {
    problem: 'MALFORMED_CSV',
    row,
    hint: 'Export the file again as CSV (comma-separated, UTF-8) from the CRM or spreadsheet.',
  });
}
