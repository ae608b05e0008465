/**
 * Commit (F8): ONE transaction writes the ownership changes, the commission changes, the change set and its items,
 * the audit events (the run's whole book before and after, one event per transition) and the notices to send — or
 * nothing. The run row is locked first, so concurrent commits queue; the one that comes second sees the run
 * committed and returns the same change set. A run commits at most once (change_sets is unique per run).
 */

import { eq } from 'drizzle-orm';
import { reps, runs } from '../../../db/schema/index.ts';
import { orgScope } from '../../auth/principal.ts';
import { appendAuditEvents } from '../../db/audit.ts';
import type { Tx } from '../../db/client.ts';
import { withOrg } from '../../db/tenancy.ts';
import { AppError, forbidden } from '../../lib/errors.ts';
import { shareLosers } from '../../notices/shares.ts';
import { nextStatus } from '../../workflow/run-status.ts';
import { actingIds, actorFields } from '../audit/actor.ts';
import { settleRetriedItemsAfterCommit } from '../commission-queue/settle.ts';
import { runSettings } from '../commission-splits/commission-settings.ts';
import { loadPlanningContext } from '../plan/planning-context.ts';
import { loadProposal, openBlockingConflicts } from '../review/proposal.ts';
import { lockRun, type RunRow } from '../run-records/run-records.ts';
import { type RunActionContext, type RunState, runState, transitionEvent } from '../run-records/run-state.ts';
import { liveProposalHash } from '../solve/refresh-proposal.ts';
import { bookEvent } from './book-event.ts';
import { type ChangeSetSummary, changeSetSummary, existingChangeSet } from './change-set-summary.ts';
import { applyRunSplits, type CommissionOutcome, recordAdjustments } from './commit-commission.ts';
import { writeHandoffNotices } from './commit-notices.ts';
import {
  type BookLine,
  lockRunBook,
  lockRunOpportunities,
  moveAccounts,
  movedLines,
  moveOpportunities,
  moveOpportunityOwners,
  type OpportunityLine,
  type OpportunityMove,
  staleOpportunityError,
  staleOwnerError,
} from './commit-ownership.ts';
import { recordQueueOutcomes } from './commit-queue-outcomes.ts';
import { type CommitSummary, changeSetItemsOf, insertChangeSet, ownerSnapshots } from './write-change-set.ts';

export interface CommitInput {
  runId: string;
  /** Base of the links in the notices (APP_BASE_URL). */
  appBaseUrl: string;
}

export interface CommitResult {
  run: RunState;
  changeSet: ChangeSetSummary;
}

export async function commitRun({
  ctx,
  input,
}: {
  ctx: RunActionContext;
  input: CommitInput;
}): Promise<CommitResult> {
  if (ctx.principal.role !== 'manager') throw forbidden('Only a manager can commit a run.');
  return withOrg(ctx.db, orgScope(ctx.principal), async (tx) => {
    const run = await lockRun(tx, input.runId);
    // A commit that waited on the lock behind the one that applied the run returns what that one wrote.
    if (run.status === 'committed')
      return { run: runState(run), changeSet: await existingChangeSet(tx, run.id) };
    if (run.status === 'rolled_back') {
      throw new AppError(
        'CONFLICT',
        'This run was committed and then rolled back; it cannot be committed again. Start a new run.',
      );
    }
    const committing = nextStatus(run.status, 'commit');
    const open = await openBlockingConflicts(tx, run.id);
    if (open.length > 0) {
      throw new AppError(
        'CONFLICT',
        `${open.length} blocking conflict(s) are open: resolve them and approve again.`,
        {
          details: {
            conflicts: open.map((c) => ({ kind: c.kind, message: c.message, accountId: c.accountId })),
          },
        },
      );
    }
    // An opportunity-level run's opportunity whose owner changed since the run was planned is reported as such
    // (before the hash check, which it would also fail when its split was part of the proposal).
    const opportunityLines = await lockRunOpportunities(tx, run);
    const staleOpportunities = staleOpportunityError(opportunityLines);
    if (staleOpportunities) throw staleOpportunities;
    // Every change of the proposal recomputes runs.proposal_hash and voids the approval; this is the last check.
    await loadProposal(tx, run.id);
    const live = run.approvedHash
      ? await liveProposalHash(tx, run, await loadPlanningContext(tx, run, ctx.clock()))
      : null;
    if (!run.approvedHash || run.approvedHash !== live) {
      throw new AppError('CONFLICT', 'The proposal changed since approval; approve again.', {
        details: { approvedHash: run.approvedHash, proposalHash: live },
      });
    }
    return applyCommit(ctx, tx, run, committing, input.appBaseUrl, opportunityLines);
  });
}

