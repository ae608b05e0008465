/**
 * Keeps a run's derived state in step with its assignments: the conflicts (F5, by stable key, keeping earlier
 * resolutions and dropping what no longer occurs), the opportunity-level changes of its scope, and the proposal
 * hash that approval pins. Called after every solve and every change.
 */
import { eq } from 'drizzle-orm';
import {
  type RunMetricsColumn,
  runAssignments,
  runOpportunityChanges,
  runs,
} from '../../../db/schema/index.ts';
import type { Tx } from '../../db/client.ts';
import type { Conflict as SolverConflict } from '../../solver/index.ts';
import {
  type OwnershipChange,
  type ProposalContent,
  proposalHash,
  type SplitChange,
} from '../../workflow/change-set.ts';
import {
  CONFLICT_KINDS,
  type ConflictInput,
  type DetectedConflict,
  detectConflicts,
} from '../../workflow/conflicts.ts';
import { capsFor, inRealignmentScope, protectionsOf, runLeavers } from '../plan/build-solve-input.ts';
import type { PlanningContext } from '../plan/planning-context.ts';
import type { RunRow } from '../run-records/run-records.ts';
import { opportunityChanges } from './opportunity-changes.ts';
import { splitPlanConflicts } from './split-conflicts.ts';
import { syncConflicts } from './sync-conflicts.ts';

export type AssignmentRow = typeof runAssignments.$inferSelect;

export interface RefreshResult {
  proposalHash: string;
  conflicts: DetectedConflict[];
}

/** The solver's own findings that detectConflicts cannot see (a pin to a rep outside the account's region). */
function solverExtras(
  stored: readonly SolverConflict[],
  assignments: ReadonlyMap<string, AssignmentRow>,
): DetectedConflict[] {
  const out: DetectedConflict[] = [];
  for (const c of stored) {
    if (c.code !== 'pin-ineligible' || !c.accountId) continue;
    const line = assignments.get(c.accountId);
    if (!line || line.excluded || !line.pinned || line.toRepId !== (c.repId ?? line.toRepId)) continue;
    const kind = 'receiver_ineligible' as const;
    out.push({
      kind,
      severity: CONFLICT_KINDS[kind],
      key: [kind, c.accountId, '', c.repId ?? ''].join(':'),
      accountId: c.accountId,
      opportunityId: null,
      repId: c.repId ?? null,
      message: c.message,
    });
  }
  return out;
}

export async function refreshProposal(
  tx: Tx,
  run: RunRow,
  plan: PlanningContext,
  solverConflicts: readonly SolverConflict[] = [],
  at = new Date(),
): Promise<RefreshResult> {
  const rows = await tx.select().from(runAssignments).where(eq(runAssignments.runId, run.id));
  const byAccount = new Map(rows.map((r) => [r.accountId, r]));
  const live = rows.filter((r) => !r.excluded);

  // 1. Opportunity-level changes: what moves with each account (or the one opportunity of the run).
  const oppChanges = opportunityChanges(run, plan, live);
  await tx.delete(runOpportunityChanges).where(eq(runOpportunityChanges.runId, run.id));
  if (oppChanges.length > 0) {
    await tx.insert(runOpportunityChanges).values(
      oppChanges.map((c) => ({
        orgId: run.orgId,
        runId: run.id,
        opportunityId: c.opportunityId,
        fromRepId: c.fromRepId,
        toRepId: c.toRepId,
        commissionType: c.commissionType,
        customBps: c.customBps,
        beforeSplits: c.before,
        afterSplits: c.after,
        error: c.error,
        createdAt: at,
        updatedAt: at,
      })),
    );
  }

  // 2. Conflicts, computed on the proposal as it stands.
  const detected = detectConflicts(conflictInputOf(run, plan, rows));
  const keys = new Set(detected.map((c) => c.key));
  for (const extra of solverExtras(solverConflicts, byAccount)) {
    if (!keys.has(extra.key)) {
      keys.add(extra.key);
      detected.push(extra);
    }
  }
  for (const c of oppChanges) {
    if (!c.error) continue;
    // A reconciled period keeps a cascade off the split by policy (accepted, the split stays as reviewed); any
    // other error is a split the commit cannot write (review/conflict-rules.ts: never accepted).
    const key = ['split_not_100', '', c.opportunityId, c.reconciled ? 'RECONCILED_PERIOD' : ''].join(':');
    if (keys.has(key)) continue;
    keys.add(key);
    detected.push({
      kind: 'split_not_100',
      severity: 'blocking',
      key,
      accountId: c.accountId,
      opportunityId: c.opportunityId,
      repId: null,
      message: `The split of opportunity ${c.opportunityName} cannot be reassigned: ${c.error}.`,
    });
  }
  // 2b. Whatever would make the commit refuse the split changes: blocking, and never to be accepted.
  const handovers = oppChanges
    .filter((c) => run.kind === 'opportunity' && c.toRepId !== c.fromRepId)
    .map((c) => ({ opportunityId: c.opportunityId, fromRepId: c.fromRepId, toRepId: c.toRepId }));
  detected.push(...(await splitPlanConflicts(tx, run, plan, live, handovers, detected)));
  await syncConflicts(tx, run, detected, at);

  // 3. The hash of the change set to be: what approval pins.
  const hash = proposalHash(proposalContentOf(run, plan, live, oppChanges));
  await tx.update(runs).set({ proposalHash: hash, updatedAt: at }).where(eq(runs.id, run.id));
  return { proposalHash: hash, conflicts: detected };
}

