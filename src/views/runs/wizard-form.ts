/** The run wizard's form: values from the posted body, the service input they build (errors by field), the preview. */
import type { Context } from 'hono';
import type { AppBindings } from '../../api/context.ts';
import { findAccountByCrmId, findOpportunityByCrmId } from '../../services/book/book-choices.ts';
import { diagnoseDraft } from '../../services/plan/diagnose-run.ts';
import { type ImpactScope, impactOf } from '../../services/plan/draft-impact.ts';
import {
  type AccountBase,
  type CommissionScope,
  commissionPreview,
  listScopeAccounts,
  matchingAccountIds,
  type ScopeAccountFilter,
} from '../../services/plan/wizard-choices.ts';
import type { CommissionSegment } from '../../services/run-records/commission-params.ts';
import {
  createRunSchema,
  isRunKind,
  MAX_SCOPE_ACCOUNTS,
  type RunParams,
  scopeIssue,
} from '../../services/run-records/run-params.ts';
import { orgCtx, todayOf } from '../shared/context.ts';
import { pageNumber, text } from '../shared/format.ts';
import {
  CUSTOM_PCT_ERROR,
  dollarsToCents,
  isCommissionType,
  parseSegmentRows,
  pctToBps,
  segmentFieldOf,
  segmentRowsOf,
} from './commission-strategy-fields.tsx';
import { list, runsCtx, UUID } from './run-route-context.ts';
import {
  type AccountPickerData,
  EMPTY_WIZARD,
  type WizardErrors,
  type WizardValues,
} from './wizard/model.ts';

export function wizardValues(form: Record<string, unknown>): WizardValues {
  const t = (k: keyof WizardValues) => text(form[k]);
  return {
    ...EMPTY_WIZARD,
    kind: t('kind') || 'rep_departure',
    departingRepIds: list(form, 'departingRepIds'),
    regions: list(form, 'regions'),
    segments: list(form, 'segments'),
    hireRepIds: list(form, 'hireRepIds'),
    rampTargetPct: t('rampTargetPct'),
    accountCrmId: t('accountCrmId'),
    opportunityCrmId: t('opportunityCrmId'),
    newOwnerRepId: t('newOwnerRepId'),
    scope: t('scope') || 'open_opportunities',
    reason: t('reason'),
    commissionEndDate: t('commissionEndDate'),
    reassignmentDate: t('reassignmentDate'),
    strategy: t('strategy') || 'optimal',
    objective: t('objective') || 'l1',
    rulesetId: t('rulesetId'),
    commissionType: t('commissionType') || 'direct_transfer',
    customPct: t('customPct'),
    targetMode: t('targetMode'),
    maxAccountsPerRep: t('maxAccountsPerRep'),
    maxRevenuePerRep: t('maxRevenuePerRep'),
    commissionStrategy: ['segmented', 'manual'].includes(t('commissionStrategy'))
      ? t('commissionStrategy')
      : 'uniform',
    segmentRows: segmentRowsOf(form),
    accountMode: t('accountMode') === 'selected' ? 'selected' : 'all',
    accountIds: [...new Set(list(form, 'accountIds'))],
    acctOwner: t('acctOwner'),
    acctRegion: t('acctRegion').slice(0, 200),
    acctQ: t('acctQ').slice(0, 200),
    acctPage: pageNumber(t('acctPage') || undefined),
  };
}

const PICKER_PAGE = 25;

/** The accounts the kind could move before any selection (departure, realignment), else null. */
function accountBase(v: WizardValues): AccountBase | null {
  if (v.kind === 'rep_departure')
    return { kind: 'reps', repIds: v.departingRepIds.filter((id) => UUID.test(id)) };
  if (v.kind === 'realignment') return { kind: 'regions', regions: v.regions, segments: v.segments };
  return null;
}

const acctFilterOf = (v: WizardValues): ScopeAccountFilter => ({
  owner: v.acctOwner,
  region: v.acctRegion,
  q: v.acctQ,
});