/** Applies an approved, checked run: ownership, commission, the change set, the notices and the run's status. */
async function applyCommit(
  ctx: RunActionContext,
  tx: Tx,
  run: RunRow,
  committing: RunRow['status'],
  appBaseUrl: string,
  opportunityLines: readonly OpportunityLine[],
): Promise<CommitResult> {
  const now = ctx.clock();
  const acting = actingIds(ctx.principal);
  const book = await lockRunBook(tx, run.id);
  const stale = staleOwnerError(book);
  if (stale) throw stale;
  const moved = movedLines(book);
  await tx.update(runs).set({ status: committing, updatedAt: now }).where(eq(runs.id, run.id));
  await moveAccounts(tx, run.id, moved.length, now);
  // An opportunity-level run hands its opportunity over on its own; other runs move opportunities with accounts.
  const handedOver = await moveOpportunityOwners(tx, opportunityLines, now);
  const opportunityMoves: OpportunityMove[] = [...handedOver, ...(await moveOpportunities(tx, run, now))];

  const roster = await tx
    .select({ id: reps.id, name: reps.name, email: reps.email, crmUserId: reps.crmUserId, kind: reps.kind })
    .from(reps);
  const { settings, commission, adjustments } = await commitCommission(ctx, tx, run, {
    moved,
    opportunityLines,
    roster,
    now,
  });

  const effectiveDate = run.reassignmentDate ?? now.toISOString().slice(0, 10);
  const items = changeSetItemsOf(
    run,
    { moved, opportunityMoves, splits: commission.items },
    ownerSnapshots(roster),
    effectiveDate,
  );
  const written = await notifyHandoffs(tx, run, { moved, commission, roster, appBaseUrl, effectiveDate });
  const counts = {
    accounts: moved.length,
    opportunities: opportunityMoves.length,
    splits: commission.items.length,
    notices: written.count,
  };
  const summary = {
    counts,
    settings,
    effectiveDate,
    commission,
    adjustments,
    unreachableRecipients: written.unreachable,
  };
  const changeSet = await insertChangeSet(tx, run, acting, now, summary, items);

  const updated = await markCommitted(ctx, tx, run, { committing, book, handedOver, changeSet, counts, now });
  return { run: runState(updated), changeSet: changeSetSummary(changeSet) };
}

/** The run committed, with its audit events: the commit started, the whole book before and after, committed. */
async function markCommitted(
  ctx: RunActionContext,
  tx: Tx,
  run: RunRow,
  done: {
    committing: RunRow['status'];
    book: readonly BookLine[];
    handedOver: readonly OpportunityMove[];
    changeSet: Awaited<ReturnType<typeof insertChangeSet>>;
    counts: CommitSummary['counts'];
    now: Date;
  },
) {
  const { committing, book, handedOver, changeSet, counts, now } = done;
  const acting = actingIds(ctx.principal);
  const committed = nextStatus(committing, 'commit_succeeded');
  const [updated] = await tx
    .update(runs)
    .set({
      status: committed,
      committedBy: acting.userId,
      committedByApiKeyId: acting.apiKeyId,
      committedAt: now,
      updatedAt: now,
    })
    .where(eq(runs.id, run.id))
    .returning();
  await appendAuditEvents(tx, [
    transitionEvent(
      ctx,
      run.id,
      'run.commit_started',
      run.status,
      committing,
      { after: { approvedHash: run.approvedHash } },
      now,
    ),
    bookEvent(ctx, run.id, book, handedOver, now),
    transitionEvent(
      ctx,
      run.id,
      'run.committed',
      committing,
      committed,
      { after: { changeSetId: changeSet.id, hash: changeSet.hash, counts } },
      now,
    ),
  ]);
  return updated!;
}

