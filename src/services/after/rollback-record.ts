/**
 * The result of a rollback, and where it is kept: in the `after` of the run's `run.rolled_back` audit event.
 * The trail is append-only and hash-chained, so a second rollback (or the inverse export) reads exactly what
 * the first one did, and nobody can quietly change it.
 */
import { z } from '@hono/zod-openapi';
import { and, desc, eq } from 'drizzle-orm';
import { auditEvents } from '../../../db/schema/index.ts';
import type { Tx } from '../../db/client.ts';
import { parseAuditValue } from '../audit/audit-columns.ts';

export const ROLLED_BACK_ACTION = 'run.rolled_back';

const rollbackConflict = z.object({
  itemId: z.string(),
  object: z.enum(['account', 'opportunity', 'split']),
  recordId: z.string(),
  crmId: z.string().nullable(),
  recordName: z.string().nullable(),
  reason: z.enum(['changed_since', 'history_stale', 'record_missing']),
  message: z.string(),
});
export type RollbackConflict = z.infer<typeof rollbackConflict>;

const rollbackResult = z.object({
  runId: z.string(),
  status: z.literal('rolled_back'),
  rolledBackAt: z.string(),
  rolledBackBy: z.string().nullable(),
  deadline: z.string(),
  restored: z.object({ accounts: z.number(), opportunities: z.number(), splits: z.number() }),
  /** Change-set items that were undone (the inverse export lists exactly these). */
  restoredItemIds: z.array(z.string()),
  /** Records changed since the run: flagged, left as they are. */
  conflicts: z.array(rollbackConflict),
  notices: z.object({ cancelled: z.number(), corrections: z.number(), unreachable: z.array(z.string()) }),
  inverseExport: z.string(),
});
export type RollbackResult = z.infer<typeof rollbackResult>;

/** What the `run.rolled_back` event keeps in its `after` (rollback-run.ts writes it). */
const rolledBackAfter = z.looseObject({
  result: rollbackResult.optional(),
  reason: z.string().nullable().optional(),
});

/** The `after` of the run's latest `run.rolled_back` event, parsed; null when it was never rolled back. */
export async function readRolledBack(tx: Tx, runId: string) {
  const [event] = await tx
    .select({ id: auditEvents.id, after: auditEvents.after })
    .from(auditEvents)
    .where(and(eq(auditEvents.runId, runId), eq(auditEvents.action, ROLLED_BACK_ACTION)))
    .orderBy(desc(auditEvents.seq))
    .limit(1);
  if (!event) return null;
  return parseAuditValue(rolledBackAfter.nullable(), { id: event.id, column: 'after', value: event.after });
}

/** The stored result of the run's rollback, or null when it was never rolled back. */
export async function readRollbackResult(tx: Tx, runId: string): Promise<RollbackResult | null> {
  return (await readRolledBack(tx, runId))?.result ?? null;
}
