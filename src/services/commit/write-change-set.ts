/**
 * The change set a commit writes: one item per account, opportunity and split it changed (each through the
 * change-set contract, src/workflow/change-set-items.ts), and the change set row with the commit's summary.
 */
import { changeSetItems, changeSets, type reps } from '../../../db/schema/index.ts';
import type { Tx } from '../../db/client.ts';
import {
  type ChangeItemPayload,
  changeItemSchema,
  type OwnerSnapshot,
} from '../../workflow/change-set-items.ts';
import type { actingIds } from '../audit/actor.ts';
import type { CommissionSettings } from '../commission-splits/commission-settings.ts';
import type { RunRow } from '../run-records/run-records.ts';
import type { CommissionOutcome, recordAdjustments } from './commit-commission.ts';
import type { writeHandoffNotices } from './commit-notices.ts';
import type { BookLine, OpportunityMove } from './commit-ownership.ts';

type ItemRow = typeof changeSetItems.$inferInsert;
type RosterRep = Pick<typeof reps.$inferSelect, 'id' | 'name' | 'email' | 'crmUserId'>;

/** A rep as the change set records an owner (nobody: all null but the id). */
export function ownerSnapshots(roster: readonly RosterRep[]) {
  const repById = new Map(roster.map((r) => [r.id, r]));
  return (repId: string | null): OwnerSnapshot => {
    const rep = repId ? repById.get(repId) : undefined;
    return { repId, name: rep?.name ?? null, email: rep?.email ?? null, crmUserId: rep?.crmUserId ?? null };
  };
}

/** What the commit changed, as items in order: accounts, then opportunities, then splits. */
export function changeSetItemsOf(
  run: RunRow,
  changed: {
    moved: readonly BookLine[];
    opportunityMoves: readonly OpportunityMove[];
    splits: CommissionOutcome['items'];
  },
  owner: (repId: string | null) => OwnerSnapshot,
  effectiveDate: string,
): ItemRow[] {
  const items: ItemRow[] = [];
  const item = (
    values: Omit<ItemRow, 'orgId' | 'changeSetId' | 'seq' | 'object' | 'before' | 'after'>,
    payload: ChangeItemPayload,
  ) => {
    // Every item goes through the contract on the way in; exports, notices and rollback parse it on the way out.
    const checked = changeItemSchema.parse(payload);
    items.push({
      ...values,
      orgId: run.orgId,
      changeSetId: '',
      seq: items.length + 1,
      object: checked.object,
      before: checked.before,
      after: checked.after,
    });
  };
  const reason = run.reason;
  for (const l of changed.moved) {
    const record = { recordId: l.accountId, crmId: l.crmId, recordName: l.name };
    item(
      { ...record, fromRepId: l.plannedRepId, toRepId: l.toRepId, effectiveDate, reason },
      { object: 'account', before: owner(l.plannedRepId), after: owner(l.toRepId) },
    );
  }
  for (const o of changed.opportunityMoves) {
    const record = { recordId: o.opportunityId, crmId: o.crmId, recordName: o.name };
    item(
      { ...record, fromRepId: o.fromRepId, toRepId: o.toRepId, effectiveDate, reason },
      { object: 'opportunity', before: owner(o.fromRepId), after: owner(o.toRepId) },
    );
  }
  for (const s of changed.splits) {
    const record = { recordId: s.opportunityId, crmId: s.crmId, recordName: s.name };
    item(
      { ...record, fromRepId: s.fromRepId, toRepId: s.toRepId, effectiveDate: s.effectiveDate, reason },
      {
        object: 'split',
        before: { participants: s.change.before.participants },
        after: { participants: s.change.after.participants, edit: s.change.edit },
      },
    );
  }
  return items;
}

/** What the change set's body sums up besides the counts (src/services/run-records/change-set-body.ts reads it). */
export interface CommitSummary {
  counts: { accounts: number; opportunities: number; splits: number; notices: number };
  settings: CommissionSettings | null;
  effectiveDate: string;
  commission: CommissionOutcome;
  adjustments: Awaited<ReturnType<typeof recordAdjustments>>;
  unreachableRecipients: Awaited<ReturnType<typeof writeHandoffNotices>>['unreachable'];
}

/** Inserts the change set row with its summary, then its items (in batches). */
export async function insertChangeSet(
  tx: Tx,
  run: RunRow,
  acting: ReturnType<typeof actingIds>,
  now: Date,
  summary: CommitSummary,
  items: readonly ItemRow[],
) {
  const [changeSet] = await tx
    .insert(changeSets)
    .values({
      orgId: run.orgId,
      runId: run.id,
      hash: run.approvedHash!,
      itemCount: items.length,
      createdBy: acting.userId,
      createdByApiKeyId: acting.apiKeyId,
      createdAt: now,
      body: {
        counts: summary.counts,
        approvedHash: run.approvedHash,
        approvedBy: run.approvedBy ?? run.approvedByApiKeyId,
        approvedAt: run.approvedAt?.toISOString() ?? null,
        version: run.version,
        scope: run.scope,
        commission: summary.settings,
        commissionEndDate: run.commissionEndDate,
        reassignmentDate: run.reassignmentDate,
        effectiveDate: summary.effectiveDate,
        commissionSkipped: summary.commission.skipped,
        adjustments: {
          recorded: summary.adjustments.recorded,
          skipped: summary.adjustments.skipped,
          problems: summary.commission.adjustmentProblems,
        },
        unreachableRecipients: summary.unreachableRecipients,
      },
    })
    .returning();
  for (let i = 0; i < items.length; i += 1000) {
    await tx
      .insert(changeSetItems)
      .values(items.slice(i, i + 1000).map((it) => ({ ...it, changeSetId: changeSet!.id })));
  }
  return changeSet!;
}
