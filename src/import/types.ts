/** Shared shapes of an import: kinds, row-level errors as data, and summaries. */

export const IMPORT_KINDS = ['accounts', 'reps', 'opportunities', 'splits', 'schedules'] as const;
export type ImportKind = (typeof IMPORT_KINDS)[number];

/**
 * One problem with one cell (or row) of an uploaded file. `row` is the row number a person sees in a
 * spreadsheet: the header is row 1, the first data row is row 2; a quoted cell spanning lines stays one row.
 */
export interface RowError {
  row: number;
  /** Header of the column as it appears in the file; '' when the problem concerns the whole row. */
  column: string;
  /** Target field (e.g. `annual_revenue`); '' when not tied to one field. */
  field: string;
  /** The raw cell value as found in the file. */
  value: string;
  reason: string;
  /** What to do about it. */
  hint: string;
}

export interface ImportSummary {
  rowsRead: number;
  valid: number;
  rejected: number;
  /** Blank lines in the file, skipped (they hold no data). */
  blankRows: number;
}
