/**
 * `accounts.custom`: the fields an account has no column of its own for, as src/services/imports/write-book.ts
 * writes them: the file's unmapped columns (text, under their header), `state`, `next_close_date` and `protected`
 * (true: keep the account with its owner). Readers take the one field they need from the database and parse it here.
 */
import { z } from 'zod';
import { parseJsonColumn } from '../../lib/json-column.ts';

/** `custom.protected`: true when the file flagged the account, or the text of an unmapped column of that name. */
const protectedField = z.union([z.boolean(), z.string()]).nullable();

/** Whether the account stays with its owner: `custom.protected` is true (or the text 'true'). */
export function keepsWithOwner(value: unknown, accountId: string): boolean {
  const at = { table: 'accounts', column: 'custom', rowId: accountId, pathPrefix: 'custom.protected' };
  const flag = parseJsonColumn(protectedField, value ?? null, at);
  return flag === true || flag === 'true';
}
