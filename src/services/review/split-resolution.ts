/**
 * Ways out of a split the commit cannot write (issue 17: "offers only exclude or another type or share"). Such a
 * conflict is never accepted and never marked resolved while it still occurs: the change is made (the account
 * excluded or given to another rep, or another commission type or share chosen for the opportunity), the proposal
 * is refreshed, and the conflict goes away because the split can now be written — or the change is refused, with
 * the reason the split still cannot be written, and nothing is kept.
 */
import { and, eq, isNull } from 'drizzle-orm';
import { conflicts, runs } from '../../../db/schema/index.ts';
import { appendAudit } from '../../db/audit.ts';
import type { Tx } from '../../db/client.ts';
import { AppError } from '../../lib/errors.ts';
import { fieldIssues } from '../../lib/field-issues.ts';
import type { ActorFields } from '../audit/actor.ts';
import { departingOf, receiverReps } from '../commission-splits/receivers.ts';
import { receiverProblem } from '../commission-splits/split-after.ts';
import {
  type CommissionDecision,
  commissionDecision,
  commissionStrategyOf,
} from '../run-records/commission-params.ts';
import { auditEvent, type RunRow } from '../run-records/run-records.ts';
import { isUnwritableSplit } from './conflict-rules.ts';
import { assignmentOf, excludeRow, pinToResolve } from './proposal-edit.ts';

type ConflictRecord = typeof conflicts.$inferSelect;

/** A conflict as the resolution left it: the change made, who made it and why (the conflict itself is gone). */
export type ResolvedConflict = Omit<ConflictRecord, 'resolution'> & {
  resolution: 'accept' | 'override' | 'exclude' | 'commission';
};

export interface SplitResolutionInput {
  resolution: 'override' | 'exclude' | 'commission';
  note: string;
  /** override: the account's new owner. */
  repId?: string | undefined;
  /** commission: the type, type C share and receiving rep for the conflict's opportunity. */
  commission?: CommissionDecision | undefined;
}

const OPPORTUNITY_RUN_WAY_OUT =
  'This run hands over this one opportunity, so excluding it or giving its account to another rep leaves nothing to change: choose another commission type or share for it, or cancel the run (the opportunity then keeps its owner and split).';

/** Makes the change that should make the conflict's split writable; `stillUnwritable` checks it did. */
export async function applySplitResolution(
  tx: Tx,
  run: RunRow,
  conflict: ConflictRecord,
  input: SplitResolutionInput,
  actor: ActorFields,
  at: Date,
): Promise<ResolvedConflict> {
  if (run.kind === 'opportunity' && input.resolution !== 'commission')
    throw new AppError('CONFLICT', OPPORTUNITY_RUN_WAY_OUT);
  if (input.resolution === 'commission') await chooseCommission(tx, run, conflict, input);
  else if (!conflict.accountId)
    throw new AppError(
      'CONFLICT',
      'This conflict concerns the run’s commission parameters, not one account: cancel the run and start one with a valid commission type and share.',
    );
  else if (input.resolution === 'exclude')
    await excludeRow(tx, run, await assignmentOf(tx, run, conflict.accountId), actor, input.note, at);
  else {
    if (!input.repId)
      throw new AppError('VALIDATION_FAILED', 'An override needs the new owner.', {
        details: [{ path: 'repId', message: 'Choose the rep who should own the account.' }],
      });
    await pinToResolve(tx, run, conflict.accountId, input.repId, conflict.kind, actor, input.note, at);
  }
  await appendAudit(
    tx,
    auditEvent(actor, {
      action: 'conflict.resolved',
      entityType: 'conflict',
      entityId: conflict.id,
      runId: run.id,
      before: { kind: conflict.kind, severity: conflict.severity, resolution: conflict.resolution },
      after: {
        resolution: input.resolution,
        note: input.note,
        repId: input.repId ?? null,
        accountId: conflict.accountId,
        ...(input.commission ? { opportunityId: conflict.opportunityId, commission: input.commission } : {}),
      },
      at,
    }),
  );
  return {
    ...conflict,
    resolution: input.resolution,
    overrideRepId: input.resolution === 'override' ? (input.repId ?? null) : null,
    resolvedBy: actor.actorUserId ?? null,
    resolvedAt: at,
    note: input.note,
    details: { ...(conflict.details ?? {}), resolvedByLabel: actor.actorLabel },
  };
}

/** Another type or share for the conflict's opportunity: the run's override (its decision under the manual queue). */
async function chooseCommission(tx: Tx, run: RunRow, conflict: ConflictRecord, input: SplitResolutionInput) {
  if (!conflict.opportunityId || conflict.kind !== 'split_not_100')
    throw new AppError(
      'CONFLICT',
      conflict.kind === 'date_rule'
        ? 'This conflict is about the run’s dates, which no commission type or share changes: exclude the account, or cancel the run and start one with another end date.'
        : 'This conflict is not about one opportunity’s split: exclude the account, or cancel the run and start one with a valid commission type and share.',
    );
  const parsed = commissionDecision.safeParse(input.commission ?? {});
  if (!parsed.success)
    throw new AppError(
      'VALIDATION_FAILED',
      'Choose a commission type (and, for type C, the new rep’s share).',
      {
        details: fieldIssues(parsed.error, 'commission'),
      },
    );
  const choice: CommissionDecision = {
    commissionType: parsed.data.commissionType,
    ...(parsed.data.commissionType === 'custom' ? { customBps: parsed.data.customBps } : {}),
    ...(parsed.data.receiverRepId ? { receiverRepId: parsed.data.receiverRepId } : {}),
  };
  if (choice.receiverRepId) {
    const reps = await receiverReps(tx, [choice.receiverRepId]);
    const problem = receiverProblem(
      choice.receiverRepId,
      reps.get(choice.receiverRepId),
      departingOf(run.params),
    );
    if (problem)
      throw new AppError('VALIDATION_FAILED', problem, {
        details: [{ path: 'commission.receiverRepId', message: problem }],
      });
  }
  const manual = commissionStrategyOf(run.params) === 'manual';
  const field = manual ? 'commissionDecisions' : 'commissionOverrides';
  const params = {
    ...run.params,
    [field]: { ...(run.params[field] ?? {}), [conflict.opportunityId]: choice },
  };
  await tx.update(runs).set({ params }).where(eq(runs.id, run.id));
}

/**
 * After the proposal was refreshed: refused (and rolled back) when the conflict's opportunity — or account, for a
 * conflict about the whole account — still has a split the commit cannot write.
 */
export async function stillUnwritable(tx: Tx, runId: string, resolved: ResolvedConflict) {
  const open = await tx
    .select()
    .from(conflicts)
    .where(and(eq(conflicts.runId, runId), isNull(conflicts.resolution)));
  const left = open.find(
    (c) =>
      isUnwritableSplit(c.kind, c.details?.key) &&
      (resolved.opportunityId
        ? c.opportunityId === resolved.opportunityId
        : c.accountId === resolved.accountId),
  );
  if (!left) return;
  const change =
    resolved.resolution === 'commission'
      ? 'That commission type or share'
      : resolved.resolution === 'override'
        ? 'Giving the account to that rep'
        : 'Excluding the account';
  throw new AppError(
    'CONFLICT',
    `${change} does not make the split writable, so nothing was changed: ${left.message}`,
  );
}
