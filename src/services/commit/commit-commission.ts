/**
 * Commission split changes of a commit (C1–C6): the run's split plan (commission-splits/run-split-plan.ts, the
 * computation the review and the impact show) on locked split rows, written as new effective-dated rows (the old
 * rows only ended); the reconciliation entries of what was written; their reversal on rollback.
 */
import { randomUUID } from 'node:crypto';
import { and, asc, eq, isNull } from 'drizzle-orm';
import { commissionAdjustments, commissionSplits } from '../../../db/schema/index.ts';
import {
  type AdjustmentEntry,
  type HistoryEdit,
  type PlannedChange,
  type ReassignmentPlan,
  reconciliationEntries,
} from '../../commission/index.ts';
import type { Tx } from '../../db/client.ts';
import { AppError } from '../../lib/errors.ts';
import { commissionPolicyOf } from '../commission-splits/cascade-rule.ts';
import type { CommissionSettings } from '../commission-splits/commission-settings.ts';
import { type AccountMove, type PlannedSplit, planRunSplits } from '../commission-splits/run-split-plan.ts';
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

/**
 * Plans the run's split changes with the one computation the review and the impact show (run-split-plan.ts), on
 * split rows locked for the commit, and writes them. Anything the plan cannot write refuses the whole commit
 * (the review showed it as a blocking conflict that cannot be accepted), so ownership and splits change together.
 * For an opportunity-level run the split written must also be the one the reviewed proposal stored
 * (run_opportunity_changes.after_splits).
 */
export async function applyRunSplits(
  tx: Tx,
  run: RunRow,
  work: { moves: readonly AccountMove[]; lines: readonly OpportunityLine[] },
  settings: CommissionSettings | null,
  houseRepId: string | null,
): Promise<CommissionOutcome> {
  if (work.moves.length === 0 && work.lines.length === 0) return emptyCommissionOutcome();
  const planned = await planRunSplits(tx, {
    run,
    settings,
    policy: commissionPolicyOf(await loadRuleset(tx, run.rulesetId), houseRepId),
    houseRepId,
    moves: work.moves,
    handovers: work.lines.map((l) => ({
      opportunityId: l.opportunityId,
      fromRepId: l.plannedRepId,
      toRepId: l.toRepId,
    })),
    lockSplits: true,
    newRowId: () => randomUUID(),
  });
  refuseUndecided(planned.undecided, (id) => work.lines.find((l) => l.opportunityId === id)?.name ?? id);
  const refusal = planned.refusals[0];
  if (refusal) {
    throw new AppError(
      'CONFLICT',
      `${refusal.message} Nothing was committed: exclude ${refusal.opportunityName ? `the account of ${refusal.opportunityName}` : 'the account'} or choose another commission type or share, approve again, then commit.`,
      { details: { refusals: planned.refusals } },
    );
  }
  const reviewed = new Map(work.lines.map((l) => [l.opportunityId, l]));
  const items: SplitChangeItem[] = [];
  const adjustments: AdjustmentEntry[] = [];
  const adjustmentProblems: CommissionOutcome['adjustmentProblems'] = [];
  for (const s of planned.splits) {
    const line = s.level === 'opportunity' ? reviewed.get(s.change.opportunityId) : undefined;
    if (line?.plannedAfter) refuseUnreviewed(line, s);
    adjustments.push(...adjustmentsOf(s, run, adjustmentProblems));
    items.push({
      opportunityId: s.change.opportunityId,
      crmId: s.ref.crmId,
      name: s.ref.name,
      accountName: s.ref.accountName,
      fromRepId: s.fromRepId,
      toRepId: s.toRepId,
      receiverRepId: s.receiverRepId,
      effectiveDate: run.reassignmentDate!,
      change: s.change,
    });
  }
  await writeEdits(
    tx,
    run,
    planned.splits.map((s) => s.change.edit),
  );
  const skipped = planned.skipped.map(({ opportunityId, code, reason }) => ({ opportunityId, code, reason }));
  return { items, skipped, adjustments, adjustmentProblems };
}

const bpsKey = (parts: readonly { id: string; role: string; bps: number }[]) =>
  parts
    .filter((p) => p.bps > 0)
    .map((p) => `${p.role}:${p.id}:${p.bps}`)
    .sort()
    .join(',');

/** The split an opportunity-level run writes is the one its proposal stored and the manager reviewed. */
function refuseUnreviewed(line: OpportunityLine, s: PlannedSplit) {
  const reviewed = bpsKey((line.plannedAfter ?? []).map((p) => ({ id: p.repId, role: p.role, bps: p.bps })));
  const written = bpsKey(
    s.change.after.participants.map((p) => ({ id: p.participantId, role: p.role, bps: p.bps })),
  );
  if (reviewed === written) return;
  throw new AppError(
    'CONFLICT',
    `The commission split of opportunity ${line.name} would not be the one reviewed, so nothing was committed: solve the run again, review it, approve again, then commit.`,
    { details: { opportunityId: line.opportunityId, reviewed, wouldWrite: written } },
  );
}

/** Ends the open rows (guarded: still open) and inserts the new rows; the history is never edited otherwise. */
async function writeEdits(tx: Tx, run: RunRow, edits: readonly HistoryEdit[]) {
  const rowsToAdd = edits.flatMap((e) => e.rowsToAdd);
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
 * The reconciliation entries of one planned split change, over the history it was planned on; a period the core
 * cannot allocate is kept as a problem (in the change set body), never a silent gap.
 */
function adjustmentsOf(
  s: PlannedSplit,
  run: RunRow,
  problems: CommissionOutcome['adjustmentProblems'],
): AdjustmentEntry[] {
  const plan: ReassignmentPlan = {
    departingRepId: s.fromRepId,
    level: s.level,
    scope: 'active',
    endDate: run.commissionEndDate!,
    reassignmentDate: run.reassignmentDate!,
    firstNewDay: '',
    houseGap: null,
    reason: '',
    statements: [],
    items: [s.change],
    counts: { opportunities: 1, changed: 1, skipped: 0, accountsChanged: 1 },
  };
  const result = reconciliationEntries(plan, [s.input]);
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
