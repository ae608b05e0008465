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
import { cascadeExclusion, commissionPolicyOf } from '../commission-splits/cascade-rule.ts';
import {
  type CommissionType,
  commissionFor,
  receiverProblem,
  splitAfter,
} from '../commission-splits/split-after.ts';
import { capsFor, inRealignmentScope, protectionsOf, runLeavers } from '../plan/build-solve-input.ts';
import type { PlanningContext } from '../plan/planning-context.ts';
import type { RunRow } from '../run-records/run-records.ts';
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
  const departing = new Set(plan.params.kind === 'rep_departure' ? plan.params.departingRepIds : []);
  const splitTotals = new Map<string, number | null>();
  for (const o of plan.book.opportunities)
    splitTotals.set(o.id, o.splits.length === 0 ? null : o.splits.reduce((s, p) => s + p.bps, 0));
  const live = rows.filter((r) => !r.excluded);
  // Accounts of someone who leaves that the run does not take up at all (a departure narrowed to some of the
  // leaver's accounts): they would stay with the leaver.
  const leavers = runLeavers(plan.params, plan.book.reps, run.reassignmentDate ?? plan.asOfDate);
  const inRun = new Set(rows.map((r) => r.accountId));
  const leftWithLeaver = plan.book.accounts
    .filter(
      (a) =>
        a.plannedOwnerId !== null &&
        leavers.has(a.plannedOwnerId) &&
        !inRun.has(a.id) &&
        inRealignmentScope(plan.params, a),
    )
    .map((a) => ({ accountId: a.id, fromRepId: a.plannedOwnerId, toRepId: a.plannedOwnerId }));
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
    reps: plan.book.reps.map((r) => {
      // The caps the solver held (ruleset, roster and the run's own), so a conflict names the same cap.
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
    }),
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
    leftWithLeaver,
    balancedRepIds: Object.keys(run.metrics?.targets ?? {}),
    hireBounds: run.metrics?.hireBounds ?? [],
    scope: run.scope,
    asOfDate: plan.asOfDate,
    closingWithinDays: plan.closingWithinDays,
    commissionEndDate: run.commissionEndDate,
    reassignmentDate: run.reassignmentDate,
  };
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

interface OppChange {
  opportunityId: string;
  opportunityName: string;
  accountId: string;
  fromRepId: string | null;
  toRepId: string;
  /** null: the manual strategy and nobody has decided this opportunity yet (after is null, error too). */
  commissionType: CommissionType | null;
  customBps: number | null;
  /** The rep who receives the share when it is not the account's new owner (a segment's or a decision's). */
  receiverRepId: string | null;
  before: { repId: string; role: 'house' | 'rep' | 'subagent'; bps: number }[];
  after: { repId: string; role: 'house' | 'rep' | 'subagent'; bps: number }[] | null;
  error: string | null;
  /** The error is a reconciled period after the end date (a cascade policy, not a split that cannot be written). */
  reconciled?: boolean;
}

function opportunityChanges(run: RunRow, plan: PlanningContext, live: readonly AssignmentRow[]): OppChange[] {
  const house = plan.book.reps.find((r) => r.kind === 'house')?.id ?? null;
  const policy = commissionPolicyOf(plan.ruleset, house);
  const accountsById = new Map(plan.book.accounts.map((a) => [a.id, a]));
  const repsById = new Map(plan.book.reps.map((r) => [r.id, r]));
  const departing = new Set(plan.params.kind === 'rep_departure' ? plan.params.departingRepIds : []);
  const make = (
    o: PlanningContext['book']['opportunities'][number],
    from: string | null,
    to: string,
  ): OppChange => {
    // The type and receiver per opportunity: its decision (manual), its segment's (first match) or the run's; the
    // commit and the impact choose alike.
    const account = accountsById.get(o.accountId);
    const { type, customBps, receiverRepId } = commissionFor(plan.params, {
      opportunityId: o.id,
      accountType: account?.type ?? null,
      region: account?.region ?? null,
      stage: o.stage,
      amountCents: o.amountCents,
    });
    const base = {
      opportunityId: o.id,
      opportunityName: o.name,
      accountId: o.accountId,
      fromRepId: from,
      toRepId: to,
      commissionType: type,
      customBps: type === 'custom' ? customBps : null,
      receiverRepId,
      before: o.splits,
    };
    if (type === null) return { ...base, after: null, error: null };
    const problem = receiverRepId
      ? receiverProblem(receiverRepId, repsById.get(receiverRepId), departing)
      : null;
    if (problem)
      return { ...base, after: null, error: `its receiving rep cannot take the share: ${problem}` };
    const after = splitAfter(o.splits, from, receiverRepId ?? to, type, customBps, house);
    return { ...base, after: after.ok ? after.after : null, error: after.ok ? null : after.reason };
  };
  if (plan.params.kind === 'opportunity') {
    const { opportunityId, newOwnerRepId, plannedFromRepId } = plan.params;
    const o = plan.book.opportunities.find((x) => x.id === opportunityId);
    if (o?.status !== 'open') return [];
    if (plannedFromRepId === undefined || plannedFromRepId === o.ownerRepId) {
      if (o.ownerRepId === newOwnerRepId) return [];
      return [make(o, o.ownerRepId, newOwnerRepId)];
    }
    // plannedFromRepId names the rep whose share moves. The opportunity already belongs to the new owner (an
    // earlier commit moved the owner but skipped the split): the change is the split alone, no owner change.
    const change = make(o, plannedFromRepId, newOwnerRepId);
    if (o.ownerRepId === newOwnerRepId) return [change];
    const owner = plan.book.reps.find((r) => r.id === o.ownerRepId)?.name ?? o.ownerRepId ?? 'nobody';
    return [
      {
        ...change,
        after: null,
        error: `it is owned by ${owner} now, neither the rep its share is planned from nor the new owner; create a new run without plannedFromRepId`,
      },
    ];
  }
  if (run.scope === 'ownership') return [];
  const moved = new Map(
    live.filter((r) => r.toRepId !== null && r.toRepId !== r.fromRepId).map((r) => [r.accountId, r]),
  );
  const out: OppChange[] = [];
  for (const o of plan.book.opportunities) {
    const line = moved.get(o.accountId);
    if (!line) continue;
    // The cascade rule the commit and the preview apply too: closed ones stay (conflicts flag them); protected
    // stages (the ruleset's, or flagged billing) stay unless the scope is complete.
    const candidate = { stage: o.stage, isClosed: o.status !== 'open', isBillingStage: o.isBillingStage };
    if (cascadeExclusion(run.scope, candidate, policy)) continue;
    const change = make(o, o.ownerRepId ?? line.fromRepId, line.toRepId!);
    // A reconciled period after the end date keeps the split out of a cascade (the core skips it at commit too).
    const end = run.commissionEndDate;
    if (end && o.reconciledThrough !== null && o.reconciledThrough > end) {
      out.push({
        ...change,
        after: null,
        reconciled: true,
        error: `its schedule is reconciled through ${o.reconciledThrough}, after the commission end date ${end}; reconciled periods are excluded from cascades — change this opportunity on its own (Manage commissions) to get the adjustments`,
      });
    } else out.push(change);
  }
  return out;
}
