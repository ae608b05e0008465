/**
 * The result of a rollback, and where it is kept: in the `after` of the run's `run.rolled_back` audit event.
 * The trail is append-only and hash-chained, so a second rollback (or the inverse export) reads exactly what
 * the first one did, and nobody can quietly change it.
 */
import { and, desc, eq } from 'drizzle-orm';
import { auditEvents } from '../../../db/schema/index.ts';
import type { Tx } from '../../db/client.ts';

export const ROLLED_BACK_ACTION = 'run.rolled_back';

export type RollbackConflictReason = 'changed_since' | 'history_stale' | 'record_missing';

export interface RollbackConflict {
  itemId: string;
  object: 'account' | 'opportunity' | 'split';
  recordId: string;
  crmId: string | null;
  recordName: string | null;
  reason: RollbackConflictReason;
  message: string;
}

export interface RollbackResult {
  runId: string;
  status: 'rolled_back';
  rolledBackAt: string;
  rolledBackBy: string | null;
  deadline: string;
  restored: { accounts: number; opportunities: number; splits: number };
  /** Change-set items that were undone (the inverse export lists exactly these). */
  restoredItemIds: string[];
  /** Records changed since the run: flagged, left as they are. */
  conflicts: RollbackConflict[];
  notices: { cancelled: number; corrections: number; unreachable: string[] };
  inverseExport: string;
}

/** The stored result of the run's rollback, or null when it was never rolled back. */
export async function readRollbackResult(tx: Tx, runId: string): Promise<RollbackResult | null> {
  const [event] = await tx
    .select({ after: auditEvents.after })
    .from(auditEvents)
    .where(and(eq(auditEvents.runId, runId), eq(auditEvents.action, ROLLED_BACK_ACTION)))
    .orderBy(desc(auditEvents.seq))
    .limit(1);
  const after = event?.after as { result?: RollbackResult } | null | undefined;
  return after?.result ?? null;
}
