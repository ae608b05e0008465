/**
 * The "Manage commissions" (level 1) and "Reassign all opportunities" (level 2) forms: read the posted values,
 * refuse what the rules refuse with a message next to the field (closed opportunity, date rules, a Type C share
 * that would take House below 0), and turn the rest into the runs service's input.
 */
import {
  type PlanItem,
  planReassignment,
  type ReassignmentAction,
  type Refusal,
} from '../../commission/index.ts';
import { cascadeExclusion, commissionPolicyOf } from '../../services/commission-splits/cascade-rule.ts';
import type { CommissionInput } from '../../services/commission-splits/opportunity-inputs.ts';
import { DEFAULT_RULESET, rulesetOf } from '../../services/plan/planning-context.ts';
import { type CreateRunInput, createRunSchema } from '../../services/run-records/run-params.ts';
import { text } from '../shared/format.ts';

export const COMMISSION_TYPES = ['house_absorbs', 'direct_transfer', 'custom'] as const;
export type CommissionTypeValue = (typeof COMMISSION_TYPES)[number];

export interface CommissionFormValues {
  newOwnerRepId: string;
  commissionType: string;
  customPct: string;
  commissionEndDate: string;
  reassignmentDate: string;
  reason: string;
}

export type CommissionFormField = keyof CommissionFormValues | 'form';
export type CommissionFormErrors = Partial<Record<CommissionFormField, string>>;

export function emptyValues(today: string): CommissionFormValues {
  return {
    newOwnerRepId: '',
    commissionType: 'direct_transfer',
    customPct: '',
    commissionEndDate: today,
    reassignmentDate: '',
    reason: '',
  };
}

export function formValues(form: Record<string, unknown>): CommissionFormValues {
  return {
    newOwnerRepId: text(form.newOwnerRepId),
    commissionType: text(form.commissionType),
    customPct: text(form.customPct),
    commissionEndDate: text(form.commissionEndDate),
    reassignmentDate: text(form.reassignmentDate),
    reason: text(form.reason),
  };
}

/** Which form field a runs-service or planner path belongs to. */
export function fieldOfPath(path: string): CommissionFormField {
  if (path.endsWith('newOwnerRepId') || path.endsWith('newRepId')) return 'newOwnerRepId';
  if (path.endsWith('customBps') || path.endsWith('newRepBps')) return 'customPct';
  if (path.endsWith('commissionType')) return 'commissionType';
  if (path === 'reason') return 'reason';
  if (path === 'commissionEndDate' || path === 'endDate') return 'commissionEndDate';
  if (path === 'reassignmentDate') return 'reassignmentDate';
  return 'form';
}

const FIELD_OF_CODE: Partial<Record<Refusal['code'], CommissionFormField>> = {
  END_DATE_BEFORE_CREATION: 'commissionEndDate',
  HISTORY_CHANGES_AFTER_END_DATE: 'commissionEndDate',
  REASSIGNMENT_BEFORE_END_DATE: 'reassignmentDate',
  HOUSE_WOULD_GO_NEGATIVE: 'customPct',
  CUSTOM_BPS_OUT_OF_RANGE: 'customPct',
  NEW_REP_IS_DEPARTING_REP: 'newOwnerRepId',
  REASON_REQUIRED: 'reason',
  OPPORTUNITY_CLOSED: 'form',
};

/** Percent text ("35", "12.5") to basis points; null when it is not a share with at most two decimals. */
export function pctToBps(value: string): number | null {
  if (!/^\d{1,3}(\.\d{1,2})?$/.test(value)) return null;
  const bps = Math.round(Number(value) * 100);
  return bps >= 0 && bps <= 10_000 ? bps : null;
}

export interface FormContext {
  level: 'opportunity' | 'account';
  /** The opportunity (level 1) or account (level 2) id. */
  targetId: string;
  /** Whose share leaves: the opportunity's owner (level 1) or the account's owner (level 2). */
  currentOwnerId: string | null;
  /** Reps a manager may choose as the new owner (active people who may receive). */
  receivers: ReadonlySet<string>;
  /** Planner input: the opportunity (level 1) or the account's opportunities (level 2). */
  opportunities: readonly CommissionInput[];
  houseRepId: string | null;
  /** Ids in planner messages replaced by what a person recognises (opportunity and rep names). */
  names: ReadonlyMap<string, string>;
  /** Closed opportunity at level 1: refused before anything else. */
  closed?: boolean;
}

export interface CheckedForm {
  errors: CommissionFormErrors;
  input: CreateRunInput | null;
  /** Level 2: opportunities the cascade leaves as they are, with the reason (shown, not refused). */
  skipped: { opportunityId: string; reason: string }[];
}

function humanise(message: string, names: ReadonlyMap<string, string>): string {
  let out = message;
  for (const [id, name] of names) out = out.replaceAll(`"${id}"`, `"${name}"`).replaceAll(id, name);
  return out;
}

function actionOf(type: CommissionTypeValue, newRepId: string, bps: number | null): ReassignmentAction {
  if (type === 'house_absorbs') return { type: 'A' };
  if (type === 'direct_transfer') return { type: 'B', newRepId };
  return { type: 'C', newRepId, newRepBps: bps ?? 0 };
}

type SetError = (field: CommissionFormField, message: string) => void;

