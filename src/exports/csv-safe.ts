/**
 * CSV writing that is safe to open in a spreadsheet: a text cell that starts with
 * = + - @, a tab or a carriage return is prefixed with an apostrophe so no spreadsheet runs it as a formula.
 * Numbers are written as numbers (a negative adjustment stays a number). `readSafeCell` undoes the prefix, so
 * our own files parse back to exactly the values written.
 */
import { parse } from 'csv-parse/sync';
import { stringify } from 'csv-stringify/sync';

export type Cell = string | number | boolean | null | undefined;

const DANGEROUS_START = /^[=+\-@\t\r]/;

export function safeCell(value: Cell): string {
  if (value === null || value === undefined) return '';
  if (typeof value === 'number') {
    if (!Number.isFinite(value)) throw new Error(`Cannot export the non-finite number ${value}.`);
    return String(value);
  }
  if (typeof value === 'boolean') return value ? 'true' : 'false';
  // A text cell that already starts with an apostrophe gets one more, so reading back is unambiguous.
  return DANGEROUS_START.test(value) || value.startsWith("'") ? `'${value}` : value;
}

export function readSafeCell(text: string): string {
  return text.startsWith("'") ? text.slice(1) : text;
}

/** A whole CSV file: header row, then rows; CRLF line endings as spreadsheets and CRM importers expect. */
export function toCsv(header: readonly string[], rows: readonly (readonly Cell[])[]): string {
  return stringify([header.map((h) => safeCell(h)), ...rows.map((r) => r.map(safeCell))], {
    record_delimiter: '\r\n',
    quoted_match: /[",\r\n]|^\s|\s$/,
  });
}

/** Parses a file written by `toCsv` back to its text cells (numbers come back as their text). */
export function fromCsv(text: string): string[][] {
  const records = parse(text, { relax_column_count: false, skip_empty_lines: false }) as string[][];
  return records.map((r) => r.map(readSafeCell));
}
