/**
 * What a rollback restores (rollback-run.ts): owners of accounts and opportunities, and split history by the exact
 * inverse of the applied edit, each only where the record is still as the run left it; anything else is a conflict.
 */
import { eq, inArray } from 'drizzle-orm';
import { accounts, commissionSplits, opportunities } from '../../../db/schema/index.ts';
import { applyEdits, type HistoryEdit, invertEdit } from '../../commission/history.ts';
import type { AuditEventInput } from '../../db/audit.ts';
import type { Tx } from '../../db/client.ts';
import type { auditActor } from '../audit/actor.ts';
import { splitRowOf } from '../commission-splits/opportunity-inputs.ts';
import { type LoadedItem, splitOpportunityId } from './load-change-set.ts';
import type { RollbackConflict, RollbackResult } from './rollback-record.ts';

export type AuditActor = ReturnType<typeof auditActor>;

/** Restores every record of the change set that is still as the run left it; the rest become conflicts. */
export async function restoreRecords(
  tx: Tx,
  runId: string,
  items: readonly LoadedItem[],
  { actor, now }: { actor: AuditActor; now: Date },
) {
  const events: AuditEventInput[] = [];
  const conflicts: RollbackConflict[] = [];
  const restoredItemIds: string[] = [];
  const restored: RollbackResult['restored'] = { accounts: 0, opportunities: 0, splits: 0 };

  const conflict = (item: LoadedItem, reason: RollbackConflict['reason'], message: string) => {
    const entry: RollbackConflict = {
      itemId: item.row.id,
      object: item.payload.object,
      recordId: item.payload.object === 'split' ? splitOpportunityId(item) : item.row.recordId,
      crmId: item.row.crmId,
      recordName: item.row.recordName,
      reason,
      message,
    };
    conflicts.push(entry);
    events.push({
      ...actor,
      action: 'rollback.conflict',
      entityType: item.payload.object,
      entityId: entry.recordId,
      runId,
      after: entry,
    });
  };

  for (const object of ['account', 'opportunity'] as const) {
    const owned = await restoreOwners(tx, object, items, now);
    for (const outcome of owned) {
      if (outcome.kind === 'restored') {
        restoredItemIds.push(outcome.item.row.id);
        restored[object === 'account' ? 'accounts' : 'opportunities'] += 1;
        events.push({
          ...actor,
          action: `${object}.owner_restored`,
          entityType: object,
          entityId: outcome.item.row.recordId,
          runId,
          before: outcome.item.payload.after,
          after: outcome.item.payload.before,
        });
      } else conflict(outcome.item, outcome.reason, outcome.message);
    }
  }

  const restoredSplitOpportunities: string[] = [];
  for (const item of items) {
    if (item.payload.object !== 'split') continue;
    const outcome = await restoreSplit(tx, item);
    if (outcome.ok) {
      restoredItemIds.push(item.row.id);
      restoredSplitOpportunities.push(splitOpportunityId(item));
      restored.splits += 1;
      events.push({
        ...actor,
        action: 'split.restored',
        entityType: 'split',
        entityId: splitOpportunityId(item),
        runId,
        before: { participants: item.payload.after.participants },
        after: { participants: item.payload.before.participants, edit: outcome.applied },
      });
    } else conflict(item, 'history_stale', outcome.message);
  }
  return { events, conflicts, restoredItemIds, restored, restoredSplitOpportunities };
}

type OwnerOutcome =
  | { kind: 'restored'; item: LoadedItem }
  | { kind: 'conflict'; item: LoadedItem; reason: RollbackConflict['reason']; message: string };

