/** Plans a commission reassignment at one of three levels: per opportunity a change (old split, new split, rows) or a skip with its reason. */
import { addDays, compareDates, type IsoDate, isIsoDate } from './dates.ts';
import {
  type HistoryEdit,
  houseGap,
  invertEdit,
  type NewRowId,
  openRows,
  planEdit,
  validateHistory,
} from './history.ts';
import { type Outcome, ok, type RefusalCode, refuse } from './refusals.ts';
import { chooseAction, strategyActions, validateSegments } from './segments.ts';
import { applyAction, canonicalOrder, FULL_BPS, formatBps } from './split.ts';
import {
  type CommissionPolicy,
  DEFAULT_POLICY,
  type OpportunityInput,
  type ReassignmentAction,
  type ReassignmentRequest,
  type SplitStructure,
} from './types.ts';

export interface PlannedChange {
  kind: 'change';
  opportunityId: string;
  accountId: string;
  /** Segment that chose the action ("default" for the segmented default), null otherwise. */
  segment: string | null;
  action: ReassignmentAction;
  /** The split in force on the end date. */
  before: SplitStructure;
  /** The split from the reassignment date (or the day after the end date) on. */
  after: SplitStructure;
  /** The split for the days strictly between the end date and the reassignment date, if any. */
  gap: SplitStructure | null;
  /** Rows to end (`rowsToEnd`) and rows to add (`rowsToAdd`); never an edit of amounts. */
  edit: HistoryEdit;
  /** Things a reviewer should see, e.g. a protected stage changed explicitly at level 1. */
  notes: string[];
}

export interface PlannedSkip {
  kind: 'skip';
  opportunityId: string;
  accountId: string;
  code: RefusalCode;
  reason: string;
}

export type PlanItem = PlannedChange | PlannedSkip;

export interface ReassignmentPlan {
  departingRepId: string;
  level: ReassignmentRequest['target']['level'];
  scope: ReassignmentRequest['scope'];
  endDate: IsoDate;
  reassignmentDate: IsoDate;
  /** First day paid under the new split (the gap, if any, comes first and goes to House). */
  firstNewDay: IsoDate;
  houseGap: { from: IsoDate; to: IsoDate; days: number } | null;
  reason: string;
  /** Plain sentences for the preview, e.g. who gets the days between the two dates. */
  statements: string[];
  items: PlanItem[];
  counts: { opportunities: number; changed: number; skipped: number; accountsChanged: number };
}

export interface PlanOptions {
  policy?: Partial<CommissionPolicy>;
  /** Ids for new split rows (the database layer may pass UUIDs); deterministic by default. */
  newRowId?: NewRowId;
}

/**
 * Builds the plan. Request-level problems (no reason, dates out of order, an impossible action)
 * refuse the whole request. At level 1 any refusal for the one opportunity refuses the request,
 * except the departing rep not being in its split, which is a skip with its reason. At levels 2
 * and 3 (cascades) each opportunity that cannot or may not change is a skip with its reason:
 * closed, scope ownership-only, protected stage, reconciled period after the end date, end date
 * before creation, invalid history, House going negative. Nothing is skipped silently.
 * Pure: the inputs are not mutated.
 */
