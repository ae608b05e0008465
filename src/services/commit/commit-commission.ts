/**
 * Commission split changes of a commit (C1–C6): for each account the run moves, the departing owner's share on
 * its opportunities is reassigned with src/commission (new effective-dated rows, the old rows only ended) when the
 * run's scope includes opportunities; for an opportunity-level run, the one opportunity's split (level 1). The
 * type is the run's commission type (direct transfer by default).
 */
import { randomUUID } from 'node:crypto';
import { and, asc, eq, inArray, isNull, notInArray, sql } from 'drizzle-orm';
import {
  auditEvents,
  commissionAdjustments,
  commissionSplits,
  opportunities,
  runOpportunityChanges,
} from '../../../db/schema/index.ts';
import {
  type AdjustmentEntry,
  type HistoryEdit,
  type OpportunityInput,
  type PlannedChange,
  planReassignment,
  type ReassignmentPlan,
  reconciliationEntries,
  refusalToAppError,
} from '../../commission/index.ts';
import type { Tx } from '../../db/client.ts';
import { AppError } from '../../lib/errors.ts';
import type { OwnershipChange } from '../../workflow/change-set.ts';
import { cascadeExclusion, commissionPolicyOf, coreScope } from '../commission-splits/cascade-rule.ts';
import {
  type CommissionSettings,
  receiverOf,
  strategyFor,
} from '../commission-splits/commission-settings.ts';
import { type CommissionInput, loadOpportunityInputs } from '../commission-splits/opportunity-inputs.ts';
import { loadRuleset } from '../plan/planning-context.ts';
import type { RunRow } from '../run-records/run-records.ts';
import type { OpportunityLine } from './commit-ownership.ts';

/**
 * Refuses a manual-queue commit where an opportunity has no decision (approval refuses first; this holds even
 * if a new opportunity appeared since).
 */
function refuseUndecided(
  skips: readonly { opportunityId: string; code: string }[],
  names: (id: string) => string,
) {
  const undecided = skips.filter((k) => k.code === 'NO_ACTION_CHOSEN');
  if (undecided.length === 0) return;
  throw new AppError(
    'CONFLICT',
    `${undecided.length} opportunit${undecided.length === 1 ? 'y has' : 'ies have'} no commission decision (${undecided
      .slice(0, 5)
      .map((k) => names(k.opportunityId))
      .join(
        ', ',
      )}${undecided.length > 5 ? ', …' : ''}), so nothing was committed: decide each in the run's Commission decisions panel, approve again, then commit.`,
    { details: { undecided: undecided.map((k) => k.opportunityId) } },
  );
}

export interface SplitChangeItem {
  opportunityId: string;
  crmId: string;
  name: string;
  accountName: string;
  fromRepId: string | null;
  toRepId: string;
  /** Who received the share (a segment's or a decision's receiving rep, else the new owner); null under type A. */
  receiverRepId: string | null;
  effectiveDate: string;
  change: PlannedChange;
}

export interface CommissionOutcome {
  items: SplitChangeItem[];
  skipped: { opportunityId: string; code: string; reason: string }[];
  /**
   * Reconciliation entries (C6) of the split changes written: for periods after the end date already paid or
   * reconciled, the clawback from the old split and the credit to the new one — the same core and inputs the
   * reconciliation view uses (src/commission reconciliationEntries). Recorded by recordAdjustments.
   */
  adjustments: AdjustmentEntry[];
  /** Periods the reconciliation could not allocate (so no entry was computed for them). */
  adjustmentProblems: { code: string; path: string; message: string }[];
}

/** An outcome with nothing in it (no split change). */
export const emptyCommissionOutcome = (): CommissionOutcome => ({
  items: [],
  skipped: [],
  adjustments: [],
  adjustmentProblems: [],
});

