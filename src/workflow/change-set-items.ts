/**
 * The contract of `change_set_items.before` / `.after`: written by the commit, read by exports, notices and
 * rollback. Parsed with zod on the way in and on the way out, so a writer and a reader cannot drift apart.
 *
 * - object `account` / `opportunity`: `before` and `after` are the owner (`OwnerSnapshot`).
 * - object `split`: the opportunity's commission split; `before`/`after` are `SplitSnapshot`s; `after.edit` is
 *   the exact history edit applied (rows ended with their previous end date, rows added), so a rollback can
 *   apply its inverse (src/commission invertEdit) and find rows changed since.
 */
import { z } from 'zod';
import { parseJsonColumn } from '../lib/json-column.ts';

const isoDate = z.string().regex(/^\d{4}-\d{2}-\d{2}$/);

export const ownerSnapshotSchema = z.object({
  repId: z.uuid().nullable(),
  name: z.string().nullable(),
  email: z.string().nullable(),
  crmUserId: z.string().nullable(),
});
export type OwnerSnapshot = z.infer<typeof ownerSnapshotSchema>;

export const participantSchema = z.object({
  participantId: z.string(),
  role: z.enum(['house', 'rep', 'subagent']),
  bps: z.number().int().min(0).max(10_000),
});

const splitRowSchema = participantSchema.extend({
  rowId: z.string(),
  opportunityId: z.string(),
  effectiveFrom: isoDate,
  effectiveTo: isoDate.nullable(),
});

const rowRetimeSchema = z.object({
  rowId: z.string(),
  effectiveToBefore: isoDate.nullable(),
  effectiveToAfter: isoDate.nullable(),
});

export const historyEditSchema = z.object({
  opportunityId: z.string(),
  rowsToEnd: z.array(rowRetimeSchema),
  rowsToAdd: z.array(splitRowSchema),
  rowsToReopen: z.array(rowRetimeSchema),
  rowsToRemove: z.array(splitRowSchema),
});

export const splitSnapshotSchema = z.object({
  participants: z.array(participantSchema),
  /** Present on `after`: the edit the commit applied to the split history. */
  edit: historyEditSchema.optional(),
});

export const changeItemSchema = z.discriminatedUnion('object', [
  z.object({ object: z.literal('account'), before: ownerSnapshotSchema, after: ownerSnapshotSchema }),
  z.object({ object: z.literal('opportunity'), before: ownerSnapshotSchema, after: ownerSnapshotSchema }),
  z.object({ object: z.literal('split'), before: splitSnapshotSchema, after: splitSnapshotSchema }),
]);
export type ChangeItemPayload = z.infer<typeof changeItemSchema>;

/** Reads one stored item's payload, failing loudly (with the item id) if it does not match the contract. */
export function parseChangeItem(item: {
  id: string;
  object: string;
  before: unknown;
  after: unknown;
}): ChangeItemPayload {
  return parseJsonColumn(
    changeItemSchema,
    { object: item.object, before: item.before, after: item.after },
    { table: 'change_set_items', column: 'before/after', rowId: item.id, pathPrefix: '' },
  );
}