export function planReassignment(
  request: ReassignmentRequest,
  opportunities: readonly OpportunityInput[],
  options: PlanOptions = {},
): Outcome<ReassignmentPlan> {
  const policy: CommissionPolicy = { ...DEFAULT_POLICY, ...options.policy };
  const checked = validateRequest(request, policy);
  if (!checked.ok) return checked;

  const seen = new Set<string>();
  for (const [i, o] of opportunities.entries()) {
    if (seen.has(o.opportunityId)) {
      return refuse(
        'DUPLICATE_OPPORTUNITY',
        `opportunities.${i}.opportunityId`,
        `Opportunity "${o.opportunityId}" is given twice; pass each opportunity once.`,
      );
    }
    seen.add(o.opportunityId);
  }

  const target = request.target;
  let selected: readonly OpportunityInput[];
  if (target.level === 'opportunity') {
    const one = opportunities.find((o) => o.opportunityId === target.opportunityId);
    if (!one) {
      return refuse(
        'OPPORTUNITY_NOT_FOUND',
        'target.opportunityId',
        `Opportunity "${target.opportunityId}" is not among the opportunities given; check the id.`,
      );
    }
    selected = [one];
  } else if (target.level === 'account') {
    selected = opportunities.filter((o) => o.accountId === target.accountId);
  } else {
    selected = opportunities.filter((o) =>
      openRows(o.splitRows).some((r) => r.participantId === request.departingRepId),
    );
  }

  const cascade = target.level !== 'opportunity';
  const items: PlanItem[] = [];
  for (const opportunity of selected) {
    const item = planOne(request, opportunity, policy, cascade, options.newRowId);
    if (!cascade && item.kind === 'skip' && item.code !== 'DEPARTING_NOT_IN_SPLIT') {
      return refuse(item.code, `opportunities.${opportunity.opportunityId}`, item.reason);
    }
    items.push(item);
  }

  const gap = houseGap(request.endDate, request.reassignmentDate);
  const firstNewDay = addDays(request.endDate, 1);
  const statements = [
    `${request.departingRepId} earns under the current split up to and including ${request.endDate}.`,
    gap
      ? `From ${gap.from} to ${gap.to} (${gap.days} day${gap.days === 1 ? '' : 's'}, strictly between the end date and the reassignment date) ${request.departingRepId}'s share goes to House; the new split starts on ${request.reassignmentDate}.`
      : `The new split starts on ${firstNewDay}.`,
    'Subagent shares never change.',
  ];
  const changes = items.filter((i): i is PlannedChange => i.kind === 'change');
  return ok({
    departingRepId: request.departingRepId,
    level: target.level,
    scope: request.scope,
    endDate: request.endDate,
    reassignmentDate: request.reassignmentDate,
    firstNewDay,
    houseGap: gap,
    reason: request.reason.trim(),
    statements,
    items,
    counts: {
      opportunities: items.length,
      changed: changes.length,
      skipped: items.length - changes.length,
      accountsChanged: new Set(changes.map((c) => c.accountId)).size,
    },
  });
}

function validateRequest(request: ReassignmentRequest, policy: CommissionPolicy): Outcome<true> {
  if (!request.reason || request.reason.trim() === '') {
    return refuse(
      'REASON_REQUIRED',
      'reason',
      'A reason is required for every reassignment; say why the split changes.',
    );
  }
  if (!request.departingRepId || request.departingRepId.trim() === '') {
    return refuse('DEPARTING_REP_REQUIRED', 'departingRepId', 'Name the departing rep whose share changes.');
  }
  for (const field of ['endDate', 'reassignmentDate'] as const) {
    if (!isIsoDate(request[field])) {
      return refuse(
        'INVALID_DATE',
        field,
        `"${request[field]}" is not a calendar date; write it as YYYY-MM-DD.`,
      );
    }
  }
  if (compareDates(request.reassignmentDate, request.endDate) < 0) {
    return refuse(
      'REASSIGNMENT_BEFORE_END_DATE',
      'reassignmentDate',
      `The reassignment date ${request.reassignmentDate} is before the end date ${request.endDate}; it must be on or after it.`,
    );
  }
  if (request.strategy.kind === 'segmented') {
    const segments = validateSegments(request.strategy.segments);
    if (!segments.ok) return segments;
  }
  for (const { action, path } of strategyActions(request.strategy)) {
    if (action.type === 'A') continue;
    if (!action.newRepId || action.newRepId.trim() === '') {
      return refuse(
        'NEW_REP_ROLE_CONFLICT',
        `${path}.newRepId`,
        `Type ${action.type} needs a receiving rep; choose one.`,
      );
    }
    if (action.newRepId === request.departingRepId) {
      return refuse(
        'NEW_REP_IS_DEPARTING_REP',
        `${path}.newRepId`,
        `The receiving rep is the departing rep "${request.departingRepId}"; choose a different rep.`,
      );
    }
    if (action.newRepId === policy.houseParticipantId) {
      return refuse(
        'NEW_REP_ROLE_CONFLICT',
        `${path}.newRepId`,
        'The receiving rep is House; use type A instead.',
      );
    }
    if (
      action.type === 'C' &&
      (!Number.isInteger(action.newRepBps) || action.newRepBps < 1 || action.newRepBps > FULL_BPS)
    ) {
      return refuse(
        'CUSTOM_BPS_OUT_OF_RANGE',
        `${path}.newRepBps`,
        `The custom share ${action.newRepBps} is out of range; use a whole number of basis points from 1 to 10000 (10000 = 100%).`,
      );
    }
  }
  return ok(true);
}