/** The page of the account picker to show: none before a departure names its reps. */
export async function accountPickerOf(
  c: Context<AppBindings>,
  v: WizardValues,
): Promise<AccountPickerData | null> {
  const base = accountBase(v);
  if (!base || (base.kind === 'reps' && base.repIds.length === 0)) return null;
  const found = await listScopeAccounts(orgCtx(c), base, acctFilterOf(v), v.acctPage, PICKER_PAGE);
  const last = Math.max(1, Math.ceil(found.total / PICKER_PAGE));
  if (v.acctPage > last) {
    const again = await listScopeAccounts(orgCtx(c), base, acctFilterOf(v), last, PICKER_PAGE);
    return { ...again, page: last, pageSize: PICKER_PAGE };
  }
  return { ...found, page: v.acctPage, pageSize: PICKER_PAGE };
}

/** Where a service or schema path lands in the form. */
export function fieldOf(path: string): keyof WizardErrors {
  if (path.startsWith('params.departingRepIds')) return 'departingRepIds';
  if (path.startsWith('params.hireRepIds')) return 'hireRepIds';
  if (path.startsWith('params.newOwnerRepId')) return 'newOwnerRepId';
  if (path.startsWith('params.accountIds')) return 'accountIds';
  if (path.startsWith('params.accountId')) return 'accountCrmId';
  if (path.startsWith('params.opportunityId')) return 'opportunityCrmId';
  if (path.startsWith('params.customBps')) return 'customPct';
  if (path.startsWith('params.rampTargetBps')) return 'rampTargetPct';
  if (path.startsWith('params.regions')) return 'form';
  if (path.startsWith('params.commissionType')) return 'commissionType';
  if (path.startsWith('params.targetMode')) return 'targetMode';
  if (path.startsWith('params.maxAccountsPerRep')) return 'maxAccountsPerRep';
  if (path.startsWith('params.maxRevenueCentsPerRep')) return 'maxRevenuePerRep';
  const top = path.split('.')[0] as keyof WizardErrors;
  return ['reason', 'commissionEndDate', 'reassignmentDate', 'kind', 'scope'].includes(top) ? top : 'form';
}

type Common = Record<string, unknown>;

/** Builds the service input from the form; crm ids become row ids. Errors are keyed by field. */
export async function toRunInput(c: Context<AppBindings>, v: WizardValues) {
  const errors: WizardErrors = {};
  const ctx = orgCtx(c);
  const common: Common = {
    strategy: v.strategy,
    objective: v.objective,
    commissionType: v.commissionType,
  };
  const rowOf = strategyParams(v, common, errors);
  assignmentParams(v, common, errors);
  // Accounts in scope (departure, realignment): all matching the filter, or the ticked ones.
  const base = accountBase(v);
  let accountIds: string[] | null = null;
  if (base) {
    accountIds = await scopeAccountIds(ctx, v, base, errors);
    if (accountIds) common.accountIds = accountIds;
  }
  const kind = await kindParams(ctx, v, common, base, errors);
  let commissionScope = kind.commissionScope;
  if (accountIds && (v.kind === 'rep_departure' || v.kind === 'realignment'))
    commissionScope = { kind: 'ids', accountIds };
  const raw = {
    kind: v.kind,
    scope: v.scope,
    reason: v.reason,
    params: kind.params,
    ...(v.commissionEndDate ? { commissionEndDate: v.commissionEndDate } : {}),
    ...(v.reassignmentDate ? { reassignmentDate: v.reassignmentDate } : {}),
    ...(v.rulesetId ? { rulesetId: v.rulesetId } : {}),
  };
  const parsed = createRunSchema.safeParse(raw);
  const wrongScope = isRunKind(v.kind) ? scopeIssue(v.kind, v.scope) : null;
  if (wrongScope) errors.scope = wrongScope.message;
  if (!parsed.success) {
    for (const issue of parsed.error.issues) {
      const path = issue.path.join('.');
      const field = (segmentFieldOf(path, rowOf) as keyof WizardErrors | null) ?? fieldOf(path);
      if (!errors[field]) errors[field] = issue.message;
    }
  }
  const commission = {
    commissionType: isCommissionType(v.commissionType) ? v.commissionType : undefined,
    customBps: common.customBps as number | undefined,
    commissionSegments: common.commissionSegments as CommissionSegment[] | undefined,
    commissionStrategy: common.commissionStrategy as 'manual' | undefined,
  };
  return {
    errors,
    input: parsed.success ? parsed.data : null,
    impact: kind.impact,
    accountIds,
    commissionScope,
    commission,
  };
}