/** Plans and applies the split changes for the moved accounts; any refusal or stale row refuses the whole commit. */
export async function applyCommissionChanges(
  tx: Tx,
  run: RunRow,
  changes: readonly OwnershipChange[],
  settings: CommissionSettings,
  houseRepId: string | null,
): Promise<CommissionOutcome> {
  if (!run.commissionEndDate || !run.reassignmentDate) {
    throw new AppError(
      'UNPROCESSABLE',
      'This run changes commission splits but has no commission end date or reassignment date: set both, approve again, then commit.',
      { details: [{ path: 'commissionEndDate', message: 'Required when commission changes.' }] },
    );
  }
  const moved = changes.filter((c) => c.fromRepId !== null);
  const accountIds = moved.map((c) => c.accountId);
  if (accountIds.length === 0) return emptyCommissionOutcome();
  const { inputs, refs: oppInfo } = await loadOpportunityInputs(tx, 'account', accountIds, {
    lockSplits: true,
  });
  if (inputs.length === 0) return emptyCommissionOutcome();
  // The run's ruleset decides which stages are protected, exactly as in the review (cascade-rule.ts).
  const policy = commissionPolicyOf(await loadRuleset(tx, run.rulesetId), houseRepId);
  const byAccount = new Map<string, CommissionInput[]>();
  for (const o of inputs) {
    const list = byAccount.get(o.accountId) ?? [];
    list.push(o);
    byAccount.set(o.accountId, list);
  }

  const items: SplitChangeItem[] = [];
  const skipped: CommissionOutcome['skipped'] = [];
  const adjustments: AdjustmentEntry[] = [];
  const adjustmentProblems: CommissionOutcome['adjustmentProblems'] = [];
  const edits: HistoryEdit[] = [];
  for (const change of moved) {
    const candidates = byAccount.get(change.accountId);
    if (!candidates) continue;
    // Only the opportunities the review lists (the cascade rule); the others are reported as skipped, never planned.
    const accountOpps: OpportunityInput[] = [];
    for (const o of candidates) {
      const excluded = cascadeExclusion(run.scope, o, policy);
      if (excluded) skipped.push({ opportunityId: o.opportunityId, ...excluded });
      else accountOpps.push(o);
    }
    const outcome = planReassignment(
      {
        departingRepId: change.fromRepId!,
        target: { level: 'account', accountId: change.accountId },
        scope: coreScope(run.scope),
        strategy: strategyFor(settings, change.toRepId),
        endDate: run.commissionEndDate,
        reassignmentDate: run.reassignmentDate,
        reason: run.reason,
      },
      accountOpps,
      { policy, newRowId: () => randomUUID() },
    );
    if (!outcome.ok) throw refusalToAppError(outcome.refusal);
    adjustments.push(...adjustmentsOf(outcome.value, accountOpps, adjustmentProblems));
    for (const item of outcome.value.items) {
      if (item.kind === 'skip') {
        // Opportunities the rep is not on are simply not theirs to hand over; every other skip is reported.
        if (item.code !== 'DEPARTING_NOT_IN_SPLIT') {
          skipped.push({ opportunityId: item.opportunityId, code: item.code, reason: item.reason });
        }
        continue;
      }
      const info = oppInfo.get(item.opportunityId)!;
      items.push({
        opportunityId: item.opportunityId,
        crmId: info.crmId,
        name: info.name,
        accountName: info.accountName,
        fromRepId: change.fromRepId,
        toRepId: change.toRepId,
        receiverRepId: receiverOf(item.action),
        effectiveDate: run.reassignmentDate,
        change: item,
      });
      edits.push(item.edit);
    }
  }
  refuseUndecided(skipped, (id) => oppInfo.get(id)?.name ?? id);
  await writeEdits(tx, run, edits);
  return { items, skipped, adjustments, adjustmentProblems };
}

function requireDates(run: RunRow): { endDate: string; reassignmentDate: string } {
  if (!run.commissionEndDate || !run.reassignmentDate) {
    throw new AppError(
      'UNPROCESSABLE',
      'This run changes commission splits but has no commission end date or reassignment date: set both, approve again, then commit.',
      { details: [{ path: 'commissionEndDate', message: 'Required when commission changes.' }] },
    );
  }
  return { endDate: run.commissionEndDate, reassignmentDate: run.reassignmentDate };
}

const bpsKey = (parts: readonly { id: string; role: string; bps: number }[]) =>
  parts
    .filter((p) => p.bps > 0)
    .map((p) => `${p.role}:${p.id}:${p.bps}`)
    .sort()
    .join(',');

/**
 * The split change of an opportunity-level run: level 1 of src/commission for each opportunity the run hands over
 * (explicit, so any refusal refuses the commit). The split written must be the one the reviewed proposal showed
 * (run_opportunity_changes.after_splits); if the commission core would write another, nothing is written. An
 * opportunity without a current split, or whose previous owner is not in it, keeps its split (reported as skipped).
 */
