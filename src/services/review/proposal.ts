/**
 * The proposal of a run as approval and commit see it: the ownership changes read from run_assignments (not
 * excluded, new owner different from the planned one), the opportunity owner changes of run_opportunity_changes
 * (an opportunity-level run's one change), and the blocking conflicts still open. The proposal hash approval pins is
 * solve/refresh-proposal.ts's (proposalHash in src/workflow/change-set.ts).
 */
import { and, asc, eq, isNotNull, sql } from 'drizzle-orm';
import { accounts, conflicts, runAssignments, runOpportunityChanges } from '../../../db/schema/index.ts';
import type { Tx } from '../../db/client.ts';
import { AppError } from '../../lib/errors.ts';
import { changeSetProblems, type OwnershipChange } from '../../workflow/change-set.ts';
import { type DetectedConflict, openBlocking } from '../../workflow/conflicts.ts';

export interface ProposalLine {
  accountId: string;
  crmId: string;
  name: string;
  fromRepId: string | null;
  toRepId: string | null;
}

export interface Proposal {
  /** Every non-excluded assignment (moved or kept), in account id order. */
  lines: ProposalLine[];
  /** The ownership changes a commit would make. */
  changes: OwnershipChange[];
  /** Opportunities whose owner the proposal changes (with their account's move, or on their own). */
  opportunityChanges: OpportunityOwnerChange[];
}

export interface OpportunityOwnerChange {
  opportunityId: string;
  fromRepId: string | null;
  toRepId: string;
}

/** Reads the current proposal of a run; refuses one that leaves an account without an owner or is unsafe. */
export async function loadProposal(tx: Tx, runId: string): Promise<Proposal> {
  const rows = await tx
    .select({
      accountId: runAssignments.accountId,
      crmId: accounts.crmId,
      name: accounts.name,
      fromRepId: runAssignments.fromRepId,
      toRepId: runAssignments.toRepId,
    })
    .from(runAssignments)
    .innerJoin(accounts, eq(accounts.id, runAssignments.accountId))
    .where(and(eq(runAssignments.runId, runId), eq(runAssignments.excluded, false)))
    .orderBy(asc(runAssignments.accountId));
  const unassigned = rows.filter((r) => r.toRepId === null);
  if (unassigned.length > 0) {
    throw new AppError(
      'CONFLICT',
      `${unassigned.length} account(s) of this run have no new owner: override the owner or exclude them, then approve again.`,
      {
        details: {
          unassigned: unassigned
            .slice(0, 100)
            .map((r) => ({ accountId: r.accountId, crmId: r.crmId, name: r.name })),
        },
      },
    );
  }
  const changes: OwnershipChange[] = rows
    .filter((r) => r.toRepId !== r.fromRepId)
    .map((r) => ({
      accountId: r.accountId,
      accountCrmId: r.crmId,
      fromRepId: r.fromRepId,
      toRepId: r.toRepId!,
    }));
  const content = { runId, ownership: changes, splits: [] };
  const problems = changeSetProblems(content);
  if (problems.length > 0) {
    throw new AppError('CONFLICT', `The proposal cannot be committed: ${problems.slice(0, 5).join(' ')}`, {
      details: { problems },
    });
  }
  const opportunityChanges = await tx
    .select({
      opportunityId: runOpportunityChanges.opportunityId,
      fromRepId: runOpportunityChanges.fromRepId,
      toRepId: runOpportunityChanges.toRepId,
    })
    .from(runOpportunityChanges)
    .where(
      and(
        eq(runOpportunityChanges.runId, runId),
        isNotNull(runOpportunityChanges.toRepId),
        sql`${runOpportunityChanges.toRepId} is distinct from ${runOpportunityChanges.fromRepId}`,
      ),
    )
    .orderBy(asc(runOpportunityChanges.opportunityId));
  return {
    lines: rows,
    changes,
    opportunityChanges: opportunityChanges.map((c) => ({ ...c, toRepId: c.toRepId! })),
  };
}

/** Blocking conflicts of the run without a resolution (a conflict row's key is its kind and the records it names). */
export async function openBlockingConflicts(tx: Tx, runId: string): Promise<DetectedConflict[]> {
  const rows = await tx
    .select()
    .from(conflicts)
    .where(eq(conflicts.runId, runId))
    .orderBy(asc(conflicts.createdAt));
  const detected: DetectedConflict[] = rows.map((r) => ({
    kind: r.kind as DetectedConflict['kind'],
    severity: r.severity,
    key: conflictKey(r),
    accountId: r.accountId,
    opportunityId: r.opportunityId,
    repId: r.repId,
    message: r.message,
  }));
  const resolutions = rows
    .filter((r) => r.resolution !== null)
    .map((r) => ({ key: conflictKey(r), resolution: r.resolution! }));
  return openBlocking(detected, resolutions);
}

function conflictKey(r: {
  id: string;
  kind: string;
  accountId: string | null;
  opportunityId: string | null;
  repId: string | null;
}) {
  // The row id keeps two unresolved rows with the same records apart; one resolution resolves its own row only.
  return [r.kind, r.accountId ?? '', r.opportunityId ?? '', r.repId ?? '', r.id].join(':');
}

export function blockingConflictError(open: DetectedConflict[]): AppError {
  return new AppError(
    'CONFLICT',
    `${open.length} blocking conflict(s) are still open: resolve each (accept, override the owner or exclude the account) before approving.`,
    {
      details: {
        conflicts: open.map((c) => ({
          kind: c.kind,
          message: c.message,
          accountId: c.accountId,
          opportunityId: c.opportunityId,
          repId: c.repId,
        })),
      },
    },
  );
}
