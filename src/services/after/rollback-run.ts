/**
 * Rollback of a committed run (F12, RELIABILITY 11), in one transaction: inside the org's window after the
 * commit, every record the change set changed returns to its previous value — unless it changed since (then
 * it is listed as a conflict and left alone); split history gets the exact inverse of the applied edit
 * (HISTORY_STALE → flagged); pending notices are cancelled; people already notified get a correction digest;
 * the run becomes rolled_back; all of it audited. A second rollback returns the first result unchanged.
 */
import { and, eq, inArray, sql } from 'drizzle-orm';
import { accounts, commissionSplits, notices, opportunities, orgs, runs } from '../../../db/schema/index.ts';
import { orgScope } from '../../auth/principal.ts';
import { applyEdits, type HistoryEdit, invertEdit } from '../../commission/history.ts';
import type { SplitRow } from '../../commission/types.ts';
import { type AuditEventInput, appendAuditEvents } from '../../db/audit.ts';
import type { Tx } from '../../db/client.ts';
import { withOrg } from '../../db/tenancy.ts';
import { AppError } from '../../lib/errors.ts';
import { composeNotices } from '../../notices/compose.ts';
import { nextStatus } from '../../workflow/run-status.ts';
import { auditActor } from '../audit/actor.ts';
import type { OrgContext } from '../auth/context.ts';
import { refuseRollbackWhileRetried, settleQueueOnRollback } from '../commission-queue/settle.ts';
import { reverseAdjustments } from '../commit/commit-commission.ts';
import { lockRun } from '../run-records/run-records.ts';
import { type LoadedItem, loadChangeSet, splitOpportunityId } from './load-change-set.ts';
import { buildNoticeInput } from './notice-input.ts';
import { cancelPendingNoticesOfRun, scheduleNoticeDelivery, writeNoticeDrafts } from './outbox.ts';
import {
  ROLLED_BACK_ACTION,
  type RollbackConflict,
  type RollbackResult,
  readRollbackResult,
} from './rollback-record.ts';

export interface RollbackContext extends OrgContext {
  /** Base URL of the links in correction emails. */
  appBaseUrl: string;
}

/** The last moment a rollback is accepted: the commit time plus the org's window (inclusive). */
export function rollbackDeadline(committedAt: Date, windowHours: number): Date {
  return new Date(committedAt.getTime() + windowHours * 3_600_000);
}

