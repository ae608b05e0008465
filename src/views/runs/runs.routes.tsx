/**
 * Run pages: the wizard (GET/POST /runs/new, impact preview), a run with what its status calls for (solve,
 * live progress with cancel, review with conflicts resolved inline, approve with a confirmation, commit, the
 * result with exports and notices, rollback inside the org's window with its result), the account table and one account's explanation, and the comparison of
 * two proposals. Every change goes through a service verb; htmx requests get fragments.
 */
import { type Context, Hono } from 'hono';
import type { AppBindings } from '../../api/context.ts';
import { principalOf, requireRole } from '../../auth/require-role.ts';
import { AppError, type FieldIssue } from '../../lib/errors.ts';
import { cancelRun } from '../../services/after/cancel-run.ts';
import { listNotices } from '../../services/after/outbox.ts';
import { changeSetCounts, rollbackInfo } from '../../services/after/rollback-info.ts';
import { rollbackRun } from '../../services/after/rollback-run.ts';
import { EXPORT_FORMATS, type ExportFormat, exportRun } from '../../services/after/run-exports.ts';
import { approveRun } from '../../services/approve/approve-run.ts';
import type { OrgContext } from '../../services/auth/context.ts';
import {
  findAccountByCrmId,
  findOpportunityByCrmId,
  listRegionsAndSegments,
  segmentChoices,
} from '../../services/book/book-choices.ts';
import { listRepChoices, repNames } from '../../services/book/rep-list.ts';
import { commitRun } from '../../services/commit/commit-run.ts';
import { createRun, getRun } from '../../services/plan/create-run.ts';
import { diagnoseDraft, rulesInForce } from '../../services/plan/diagnose-run.ts';
import { type ImpactScope, impactOf } from '../../services/plan/draft-impact.ts';
import {
  type AccountBase,
  type CommissionScope,
  commissionPreview,
  listScopeAccounts,
  matchingAccountIds,
  type ScopeAccountFilter,
} from '../../services/plan/wizard-choices.ts';
import {
  bulkChange,
  listConflicts,
  MAX_BULK_ACCOUNTS,
  resolveConflict,
} from '../../services/review/changes.ts';
import { compareRuns } from '../../services/review/compare.ts';
import {
  type AccountTableFilter,
  explainAccount,
  getRunSummary,
  listRunAccounts,
} from '../../services/review/review.ts';
import { comparableRuns, moveGroups } from '../../services/review/run-page-reads.ts';
import { listRulesetChoices } from '../../services/rulesets/rulesets.ts';
import {
  type CommissionSegment,
  createRunSchema,
  MAX_SCOPE_ACCOUNTS,
  type RunParams,
} from '../../services/run-records/run-params.ts';
import type { RunsContext } from '../../services/run-records/run-records.ts';
import { requestSolve } from '../../services/solve/solve-run.ts';
import { isFragmentRequest, renderPage } from '../layout.tsx';
import { Crumbs } from '../shared/components.tsx';
import { hxTargetId, orgCtx, todayOf } from '../shared/context.ts';
import { money, pageNumber, text } from '../shared/format.ts';
import {
  CUSTOM_PCT_ERROR,
  dollarsToCents,
  isCommissionType,
  parseSegmentRows,
  pctToBps,
  segmentFieldOf,
  segmentRowsOf,
} from './commission-strategy-fields.tsx';
import { GroupedConflictsSection } from './conflict-groups.tsx';
import { RulesInForce } from './diagnosis-panel.tsx';
import {
  ApprovePanel,
  Charts,
  CommittedPanel,
  ConflictCard,
  type ConflictFormState,
  type ConflictRow,
  changedReps,
  RepTable,
  repsToShow,
} from './review-parts.tsx';
import { type RollbackFormState, RollbackPanel, RollbackResultPanel } from './rollback-parts.tsx';
import {
  ACCOUNT_ACTIONS,
  type AccountAction,
  AccountChangeFields,
  type AccountEdit,
  type AccountFilter,
  AccountFilters,
  AccountTable,
  ApproveConfirm,
} from './run-accounts.tsx';
import {
  BalanceTable,
  CancelForm,
  canDraft,
  DraftPanel,
  REVIEW_STATUSES,
  RunHeader,
  type RunRecord,
  type SolveJob,
  SolvingBox,
  SummaryStats,
} from './run-page.tsx';
import {
  AccountPicker,
  type AccountPickerData,
  EMPTY_WIZARD,
  ImpactPanel,
  type WizardErrors,
  WizardPage,
  type WizardValues,
} from './wizard-page.tsx';

const VIEW_ROLES = ['admin', 'manager', 'analyst', 'finance'] as const;
const DRAFT_ROLES = ['manager', 'analyst'] as const;
const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;
const ACCOUNT_PAGE = 50;

function runsCtx(c: Context<AppBindings>): RunsContext {
  const ctx = orgCtx(c);
  return {
    ...ctx,
    requestId: ctx.requestId ?? '',
    solverTimeLimitMs: c.get('deps').env.SOLVER_TIME_LIMIT_SECONDS * 1000,
    solveQueueLimit: c.get('deps').env.SOLVE_MAX_QUEUED_PER_ORG,
  };
}

/** The reps a person may pick as an account's new owner: active people who may receive and have no end date. */
async function receiverChoices(ctx: OrgContext) {
  return (await listRepChoices(ctx)).filter(
    (r) => r.kind === 'person' && r.active && r.mayReceive && !r.endDate,
  );
}

function runId(c: Context<AppBindings>): string {
  const id = c.req.param('id') ?? '';
  if (!UUID.test(id)) throw new AppError('NOT_FOUND', 'That run does not exist.');
  return id;
}

function list(form: Record<string, unknown>, key: string): string[] {
  const v = form[key] ?? form[`${key}[]`];
  const arr = Array.isArray(v) ? v : v === undefined ? [] : [v];
  return arr.filter((x): x is string => typeof x === 'string' && x !== '');
}