export async function applyOpportunityCommission(
  tx: Tx,
  run: RunRow,
  lines: readonly OpportunityLine[],
  settings: CommissionSettings,
  houseRepId: string | null,
): Promise<CommissionOutcome> {
  if (lines.length === 0) return emptyCommissionOutcome();
  const { inputs, refs: info } = await loadOpportunityInputs(
    tx,
    'opportunity',
    lines.map((l) => l.opportunityId),
    { lockSplits: true },
  );
  const inputById = new Map(inputs.map((o) => [o.opportunityId, o]));
  // Level 1 is explicit (no stage rule); the ruleset's policy only names protected stages in the change's notes.
  const policy = commissionPolicyOf(await loadRuleset(tx, run.rulesetId), houseRepId);
  const items: SplitChangeItem[] = [];
  const skipped: CommissionOutcome['skipped'] = [];
  const adjustments: AdjustmentEntry[] = [];
  const adjustmentProblems: CommissionOutcome['adjustmentProblems'] = [];
  const edits: HistoryEdit[] = [];
  for (const line of lines) {
    const input = inputById.get(line.opportunityId);
    if (!input) continue;
    if (!input.splitRows.some((r) => r.effectiveTo === null)) {
      skipped.push({
        opportunityId: line.opportunityId,
        code: 'SPLIT_MISSING',
        reason: `Opportunity ${line.name} has no current commission split, so only its owner changes; set its split if it needs one.`,
      });
      continue;
    }
    if (line.plannedRepId === null) {
      skipped.push({
        opportunityId: line.opportunityId,
        code: 'DEPARTING_NOT_IN_SPLIT',
        reason: `Opportunity ${line.name} had no owner, so no one's share is handed over; its split stays as it is.`,
      });
      continue;
    }
    const dates = requireDates(run);
    const outcome = planReassignment(
      {
        departingRepId: line.plannedRepId,
        target: { level: 'opportunity', opportunityId: line.opportunityId },
        scope: coreScope(run.scope),
        strategy: strategyFor(settings, line.toRepId),
        endDate: dates.endDate,
        reassignmentDate: dates.reassignmentDate,
        reason: run.reason,
      },
      [input],
      { policy, newRowId: () => randomUUID() },
    );
    if (!outcome.ok) throw refusalToAppError(outcome.refusal);
    adjustments.push(...adjustmentsOf(outcome.value, [input], adjustmentProblems));
    for (const item of outcome.value.items) {
      if (item.kind === 'skip') {
        skipped.push({ opportunityId: item.opportunityId, code: item.code, reason: item.reason });
        continue;
      }
      if (line.plannedAfter) {
        const reviewed = bpsKey(line.plannedAfter.map((p) => ({ id: p.repId, role: p.role, bps: p.bps })));
        const written = bpsKey(
          item.after.participants.map((p) => ({ id: p.participantId, role: p.role, bps: p.bps })),
        );
        if (reviewed !== written) {
          throw new AppError(
            'CONFLICT',
            `The commission split of opportunity ${line.name} would not be the one reviewed, so nothing was committed: solve the run again, review it, approve again, then commit.`,
            { details: { opportunityId: line.opportunityId, reviewed, wouldWrite: written } },
          );
        }
      }
      const meta = info.get(item.opportunityId)!;
      items.push({
        opportunityId: item.opportunityId,
        crmId: meta.crmId,
        name: meta.name,
        accountName: meta.accountName,
        fromRepId: line.plannedRepId,
        toRepId: line.toRepId,
        receiverRepId: receiverOf(item.action),
        effectiveDate: dates.reassignmentDate,
        change: item,
      });
      edits.push(item.edit);
    }
  }
  refuseUndecided(skipped, (id) => info.get(id)?.name ?? id);
  await writeEdits(tx, run, edits);
  return { items, skipped, adjustments, adjustmentProblems };
}

/** Ends the open rows (guarded: still open) and inserts the new rows; the history is never edited otherwise. */
async function writeEdits(tx: Tx, run: RunRow, edits: readonly HistoryEdit[]) {
  const rowsToAdd = edits.flatMap((e) => e.rowsToAdd);
  const notARep = rowsToAdd.find((r) => !/^[0-9a-f-]{36}$/i.test(r.participantId));
  if (notARep) {
    throw new AppError(
      'UNPROCESSABLE',
      'The new commission split gives a share to House, but the org has no House rep in its roster: import one (kind house), then commit.',
      { details: [{ path: 'reps', message: 'No rep of kind house.' }] },
    );
  }
  for (const edit of edits) {
    for (const retime of edit.rowsToEnd) {
      const ended = await tx
        .update(commissionSplits)
        .set({ effectiveTo: retime.effectiveToAfter })
        .where(
          and(
            eq(commissionSplits.id, retime.rowId),
            retime.effectiveToBefore === null
              ? isNull(commissionSplits.effectiveTo)
              : eq(commissionSplits.effectiveTo, retime.effectiveToBefore),
          ),
        )
        .returning({ id: commissionSplits.id });
      if (ended.length !== 1) {
        throw new AppError(
          'CONFLICT',
          `The commission split of opportunity ${edit.opportunityId} changed while committing; review it and commit again.`,
          { details: { opportunityId: edit.opportunityId, rowId: retime.rowId } },
        );
      }
    }
  }
  for (let i = 0; i < rowsToAdd.length; i += 1000) {
    await tx.insert(commissionSplits).values(
      rowsToAdd.slice(i, i + 1000).map((r) => ({
        id: r.rowId,
        orgId: run.orgId,
        opportunityId: r.opportunityId,
        repId: r.participantId,
        role: r.role,
        bps: r.bps,
        effectiveFrom: r.effectiveFrom,
        effectiveTo: r.effectiveTo,
        runId: run.id,
      })),
    );
  }
}