/** The conflict check's view of a run's proposal: the book as planned, the caps in force and every line. */
export function conflictInputOf(
  run: Pick<RunRow, 'scope' | 'commissionEndDate' | 'reassignmentDate'> & {
    /** The balanced reps (the keys of the targets) and the hires' bounds. */
    metrics?: { targets?: Record<string, unknown>; hireBounds?: RunMetricsColumn['hireBounds'] } | null;
  },
  plan: Pick<PlanningContext, 'params' | 'book' | 'ruleset' | 'asOfDate' | 'closingWithinDays'>,
  rows: readonly Pick<AssignmentRow, 'accountId' | 'fromRepId' | 'toRepId' | 'reason' | 'excluded'>[],
): ConflictInput {
  const protections = protectionsOf(plan.book, plan.ruleset, plan.asOfDate, plan.closingWithinDays);
  const splitTotals = new Map<string, number | null>();
  for (const o of plan.book.opportunities)
    splitTotals.set(o.id, o.splits.length === 0 ? null : o.splits.reduce((s, p) => s + p.bps, 0));
  const live = rows.filter((r) => !r.excluded);
  return {
    accounts: plan.book.accounts.map((a) => ({
      id: a.id,
      name: a.name,
      plannedOwnerId: a.plannedOwnerId,
      currentOwnerId: a.currentOwnerId,
      revenueCents: a.revenueCents,
      isHouse: a.isHouse,
      isCoOwned: a.isCoOwned,
      isProtected: protections.has(a.id),
      ...(protections.has(a.id) ? { protectedWhy: protections.get(a.id)!.join('; ') } : {}),
    })),
    reps: conflictRepsOf(plan),
    opportunities: plan.book.opportunities.map((o) => ({
      id: o.id,
      name: o.name,
      accountId: o.accountId,
      status: o.status,
      closeDate: o.closeDate,
      createdDate: o.createdDate,
      splitTotalBps: splitTotals.get(o.id) ?? null,
    })),
    proposal: live.map((r) => ({
      accountId: r.accountId,
      fromRepId: r.fromRepId,
      toRepId: r.toRepId,
      reason: r.toRepId === null ? r.reason : null,
    })),
    excluded: rows
      .filter((r) => r.excluded)
      .map((r) => ({ accountId: r.accountId, fromRepId: r.fromRepId, toRepId: r.toRepId })),
    leftWithLeaver: leftWithLeaverOf(run, plan, rows),
    balancedRepIds: Object.keys(run.metrics?.targets ?? {}),
    hireBounds: run.metrics?.hireBounds ?? [],
    scope: run.scope,
    asOfDate: plan.asOfDate,
    closingWithinDays: plan.closingWithinDays,
    commissionEndDate: run.commissionEndDate,
    reassignmentDate: run.reassignmentDate,
  };
}