/** Checks the form against the runs contract and the commission rules; returns the run input when all pass. */
export function checkForm(values: CommissionFormValues, fc: FormContext): CheckedForm {
  const errors: CommissionFormErrors = {};
  const skipped: CheckedForm['skipped'] = [];
  const set: SetError = (field, message) => {
    if (!errors[field]) errors[field] = message;
  };
  if (fc.closed) set('form', 'This opportunity is closed; closed opportunities cannot be reassigned.');
  const { type, customBps } = checkFields(values, fc, set);
  const parsed = createRunSchema.safeParse(runRequest(values, fc, type, customBps));
  if (!parsed.success) {
    for (const issue of parsed.error.issues) set(fieldOfPath(issue.path.join('.')), issue.message);
  }
  if (Object.keys(errors).length > 0 || !parsed.success || !type) return { errors, input: null, skipped };

  // The commission rules on the real rows, before anything is stored (the same core the commit uses).
  if (fc.currentOwnerId) checkRules(values, fc, fc.currentOwnerId, { type, customBps }, set, skipped);
  if (Object.keys(errors).length > 0) return { errors, input: null, skipped };
  return { errors, input: parsed.data, skipped };
}

/** The new owner, the type with its custom share, and the two dates, each next to its field. */
function checkFields(
  values: CommissionFormValues,
  fc: FormContext,
  set: SetError,
): { type: CommissionTypeValue | null; customBps: number | null } {
  if (!values.newOwnerRepId) set('newOwnerRepId', 'Choose the new owner.');
  else if (!fc.receivers.has(values.newOwnerRepId))
    set('newOwnerRepId', 'Choose the new owner from the list (an active rep who may receive).');
  else if (values.newOwnerRepId === fc.currentOwnerId)
    set('newOwnerRepId', 'The new owner is the current owner; choose a different rep.');

  const type = (COMMISSION_TYPES as readonly string[]).includes(values.commissionType)
    ? (values.commissionType as CommissionTypeValue)
    : null;
  if (!type) set('commissionType', 'Choose the commission type: A, B or C.');
  let customBps: number | null = null;
  if (type === 'custom') {
    customBps = values.customPct === '' ? null : pctToBps(values.customPct);
    if (values.customPct === '') set('customPct', 'Type C needs the new rep’s share in %, e.g. 35.');
    else if (customBps === null || customBps < 1)
      set('customPct', `“${values.customPct}” is not a share between 0.01 and 100 (at most two decimals).`);
  }
  if (!values.commissionEndDate) set('commissionEndDate', 'Enter the commission end date (YYYY-MM-DD).');
  if (!values.reassignmentDate)
    set('reassignmentDate', 'Enter the reassignment date: on or after the commission end date.');
  return { type, customBps };
}

/** The run the form asks for, before the runs contract checks it. */
function runRequest(
  values: CommissionFormValues,
  fc: FormContext,
  type: CommissionTypeValue | null,
  customBps: number | null,
) {
  return {
    kind: fc.level,
    scope: 'open_opportunities',
    reason: values.reason,
    params: {
      ...(fc.level === 'opportunity' ? { opportunityId: fc.targetId } : { accountId: fc.targetId }),
      newOwnerRepId: values.newOwnerRepId || undefined,
      commissionType: type ?? undefined,
      ...(type === 'custom' && customBps !== null ? { customBps } : {}),
    },
    ...(values.commissionEndDate ? { commissionEndDate: values.commissionEndDate } : {}),
    ...(values.reassignmentDate ? { reassignmentDate: values.reassignmentDate } : {}),
  };
}

/**
 * The commission rules on the real rows: the plan's refusal goes next to its field, and the opportunities it (or,
 * at level 2, the cascade) leaves as they are go to skipped.
 */
function checkRules(
  values: CommissionFormValues,
  fc: FormContext,
  currentOwnerId: string,
  { type, customBps }: { type: CommissionTypeValue; customBps: number | null },
  set: SetError,
  skipped: CheckedForm['skipped'],
) {
  // Level 2 is a cascade: the run's rule of which opportunities it may change (the default rules' protected
  // stages and the billing flag) decides first, exactly as review and commit do; level 1 is explicit.
  const policy = commissionPolicyOf(rulesetOf(DEFAULT_RULESET), fc.houseRepId);
  let planned: readonly CommissionInput[] = fc.opportunities;
  if (fc.level === 'account') {
    planned = fc.opportunities.filter((o) => {
      const excluded = cascadeExclusion('open_opportunities', o, policy);
      if (excluded && !o.isClosed)
        skipped.push({ opportunityId: o.opportunityId, reason: humanise(excluded.reason, fc.names) });
      return excluded === null || o.isClosed;
    });
  }
  const outcome = planReassignment(
    {
      departingRepId: currentOwnerId,
      target:
        fc.level === 'opportunity'
          ? { level: 'opportunity', opportunityId: fc.targetId }
          : { level: 'account', accountId: fc.targetId },
      scope: 'active',
      strategy: { kind: 'uniform', action: actionOf(type, values.newOwnerRepId, customBps) },
      endDate: values.commissionEndDate,
      reassignmentDate: values.reassignmentDate,
      reason: values.reason,
    },
    planned,
    { policy },
  );
  if (!outcome.ok) {
    const { code, path, message } = outcome.refusal;
    set(FIELD_OF_CODE[code] ?? fieldOfPath(path), humanise(message, fc.names));
    return;
  }
  const refusedBy = (item: PlanItem, code: Refusal['code']) => item.kind === 'skip' && item.code === code;
  for (const [code, field] of [
    ['HOUSE_WOULD_GO_NEGATIVE', 'customPct'],
    ['END_DATE_BEFORE_CREATION', 'commissionEndDate'],
    ['HISTORY_CHANGES_AFTER_END_DATE', 'commissionEndDate'],
  ] as const) {
    const hit = outcome.value.items.filter((i) => refusedBy(i, code));
    if (hit.length > 0)
      set(field, hit.map((i) => humanise((i as { reason: string }).reason, fc.names)).join(' '));
  }
  for (const item of outcome.value.items)
    if (item.kind === 'skip')
      skipped.push({ opportunityId: item.opportunityId, reason: humanise(item.reason, fc.names) });
}