/** Restores owners of one object type, only where the current owner is still the one the run set. */
async function restoreOwners(
  tx: Tx,
  object: 'account' | 'opportunity',
  items: readonly LoadedItem[],
  now: Date,
): Promise<OwnerOutcome[]> {
  const mine = items.filter((i) => i.payload.object === object);
  if (mine.length === 0) return [];
  const table = object === 'account' ? accounts : opportunities;
  const current = new Map<string, string | null>();
  const ids = mine.map((i) => i.row.recordId);
  for (let i = 0; i < ids.length; i += 5000) {
    const rows = await tx
      .select({ id: table.id, owner: table.ownerRepId })
      .from(table)
      .where(inArray(table.id, ids.slice(i, i + 5000)))
      .for('update');
    for (const r of rows) current.set(r.id, r.owner);
  }
  const outcomes: OwnerOutcome[] = [];
  const byPrevious = new Map<string | null, string[]>();
  for (const item of mine) {
    if (item.payload.object === 'split') continue;
    const { before, after } = item.payload;
    const label = `${object === 'account' ? 'Account' : 'Opportunity'} ${item.row.recordName ?? item.row.crmId ?? item.row.recordId}`;
    if (!current.has(item.row.recordId)) {
      outcomes.push({
        kind: 'conflict',
        item,
        reason: 'record_missing',
        message: `${label} no longer exists; nothing to restore.`,
      });
      continue;
    }
    const owner = current.get(item.row.recordId) ?? null;
    if (owner !== after.repId) {
      outcomes.push({
        kind: 'conflict',
        item,
        reason: 'changed_since',
        message: `${label} changed since the run: its owner is now ${owner ?? 'nobody'}, not ${after.name ?? after.repId} as the run left it. Left as it is; restore ${before.name ?? before.repId ?? 'the previous owner'} by hand if that is still right.`,
      });
      continue;
    }
    const list = byPrevious.get(before.repId) ?? [];
    list.push(item.row.recordId);
    byPrevious.set(before.repId, list);
    outcomes.push({ kind: 'restored', item });
  }
  for (const [previous, recordIds] of byPrevious) {
    for (let i = 0; i < recordIds.length; i += 5000) {
      const chunk = recordIds.slice(i, i + 5000);
      if (object === 'account') {
        await tx
          .update(accounts)
          .set({ ownerRepId: previous, ownerChangedAt: now, updatedAt: now })
          .where(inArray(accounts.id, chunk));
      } else {
        await tx
          .update(opportunities)
          .set({ ownerRepId: previous, updatedAt: now })
          .where(inArray(opportunities.id, chunk));
      }
    }
  }
  return outcomes;
}

/** Applies the inverse of the stored history edit when the rows are still as the run left them. */
async function restoreSplit(
  tx: Tx,
  item: LoadedItem,
): Promise<{ ok: true; applied: HistoryEdit } | { ok: false; message: string }> {
  if (item.payload.object !== 'split' || !item.payload.after.edit) {
    return {
      ok: false,
      message: 'The change set holds no history edit for this split, so it cannot be undone.',
    };
  }
  const edit = item.payload.after.edit as HistoryEdit;
  const stored = await tx
    .select()
    .from(commissionSplits)
    .where(eq(commissionSplits.opportunityId, edit.opportunityId))
    .for('update');
  const rows = stored.map(splitRowOf);
  const inverse = invertEdit(edit);
  const checked = applyEdits(rows, [inverse]);
  if (!checked.ok) return { ok: false, message: checked.refusal.message };
  for (const retime of [...inverse.rowsToEnd, ...inverse.rowsToReopen]) {
    await tx
      .update(commissionSplits)
      .set({ effectiveTo: retime.effectiveToAfter })
      .where(eq(commissionSplits.id, retime.rowId));
  }
  const removals = inverse.rowsToRemove.map((r) => r.rowId);
  if (removals.length > 0) await tx.delete(commissionSplits).where(inArray(commissionSplits.id, removals));
  const orgId = stored[0]?.orgId;
  if (inverse.rowsToAdd.length > 0 && orgId) {
    await tx.insert(commissionSplits).values(
      inverse.rowsToAdd.map((r) => ({
        id: r.rowId,
        orgId,
        opportunityId: r.opportunityId,
        repId: r.participantId,
        role: r.role,
        bps: r.bps,
        effectiveFrom: r.effectiveFrom,
        effectiveTo: r.effectiveTo,
      })),
    );
  }
  return { ok: true, applied: inverse };
}