type ConflictPlan = Pick<PlanningContext, 'params' | 'book' | 'ruleset' | 'asOfDate' | 'closingWithinDays'>;

/** The reps as the conflict check sees them, with the caps the solver held (ruleset, roster and the run's own). */
function conflictRepsOf(plan: ConflictPlan): ConflictInput['reps'] {
  const departing = new Set(plan.params.kind === 'rep_departure' ? plan.params.departingRepIds : []);
  return plan.book.reps.map((r) => {
    const caps = capsFor(r, plan.ruleset, plan.params);
    return {
      id: r.id,
      name: r.name,
      active: r.active,
      mayReceive: r.mayReceive && r.kind === 'person',
      departing: departing.has(r.id),
      endDate: r.endDate,
      maxAccounts: caps.maxAccounts ?? null,
      maxRevenueCents: caps.maxRevenueCents ?? null,
    };
  });
}

/**
 * Accounts of someone who leaves that the run does not take up at all (a departure narrowed to some of the
 * leaver's accounts): they would stay with the leaver.
 */
function leftWithLeaverOf(
  run: Pick<RunRow, 'reassignmentDate'>,
  plan: ConflictPlan,
  rows: readonly Pick<AssignmentRow, 'accountId'>[],
): ConflictInput['leftWithLeaver'] {
  const leavers = runLeavers(plan.params, plan.book.reps, run.reassignmentDate ?? plan.asOfDate);
  const inRun = new Set(rows.map((r) => r.accountId));
  return plan.book.accounts
    .filter(
      (a) =>
        a.plannedOwnerId !== null &&
        leavers.has(a.plannedOwnerId) &&
        !inRun.has(a.id) &&
        inRealignmentScope(plan.params, a),
    )
    .map((a) => ({ accountId: a.id, fromRepId: a.plannedOwnerId, toRepId: a.plannedOwnerId }));
}

/**
 * The hash of the change set a run's proposal would make: owners (by CRM id), split changes with their effective
 * date, and accounts left without an owner (as a move to nobody). Reviewers see it; approval pins it.
 */
function proposalContentOf(
  run: RunRow,
  plan: PlanningContext,
  live: readonly AssignmentRow[],
  oppChanges: ReturnType<typeof opportunityChanges>,
): ProposalContent {
  const crm = new Map(plan.book.accounts.map((a) => [a.id, a.crmId]));
  const ownership: OwnershipChange[] = live
    .filter((r) => r.toRepId !== null && r.toRepId !== r.fromRepId)
    .map((r) => ({
      accountId: r.accountId,
      accountCrmId: crm.get(r.accountId) ?? r.accountId,
      fromRepId: r.fromRepId,
      toRepId: r.toRepId!,
    }));
  const unassigned = live.filter((r) => r.toRepId === null).map((r) => r.accountId);
  const undecided = oppChanges.filter((c) => c.commissionType === null).map((c) => c.opportunityId);
  const effectiveDate = run.reassignmentDate ?? plan.asOfDate;
  const splits: SplitChange[] = oppChanges
    .filter((c) => c.after !== null)
    .map((c) => ({
      opportunityId: c.opportunityId,
      before: toBpsMap(c.before),
      after: toBpsMap(c.after!),
      effectiveDate,
    }));
  return {
    runId: run.id,
    ownership,
    splits,
    unassignedAccountIds: unassigned,
    undecidedOpportunityIds: undecided,
  };
}

/**
 * Recomputes the proposal hash from the run's assignments as they are now, writing nothing. Approval and commit
 * compare it with what was reviewed and approved, so an assignment changed by any path voids the approval.
 */
export async function liveProposalHash(tx: Tx, run: RunRow, plan: PlanningContext): Promise<string> {
  const rows = await tx.select().from(runAssignments).where(eq(runAssignments.runId, run.id));
  const live = rows.filter((r) => !r.excluded);
  return proposalHash(proposalContentOf(run, plan, live, opportunityChanges(run, plan, live)));
}

function toBpsMap(parts: readonly { repId: string; role: string; bps: number }[]): Record<string, number> {
  const out: Record<string, number> = {};
  for (const p of parts) out[`${p.role}:${p.repId}`] = (out[`${p.role}:${p.repId}`] ?? 0) + p.bps;
  return out;
}
