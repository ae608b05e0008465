/**
 * The rows of a CSV file as a spreadsheet shows them: each row with the number the spreadsheet gives it (the
 * header is row 1; blank rows and values spread over several lines by quotes count as the spreadsheet counts
 * them), its values by header name. The file is streamed: a row limit stops the read at the first row past
 * it, so a file too large for one solve is refused in a moment, whatever its size. Encodings as the app's import
 * reads them (src/import/decode.ts): UTF-16 little or big endian by its byte-order mark (Excel's "Unicode Text"),
 * UTF-8 (with or without a BOM, as Excel and CRMs write it) or, when the bytes are not UTF-8, Windows-1252 (Excel
 * on Windows). Values are separated by commas, or by tabs when the header line has more tabs than commas
 * (Excel's "Unicode Text" and "Text (Tab delimited)").
 */
import { createReadStream } from 'node:fs';
import { open, stat } from 'node:fs/promises';
import { pipeline, Readable } from 'node:stream';
import { parse } from 'csv-parse';
import { bomEncoding, chunkDecoder, type FileEncoding } from '../import/decode.ts';

export interface CsvIssue {
  file: string;
  /** The spreadsheet row (the header is row 1); absent when the issue is about the file as a whole. */
  row?: number;
  column: string;
  message: string;
}

export class CsvError extends Error {
  constructor(readonly issues: CsvIssue[]) {
    super(
      issues
        .map((i) =>
          i.row === undefined
            ? `${i.file}: ${i.message}`
            : `${i.file} row ${i.row}, column ${i.column}: ${i.message}`,
        )
        .join('\n'),
    );
  }
}

export interface CsvRow {
  /** The spreadsheet's row number. */
  row: number;
  values: Record<string, string>;
}

export interface RowLimit {
  rows: number;
  /** What the rows are ("accounts") and what to do instead ("split the run by region ..."). */
  what: string;
  tooMany: string;
}

/** Not UTF-8: read again as Windows-1252. */
class NotUtf8 extends Error {}

async function* decoded(path: string, encoding: FileEncoding): AsyncIterable<string> {
  const stream = createReadStream(path, { highWaterMark: 64 * 1024 });
  if (encoding === 'utf-8') {
    const decoder = new TextDecoder('utf-8', { fatal: true, ignoreBOM: false });
    try {
      for await (const chunk of stream) {
        const text = decoder.decode(chunk as Buffer, { stream: true });
        if (text) yield text;
      }
      const rest = decoder.decode();
      if (rest) yield rest;
    } catch (e) {
      if (e instanceof TypeError) throw new NotUtf8();
      throw e;
    }
    return;
  }
  const decoder = chunkDecoder(encoding);
  for await (const chunk of stream) {
    const text = decoder.write(chunk as Buffer);
    if (text) yield text;
  }
  const rest = decoder.end();
  if (rest) yield rest;
}

/** The file's first bytes: its byte-order mark, and its header line for the separator. */
async function head(path: string): Promise<Buffer> {
  const handle = await open(path, 'r');
  try {
    const buffer = Buffer.alloc(64 * 1024);
    const { bytesRead } = await handle.read(buffer, 0, buffer.length, 0);
    return buffer.subarray(0, bytesRead);
  } finally {
    await handle.close();
  }
}

/** Tab when the header line has more tabs than commas (outside quotes), else comma. */
function separator(bytes: Buffer, encoding: FileEncoding): ',' | '\t' {
  const text = encoding === 'utf-8' ? bytes.toString('utf8') : chunkDecoder(encoding).write(bytes);
  let quoted = false;
  let tabs = 0;
  let commas = 0;
  for (const ch of text) {
    if (ch === '"') quoted = !quoted;
    else if (!quoted && (ch === '\n' || ch === '\r')) break;
    else if (!quoted && ch === '\t') tabs += 1;
    else if (!quoted && ch === ',') commas += 1;
  }
  return tabs > commas ? '\t' : ',';
}

/** What the parser's own errors mean for someone editing the file in a spreadsheet or a text editor. */
function parseIssue(file: string, e: Error & Record<string, unknown>, header: string[] | null): CsvIssue {
  const row = typeof e['records'] === 'number' ? e['records'] + 1 : undefined;
  const index = typeof e['column'] === 'number' ? e['column'] : null;
  const column = index !== null && header?.[index] ? header[index]! : '-';
  const message =
    e['code'] === 'CSV_QUOTE_NOT_CLOSED'
      ? 'a value opened with a double quote here is never closed: add the closing double quote'
      : e['code'] === 'INVALID_OPENING_QUOTE' || e['code'] === 'CSV_INVALID_CLOSING_QUOTE'
        ? 'a double quote inside a value: put the whole value in double quotes and double each quote inside it ("12"" display")'
        : `not a readable CSV file (${e.message})`;
  return { file, ...(row !== undefined ? { row } : {}), column, message };
}

/**
 * The data rows of the CSV file at `path` (`file` is how messages name it), with the header names trimmed and
 * lower-cased; throws CsvError naming the row and column of what cannot be read, or the missing columns.
 */
