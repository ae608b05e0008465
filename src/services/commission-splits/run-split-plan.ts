/**
 * The split change a commit will write, computed ONE way for the review, the approval page, the impact (API and
 * pages) and the commit itself: the pure core (src/commission planReassignment) over the run's moves and
 * hand-overs. A cascade (level 2) for each account the run moves; level 1 for each opportunity an
 * opportunity-level run hands over on its own.
 *
 * What the commit cannot write is a `refusal`, never a quiet skip: a split the core refuses (House below 0, shares
 * not 100%, an end date before the opportunity was created, a history that changes after the end date...), missing dates, a share for House when the org has no House rep. The review
 * turns each refusal into a blocking conflict that only exclusion or another type or share resolves, and the commit
 * refuses the whole run on any (ownership and split change together or not at all).
 */
import type {
  CommissionPolicy,
  OpportunityInput,
  PlannedChange,
  ReassignmentPlan,
} from '../../commission/index.ts';
import { planReassignment } from '../../commission/index.ts';
import { type CascadeExclusion, cascadeExclusion, coreScope, type RunScope } from './cascade-rule.ts';
import { type CommissionSettings, receiverOf, strategyFor } from './commission-settings.ts';
import { type CommissionInput, loadOpportunityInputs, type OpportunityRef } from './opportunity-inputs.ts';

/** An account the run moves (level 2: its opportunities cascade). */
export interface AccountMove {
  accountId: string;
  fromRepId: string;
  toRepId: string;
}

/** An opportunity an opportunity-level run hands over on its own (level 1). */
export interface OpportunityHandover {
  opportunityId: string;
  /** The rep whose share moves (the owner the run was planned from); null: it had no owner. */
  fromRepId: string | null;
  toRepId: string;
}

/** One split change the commit writes. */
export interface PlannedSplit {
  change: PlannedChange;
  level: 'account' | 'opportunity';
  fromRepId: string;
  toRepId: string;
  /** Who receives the share (a segment's or a decision's receiving rep, else the new owner); null under type A. */
  receiverRepId: string | null;
  /** The opportunity before the run (its whole history), for the impact and the reconciliation. */
  input: OpportunityInput;
  ref: OpportunityRef;
}

/** An opportunity whose split stays as it is, legitimately (the commit writes its owner only, or nothing). */
export interface SplitSkip {
  opportunityId: string;
  accountId: string;
  code: string;
  reason: string;
}

/** Something that makes the commit refuse: the review shows it as a blocking conflict that cannot be accepted. */
export interface SplitRefusal {
  opportunityId: string | null;
  opportunityName: string | null;
  accountId: string | null;
  code: string;
  /** 'date': the dates of the run; 'split': the split itself (type, share, history). */
  kind: 'date' | 'split';
  message: string;
}

export interface RunSplitPlan {
  splits: PlannedSplit[];
  skipped: SplitSkip[];
  refusals: SplitRefusal[];
  /** Manual queue: opportunities nobody has decided yet (approval waits for them). */
  undecided: SplitSkip[];
}

export interface RunSplitRequest {
  run: {
    scope: RunScope;
    reason: string;
    commissionEndDate: string | null;
    reassignmentDate: string | null;
  };
  settings: CommissionSettings | null;
  policy: CommissionPolicy;
  /** The org's House rep (a share for House cannot be written without one). */
  houseRepId: string | null;
  moves: readonly AccountMove[];
  handovers: readonly OpportunityHandover[];
  /** The commit locks the split rows it plans on; previews read them. */
  lockSplits: boolean;
  newRowId?: () => string;
}

/**
 * Skips that are not refusals: the split legitimately stays — nothing of the leaver's to hand over, no split, or a
 * policy that keeps cascades out (a reconciled period after the end date, like a protected stage: the review flags
 * it and the person changes that opportunity on its own).
 */
const BENIGN_SKIPS = new Set([
  'DEPARTING_NOT_IN_SPLIT',
  'SCOPE_OWNERSHIP_ONLY',
  'SPLIT_MISSING',
  'RECONCILED_PERIOD',
]);
const DATE_CODES = new Set(['END_DATE_BEFORE_CREATION', 'INVALID_DATE', 'REASSIGNMENT_BEFORE_END_DATE']);

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