/** The account table's filter as the service reads it, from the query (the table) or the form (all matching). */
function accountFilterOf(get: (key: string) => string | undefined): AccountTableFilter {
  const rep = get('rep');
  const moved = get('moved');
  return {
    ...(rep && UUID.test(rep) ? { repId: rep } : {}),
    ...(get('region') ? { region: get('region') } : {}),
    ...(moved === '1' || moved === '0' ? { moved: moved === '1' } : {}),
    ...(get('conflict') ? { conflict: true } : {}),
  };
}

function wizardValues(form: Record<string, unknown>): WizardValues {
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
async function accountPickerOf(c: Context<AppBindings>, v: WizardValues): Promise<AccountPickerData | null> {
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
function fieldOf(path: string): keyof WizardErrors {
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

/** Builds the service input from the form; crm ids become row ids. Errors are keyed by field. */
async function toRunInput(c: Context<AppBindings>, v: WizardValues) {
  const errors: WizardErrors = {};
  const ctx = orgCtx(c);
  const common: Record<string, unknown> = {
    strategy: v.strategy,
    objective: v.objective,
    commissionType: v.commissionType,
  };
  // Strategy: the same fields and checks as the level-3 form (commission-strategy-fields.tsx).
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
  // Assignment: targets and this run's caps.
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
  // Accounts in scope (departure, realignment): all matching the filter, or the ticked ones.
  const base = accountBase(v);
  let accountIds: string[] | null = null;
  if (base) {
    if (v.accountMode === 'selected') {
      if (v.accountIds.length === 0)
        errors.accountIds = 'Tick at least one account, or choose “All accounts matching the filter”.';
      else accountIds = v.accountIds;
    } else if (v.acctOwner || v.acctRegion || v.acctQ) {
      const ids = await matchingAccountIds(ctx, base, acctFilterOf(v), MAX_SCOPE_ACCOUNTS + 1);
      if (ids.length === 0) errors.accountIds = 'No account matches the filter: clear or change it.';
      else if (ids.length > MAX_SCOPE_ACCOUNTS)
        errors.accountIds = `More than ${MAX_SCOPE_ACCOUNTS} accounts match the filter: narrow it, or clear it to take every account in scope.`;
      else accountIds = ids;
    }
    if (accountIds) common.accountIds = accountIds;
  }
  let params: Record<string, unknown> = {};
  let impact: ImpactScope = { kind: 'none' };
  let commissionScope: CommissionScope = { kind: 'none' };
  switch (v.kind) {
    case 'rep_departure':
      params = { departingRepIds: v.departingRepIds, ...common };
      if (v.departingRepIds.length === 0) errors.departingRepIds = 'Choose at least one rep who is leaving.';
      impact = { kind: 'reps', repIds: v.departingRepIds };
      if (base) commissionScope = { kind: 'base', base };
      break;
    case 'realignment':
      params = {
        ...(v.regions.length ? { regions: v.regions } : {}),
        ...(v.segments.length ? { segments: v.segments } : {}),
        ...common,
      };
      impact = { kind: 'regions', regions: v.regions, segments: v.segments };
      if (base) commissionScope = { kind: 'base', base };
      break;
    case 'new_hire': {
      const { accountIds: _ids, ...rest } = common;
      params = { hireRepIds: v.hireRepIds, ...rest };
      if (v.rampTargetPct) {
        const pct = Number(v.rampTargetPct);
        if (!Number.isFinite(pct) || pct <= 0 || pct > 100)
          errors.rampTargetPct = 'Enter a percentage from 1 to 100.';
        else params.rampTargetBps = Math.round(pct * 100);
      }
      if (v.hireRepIds.length === 0) errors.hireRepIds = 'Choose at least one new hire.';
      impact = { kind: 'reps', repIds: [] };
      break;
    }
    case 'account': {
      const account = v.accountCrmId ? await findAccountByCrmId(ctx, v.accountCrmId) : null;
      if (!account)
        errors.accountCrmId = v.accountCrmId
          ? `No account with CRM id “${v.accountCrmId}” in this org.`
          : 'Enter the account’s CRM id.';
      if (!v.newOwnerRepId) errors.newOwnerRepId = 'Choose the new owner.';
      params = { accountId: account?.id, newOwnerRepId: v.newOwnerRepId, ...common };
      if (account) {
        impact = { kind: 'account', accountId: account.id };
        commissionScope = { kind: 'account', accountId: account.id };
      }
      break;
    }
    case 'opportunity': {
      const opp = v.opportunityCrmId ? await findOpportunityByCrmId(ctx, v.opportunityCrmId) : null;
      if (!opp)
        errors.opportunityCrmId = v.opportunityCrmId
          ? `No opportunity with CRM id “${v.opportunityCrmId}” in this org.`
          : 'Enter the opportunity’s CRM id.';
      if (!v.newOwnerRepId) errors.newOwnerRepId = 'Choose the new owner.';
      params = { opportunityId: opp?.id, newOwnerRepId: v.newOwnerRepId, ...common };
      if (opp) {
        impact = { kind: 'opportunity', opportunityId: opp.id };
        commissionScope = { kind: 'opportunity', opportunityId: opp.id };
      }
      break;
    }
    default:
      errors.form = 'Choose the kind of run.';
  }
  if (accountIds && (v.kind === 'rep_departure' || v.kind === 'realignment'))
    commissionScope = { kind: 'ids', accountIds };
  const raw = {
    kind: v.kind,
    scope: v.scope,
    reason: v.reason,
    params,
    ...(v.commissionEndDate ? { commissionEndDate: v.commissionEndDate } : {}),
    ...(v.reassignmentDate ? { reassignmentDate: v.reassignmentDate } : {}),
    ...(v.rulesetId ? { rulesetId: v.rulesetId } : {}),
  };
  const parsed = createRunSchema.safeParse(raw);
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
    impact,
    accountIds,
    commissionScope,
    commission,
  };
}

/** The impact preview: the chosen accounts when a selection narrows the scope, and the commission by type. */
async function previewOf(c: Context<AppBindings>, built: Awaited<ReturnType<typeof toRunInput>>) {
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

export function runPages() {
  const router = new Hono<AppBindings>();
  const viewers = requireRole(...VIEW_ROLES);
  const drafters = requireRole(...DRAFT_ROLES);

  const showWizard = async (
    c: Context<AppBindings>,
    values: WizardValues,
    errors: WizardErrors,
    preview: Awaited<ReturnType<typeof previewOf>> | null,
    status: 200 | 400 | 409 | 422 = 200,
  ) => {
    const ctx = orgCtx(c);
    const reps = await listRepChoices(ctx);
    const { regions, segments } = await listRegionsAndSegments(ctx);
    const rulesets = await listRulesetChoices({ ctx });
    const choices = await segmentChoices(ctx);
    const accountPicker = await accountPickerOf(c, values);
    return renderPage(
      c,
      'Start a run',
      <WizardPage
        principal={principalOf(c)}
        csrfToken={c.get('csrfToken')}
        values={values}
        errors={errors}
        reps={reps}
        regions={regions}
        segments={segments}
        rulesets={rulesets}
        impact={preview?.impact ?? null}
        commission={preview?.commission ?? null}
        diagnosis={preview?.diagnosis ?? null}
        segmentChoices={choices}
        accountPicker={accountPicker}
        manualQueue
      />,
      status,
    );
  };

  router.get('/runs/new', drafters, async (c) => {
    const kind = c.req.query('kind');
    const rep = c.req.query('rep');
    const account = c.req.query('account');
    const values: WizardValues = {
      ...EMPTY_WIZARD,
      ...(kind ? { kind } : {}),
      ...(rep && UUID.test(rep) ? { departingRepIds: [rep] } : {}),
      ...(account ? { accountCrmId: account } : {}),
    };
    let preview = null;
    if (values.departingRepIds.length > 0) preview = await previewOf(c, await toRunInput(c, values));
    return showWizard(c, values, {}, preview);
  });

  router.post('/runs/new/impact', drafters, async (c) => {
    const values = wizardValues(await c.req.parseBody({ all: true }));
    const preview = await previewOf(c, await toRunInput(c, values));
    return c.html(
      <ImpactPanel
        impact={preview.impact}
        values={values}
        commission={preview.commission}
        diagnosis={preview.diagnosis}
      />,
    );
  });

  // The scope step's account list (htmx): filter and page, keeping the ticked accounts.
  router.post('/runs/new/accounts', drafters, async (c) => {
    const values = wizardValues(await c.req.parseBody({ all: true }));
    const ctx = orgCtx(c);
    const reps = await listRepChoices(ctx);
    const { regions } = await listRegionsAndSegments(ctx);
    return c.html(
      <AccountPicker
        values={values}
        errors={{}}
        reps={reps}
        regions={regions}
        data={await accountPickerOf(c, values)}
      />,
    );
  });

  router.post('/runs/new', drafters, async (c) => {
    const body = await c.req.parseBody({ all: true });
    const values = wizardValues(body);
    const intent = text(body.intent);
    const built = await toRunInput(c, values);
    const { errors, input } = built;
    const preview = await previewOf(c, built);
    // Paging or filtering the account list without JavaScript: the same form again, nothing created.
    if (intent === 'preview' || (intent === '' && text(body.acctPage) !== ''))
      return showWizard(c, values, intent === 'preview' ? errors : {}, preview);
    if (!input || Object.keys(errors).length > 0) {
      return showWizard(
        c,
        values,
        { form: 'Some fields need attention: see the messages next to them.', ...errors },
        preview,
        400,
      );
    }
    try {
      const run = await createRun({ ctx: runsCtx(c), input });
      if (intent !== 'draft') await requestSolve({ ctx: runsCtx(c), input: { runId: run.id } });
      return c.redirect(`/runs/${run.id}`, 303);
    } catch (error) {
      if (error instanceof AppError && error.code === 'VALIDATION_FAILED') {
        const issues = (Array.isArray(error.details) ? error.details : []) as FieldIssue[];
        const fieldErrors: WizardErrors = { form: error.message };
        for (const i of issues) {
          const f = fieldOf(i.path);
          if (!fieldErrors[f] || f === 'form') fieldErrors[f] = i.message;
        }
        return showWizard(c, values, fieldErrors, preview, 400);
      }
      throw error;
    }
  });

  router.post('/runs/bulk-cancel', drafters, async (c) => {
    const form = await c.req.parseBody({ all: true });
    const ids = list(form, 'runId').filter((id) => UUID.test(id));
    const reason = text(form.reason);
    const back = (msg: { notice?: string; error?: string }) => {
      const q = new URLSearchParams(msg as Record<string, string>).toString();
      if (isFragmentRequest(c)) c.header('HX-Redirect', `/?${q}`);
      return c.redirect(`/?${q}`, 303);
    };
    if (ids.length === 0) return back({ error: 'Select at least one run to cancel.' });
    if (!reason) return back({ error: 'Say why the selected runs are cancelled.' });
    const failed: string[] = [];
    for (const id of ids) {
      try {
        await cancelRun({ ctx: orgCtx(c), input: { runId: id, reason } });
      } catch (error) {
        if (!(error instanceof AppError)) throw error;
        failed.push(error.message);
      }
    }
    const done = ids.length - failed.length;
    return back(
      failed.length
        ? { error: `${done} cancelled; ${failed.length} refused: ${failed[0]}` }
        : { notice: `${done} run(s) cancelled.` },
    );
  });

  const loadRun = async (c: Context<AppBindings>) => {
    const { run, job } = await getRun({ ctx: runsCtx(c), input: { runId: runId(c) } });
    return { run: run as RunRecord, job: job as SolveJob | null };
  };

  /**
   * After a conflict is resolved in place: the approval panel and the open-blocking counter, out of band, from
   * the conflicts as they are now.
   */
  const approvalUpdate = async (c: Context<AppBindings>, conflicts: ConflictRow[]) => {
    const { run } = await loadRun(c);
    const summary = await getRunSummary({ ctx: runsCtx(c), input: { runId: run.id } });
    const openBlocking = conflicts.filter((k) => k.severity === 'blocking' && k.resolution === null).length;
    return (
      <>
        <ApprovePanel
          run={run}
          principal={principalOf(c)}
          openBlocking={openBlocking}
          moved={summary.moved}
          csrfToken={c.get('csrfToken')}
          oob
        />
        <span id="open-blocking" hx-swap-oob="true">
          {openBlocking}
        </span>
      </>
    );
  };

  router.get('/runs/:id/progress', viewers, async (c) => {
    const { run, job } = await loadRun(c);
    if (run.status !== 'solving') {
      c.header('HX-Redirect', `/runs/${run.id}`);
      return c.html(
        <p>
          Solved. <a href={`/runs/${run.id}`}>Open the review</a>.
        </p>,
      );
    }
    return c.html(<SolvingBox run={run} job={job} csrfToken={c.get('csrfToken')} />);
  });

  const showRun = async (
    c: Context<AppBindings>,
    rollbackState?: RollbackFormState,
    status: 200 | 409 | 422 = 200,
  ) => {
    const { run, job } = await loadRun(c);
    const principal = principalOf(c);
    const ctx = runsCtx(c);
    const names = await repNames(ctx);
    const csrfToken = c.get('csrfToken');
    const rules = await rulesInForce({ ctx, input: { runId: run.id } });
    const head = (
      <>
        <RunHeader run={run} names={names} current={`/runs/${run.id}`} />
        <RulesInForce diagnosis={rules} />
      </>
    );
    let body: unknown;
    if (run.status === 'solving') {
      body = <SolvingBox run={run} job={job} csrfToken={csrfToken} />;
    } else if (run.status === 'draft' || run.status === 'failed') {
      body = <DraftPanel run={run} csrfToken={csrfToken} principal={principal} />;
    } else if (run.status === 'cancelled') {
      body = (
        <section class="card">
          <h2>Cancelled</h2>
          <p>This run was cancelled and changed nothing. Start a new run if the change is still needed.</p>
        </section>
      );
    } else {
      const summary = await getRunSummary({ ctx, input: { runId: run.id } });
      const conflicts = await listConflicts({ ctx, input: { runId: run.id } });
      const openBlocking = conflicts.filter((k) => k.severity === 'blocking' && k.resolution === null).length;
      const reps = repsToShow(summary);
      const receivers = await receiverChoices(ctx);
      const inReview = REVIEW_STATUSES.includes(run.status);
      let committed = null;
      if (run.status === 'committed' || run.status === 'rolled_back') {
        const counts = await changeSetCounts(ctx, run.id);
        const { notices } = await listNotices({ ctx, input: { runId: run.id, limit: 100 } });
        const info = await rollbackInfo(ctx, run.id);
        committed = (
          <>
            <RollbackResultPanel run={run} info={info} />
            <CommittedPanel run={run} counts={counts} notices={notices} />
            <RollbackPanel
              run={run}
              info={info}
              principal={principal}
              csrfToken={csrfToken}
              now={ctx.clock()}
              counts={counts}
              state={rollbackState}
            />
          </>
        );
      }
      body = (
        <>
          {committed}
          {inReview && (
            <ApprovePanel
              run={run}
              principal={principal}
              openBlocking={openBlocking}
              moved={summary.moved}
              csrfToken={csrfToken}
            />
          )}
          <section class="card" aria-labelledby="summary-title">
            <h2 id="summary-title">Before and after</h2>
            <SummaryStats summary={summary} openBlocking={openBlocking} />
            <h3>Reps whose book changes</h3>
            <Charts reps={changedReps(reps)} />
            <RepTable reps={changedReps(reps)} runId={run.id} />
            {reps.length > changedReps(reps).length && (
              <details>
                <summary>All {reps.length} receiving reps, including those whose book stays the same</summary>
                <RepTable reps={reps} runId={run.id} />
              </details>
            )}
            <h3>Balance</h3>
            <BalanceTable summary={summary} />
            <p>
              <a href={`/runs/${run.id}/accounts?moved=1`}>See every account that moves, and why</a>
            </p>
          </section>
          <GroupedConflictsSection
            conflicts={conflicts}
            runId={run.id}
            csrfToken={csrfToken}
            receivers={receivers}
            names={names}
            canResolve={inReview && canDraft(principal)}
          />
          {inReview && canDraft(principal) && (
            <section class="card" aria-labelledby="resolve-title">
              <h2 id="resolve-title">Solve again</h2>
              <p class="muted">
                Overrides stay pinned; everything else is balanced again. An approval is voided.
              </p>
              <form method="post" action={`/runs/${run.id}/solve`}>
                <input type="hidden" name="_csrf" value={csrfToken} />
                <button type="submit" class="secondary" id="resolve-run">
                  Solve again with overrides pinned
                </button>
              </form>
              <CancelForm run={run} csrfToken={csrfToken} />
            </section>
          )}
        </>
      );
    }
    return renderPage(
      c,
      run.reason,
      <>
        {head}
        {rollbackState?.errors.form && run.status !== 'committed' && (
          <p class="alert error" role="alert" id="rollback-error">
            {rollbackState.errors.form}
          </p>
        )}
        {body}
      </>,
      status,
    );
  };

  router.get('/runs/:id', viewers, (c) => showRun(c));

  router.post('/runs/:id/rollback', requireRole('manager'), async (c) => {
    const id = runId(c);
    const form = await c.req.parseBody();
    const state: RollbackFormState = {
      reason: text(form.reason).slice(0, 2000),
      confirmed: text(form.confirm) === 'yes',
      errors: {},
    };
    if (!state.reason)
      state.errors.reason = 'Say why the run is rolled back: the reason is kept in the audit trail.';
    if (!state.confirmed) state.errors.confirm = 'Tick the box to confirm that these changes are undone.';
    if (state.errors.reason || state.errors.confirm) {
      state.errors.form = 'Nothing was rolled back: see the messages next to the fields.';
      return showRun(c, state, 422);
    }
    const ctx = orgCtx(c);
    const { env } = c.get('deps');
    const appBaseUrl = env.APP_BASE_URL ?? new URL(c.req.url).origin;
    try {
      await rollbackRun({ ctx: { ...ctx, appBaseUrl }, input: { runId: id, reason: state.reason } });
    } catch (error) {
      // A closed window or a run that is not committed: the page says why, next to the form.
      if (error instanceof AppError && error.code === 'CONFLICT') {
        state.errors.form = `Nothing was rolled back. ${error.message}`;
        return showRun(c, state, 409);
      }
      throw error;
    }
    return c.redirect(`/runs/${id}#rollback-result`, 303);
  });

  router.post('/runs/:id/solve', drafters, async (c) => {
    await requestSolve({ ctx: runsCtx(c), input: { runId: runId(c) } });
    return c.redirect(`/runs/${runId(c)}`, 303);
  });

  router.post('/runs/:id/cancel', drafters, async (c) => {
    const reason = text((await c.req.parseBody()).reason);
    if (!reason)
      throw new AppError('VALIDATION_FAILED', 'Say why the run is cancelled, then cancel it again.');
    await cancelRun({ ctx: orgCtx(c), input: { runId: runId(c), reason } });
    return c.redirect(`/runs/${runId(c)}`, 303);
  });

  // Before /conflicts/:cid, which would take "bulk" and "account" for a conflict id.
  router.post('/runs/:id/conflicts/account/:aid', drafters, async (c) => {
    const aid = c.req.param('aid');
    if (!UUID.test(aid)) throw new AppError('NOT_FOUND', 'That account does not exist.');
    return resolveMany(c, () => [aid], await c.req.parseBody());
  });

  router.post('/runs/:id/conflicts/bulk', drafters, async (c) => {
    const form = await c.req.parseBody({ all: true });
    const which = text(form.which);
    const ticked = ([] as unknown[])
      .concat(form.accountIds ?? [])
      .map(String)
      .filter((x) => UUID.test(x));
    return resolveMany(
      c,
      (all) =>
        which.startsWith('kind:')
          ? [
              ...new Set(
                all
                  .filter((k) => k.kind === which.slice(5) && k.resolution === null && k.accountId)
                  .map((k) => k.accountId!),
              ),
            ]
          : ticked,
      form,
    );
  });

  router.post('/runs/:id/conflicts/:cid', drafters, async (c) => {
    const id = runId(c);
    const cid = c.req.param('cid');
    if (!UUID.test(cid)) throw new AppError('NOT_FOUND', 'That conflict does not exist.');
    const form = await c.req.parseBody();
    const resolution = text(form.resolution);
    const note = text(form.note);
    const repId = text(form.repId);
    const ctx = runsCtx(c);
    const state: ConflictFormState = { values: { resolution, note, repId }, error: {} };
    if (!['accept', 'override', 'exclude'].includes(resolution)) state.error!.form = 'Choose a decision.';
    if (!note) state.error!.note = 'Write why: the note is kept in the audit trail.';
    if (resolution === 'override' && !repId) state.error!.repId = 'Choose who should own the account.';
    let failed = Object.keys(state.error!).length > 0;
    if (!failed) {
      try {
        await resolveConflict({
          ctx,
          input: {
            runId: id,
            conflictId: cid,
            resolution: resolution as 'accept' | 'override' | 'exclude',
            note,
            ...(repId && resolution === 'override' ? { repId } : {}),
          },
        });
      } catch (error) {
        if (!(error instanceof AppError) || error.code === 'INTERNAL') throw error;
        state.error!.form = error.message;
        failed = true;
      }
    }
    if (!isFragmentRequest(c)) {
      if (failed)
        throw new AppError(
          'VALIDATION_FAILED',
          state.error!.form ?? state.error!.note ?? state.error!.repId ?? 'Check the decision.',
        );
      return c.redirect(`/runs/${id}#conflicts`, 303);
    }
    const conflicts = await listConflicts({ ctx, input: { runId: id } });
    const conflict = conflicts.find((k) => k.id === cid);
    if (!conflict) throw new AppError('NOT_FOUND', 'That conflict does not exist.');
    const names = await repNames(ctx);
    const receivers = await receiverChoices(ctx);
    return c.html(
      <>
        <ConflictCard
          conflict={conflict}
          runId={id}
          csrfToken={c.get('csrfToken')}
          receivers={receivers}
          names={names}
          canResolve
          {...(failed ? { state } : {})}
        />
        {await approvalUpdate(c, conflicts)}
      </>,
      failed ? 422 : 200,
    );
  });

  /**
   * Resolves every open conflict of one account (the card), or of the ticked accounts / all accounts with an open
   * conflict of one kind (the bulk form), with one note: accept, another owner or exclude. The whole conflicts
   * section comes back (its counters in place) with the approval panel out of band.
   */
  const resolveMany = async (
    c: Context<AppBindings>,
    pickIds: (all: ConflictRow[]) => string[],
    form: Record<string, unknown>,
  ) => {
    const id = runId(c);
    const ctx = runsCtx(c);
    const resolution = text(form.resolution);
    const note = text(form.note);
    const repId = text(form.repId);
    let error: string | undefined;
    const before = await listConflicts({ ctx, input: { runId: id } });
    const accountIds = pickIds(before);
    if (!['accept', 'override', 'exclude'].includes(resolution)) error = 'Choose a decision.';
    else if (!note) error = 'Write why in the note: it is kept in the audit trail.';
    else if (resolution === 'override' && !repId) error = 'Choose who should own the account(s).';
    else if (accountIds.length === 0) error = 'Tick at least one account, or choose a kind.';
    if (!error) {
      try {
        await bulkChange({
          ctx,
          input: {
            runId: id,
            action: resolution === 'override' ? 'pin' : resolution === 'exclude' ? 'exclude' : 'accept',
            accountIds,
            note,
            ...(resolution === 'override' ? { repId } : {}),
          },
        });
      } catch (e) {
        if (!(e instanceof AppError) || e.code === 'INTERNAL') throw e;
        error = e.message;
      }
    }
    if (!isFragmentRequest(c)) {
      if (error) throw new AppError('VALIDATION_FAILED', error);
      return c.redirect(`/runs/${id}#conflicts`, 303);
    }
    const conflicts = await listConflicts({ ctx, input: { runId: id } });
    const names = await repNames(ctx);
    const receivers = await receiverChoices(ctx);
    return c.html(
      <>
        <GroupedConflictsSection
          conflicts={conflicts}
          runId={id}
          csrfToken={c.get('csrfToken')}
          receivers={receivers}
          names={names}
          canResolve
          error={error}
        />
        {await approvalUpdate(c, conflicts)}
      </>,
      error ? 422 : 200,
    );
  };

  /** The change controls of the account table and page, for those who may change a proposal in review. */
  const accountEdit = async (c: Context<AppBindings>, run: RunRecord): Promise<AccountEdit | undefined> => {
    if (!REVIEW_STATUSES.includes(run.status) || !canDraft(principalOf(c))) return undefined;
    const receivers = (await receiverChoices(orgCtx(c))).map((r) => ({ id: r.id, name: r.name }));
    return { csrfToken: c.get('csrfToken'), receivers };
  };

  router.post('/runs/:id/accounts/change', drafters, async (c) => {
    const id = runId(c);
    const form = await c.req.parseBody({ all: true });
    const ids = [...new Set(list(form, 'accountId'))];
    const action = text(form.action) as AccountAction;
    const note = text(form.note);
    const repId = text(form.repId);
    const backRaw = text(form.back);
    // "All matching": every account of the run the table's filter matches, not only the ticked ones.
    const all = text(form.all) === '1';
    // Only back to this run's pages: a posted URL never sends the person elsewhere.
    const back = new URL(
      backRaw.startsWith(`/runs/${id}/accounts`) ? backRaw : `/runs/${id}/accounts`,
      'http://x',
    );
    const done = (outcome: Record<string, string>) => {
      for (const k of ['applied', 'error']) back.searchParams.delete(k);
      for (const [k, v] of Object.entries(outcome)) back.searchParams.set(k, v);
      const location = `${back.pathname}${back.search}`;
      if (isFragmentRequest(c)) c.header('HX-Redirect', location);
      return c.redirect(location, 303);
    };
    if (!(action in ACCOUNT_ACTIONS)) return done({ error: 'Choose what to change.' });
    if (!all && ids.length === 0)
      return done({ error: 'Select at least one account, then apply the change.' });
    if (ids.some((a) => !UUID.test(a)))
      return done({ error: 'The selection names an account that is not in this run. Nothing was changed.' });
    if (!all && ids.length > MAX_BULK_ACCOUNTS)
      return done({
        error: `Select at most ${MAX_BULK_ACCOUNTS.toLocaleString('en-US')} accounts at a time. Nothing was changed.`,
      });
    if ((action === 'accept' || action === 'exclude' || action === 'pin') && !note)
      return done({ error: 'Write why in the note: it is kept in the audit trail. Nothing was changed.' });
    if (action === 'pin' && !UUID.test(repId))
      return done({ error: 'Choose the rep to give the accounts to. Nothing was changed.' });
    const expected = Number(text(form.matching));
    const matching = all
      ? {
          filter: accountFilterOf((k) => text(form[k]) || undefined),
          ...(Number.isInteger(expected) && expected >= 0 ? { expected } : {}),
        }
      : undefined;
    try {
      const r = await bulkChange({
        ctx: runsCtx(c),
        input: {
          runId: id,
          action,
          ...(matching ? { matching } : { accountIds: ids }),
          ...(note ? { note } : {}),
          ...(action === 'pin' ? { repId } : {}),
        },
      });
      // Accepting skips accounts without an open conflict silently: there was nothing to decide for them.
      const skipped =
        r.skipped === 0 || action === 'accept'
          ? null
          : `${r.skipped} of ${r.selected} selected account(s) were not ${action === 'unpin' ? 'pinned' : 'excluded'} and were left as they were.`;
      return done({ applied: String(r.applied), ...(skipped ? { error: skipped } : {}) });
    } catch (error) {
      if (!(error instanceof AppError) || error.code === 'INTERNAL') throw error;
      return done({ applied: '0', error: error.message });
    }
  });

  router.get('/runs/:id/accounts', viewers, async (c) => {
    const { run } = await loadRun(c);
    const ctx = runsCtx(c);
    const q = (k: string) => c.req.query(k) || undefined;
    const sort = (['name', 'crmId', 'revenue', 'region'] as const).find((s) => s === q('sort')) ?? 'revenue';
    const filter: AccountFilter = {
      rep: q('rep') && UUID.test(q('rep')!) ? q('rep') : undefined,
      region: q('region'),
      moved: q('moved'),
      conflict: q('conflict'),
      sort,
      order: q('order') === 'asc' ? 'asc' : 'desc',
      page: pageNumber(q('page')),
      pageSize: ACCOUNT_PAGE,
    };
    const { rows, total } = await listRunAccounts({
      ctx,
      input: {
        runId: run.id,
        ...accountFilterOf(q),
        sort,
        order: filter.order,
        page: filter.page,
        pageSize: ACCOUNT_PAGE,
      },
    });
    const names = await repNames(ctx);
    const edit = await accountEdit(c, run);
    const table = (
      <AccountTable runId={run.id} rows={rows} total={total} filter={filter} names={names} edit={edit} />
    );
    if (hxTargetId(c) === 'account-table') return c.html(table);
    const reps = (await listRepChoices(ctx))
      .filter((r) => r.kind === 'person')
      .map((r) => ({ id: r.id, name: r.name }));
    const { regions } = await listRegionsAndSegments(ctx);
    return renderPage(
      c,
      `Accounts · ${run.reason}`,
      <>
        <RunHeader run={run} names={names} current={`/runs/${run.id}/accounts`} />
        <ChangeOutcome c={c} />
        <section class="card" aria-labelledby="accounts-title">
          <h2 id="accounts-title">Accounts in this run</h2>
          <AccountFilters runId={run.id} filter={filter} reps={reps} regions={regions} />
          {table}
        </section>
      </>,
    );
  });

  router.get('/runs/:id/accounts/:accountId', viewers, async (c) => {
    const { run } = await loadRun(c);
    const accountId = c.req.param('accountId');
    if (!UUID.test(accountId)) throw new AppError('NOT_FOUND', 'That account is not in this run.');
    const ctx = runsCtx(c);
    const a = await explainAccount({ ctx, input: { runId: run.id, accountId } });
    const edit = await accountEdit(c, run);
    const names = await repNames(ctx);
    const who = (id: string | null) => (id ? (names.get(id) ?? id) : 'nobody');
    const ex = (a.explanation ?? {}) as Record<string, unknown>;
    return renderPage(
      c,
      a.name,
      <>
        <Crumbs
          items={[
            { href: '/', label: 'Runs' },
            { href: `/runs/${run.id}`, label: run.reason },
            { href: `/runs/${run.id}/accounts`, label: 'Accounts' },
            { label: a.name },
          ]}
        />
        <ChangeOutcome c={c} />
        <section class="card" aria-labelledby="acc-title">
          <h1 id="acc-title">{a.name}</h1>
          <dl class="facts">
            <dt>CRM id</dt>
            <dd>
              <a href={`/accounts/${a.accountId}`}>{a.crmId}</a>
            </dd>
            <dt>Revenue</dt>
            <dd>{money(a.revenueCents)}</dd>
            <dt>From</dt>
            <dd>{who(a.fromRepId)}</dd>
            <dt>To</dt>
            <dd>{a.excluded ? `${who(a.fromRepId)} (excluded, stays)` : who(a.toRepId)}</dd>
            <dt>Why</dt>
            <dd id="why">{a.reason ?? '—'}</dd>
            {typeof ex.rule === 'string' && (
              <>
                <dt>Rule</dt>
                <dd>{ex.rule}</dd>
              </>
            )}
          </dl>
          {Object.keys(ex).length > 0 && (
            <details>
              <summary>The solver’s full explanation</summary>
              <pre class="json">{JSON.stringify(ex, null, 2)}</pre>
            </details>
          )}
          {a.conflicts.length > 0 && (
            <>
              <h2>Conflicts</h2>
              <ul>
                {a.conflicts.map((k) => (
                  <li>
                    {k.message} — {k.resolution ? `resolved: ${k.resolution} (“${k.note}”)` : 'open'}
                  </li>
                ))}
              </ul>
            </>
          )}
          {a.opportunityChanges.length > 0 && (
            <>
              <h2>Opportunities that follow</h2>
              <p>{a.opportunityChanges.length} opportunity(ies) change owner or split with this account.</p>
            </>
          )}
        </section>
        {edit && (
          <section class="card" aria-labelledby="override-title">
            <h2 id="override-title">Override this account</h2>
            <p class="muted">
              {a.excluded
                ? 'Excluded: it stays with its owner.'
                : a.pinned
                  ? 'Pinned: every re-solve keeps it with its rep.'
                  : 'Placed by the solver.'}{' '}
              A change makes a new version of the proposal and voids an approval.
            </p>
            <form method="post" action={`/runs/${run.id}/accounts/change`} id="account-override">
              <input type="hidden" name="accountId" value={a.accountId} />
              <AccountChangeFields
                edit={edit}
                idPrefix="one"
                back={`/runs/${run.id}/accounts/${a.accountId}`}
                legend={`Change for ${a.name}`}
              />
            </form>
          </section>
        )}
      </>,
    );
  });

  const showConfirm = async (c: Context<AppBindings>, error?: string, status: 200 | 403 | 409 = 200) => {
    const { run } = await loadRun(c);
    if (!REVIEW_STATUSES.includes(run.status) || run.status === 'approved')
      return c.redirect(`/runs/${run.id}`, 303);
    const ctx = runsCtx(c);
    const moves = await moveGroups(ctx, run.id);
    const names = await repNames(ctx);
    return renderPage(
      c,
      'Approve',
      <ApproveConfirm
        run={run}
        csrfToken={c.get('csrfToken')}
        moves={moves}
        moved={moves.reduce((s, m) => s + m.accounts, 0)}
        names={names}
        error={error}
      />,
      status,
    );
  };

  router.get('/runs/:id/approve', requireRole('manager'), (c) => showConfirm(c));

  router.post('/runs/:id/approve', requireRole('manager'), async (c) => {
    const form = await c.req.parseBody();
    const version = Number(text(form.version));
    const hash = text(form.hash);
    try {
      await approveRun({
        ctx: orgCtx(c),
        input: {
          runId: runId(c),
          ...(Number.isInteger(version) && version > 0 ? { expectedVersion: version } : {}),
          // The version and the hash shown on the confirmation pin exactly what the manager reviewed.
          expectedHash: hash,
          ...(text(form.note) ? { note: text(form.note) } : {}),
        },
      });
    } catch (error) {
      if (error instanceof AppError && (error.code === 'CONFLICT' || error.code === 'FORBIDDEN'))
        return showConfirm(c, error.message, error.code === 'CONFLICT' ? 409 : 403);
      throw error;
    }
    return c.redirect(`/runs/${runId(c)}`, 303);
  });

  router.post('/runs/:id/commit', requireRole('manager'), async (c) => {
    const { env } = c.get('deps');
    const base = env.APP_BASE_URL ?? new URL(c.req.url).origin;
    await commitRun({ ctx: orgCtx(c), input: { runId: runId(c), appBaseUrl: base } });
    if (isFragmentRequest(c)) c.header('HX-Redirect', `/runs/${runId(c)}`);
    return c.redirect(`/runs/${runId(c)}`, 303);
  });

  router.get(
    '/runs/:id/exports/:format',
    requireRole('admin', 'manager', 'analyst', 'finance'),
    async (c) => {
      const format = c.req.param('format');
      if (!(EXPORT_FORMATS as readonly string[]).includes(format))
        throw new AppError(
          'NOT_FOUND',
          `There is no ${format} export; choose one of ${EXPORT_FORMATS.join(', ')}.`,
        );
      const file = c.req.query('file');
      const out = await exportRun({
        ctx: orgCtx(c),
        input: { runId: runId(c), format: format as ExportFormat, ...(file ? { file } : {}) },
      });
      c.header('Content-Type', out.contentType);
      c.header(
        'Content-Disposition',
        `attachment; filename="${out.filename.replace(/[^A-Za-z0-9._-]+/g, '_')}"`,
      );
      return c.body(out.body);
    },
  );

  router.get('/runs/:id/compare', viewers, async (c) => {
    const { run } = await loadRun(c);
    const ctx = runsCtx(c);
    const names = await repNames(ctx);
    const other = c.req.query('with');
    const candidates = await comparableRuns(ctx, run.id);
    const cmp =
      other && UUID.test(other)
        ? await compareRuns({ ctx, input: { leftRunId: run.id, rightRunId: other } })
        : null;
    return renderPage(
      c,
      `Compare · ${run.reason}`,
      <>
        <RunHeader run={run} names={names} current={`/runs/${run.id}/compare`} />
        <section class="card" aria-labelledby="compare-title">
          <h2 id="compare-title">Two proposals side by side</h2>
          <form method="get" action={`/runs/${run.id}/compare`} class="filters">
            <div>
              <label for="compare-with">Compare with</label>
              <select id="compare-with" name="with">
                {candidates.map((r) => (
                  <option value={r.id} selected={r.id === other}>
                    {r.reason} ({r.status})
                  </option>
                ))}
              </select>
            </div>
            <div class="filters-submit">
              <button type="submit" class="secondary">
                Compare
              </button>
            </div>
          </form>
          {candidates.length === 0 && (
            <p class="muted">
              No other solved run to compare with yet. Start another run with a different strategy.
            </p>
          )}
          {cmp && <CompareTable cmp={cmp} />}
        </section>
      </>,
    );
  });

  return router;
}

function CompareTable({ cmp }: { cmp: Awaited<ReturnType<typeof compareRuns>> }) {
  const metric = (label: string, l: number | null, r: number | null, f: (n: number) => string) => (
    <tr>
      <th scope="row">{label}</th>
      <td class="num">{l === null ? '—' : f(l)}</td>
      <td class="num">{r === null ? '—' : f(r)}</td>
    </tr>
  );
  const pctf = (n: number) => `${(n * 100).toFixed(1)}%`;
  const numf = (n: number) => n.toLocaleString('en-US');
  return (
    <>
      <div class="side-by-side">
        <table id="compare-metrics">
          <caption class="muted">Balance of each proposal (lower is fairer)</caption>
          <thead>
            <tr>
              <th scope="col">Measure</th>
              <th scope="col" class="num">
                This run
              </th>
              <th scope="col" class="num">
                Other run
              </th>
            </tr>
          </thead>
          <tbody>
            {metric('Accounts moving', cmp.left.moved, cmp.right.moved, numf)}
            {metric('Without a new owner', cmp.left.unassigned, cmp.right.unassigned, numf)}
            {metric('Spread of account counts', cmp.left.countSpread, cmp.right.countSpread, numf)}
            {metric('Spread of revenue', cmp.left.revenueSpreadCents, cmp.right.revenueSpreadCents, money)}
            {metric('CV of counts', cmp.left.countCv, cmp.right.countCv, pctf)}
            {metric('CV of revenue', cmp.left.revenueCv, cmp.right.revenueCv, pctf)}
          </tbody>
        </table>
        <p>
          <strong>{numf(cmp.differingAccounts)}</strong> account(s) are placed differently by the two
          proposals.
        </p>
      </div>
      <div class="table-wrap">
        <table id="compare-table">
          <caption class="muted">Each rep’s book after each proposal</caption>
          <thead>
            <tr>
              <th scope="col">Rep</th>
              <th scope="col" class="num">
                Accounts (this run)
              </th>
              <th scope="col" class="num">
                Accounts (other)
              </th>
              <th scope="col" class="num">
                Revenue (this run)
              </th>
              <th scope="col" class="num">
                Revenue (other)
              </th>
            </tr>
          </thead>
          <tbody>
            {cmp.reps
              .filter((r) => r.leftCount + r.rightCount > 0)
              .map((r) => (
                <tr class={r.countDelta !== 0 ? 'moved' : undefined}>
                  <th scope="row">{r.name}</th>
                  <td class="num">{r.leftCount}</td>
                  <td class="num">{r.rightCount}</td>
                  <td class="num">{money(r.leftRevenueCents)}</td>
                  <td class="num">{money(r.rightRevenueCents)}</td>
                </tr>
              ))}
          </tbody>
        </table>
      </div>
    </>
  );
}

/** The outcome of a change to accounts, carried back in the query after the redirect. */
function ChangeOutcome({ c }: { c: Context<AppBindings> }) {
  const applied = Number(c.req.query('applied'));
  const error = (c.req.query('error') ?? '').slice(0, 500);
  return (
    <>
      {Number.isInteger(applied) && applied > 0 && (
        <p class="alert success" role="status" id="change-applied">
          {applied} change(s) made. The proposal has a new version; an approval, if any, was voided.
        </p>
      )}
      {error && (
        <p class="alert error" role="alert" id="change-error">
          {error}
        </p>
      )}
    </>
  );
}