/**
 * Strategy: the same fields and checks as the level-3 form (commission-strategy-fields.tsx). Returns the form row of
 * each parsed segment, for the schema's errors.
 */
function strategyParams(v: WizardValues, common: Common, errors: WizardErrors): number[] {
  if (!isCommissionType(v.commissionType)) errors.commissionType = 'Choose type A, B or C.';
  if (v.commissionType === 'custom') {
    const bps = pctToBps(v.customPct);
    if (bps === null) errors.customPct = CUSTOM_PCT_ERROR;
    else common.customBps = bps;
  }
  let rowOf: number[] = [];
  if (v.commissionStrategy === 'segmented') {
    const parsed = parseSegmentRows(v.segmentRows);
    Object.assign(errors, parsed.errors);
    rowOf = parsed.rowOf;
    if (parsed.segments.length > 0) common.commissionSegments = parsed.segments;
    else if (Object.keys(parsed.errors).length === 0)
      errors['seg-0'] =
        'A segmented strategy needs at least one segment: fill in a row, or choose the uniform strategy.';
  }
  // Manual queue: each opportunity's type is decided on the run's review page (Commission decisions).
  if (v.commissionStrategy === 'manual') common.commissionStrategy = 'manual';
  return rowOf;
}

/** Assignment: targets and this run's caps. */
function assignmentParams(v: WizardValues, common: Common, errors: WizardErrors) {
  if (v.targetMode) common.targetMode = v.targetMode; // checked by the run schema (the error lands on the field)
  if (v.maxAccountsPerRep.trim()) {
    const n = Number(v.maxAccountsPerRep.trim().replaceAll(',', ''));
    if (Number.isInteger(n) && n >= 1 && n <= 1_000_000) common.maxAccountsPerRep = n;
    else
      errors.maxAccountsPerRep = 'Write a whole number of accounts, 1 or more (e.g. 60), or leave it empty.';
  }
  if (v.maxRevenuePerRep.trim()) {
    const cents = dollarsToCents(v.maxRevenuePerRep);
    if (cents !== null && cents >= 1) common.maxRevenueCentsPerRep = cents;
    else errors.maxRevenuePerRep = 'Write an amount in dollars, e.g. 5,000,000, or leave it empty.';
  }
}

/** The ticked accounts, or those the picker's filter matches; null for every account in scope (or an error). */
async function scopeAccountIds(
  ctx: ReturnType<typeof orgCtx>,
  v: WizardValues,
  base: AccountBase,
  errors: WizardErrors,
): Promise<string[] | null> {
  if (v.accountMode === 'selected') {
    if (v.accountIds.length > 0) return v.accountIds;
    errors.accountIds = 'Tick at least one account, or choose “All accounts matching the filter”.';
    return null;
  }
  if (!(v.acctOwner || v.acctRegion || v.acctQ)) return null;
  const ids = await matchingAccountIds(ctx, base, acctFilterOf(v), MAX_SCOPE_ACCOUNTS + 1);
  if (ids.length === 0) errors.accountIds = 'No account matches the filter: clear or change it.';
  else if (ids.length > MAX_SCOPE_ACCOUNTS)
    errors.accountIds = `More than ${MAX_SCOPE_ACCOUNTS} accounts match the filter: narrow it, or clear it to take every account in scope.`;
  else return ids;
  return null;
}

interface KindParams {
  params: Record<string, unknown>;
  impact: ImpactScope;
  commissionScope: CommissionScope;
}

/** The params of the run's kind, with what the impact preview and the commission preview look at. */
async function kindParams(
  ctx: ReturnType<typeof orgCtx>,
  v: WizardValues,
  common: Common,
  base: AccountBase | null,
  errors: WizardErrors,
): Promise<KindParams> {
  const baseScope: CommissionScope = base ? { kind: 'base', base } : { kind: 'none' };
  switch (v.kind) {
    case 'rep_departure':
      if (v.departingRepIds.length === 0) errors.departingRepIds = 'Choose at least one rep who is leaving.';
      return {
        params: { departingRepIds: v.departingRepIds, ...common },
        impact: { kind: 'reps', repIds: v.departingRepIds },
        commissionScope: baseScope,
      };
    case 'realignment':
      return {
        params: {
          ...(v.regions.length ? { regions: v.regions } : {}),
          ...(v.segments.length ? { segments: v.segments } : {}),
          ...common,
        },
        impact: { kind: 'regions', regions: v.regions, segments: v.segments },
        commissionScope: baseScope,
      };
    case 'new_hire':
      return newHireParams(v, common, errors);
    case 'account':
      return accountParams(ctx, v, common, errors);
    case 'opportunity':
      return opportunityParams(ctx, v, common, errors);
    default:
      errors.form = 'Choose the kind of run.';
      return { params: {}, impact: { kind: 'none' }, commissionScope: { kind: 'none' } };
  }
}

