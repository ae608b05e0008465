/**
 * `audit_events.before` / `.after`: what the action recorded, a JSON object or null. A reader of one action parses
 * the fields it needs with that action's schema (next to the reader); a reader of any action (a timeline) with
 * `auditValueColumn`. Either way the event is named when a stored value does not match.
 */
import { z } from '@hono/zod-openapi';
import { parseJsonColumn } from '../../lib/json-column.ts';

/** Any action's `before` or `after`: a JSON object, or null. */
export const auditValueColumn = z.record(z.string(), z.unknown()).nullable();

/** What parseAuditValue needs of a schema (a zod schema). */
type Schema<T> = Parameters<typeof parseJsonColumn<T>>[0];

export function parseAuditValue<T>(
  schema: Schema<T>,
  event: { id: string; column: 'before' | 'after'; value: unknown },
): T {
  return parseJsonColumn(schema, event.value ?? null, {
    table: 'audit_events',
    column: event.column,
    rowId: event.id,
  });
}
