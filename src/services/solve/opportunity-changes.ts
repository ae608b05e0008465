/**
 * The opportunity-level changes of a run's proposal (refresh-proposal.ts stores them and hashes them): an
 * opportunity-level run's one opportunity, or the cascade of each account the run moves, each with its commission
 * type and the split after.
 */
import type { runAssignments } from '../../../db/schema/index.ts';
import { cascadeExclusion, commissionPolicyOf } from '../commission-splits/cascade-rule.ts';
import {
  type CommissionType,
  commissionFor,
  receiverProblem,
  splitAfter,
} from '../commission-splits/split-after.ts';
import type { PlanningContext } from '../plan/planning-context.ts';
import type { RunRow } from '../run-records/run-records.ts';

type AssignmentRow = typeof runAssignments.$inferSelect;

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

export function opportunityChanges(
  run: RunRow,
  plan: PlanningContext,
  live: readonly AssignmentRow[],
): OppChange[] {
  const make = changeMaker(plan);
  if (plan.params.kind === 'opportunity') return handoverChanges(plan, plan.params, make);
  if (run.scope === 'ownership') return [];
  return cascadeChanges(run, plan, live, make);
}

type Opp = PlanningContext['book']['opportunities'][number];
type MakeChange = (o: Opp, from: string | null, to: string) => OppChange;

/** The change of one opportunity from one rep's share to another's: its commission type and the split after. */
function changeMaker(plan: PlanningContext): MakeChange {
  const house = plan.book.reps.find((r) => r.kind === 'house')?.id ?? null;
  const accountsById = new Map(plan.book.accounts.map((a) => [a.id, a]));
  const repsById = new Map(plan.book.reps.map((r) => [r.id, r]));
  const departing = new Set(plan.params.kind === 'rep_departure' ? plan.params.departingRepIds : []);
  return (o, from, to) => {
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
}

/** An opportunity-level run: its one opportunity's change, if it is open and changes hands or share. */
function handoverChanges(
  plan: PlanningContext,
  params: Extract<PlanningContext['params'], { kind: 'opportunity' }>,
  make: MakeChange,
): OppChange[] {
  const { opportunityId, newOwnerRepId, plannedFromRepId } = params;
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

/** An account-level run: the cascade of each moved account's opportunities. */
function cascadeChanges(
  run: RunRow,
  plan: PlanningContext,
  live: readonly AssignmentRow[],
  make: MakeChange,
): OppChange[] {
  const house = plan.book.reps.find((r) => r.kind === 'house')?.id ?? null;
  const policy = commissionPolicyOf(plan.ruleset, house);
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
