/**
 * Approval (F7): a manager pins the exact proposal (its change-set hash) of a solved or reviewed run. Refused while
 * a blocking conflict is open, when the proposal changed since the approver saw it, and — where the org asks for
 * two people — when the approver drafted the run.
 */
import { and, count, eq, isNull } from 'drizzle-orm';
import { orgs, runOpportunityChanges, runs } from '../../../db/schema/index.ts';
import { orgScope } from '../../auth/principal.ts';
import { appendAudit } from '../../db/audit.ts';
import type { Tx } from '../../db/client.ts';
import { withOrg } from '../../db/tenancy.ts';
import { AppError, forbidden } from '../../lib/errors.ts';
import { nextStatus } from '../../workflow/run-status.ts';
import { actingIds } from '../audit/actor.ts';
import { loadPlanningContext } from '../plan/planning-context.ts';
import { blockingConflictError, loadProposal, openBlockingConflicts } from '../review/proposal.ts';
import { commissionStrategyOf } from '../run-records/commission-params.ts';
import { lockRun } from '../run-records/run-records.ts';
import { type RunActionContext, type RunState, runState, transitionEvent } from '../run-records/run-state.ts';
import { liveProposalHash } from '../solve/refresh-proposal.ts';

export interface ApproveInput {
  runId: string;
  /** The run version the approver reviewed; refused when the proposal has changed since. */
  expectedVersion?: number | undefined;
  /** The proposal hash the approver reviewed (required: an approval names what was reviewed); refused when it
   * is no longer the proposal's hash. */
  expectedHash: string;
  note?: string | undefined;
}

export async function approveRun({
  ctx,
  input,
}: {
  ctx: RunActionContext;
  input: ApproveInput;
}): Promise<RunState> {
  if (ctx.principal.role !== 'manager') throw forbidden('Only a manager can approve a run.');
  return withOrg(ctx.db, orgScope(ctx.principal), async (tx) => {
    const run = await lockRun(tx, input.runId);
    const to = nextStatus(run.status, 'approve');
    if (input.expectedVersion !== undefined && input.expectedVersion !== run.version) {
      throw new AppError(
        'CONFLICT',
        `The proposal changed since you reviewed it (you saw version ${input.expectedVersion}, it is now version ${run.version}): review it again, then approve.`,
        { details: { expectedVersion: input.expectedVersion, version: run.version } },
      );
    }
    await checkTwoPerson(tx, ctx, run);
    const open = await openBlockingConflicts(tx, run.id);
    if (open.length > 0) throw blockingConflictError(open);
    await checkDecided(tx, run);
    const proposal = await loadProposal(tx, run.id);
    // An opportunity-level run changes one opportunity's owner (or, with plannedFromRepId, only its split) and no
    // account's: that is a change too (run_opportunity_changes from one rep to another).
    if (proposal.changes.length === 0 && proposal.opportunityChanges.length === 0) {
      throw new AppError('CONFLICT', 'The proposal changes no owner, so there is nothing to approve.');
    }
    const pinned = await checkPinnedHash(tx, ctx, run, input.expectedHash);
    return recordApproval(tx, ctx, { run, to, pinned, proposal, note: input.note });
  });
}

type LockedRun = Awaited<ReturnType<typeof lockRun>>;

/** Where the org asks for two people: refuses an API key and the manager who drafted the run. */
async function checkTwoPerson(tx: Tx, ctx: RunActionContext, run: LockedRun): Promise<void> {
  const [org] = await tx
    .select({ twoPerson: orgs.twoPersonApproval })
    .from(orgs)
    .where(eq(orgs.id, run.orgId));
  if (org?.twoPerson) {
    if (!ctx.principal.userId) {
      throw forbidden(
        'Your org requires two people for an approval: a signed-in manager who did not draft the run must approve it, not an API key.',
      );
    }
    if (run.draftedBy === ctx.principal.userId) {
      throw forbidden(
        'You drafted this run, and your org requires two people: another manager must approve it.',
      );
    }
  }
}

/** The manual queue: every opportunity of the proposal needs a person's decision first (as blocking as a conflict). */
async function checkDecided(tx: Tx, run: LockedRun): Promise<void> {
  if (commissionStrategyOf(run.params) !== 'manual') return;
  const [undecided] = await tx
    .select({ n: count() })
    .from(runOpportunityChanges)
    .where(and(eq(runOpportunityChanges.runId, run.id), isNull(runOpportunityChanges.commissionType)));
  const n = Number(undecided?.n ?? 0);
  if (n > 0) {
    throw new AppError(
      'CONFLICT',
      `${n} opportunit${n === 1 ? 'y has' : 'ies have'} no commission decision yet (manual queue): decide each under “Commission decisions” on the run’s page (/runs/${run.id}/commission-decisions), or with PUT /v1/runs/${run.id}/commission-decisions, then approve.`,
      { details: { undecided: n, decideAt: `/runs/${run.id}/commission-decisions` } },
    );
  }
}

/**
 * The hash to pin: runs.proposal_hash, the hash of the whole change set to be (owners, split changes, accounts left
 * unassigned), recomputed by every solve and every change, and shown to reviewers. Refused unless it still describes
 * the assignments and is the hash the approver reviewed.
 */
async function checkPinnedHash(
  tx: Tx,
  ctx: RunActionContext,
  run: LockedRun,
  expectedHash: string,
): Promise<string> {
  const pinned = run.proposalHash;
  if (!pinned) {
    throw new AppError('CONFLICT', 'The run has no proposal to approve yet: solve it first.');
  }
  // The stored hash must still describe the assignments as they are (whoever wrote them).
  const live = await liveProposalHash(tx, run, await loadPlanningContext(tx, run, ctx.clock()));
  if (live !== pinned) {
    throw new AppError(
      'CONFLICT',
      'The proposal changed since it was last reviewed (its assignments differ from its hash): open the review again, then approve.',
      { details: { proposalHash: pinned, currentHash: live } },
    );
  }
  if (expectedHash !== pinned) {
    throw new AppError(
      'CONFLICT',
      'The proposal changed since you reviewed it (its hash differs): review it again, then approve.',
      { details: { expectedHash, proposalHash: pinned } },
    );
  }
  return pinned;
}

/** Moves the run to approved with the pinned hash, and files the approval in the audit trail. */
async function recordApproval(
  tx: Tx,
  ctx: RunActionContext,
  a: {
    run: LockedRun;
    to: ReturnType<typeof nextStatus>;
    pinned: string;
    proposal: Awaited<ReturnType<typeof loadProposal>>;
    note: string | undefined;
  },
): Promise<RunState> {
  const { run, to, pinned, proposal } = a;
  const now = ctx.clock();
  const acting = actingIds(ctx.principal);
  const [updated] = await tx
    .update(runs)
    .set({
      status: to,
      approvedBy: acting.userId,
      approvedByApiKeyId: acting.apiKeyId,
      approvedAt: now,
      approvedHash: pinned,
      updatedAt: now,
    })
    .where(eq(runs.id, run.id))
    .returning();
  await appendAudit(
    tx,
    transitionEvent(
      ctx,
      run.id,
      'run.approved',
      run.status,
      to,
      {
        after: {
          approvedHash: pinned,
          version: run.version,
          changes: proposal.changes.length,
          opportunityChanges: proposal.opportunityChanges.length,
          note: a.note ?? null,
        },
      },
      now,
    ),
  );
  return runState(updated!);
}
