/**
 * A JSON column read from the database is parsed once, where its table is read, by one zod schema. A stored value
 * that does not match is a bug (or a hand edit) worth a clear error: the table, the row, the column and the path
 * inside the value, never a cast that lets the wrong shape travel on, nor a stack of zod internals.
 */
import type { FieldIssue } from './errors.ts';
import { fieldIssues } from './field-issues.ts';

/** Where a stored value came from. */
export interface StoredAt {
  table: string;
  column: string;
  /** The row's id (or another key that finds it again). */
  rowId: string;
  /** What the issue paths start with: the column, unless the value parsed is several columns at once ('' then). */
  pathPrefix?: string;
}

/** What this needs of a zod schema (so the leaf names no zod class). */
interface Schema<T> {
  safeParse(
    value: unknown,
  ):
    | { success: true; data: T }
    | { success: false; error: { issues: readonly { path: readonly PropertyKey[]; message: string }[] } };
}

/** A stored JSON value that does not match its column's schema. */
export class StoredJsonError extends Error {
  readonly table: string;
  readonly column: string;
  readonly rowId: string;
  readonly issues: FieldIssue[];

  constructor(at: StoredAt, issues: FieldIssue[]) {
    const listed = issues.map((i) => `at ${i.path}: ${i.message}`).join('; ');
    super(`Stored ${at.table}.${at.column} of row ${at.rowId} does not match its schema (${listed}).`);
    this.name = 'StoredJsonError';
    this.table = at.table;
    this.column = at.column;
    this.rowId = at.rowId;
    this.issues = issues;
  }
}

/** The stored value parsed by its column's schema; a mismatch throws StoredJsonError naming where. */
export function parseJsonColumn<T>(schema: Schema<T>, value: unknown, at: StoredAt): T {
  const parsed = schema.safeParse(value);
  if (!parsed.success) throw new StoredJsonError(at, fieldIssues(parsed.error, at.pathPrefix ?? at.column));
  return parsed.data;
}