export async function rollbackRun({
  ctx,
  input,
}: {
  ctx: RollbackContext;
  /** reason: why the run is undone, kept in the run.rolled_back audit event of the same transaction. */
  input: { runId: string; reason?: string | undefined };
}): Promise<{ result: RollbackResult; replayed: boolean }> {
  return withOrg(ctx.db, orgScope(ctx.principal), async (tx) => {
    // The row lock serialises concurrent rollbacks of one run: the second sees rolled_back and replays.
    const run = await lockRun(tx, input.runId);
    if (run.status === 'rolled_back') {
      const stored = await readRollbackResult(tx, run.id);
      if (stored) return { result: stored, replayed: true };
    }
    nextStatus(run.status, 'rollback');
    const [org] = await tx
      .select({ windowHours: orgs.rollbackWindowHours })
      .from(orgs)
      .where(eq(orgs.id, ctx.principal.orgId));
    const committedAt = run.committedAt ?? run.updatedAt;
    const deadline = rollbackDeadline(committedAt, org?.windowHours ?? 48);
    const now = ctx.clock();
    if (now.getTime() > deadline.getTime()) {
      throw new AppError(
        'CONFLICT',
        `The rollback window of this run closed at ${deadline.toISOString()} (${org?.windowHours ?? 48} hours after the commit at ${committedAt.toISOString()}). Undo the changes with a new run instead.`,
        {
          details: {
            deadline: deadline.toISOString(),
            committedAt: committedAt.toISOString(),
            windowHours: org?.windowHours ?? 48,
          },
        },
      );
    }
    await refuseRollbackWhileRetried(tx, run.id);
    const loaded = await loadChangeSet(tx, run.id, { run });
    const actor = auditActor(ctx);
    const events: AuditEventInput[] = [];
    const conflicts: RollbackConflict[] = [];
    const restoredItemIds: string[] = [];
    const restored = { accounts: 0, opportunities: 0, splits: 0 };

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
        runId: run.id,
        after: entry,
      });
    };

    for (const object of ['account', 'opportunity'] as const) {
      const owned = await restoreOwners(tx, object, loaded.items, now);
      for (const outcome of owned) {
        if (outcome.kind === 'restored') {
          restoredItemIds.push(outcome.item.row.id);
          restored[object === 'account' ? 'accounts' : 'opportunities'] += 1;
          events.push({
            ...actor,
            action: `${object}.owner_restored`,
            entityType: object,
            entityId: outcome.item.row.recordId,
            runId: run.id,
            before: outcome.item.payload.after,
            after: outcome.item.payload.before,
          });
        } else conflict(outcome.item, outcome.reason, outcome.message);
      }
    }

    const restoredSplitOpportunities: string[] = [];
    for (const item of loaded.items) {
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
          runId: run.id,
          before: { participants: item.payload.after.participants },
          after: { participants: item.payload.before.participants, edit: outcome.applied },
        });
      } else conflict(item, 'history_stale', outcome.message);
    }
    // Clawbacks and credits the commit booked (commission_adjustments) are reversed by new rows, history kept, for
    // every opportunity whose split came back; where the split could not be restored they still apply.
    await reverseAdjustments(tx, run, restoredSplitOpportunities, now);

    // Pending notices of the run are stopped; one already handed to the provider ('sending') may arrive, so its
    // recipient counts as notified and gets the correction.
    const cancelled = await cancelPendingNoticesOfRun(tx, {
      runId: run.id,
      at: now,
      reason: 'run rolled back',
      actor,
    });
    const notified = await tx
      .select({ to: notices.recipientEmail })
      .from(notices)
      .where(
        and(
          eq(notices.runId, run.id),
          inArray(notices.status, ['sent', 'sending']),
          sql`${notices.kind} not like 'correction%'`,
        ),
      );
    const notifiedEmails = new Set(notified.map((n) => n.to.toLowerCase()));
    let corrections = 0;
    let unreachable: string[] = [];
    if (notifiedEmails.size > 0 && restoredItemIds.length > 0) {
      const composed = composeNotices(
        await buildNoticeInput(tx, loaded, {
          purpose: 'correction',
          appBaseUrl: ctx.appBaseUrl,
          onlyItemIds: new Set(restoredItemIds),
        }),
      );
      const drafts = composed.drafts.filter((d) => notifiedEmails.has(d.recipient.email.toLowerCase()));
      corrections = await writeNoticeDrafts(tx, {
        orgId: ctx.principal.orgId,
        runId: run.id,
        drafts,
        kindPrefix: 'correction_',
      });
      unreachable = composed.unreachable.map((u) => `${u.person.name} (${u.kind}): no email address`);
      if (corrections > 0) await scheduleNoticeDelivery(tx, ctx.principal.orgId);
    }

    const result: RollbackResult = {
      runId: run.id,
      status: 'rolled_back',
      rolledBackAt: now.toISOString(),
      rolledBackBy: ctx.principal.email ?? ctx.principal.apiKeyName ?? null,
      deadline: deadline.toISOString(),
      restored,
      restoredItemIds,
      conflicts,
      notices: { cancelled: cancelled.length, corrections, unreachable },
      inverseExport: `/v1/runs/${run.id}/exports/inverse`,
    };
    await tx
      .update(runs)
      .set({
        status: 'rolled_back',
        rolledBackBy: ctx.principal.userId ?? null,
        rolledBackAt: now,
        updatedAt: now,
      })
      .where(eq(runs.id, run.id));
    // The commission queue follows the run: none of its items stands any more (nor can an error item be retried),
    // and an item this run settled as a retry is reopened, retryable again.
    events.push(
      ...(await settleQueueOnRollback(tx, {
        runId: run.id,
        reason: input.reason ?? null,
        at: now,
        actor,
      })),
    );
    events.push({
      ...actor,
      action: ROLLED_BACK_ACTION,
      entityType: 'run',
      entityId: run.id,
      runId: run.id,
      before: { status: run.status, committedAt: committedAt.toISOString() },
      after: { status: 'rolled_back', result, reason: input.reason ?? null },
    });
    await appendAuditEvents(tx, events);
    return { result, replayed: false };
  });
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
  const rows: SplitRow[] = stored.map((r) => ({
    rowId: r.id,
    opportunityId: r.opportunityId,
    participantId: r.repId,
    role: r.role,
    bps: r.bps,
    effectiveFrom: r.effectiveFrom,
    effectiveTo: r.effectiveTo,
  }));
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