export async function planRunSplits(
  tx: Parameters<typeof loadOpportunityInputs>[0],
  req: RunSplitRequest,
): Promise<RunSplitPlan> {
  const out: RunSplitPlan = { splits: [], skipped: [], refusals: [], undecided: [] };
  const cascades = req.settings && req.run.scope !== 'ownership' ? req.moves : [];
  if (cascades.length === 0 && req.handovers.length === 0) return out;
  const settings = req.settings ?? { type: 'B' as const };
  const { byAccount, own, refs } = await loadPlanInputs(tx, req, cascades);
  const p: Planning = { req, settings, out, refs };
  for (const move of cascades) planCascade(p, move, byAccount.get(move.accountId) ?? []);
  for (const h of req.handovers) {
    const input = own?.inputs.find((o) => o.opportunityId === h.opportunityId);
    if (input) planHandover(p, h, input);
  }
  refuseHouseless(out, req.houseRepId);
  return out;
}

/** What the planning steps share: the request, its settings, the plan being filled and the opportunities' refs. */
interface Planning {
  req: RunSplitRequest;
  settings: CommissionSettings;
  out: RunSplitPlan;
  refs: Map<string, OpportunityRef>;
}

/** The moved accounts' opportunities (by account) and the handed-over opportunities, with the refs of both. */
async function loadPlanInputs(
  tx: Parameters<typeof loadOpportunityInputs>[0],
  req: RunSplitRequest,
  cascades: readonly AccountMove[],
) {
  const byAccount = new Map<string, CommissionInput[]>();
  const refs = new Map<string, OpportunityRef>();
  if (cascades.length > 0) {
    const loaded = await loadOpportunityInputs(
      tx,
      'account',
      cascades.map((m) => m.accountId),
      { lockSplits: req.lockSplits },
    );
    for (const o of loaded.inputs) {
      const list = byAccount.get(o.accountId) ?? [];
      list.push(o);
      byAccount.set(o.accountId, list);
    }
    for (const [id, r] of loaded.refs) refs.set(id, r);
  }
  const own =
    req.handovers.length > 0
      ? await loadOpportunityInputs(
          tx,
          'opportunity',
          req.handovers.map((h) => h.opportunityId),
          { lockSplits: req.lockSplits },
        )
      : null;
  for (const [id, r] of own?.refs ?? []) refs.set(id, r);
  return { byAccount, own, refs };
}

/** Without both dates no split can be planned: refuses it (once per plan) and says so. */
function needsDates(p: Planning, accountId: string | null, opportunityId: string | null): boolean {
  const { commissionEndDate: endDate, reassignmentDate } = p.req.run;
  if (endDate && reassignmentDate) return false;
  if (!p.out.refusals.some((r) => r.code === 'DATES_REQUIRED'))
    p.out.refusals.push({
      opportunityId,
      opportunityName: opportunityId ? (p.refs.get(opportunityId)?.name ?? null) : null,
      accountId,
      code: 'DATES_REQUIRED',
      kind: 'date',
      message:
        'This run changes commission splits but has no commission end date or reassignment date: set both on the run (the reassignment date on or after the end date).',
    });
  return true;
}

/** The pure core's plan of one cascade (level 'account') or one hand-over (level 'opportunity'). */
function plan(
  p: Planning,
  level: 'account' | 'opportunity',
  target: { fromRepId: string; toRepId: string; accountId: string; opportunityId?: string },
  inputs: OpportunityInput[],
) {
  const { req } = p;
  return planReassignment(
    {
      departingRepId: target.fromRepId,
      target:
        level === 'account'
          ? { level: 'account', accountId: target.accountId }
          : { level: 'opportunity', opportunityId: target.opportunityId! },
      scope: coreScope(req.run.scope),
      strategy: strategyFor(p.settings, target.toRepId),
      endDate: req.run.commissionEndDate!,
      reassignmentDate: req.run.reassignmentDate!,
      reason: req.run.reason,
    },
    inputs,
    { policy: req.policy, ...(req.newRowId ? { newRowId: req.newRowId } : {}) },
  );
}

/** Level 2: the moved account's opportunities the cascade rule lets through, planned together. */
function planCascade(p: Planning, move: AccountMove, candidates: CommissionInput[]): void {
  const { out } = p;
  const planned: OpportunityInput[] = [];
  for (const o of candidates) {
    const excluded: CascadeExclusion | null = cascadeExclusion(p.req.run.scope, o, p.req.policy);
    if (excluded) out.skipped.push({ opportunityId: o.opportunityId, accountId: o.accountId, ...excluded });
    else planned.push(o);
  }
  if (planned.length === 0 || needsDates(p, move.accountId, planned[0]!.opportunityId)) return;
  const outcome = plan(p, 'account', move, planned);
  if (!outcome.ok) {
    out.refusals.push({
      opportunityId: null,
      opportunityName: null,
      accountId: move.accountId,
      code: outcome.refusal.code,
      kind: DATE_CODES.has(outcome.refusal.code) ? 'date' : 'split',
      message: outcome.refusal.message,
    });
    return;
  }
  collect(out, outcome.value, planned, p.refs, 'account', move);
}