function isProtectedStage(stage: string, policy: CommissionPolicy): boolean {
  const s = stage.trim().toLowerCase();
  return policy.protectedStages.some((p) => p.trim().toLowerCase() === s);
}

/** Why an opportunity takes no part, or null; `notes` gets what its change must say (protected, to adjust). */
function refusalOf(
  request: ReassignmentRequest,
  opportunity: OpportunityInput,
  policy: CommissionPolicy,
  cascade: boolean,
  notes: string[],
): { code: RefusalCode; reason: string } | null {
  const { opportunityId } = opportunity;
  const no = (code: RefusalCode, reason: string) => ({ code, reason });
  if (opportunity.isClosed) {
    return no(
      'OPPORTUNITY_CLOSED',
      `Opportunity "${opportunityId}" is closed; closed opportunities cannot be reassigned.`,
    );
  }
  if (cascade && request.scope === 'ownership') {
    return no('SCOPE_OWNERSHIP_ONLY', 'The scope is account ownership only, so no commission changes.');
  }
  if (isProtectedStage(opportunity.stage, policy)) {
    if (cascade && (request.scope === 'active' || !policy.historicalPermitted)) {
      return no(
        'PROTECTED_STAGE',
        `Stage "${opportunity.stage}" is protected (billing onwards) and excluded from ` +
          (request.scope === 'active'
            ? 'the active-and-future scope; use level 1 for an explicit exception.'
            : 'cascades by policy (historical changes are not permitted).'),
      );
    }
    notes.push(`Stage "${opportunity.stage}" is protected; this change was requested explicitly.`);
  }
  if (!isIsoDate(opportunity.createdOn)) {
    return no(
      'INVALID_DATE',
      `Opportunity "${opportunityId}" has no valid creation date ("${opportunity.createdOn}").`,
    );
  }
  if (compareDates(request.endDate, opportunity.createdOn) < 0) {
    return no(
      'END_DATE_BEFORE_CREATION',
      `The end date ${request.endDate} is before opportunity "${opportunityId}" was created on ${opportunity.createdOn}; choose an end date on or after ${opportunity.createdOn}.`,
    );
  }
  const history = validateHistory(opportunity.splitRows, `opportunities.${opportunityId}.splitRows`);
  if (!history.ok) return no(history.refusal.code, history.refusal.message);

  if (cascade) {
    const reconciled = opportunity.schedule.find(
      (p) => p.status === 'reconciled' && compareDates(p.periodEnd, request.endDate) > 0,
    );
    if (reconciled) {
      return no(
        'RECONCILED_PERIOD',
        `Period "${reconciled.periodId}" (${reconciled.periodStart}..${reconciled.periodEnd}) after the end date is reconciled; reconciled periods are excluded from cascades — change this opportunity on its own (level 1) to get adjustments.`,
      );
    }
  } else {
    const reconciled = opportunity.schedule.filter(
      (p) => p.status === 'reconciled' && compareDates(p.periodEnd, request.endDate) > 0,
    );
    if (reconciled.length > 0) {
      notes.push(
        `${reconciled.length} reconciled period(s) after the end date will need adjustment entries (see reconciliation).`,
      );
    }
  }
  return null;
}