/**
 * The commission queue in step with the commit, in its transaction: every planned opportunity change of the run
 * becomes `complete`, except the ones the commit skipped, which become `error` with the reason (opportunity ids in
 * the core's messages replaced by names). A commit that fails rolls this back with everything else, so the items
 * stay `pending`.
 */
export async function recordQueueOutcomes(
  tx: Tx,
  run: RunRow,
  skipped: CommissionOutcome['skipped'],
  at: Date,
): Promise<{ complete: number; error: number }> {
  const planned = await tx
    .select({
      id: runOpportunityChanges.id,
      opportunityId: runOpportunityChanges.opportunityId,
      name: opportunities.name,
    })
    .from(runOpportunityChanges)
    .innerJoin(opportunities, eq(opportunities.id, runOpportunityChanges.opportunityId))
    .where(eq(runOpportunityChanges.runId, run.id));
  const reasons = new Map<string, string>();
  for (const s of skipped) if (!reasons.has(s.opportunityId)) reasons.set(s.opportunityId, s.reason);
  const failed = planned.filter((p) => reasons.has(p.opportunityId));
  for (const item of failed) {
    const reason = reasons.get(item.opportunityId)!.replaceAll(`"${item.opportunityId}"`, `"${item.name}"`);
    await tx
      .update(runOpportunityChanges)
      .set({
        status: 'error',
        error: reason,
        attempts: sql`${runOpportunityChanges.attempts} + 1`,
        updatedAt: at,
      })
      .where(eq(runOpportunityChanges.id, item.id));
  }
  const failedIds = failed.map((f) => f.id);
  const done = await tx
    .update(runOpportunityChanges)
    .set({
      status: 'complete',
      error: null,
      attempts: sql`${runOpportunityChanges.attempts} + 1`,
      updatedAt: at,
    })
    .where(
      failedIds.length > 0
        ? and(eq(runOpportunityChanges.runId, run.id), notInArray(runOpportunityChanges.id, failedIds))
        : eq(runOpportunityChanges.runId, run.id),
    )
    .returning({ id: runOpportunityChanges.id });
  await settleRetriedItems(tx, run, planned, failedIds, at);
  return { complete: done.length, error: failed.length };
}

/**
 * A run created by a queue retry (audit event commission_queue.retried filed under it) settles the item it
 * retried: complete when this commit wrote its opportunity; otherwise the item stays processing, and this run's
 * own item in error is the one to retry next (so one failure is never retried twice).
 */
async function settleRetriedItems(
  tx: Tx,
  run: RunRow,
  planned: readonly { id: string; opportunityId: string }[],
  failedIds: readonly string[],
  at: Date,
) {
  if (run.kind !== 'opportunity') return;
  const links = await tx
    .select({ itemId: auditEvents.entityId, after: auditEvents.after })
    .from(auditEvents)
    .where(and(eq(auditEvents.runId, run.id), eq(auditEvents.action, 'commission_queue.retried')));
  const written = new Set(planned.filter((p) => !failedIds.includes(p.id)).map((p) => p.opportunityId));
  const settled = links
    .filter((l) => written.has(String((l.after as { opportunityId?: string } | null)?.opportunityId)))
    .map((l) => l.itemId)
    .filter((id): id is string => typeof id === 'string');
  if (settled.length === 0) return;
  await tx
    .update(runOpportunityChanges)
    .set({ status: 'complete', error: null, updatedAt: at })
    .where(and(inArray(runOpportunityChanges.id, settled), eq(runOpportunityChanges.status, 'processing')));
}

/**
 * The reconciliation entries of one planned reassignment, over the same inputs it was planned on; a period the core
 * cannot allocate is kept as a problem (in the change set body), never a silent gap.
 */
function adjustmentsOf(
  plan: ReassignmentPlan,
  inputs: readonly OpportunityInput[],
  problems: CommissionOutcome['adjustmentProblems'],
): AdjustmentEntry[] {
  const result = reconciliationEntries(plan, inputs);
  problems.push(...result.problems.map((p) => ({ code: p.code, path: p.path, message: p.message })));
  return result.entries;
}

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

