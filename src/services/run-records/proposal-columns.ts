/**
 * The JSON columns of a run's proposal, parsed once where their rows are read: an account's explanation
 * (run_assignments), an opportunity's splits before and after (run_opportunity_changes), a conflict's details
 * (conflicts). The solve stage writes them (src/services/solve/refresh-proposal.ts, solve-run-job.ts, sync-conflicts.ts).
 */
import { z } from '@hono/zod-openapi';
import type { ConflictDetailsColumn, SplitPartColumn } from '../../../db/schema/index.ts';
import { parseJsonColumn } from '../../lib/json-column.ts';

/** `run_assignments.explanation`: why the solver put the account where it did (rule, reason, moved, engine, …). */
const explanationColumn = z.record(z.string(), z.unknown()).nullable();

/** One participant of a split as the proposal stores it. */
const splitPart = z.object({
  repId: z.string(),
  role: z.enum(['house', 'rep', 'subagent']),
  bps: z.number().int(),
});
/** `run_opportunity_changes.before_splits` / `.after_splits`: null when the split could not be computed. */
const splitsColumn = z.array(splitPart).nullable();

/** `conflicts.details`: the key that finds the conflict again on the next solve, who resolved it, and more. */
const conflictDetailsColumn = z
  .looseObject({ key: z.string().optional(), resolvedByLabel: z.string().nullable().optional() })
  .nullable();

export function parseExplanation(value: unknown, accountRowId: string): Record<string, unknown> | null {
  return parseJsonColumn(explanationColumn, value ?? null, {
    table: 'run_assignments',
    column: 'explanation',
    rowId: accountRowId,
  });
}

/**
 * One of an opportunity change's stored splits (`before_splits` or `after_splits`); `rowId` finds the row again
 * (its id, or the run and the opportunity, which are unique together).
 */
export function parseSplits(
  value: unknown,
  column: 'before_splits' | 'after_splits',
  rowId: string,
): SplitPartColumn[] | null {
  return parseJsonColumn(splitsColumn, value ?? null, { table: 'run_opportunity_changes', column, rowId });
}

/** A conflict row with its details parsed. */
export function parseConflictRow<R extends { id: string; details: unknown }>(
  row: R,
): Omit<R, 'details'> & { details: ConflictDetailsColumn | null } {
  const at = { table: 'conflicts', column: 'details', rowId: row.id };
  return { ...row, details: parseJsonColumn(conflictDetailsColumn, row.details ?? null, at) };
}