function planOne(
  request: ReassignmentRequest,
  opportunity: OpportunityInput,
  policy: CommissionPolicy,
  cascade: boolean,
  newRowId: NewRowId | undefined,
): PlanItem {
  const { opportunityId, accountId } = opportunity;
  const skip = (code: RefusalCode, reason: string): PlannedSkip => ({
    kind: 'skip',
    opportunityId,
    accountId,
    code,
    reason,
  });
  const notes: string[] = [];
  const refused = refusalOf(request, opportunity, policy, cascade, notes);
  if (refused) return skip(refused.code, refused.reason);

  const current = openRows(opportunity.splitRows);
  if (current.length === 0) {
    return skip('SPLIT_MISSING', `Opportunity "${opportunityId}" has no current split; set its split first.`);
  }
  const before: SplitStructure = {
    participants: canonicalOrder(
      current.map((r) => ({ participantId: r.participantId, role: r.role, bps: r.bps })),
    ),
  };
  const chosen = chooseAction(request.strategy, opportunity);
  if (!chosen) {
    return skip(
      'NO_ACTION_CHOSEN',
      request.strategy.kind === 'segmented'
        ? `No segment matches this opportunity and there is no default; add a segment or a default.${opportunity.amountCents === null ? ' Its amount is unknown (blank in the CRM export), so no deal-size segment can take it.' : ''}`
        : 'No action was chosen for this opportunity; choose type A, B or C for it.',
    );
  }
  if (chosen.note) notes.push(chosen.note);
  const applied = applyAction(before, request.departingRepId, chosen.action, policy.houseParticipantId);
  if (!applied.ok) return skip(applied.refusal.code, applied.refusal.message);
  if (applied.value.noop !== null) return skip('DEPARTING_NOT_IN_SPLIT', applied.value.noop);

  // The gap days go to House: the departing rep's share as under type A, everyone else unchanged.
  const gapResult = applyAction(before, request.departingRepId, { type: 'A' }, policy.houseParticipantId);
  if (!gapResult.ok) return skip(gapResult.refusal.code, gapResult.refusal.message);
  const edit = planEdit(
    opportunity.splitRows,
    opportunityId,
    request.endDate,
    request.reassignmentDate,
    gapResult.value.structure,
    applied.value.structure,
    newRowId,
  );
  if (!edit.ok) return skip(edit.refusal.code, edit.refusal.message);
  const departing = before.participants.find((p) => p.participantId === request.departingRepId);
  const gap = edit.value.rowsToAdd.some((r) => r.effectiveTo !== null) ? gapResult.value.structure : null;
  if (gap && departing) {
    notes.push(`During the gap House receives ${request.departingRepId}'s ${formatBps(departing.bps)}.`);
  }
  return {
    kind: 'change',
    opportunityId,
    accountId,
    segment: chosen.segment,
    action: chosen.action,
    before,
    after: applied.value.structure,
    gap,
    edit: edit.value,
    notes,
  };
}

/** The rollback of a plan: the inverse edits in reverse order (reopen ended rows, remove added rows). */
export interface PlanRollback {
  edits: HistoryEdit[];
}

export function invertPlan(plan: ReassignmentPlan): PlanRollback {
  return {
    edits: plan.items
      .filter((i): i is PlannedChange => i.kind === 'change')
      .map((c) => invertEdit(c.edit))
      .reverse(),
  };
}

/** The forward edits of a plan, in item order, ready for `applyEdits`. */
export function planEdits(plan: ReassignmentPlan): HistoryEdit[] {
  return plan.items.filter((i): i is PlannedChange => i.kind === 'change').map((c) => c.edit);
}