export interface AdjustmentSkip {
  opportunityId: string;
  periodId: string;
  participantId: string;
  amountCents: number;
  reason: string;
}

/**
 * Records the reconciliation entries of a commit in commission_adjustments, in the commit's transaction (after the
 * split changes are written): one row per entry — run, opportunity, rep, schedule period, signed cents (negative
 * clawback, positive credit), the kind in `note` (`clawback` / `credit`), created at the commit time. An entry whose
 * participant is not a rep of the org (no rep id to book it on) is not invented: it is returned as skipped with the
 * reason, and the commit keeps it in the change set body.
 */
export async function recordAdjustments(
  tx: Tx,
  run: RunRow,
  entries: readonly AdjustmentEntry[],
  repIds: ReadonlySet<string>,
  at: Date,
): Promise<{ recorded: number; skipped: AdjustmentSkip[] }> {
  const rows: (typeof commissionAdjustments.$inferInsert)[] = [];
  const skipped: AdjustmentSkip[] = [];
  for (const e of entries) {
    if (!UUID.test(e.participantId) || !repIds.has(e.participantId)) {
      skipped.push({
        opportunityId: e.opportunityId,
        periodId: e.periodId,
        participantId: e.participantId,
        amountCents: e.amountCents,
        reason: `The ${e.kind} of ${e.amountCents} cents for the period ${e.periodStart} to ${e.periodEnd} goes to participant "${e.participantId}", which is not a rep of this org, so it was not recorded: add the rep (House is a rep of kind house) and book this entry by hand.`,
      });
      continue;
    }
    rows.push({
      orgId: run.orgId,
      runId: run.id,
      opportunityId: e.opportunityId,
      revenueScheduleId: UUID.test(e.periodId) ? e.periodId : null,
      repId: e.participantId,
      periodStart: e.periodStart,
      periodEnd: e.periodEnd,
      amountCents: e.amountCents,
      note: e.kind,
      createdAt: at,
    });
  }
  for (let i = 0; i < rows.length; i += 1000) {
    await tx.insert(commissionAdjustments).values(rows.slice(i, i + 1000));
  }
  return { recorded: rows.length, skipped };
}

/** The note of a row reversing another (the reversed row's kind after the prefix). */
export const REVERSAL_PREFIX = 'reversal of ';

/**
 * The rollback of a run reverses its recorded adjustments (finance keeps the history): for each row the commit
 * recorded on an opportunity whose split the rollback restored, a row with the opposite amount, note
 * `reversal of clawback` / `reversal of credit`, at the rollback time. Rows of opportunities whose split could not
 * be restored (a rollback conflict) stay as they are, since the new split still applies there. Runs once: rows
 * already reversed are not reversed again. Meant to be called in the rollback transaction.
 */
export async function reverseAdjustments(
  tx: Tx,
  run: { id: string; orgId: string },
  restoredOpportunityIds: readonly string[],
  at: Date,
): Promise<{ reversed: number }> {
  if (restoredOpportunityIds.length === 0) return { reversed: 0 };
  const rows = await tx
    .select()
    .from(commissionAdjustments)
    .where(eq(commissionAdjustments.runId, run.id))
    .orderBy(asc(commissionAdjustments.createdAt), asc(commissionAdjustments.id));
  const restored = new Set(restoredOpportunityIds);
  const done = new Set(
    rows
      .filter((r) => r.note?.startsWith(REVERSAL_PREFIX))
      .map((r) => `${r.opportunityId}|${r.revenueScheduleId}|${r.repId}|${r.periodStart}`),
  );
  const reversing = rows
    .filter((r) => !r.note?.startsWith(REVERSAL_PREFIX) && restored.has(r.opportunityId))
    .filter((r) => !done.has(`${r.opportunityId}|${r.revenueScheduleId}|${r.repId}|${r.periodStart}`))
    .map((r) => ({
      orgId: run.orgId,
      runId: run.id,
      opportunityId: r.opportunityId,
      revenueScheduleId: r.revenueScheduleId,
      repId: r.repId,
      periodStart: r.periodStart,
      periodEnd: r.periodEnd,
      amountCents: -r.amountCents,
      note: `${REVERSAL_PREFIX}${r.note ?? (r.amountCents < 0 ? 'clawback' : 'credit')}`,
      createdAt: at,
    }));
  for (let i = 0; i < reversing.length; i += 1000) {
    await tx.insert(commissionAdjustments).values(reversing.slice(i, i + 1000));
  }
  return { reversed: reversing.length };
}
