/**
 * Commit (F8): ONE transaction writes the ownership changes, the commission changes, the change set and its items,
 * the audit events (the run's whole book before and after, one event per transition) and the notices to send — or
 * nothing. The run row is locked first, so concurrent commits queue; the one that comes second sees the run
 * committed and returns the same change set. A run commits at most once (change_sets is unique per run).
 */

import { eq } from 'drizzle-orm';
import { changeSetItems, changeSets, reps, runs } from '../../../db/schema/index.ts';
import { orgScope } from '../../auth/principal.ts';
import { appendAuditEvents } from '../../db/audit.ts';
import type { Tx } from '../../db/client.ts';
import { withOrg } from '../../db/tenancy.ts';
import { AppError, forbidden } from '../../lib/errors.ts';
import { shareLosers } from '../../notices/shares.ts';
import {
  type ChangeItemPayload,
  changeItemSchema,
  type OwnerSnapshot,
} from '../../workflow/change-set-items.ts';
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
  const repById = new Map(roster.map((r) => [r.id, r]));
  const owner = (repId: string | null): OwnerSnapshot => {
    const rep = repId ? repById.get(repId) : undefined;
    return { repId, name: rep?.name ?? null, email: rep?.email ?? null, crmUserId: rep?.crmUserId ?? null };
  };

  // An opportunity-level run's proposal includes its split change whatever the scope; other runs cascade to the
  // opportunities of the accounts they move unless the scope is ownership only.
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
  const adjustments = await recordAdjustments(
    tx,
    run,
    commission.adjustments,
    new Set(roster.map((r) => r.id)),
    now,
  );

  // The per-opportunity queue (run_opportunity_changes) records what this commit did, in the same transaction.
  await recordQueueOutcomes(tx, run, commission.skipped, now);
  // A retry run settles the item it retried: complete when it wrote the opportunity, error when it skipped it again.
  await settleRetriedItemsAfterCommit(tx, run, now, actorFields(ctx));

  const effectiveDate = run.reassignmentDate ?? now.toISOString().slice(0, 10);
  const items: (typeof changeSetItems.$inferInsert)[] = [];
  const item = (
    values: Omit<
      typeof changeSetItems.$inferInsert,
      'orgId' | 'changeSetId' | 'seq' | 'object' | 'before' | 'after'
    >,
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
  for (const l of moved) {
    item(
      {
        recordId: l.accountId,
        crmId: l.crmId,
        recordName: l.name,
        fromRepId: l.plannedRepId,
        toRepId: l.toRepId,
        effectiveDate,
        reason: run.reason,
      },
      { object: 'account', before: owner(l.plannedRepId), after: owner(l.toRepId) },
    );
  }
  for (const o of opportunityMoves) {
    item(
      {
        recordId: o.opportunityId,
        crmId: o.crmId,
        recordName: o.name,
        fromRepId: o.fromRepId,
        toRepId: o.toRepId,
        effectiveDate,
        reason: run.reason,
      },
      { object: 'opportunity', before: owner(o.fromRepId), after: owner(o.toRepId) },
    );
  }
  for (const s of commission.items) {
    item(
      {
        recordId: s.opportunityId,
        crmId: s.crmId,
        recordName: s.name,
        fromRepId: s.fromRepId,
        toRepId: s.toRepId,
        effectiveDate: s.effectiveDate,
        reason: run.reason,
      },
      {
        object: 'split',
        before: { participants: s.change.before.participants },
        after: { participants: s.change.after.participants, edit: s.change.edit },
      },
    );
  }

  const repName = (id: string) => repById.get(id)?.name ?? id;
  const written = await writeHandoffNotices(tx, run, {
    moves: moved.map((l) => ({
      accountId: l.accountId,
      name: l.name,
      revenueCents: l.revenueCents,
      fromRepId: l.plannedRepId,
      toRepId: l.toRepId!,
    })),
    splits: commission.items.map((s) => ({
      opportunityName: s.name,
      accountName: s.accountName,
      before: Object.fromEntries(s.change.before.participants.map((p) => [repName(p.participantId), p.bps])),
      after: Object.fromEntries(s.change.after.participants.map((p) => [repName(p.participantId), p.bps])),
      receiverRepIds: s.receiverRepId && s.receiverRepId !== s.toRepId ? [s.receiverRepId] : [],
      loserRepIds: shareLosers(s.change.before.participants, s.change.after.participants),
    })),
    appBaseUrl,
    effectiveDate,
  });

  const counts = {
    accounts: moved.length,
    opportunities: opportunityMoves.length,
    splits: commission.items.length,
    notices: written.count,
  };
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
        counts,
        approvedHash: run.approvedHash,
        approvedBy: run.approvedBy ?? run.approvedByApiKeyId,
        approvedAt: run.approvedAt?.toISOString() ?? null,
        version: run.version,
        scope: run.scope,
        commission: settings,
        commissionEndDate: run.commissionEndDate,
        reassignmentDate: run.reassignmentDate,
        effectiveDate,
        commissionSkipped: commission.skipped,
        adjustments: {
          recorded: adjustments.recorded,
          skipped: adjustments.skipped,
          problems: commission.adjustmentProblems,
        },
        unreachableRecipients: written.unreachable,
      },
    })
    .returning();
  for (let i = 0; i < items.length; i += 1000) {
    await tx
      .insert(changeSetItems)
      .values(items.slice(i, i + 1000).map((it) => ({ ...it, changeSetId: changeSet!.id })));
  }

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
      { after: { changeSetId: changeSet!.id, hash: changeSet!.hash, counts } },
      now,
    ),
  ]);
  return { run: runState(updated!), changeSet: changeSetSummary(changeSet!) };
}
