/**
 * `change_sets.body` parsed once where a change set is read: the commit's summary (commit/commit-run.ts writes it).
 * The fields read back are checked here; the rest (approval, dates, adjustments) stays for the record.
 */
import { z } from '@hono/zod-openapi';
import type { changeSets } from '../../../db/schema/index.ts';
import { parseJsonColumn } from '../../lib/json-column.ts';
import { commissionDecisions, commissionSegment } from './commission-params.ts';

/** The commission settings the commit applied (commission-splits/commission-settings.ts builds them from the params). */
const appliedCommission = z.object({
  type: z.enum(['A', 'B', 'C']),
  customBps: z.number().int().optional(),
  segments: z.array(commissionSegment).optional(),
  manual: z.boolean().optional(),
  decisions: commissionDecisions.optional(),
});

const changeSetBodyColumn = z.looseObject({
  counts: z
    .object({ accounts: z.number(), opportunities: z.number(), splits: z.number(), notices: z.number() })
    .optional(),
  /** Null when the run moved no split. */
  commission: appliedCommission.nullable().optional(),
  commissionSkipped: z
    .array(z.object({ opportunityId: z.string(), code: z.string(), reason: z.string() }))
    .optional(),
});
export type ChangeSetBody = z.infer<typeof changeSetBodyColumn>;

/** The change set row with its body parsed. */
export const parseChangeSetRow = <R extends Pick<typeof changeSets.$inferSelect, 'id' | 'body'>>(
  row: R,
): Omit<R, 'body'> & { body: ChangeSetBody } => ({
  ...row,
  body: parseJsonColumn(changeSetBodyColumn, row.body, {
    table: 'change_sets',
    column: 'body',
    rowId: row.id,
  }),
});