function newHireParams(v: WizardValues, common: Common, errors: WizardErrors): KindParams {
  const { accountIds: _ids, ...rest } = common;
  const params: Record<string, unknown> = { hireRepIds: v.hireRepIds, ...rest };
  if (v.rampTargetPct) {
    const pct = Number(v.rampTargetPct);
    if (!Number.isFinite(pct) || pct <= 0 || pct > 100)
      errors.rampTargetPct = 'Enter a percentage from 1 to 100.';
    else params.rampTargetBps = Math.round(pct * 100);
  }
  if (v.hireRepIds.length === 0) errors.hireRepIds = 'Choose at least one new hire.';
  return { params, impact: { kind: 'reps', repIds: [] }, commissionScope: { kind: 'none' } };
}

async function accountParams(
  ctx: ReturnType<typeof orgCtx>,
  v: WizardValues,
  common: Common,
  errors: WizardErrors,
): Promise<KindParams> {
  const account = v.accountCrmId ? await findAccountByCrmId(ctx, v.accountCrmId) : null;
  if (!account)
    errors.accountCrmId = v.accountCrmId
      ? `No account with CRM id “${v.accountCrmId}” in this org.`
      : 'Enter the account’s CRM id.';
  if (!v.newOwnerRepId) errors.newOwnerRepId = 'Choose the new owner.';
  return {
    params: { accountId: account?.id, newOwnerRepId: v.newOwnerRepId, ...common },
    impact: account ? { kind: 'account', accountId: account.id } : { kind: 'none' },
    commissionScope: account ? { kind: 'account', accountId: account.id } : { kind: 'none' },
  };
}

async function opportunityParams(
  ctx: ReturnType<typeof orgCtx>,
  v: WizardValues,
  common: Common,
  errors: WizardErrors,
): Promise<KindParams> {
  const opp = v.opportunityCrmId ? await findOpportunityByCrmId(ctx, v.opportunityCrmId) : null;
  if (!opp)
    errors.opportunityCrmId = v.opportunityCrmId
      ? `No opportunity with CRM id “${v.opportunityCrmId}” in this org.`
      : 'Enter the opportunity’s CRM id.';
  if (!v.newOwnerRepId) errors.newOwnerRepId = 'Choose the new owner.';
  return {
    params: { opportunityId: opp?.id, newOwnerRepId: v.newOwnerRepId, ...common },
    impact: opp ? { kind: 'opportunity', opportunityId: opp.id } : { kind: 'none' },
    commissionScope: opp ? { kind: 'opportunity', opportunityId: opp.id } : { kind: 'none' },
  };
}

/** The impact preview: the chosen accounts when a selection narrows the scope, and the commission by type. */
export async function previewOf(c: Context<AppBindings>, built: Awaited<ReturnType<typeof toRunInput>>) {
  const ctx = orgCtx(c);
  const impact =
    built.accountIds && built.impact.kind !== 'none'
      ? await impactOf(ctx, { kind: 'accounts', accountIds: built.accountIds }, todayOf(c))
      : await impactOf(ctx, built.impact, todayOf(c));
  const commission = await commissionPreview(ctx, built.commissionScope, built.commission);
  // The rules in force and what in them contradicts the book, before anything is solved.
  const diagnosis = built.input
    ? await diagnoseDraft({
        ctx: runsCtx(c),
        input: {
          params: { kind: built.input.kind, ...built.input.params } as RunParams,
          rulesetId: built.input.rulesetId ?? null,
          importId: built.input.importId ?? null,
          reassignmentDate: built.input.reassignmentDate ?? null,
        },
      })
    : null;
  return { impact, commission, diagnosis };
}