export async function readCsvRows(
  path: string,
  file: string,
  required: string[],
  limit?: RowLimit,
): Promise<CsvRow[]> {
  try {
    if ((await stat(path)).isDirectory())
      throw new CsvError([{ file, column: '-', message: 'is a folder, not a CSV file' }]);
    const bytes = await head(path);
    const bom = bomEncoding(bytes);
    const encoding = bom === 'utf-16le' || bom === 'utf-16be' ? bom : 'utf-8';
    return await readAs(path, file, required, { encoding, delimiter: separator(bytes, encoding) }, limit);
  } catch (e) {
    if (e instanceof NotUtf8) {
      const bytes = await head(path);
      const delimiter = separator(bytes, 'windows-1252');
      return readAs(path, file, required, { encoding: 'windows-1252', delimiter }, limit);
    }
    const code = (e as { code?: unknown }).code;
    if (code === 'ENOENT') throw new CsvError([{ file, column: '-', message: 'no such file' }]);
    if (code === 'EISDIR')
      throw new CsvError([{ file, column: '-', message: 'is a folder, not a CSV file' }]);
    if (code === 'EACCES' || code === 'EPERM')
      throw new CsvError([{ file, column: '-', message: 'cannot be read (permission denied)' }]);
    throw e;
  }
}

async function readAs(
  path: string,
  file: string,
  required: string[],
  format: { encoding: FileEncoding; delimiter: ',' | '\t' },
  limit?: RowLimit,
): Promise<CsvRow[]> {
  const parser = csvParser(path, format);
  let header: string[] | null = null;
  const rows: CsvRow[] = [];
  const issues: CsvIssue[] = [];
  try {
    for await (const { record, info } of parser as AsyncIterable<{
      record: string[];
      info: { records: number };
    }>) {
      // A row with no value at all (a blank line, or only commas as spreadsheets export them) is skipped.
      if (record.every((v) => v === '')) continue;
      const row = info.records;
      if (header === null) {
        header = record.map((c) => c.toLowerCase());
        continue;
      }
      if (limit && rows.length === limit.rows) {
        parser.destroy();
        throw tooManyRows(file, row, limit);
      }
      const extra = record.slice(header.length).filter((v) => v !== '');
      if (extra.length > 0) {
        issues.push(extraValues(file, row, record.length, header.length, format.delimiter));
        continue;
      }
      const values: Record<string, string> = {};
      header.forEach((name, i) => {
        values[name] = record[i] ?? '';
      });
      rows.push({ row, values });
    }
  } catch (e) {
    throw parseFailure(e, file, issues, header);
  }
  checkRequired(file, header ?? [], required);
  if (issues.length > 0) throw new CsvError(issues);
  return rows;
}

function csvParser(path: string, format: { encoding: FileEncoding; delimiter: ',' | '\t' }) {
  const parser = parse({
    bom: true,
    delimiter: format.delimiter,
    relax_column_count: true,
    trim: true,
    info: true,
  });
  // pipeline, not pipe: a read or decoding error ends the parser with it instead of going unhandled.
  pipeline(Readable.from(decoded(path, format.encoding)), parser, () => {});
  return parser;
}

function tooManyRows(file: string, row: number, limit: RowLimit): CsvError {
  return new CsvError([
    {
      file,
      row,
      column: '-',
      message: `more than ${limit.rows.toLocaleString('en-US')} ${limit.what}, the most one solve takes: ${limit.tooMany}`,
    },
  ]);
}

/** A row with more values than the header has columns: an unquoted separator inside a value. */
function extraValues(
  file: string,
  row: number,
  values: number,
  columns: number,
  delimiter: ',' | '\t',
): CsvIssue {
  return {
    file,
    row,
    column: '-',
    message:
      delimiter === ','
        ? `${values} values where the header has ${columns} columns: a value that holds a comma needs double quotes around it ("Acme, Inc.")`
        : `${values} values where the header has ${columns} columns: a value that holds a tab needs double quotes around it`,
  };
}

/** What reading the file threw, as the error to throw: the parser's own errors become a CsvError with the issues so far. */
function parseFailure(e: unknown, file: string, issues: CsvIssue[], header: string[] | null): unknown {
  if (e instanceof CsvError || e instanceof NotUtf8) return e;
  const code = (e as { code?: unknown }).code;
  if (e instanceof Error && typeof code === 'string' && /^(CSV_|INVALID_)/.test(code))
    return new CsvError([...issues, parseIssue(file, e as Error & Record<string, unknown>, header)]);
  return e;
}

function checkRequired(file: string, header: string[], required: string[]): void {
  const missing = required.filter((c) => !header.includes(c));
  if (missing.length > 0) {
    throw new CsvError([
      {
        file,
        row: 1,
        column: missing.join(', '),
        message: `missing required column${missing.length === 1 ? '' : 's'}; the header needs at least ${required.join(',')}`,
      },
    ]);
  }
}