/** Level 1: one opportunity handed over on its own. */
function planHandover(p: Planning, h: OpportunityHandover, input: CommissionInput): void {
  const { out } = p;
  const name = p.refs.get(h.opportunityId)?.name ?? h.opportunityId;
  if (!input.splitRows.some((r) => r.effectiveTo === null)) {
    out.skipped.push({
      opportunityId: h.opportunityId,
      accountId: input.accountId,
      code: 'SPLIT_MISSING',
      reason: `Opportunity ${name} has no current commission split, so only its owner changes; set its split if it needs one.`,
    });
    return;
  }
  if (h.fromRepId === null) {
    out.skipped.push({
      opportunityId: h.opportunityId,
      accountId: input.accountId,
      code: 'DEPARTING_NOT_IN_SPLIT',
      reason: `Opportunity ${name} had no owner, so no one's share is handed over; its split stays as it is.`,
    });
    return;
  }
  if (needsDates(p, input.accountId, h.opportunityId)) return;
  const target = { fromRepId: h.fromRepId, toRepId: h.toRepId, accountId: input.accountId };
  const outcome = plan(p, 'opportunity', { ...target, opportunityId: h.opportunityId }, [input]);
  if (!outcome.ok) {
    out.refusals.push({
      opportunityId: h.opportunityId,
      opportunityName: name,
      accountId: input.accountId,
      code: outcome.refusal.code,
      kind: DATE_CODES.has(outcome.refusal.code) ? 'date' : 'split',
      message: named(outcome.refusal.message, h.opportunityId, name),
    });
    return;
  }
  collect(out, outcome.value, [input], p.refs, 'opportunity', target);
}

/** The core's messages name opportunities by id; a person reads their names. */
const named = (message: string, id: string, name: string) => message.replaceAll(`"${id}"`, `"${name}"`);

function collect(
  out: RunSplitPlan,
  plan: ReassignmentPlan,
  inputs: readonly OpportunityInput[],
  refs: ReadonlyMap<string, OpportunityRef>,
  level: 'account' | 'opportunity',
  target: { fromRepId: string; toRepId: string },
) {
  for (const item of plan.items) {
    const ref = refs.get(item.opportunityId)!;
    if (item.kind === 'skip') {
      const skip = {
        opportunityId: item.opportunityId,
        accountId: item.accountId,
        code: item.code,
        reason: named(item.reason, item.opportunityId, ref.name),
      };
      // Opportunities the rep is not on are simply not theirs to hand over (not even reported in a cascade).
      if (item.code === 'DEPARTING_NOT_IN_SPLIT' && level === 'account') continue;
      if (item.code === 'NO_ACTION_CHOSEN') out.undecided.push(skip);
      else if (BENIGN_SKIPS.has(item.code)) out.skipped.push(skip);
      else
        out.refusals.push({
          opportunityId: item.opportunityId,
          opportunityName: ref.name,
          accountId: item.accountId,
          code: item.code,
          kind: DATE_CODES.has(item.code) ? 'date' : 'split',
          message: skip.reason,
        });
      continue;
    }
    out.splits.push({
      change: item,
      level,
      fromRepId: target.fromRepId,
      toRepId: target.toRepId,
      receiverRepId: receiverOf(item.action),
      input: inputs.find((o) => o.opportunityId === item.opportunityId)!,
      ref,
    });
  }
}

/** A share for House needs the org's House rep (the core's placeholder is not a rep to write a row for). */
function refuseHouseless(out: RunSplitPlan, houseRepId: string | null) {
  if (houseRepId !== null) return;
  const first = out.splits.find((s) => s.change.edit.rowsToAdd.some((r) => !UUID.test(r.participantId)));
  if (!first) return;
  out.refusals.push({
    opportunityId: first.change.opportunityId,
    opportunityName: first.ref.name,
    accountId: first.change.accountId,
    code: 'NO_HOUSE_REP',
    kind: 'split',
    message:
      'The new commission split gives a share to House, but the org has no House rep in its roster: import one (kind house), or choose type B.',
  });
}