/**
 * The commission side of a commit: the run's split changes written, their reconciliation booked, and the
 * per-opportunity queue told what happened. An opportunity-level run's proposal includes its split change whatever
 * the scope; other runs cascade to the opportunities of the accounts they move unless the scope is ownership only.
 */
async function commitCommission(
  ctx: RunActionContext,
  tx: Tx,
  run: RunRow,
  input: {
    moved: readonly BookLine[];
    opportunityLines: readonly OpportunityLine[];
    roster: readonly { id: string; kind: string }[];
    now: Date;
  },
) {
  const { moved, opportunityLines, roster, now } = input;
  const { settings, problem } = runSettings(run, opportunityLines.length > 0);
  if (problem) throw new AppError('CONFLICT', `${problem} Nothing was committed.`);
  const commission: CommissionOutcome = await applyRunSplits(
    tx,
    run,
    {
      moves: moved
        .filter((l) => l.plannedRepId !== null && l.toRepId !== null)
        .map((l) => ({ accountId: l.accountId, fromRepId: l.plannedRepId!, toRepId: l.toRepId! })),
      lines: opportunityLines,
    },
    settings,
    roster.find((r) => r.kind === 'house')?.id ?? null,
  );
  // Periods after the end date already paid under the old split: the clawbacks and credits (C6) are booked in
  // commission_adjustments, in this transaction, after the split changes are written.
  const repIds = new Set(roster.map((r) => r.id));
  const adjustments = await recordAdjustments(tx, run, commission.adjustments, repIds, now);
  // The per-opportunity queue (run_opportunity_changes) records what this commit did, in the same transaction.
  await recordQueueOutcomes(tx, run, commission.skipped, now);
  // A retry run settles the item it retried: complete when it wrote the opportunity, error when it skipped it again.
  await settleRetriedItemsAfterCommit(tx, run, now, actorFields(ctx));
  return { settings, commission, adjustments };
}

/** The hand-off notices of the accounts moved and the splits changed, written to the outbox. */
function notifyHandoffs(
  tx: Tx,
  run: RunRow,
  input: {
    moved: readonly BookLine[];
    commission: CommissionOutcome;
    roster: readonly { id: string; name: string }[];
    appBaseUrl: string;
    effectiveDate: string;
  },
) {
  const names = new Map(input.roster.map((r) => [r.id, r.name]));
  const repName = (id: string) => names.get(id) ?? id;
  const shares = (parts: readonly { participantId: string; bps: number }[]) =>
    Object.fromEntries(parts.map((p) => [repName(p.participantId), p.bps]));
  return writeHandoffNotices(tx, run, {
    moves: input.moved.map((l) => ({
      accountId: l.accountId,
      name: l.name,
      revenueCents: l.revenueCents,
      fromRepId: l.plannedRepId,
      toRepId: l.toRepId!,
    })),
    splits: input.commission.items.map((s) => ({
      opportunityName: s.name,
      accountName: s.accountName,
      before: shares(s.change.before.participants),
      after: shares(s.change.after.participants),
      receiverRepIds: s.receiverRepId && s.receiverRepId !== s.toRepId ? [s.receiverRepId] : [],
      loserRepIds: shareLosers(s.change.before.participants, s.change.after.participants),
    })),
    appBaseUrl: input.appBaseUrl,
    effectiveDate: input.effectiveDate,
  });
}
