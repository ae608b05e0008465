/**
 * Pages of the manual-queue commission strategy: the "Commission decisions" panel of a run (a page of its own, and
 * a fragment for htmx on the run's overview), a per-opportunity decision and a bulk decision for the ticked or all
 * filtered opportunities. Every change goes through the decisions service; without JavaScript a post comes back to
 * the page (303), with htmx the panel is swapped with the result or the error next to the row.
 */
import { type Context, Hono } from 'hono';
import type { AppBindings } from '../../api/context.ts';
import { principalOf, requireRole } from '../../auth/require-role.ts';
import { AppError, type FieldIssue } from '../../lib/errors.ts';
import { listRepChoices, repNames } from '../../services/book/rep-list.ts';
import { getRun } from '../../services/plan/create-run.ts';
import {
  DECIDABLE_STATUSES,
  DECISION_WRITERS,
  type DecisionInput,
  listCommissionDecisions,
  matchingDecisionIds,
  setCommissionDecisions,
} from '../../services/review/commission-decisions.ts';
import type { RunsContext } from '../../services/run-records/run-records.ts';
import { isFragmentRequest, renderPage } from '../layout.tsx';
import { orgCtx } from '../shared/context.ts';
import { pageNumber, text } from '../shared/format.ts';
import { CommissionDecisionsPanel, decisionsHref } from './commission-decisions-panel.tsx';
import type { DecisionPanelFilter } from './commission-decisions-parts.tsx';
import { isCommissionType, pctToBps } from './commission-strategy-fields.tsx';
import { RunHeader, type RunRecord } from './run-page.tsx';

const VIEW_ROLES = ['admin', 'manager', 'analyst', 'finance'] as const;
const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;
const PAGE_SIZE = 25;

function runsCtx(c: Context<AppBindings>): RunsContext {
  const ctx = orgCtx(c);
  return { ...ctx, requestId: ctx.requestId ?? '' };
}

function idParam(c: Context<AppBindings>, name: string, what: string): string {
  const id = c.req.param(name) ?? '';
  if (!UUID.test(id)) throw new AppError('NOT_FOUND', `That ${what} does not exist.`);
  return id;
}

function filterOf(get: (k: string) => string): DecisionPanelFilter {
  const show = get('show');
  return {
    q: get('q').slice(0, 200),
    show: show === 'undecided' || show === 'decided' ? show : 'all',
    page: pageNumber(get('page') || undefined),
  };
}

type PanelState = {
  errors?: { form?: string | undefined; rows?: Record<string, string> | undefined };
  notice?: string;
};

/** The panel for a run as it is now (the page falls back to the last page when the filter shrank it). */
async function panelOf(
  c: Context<AppBindings>,
  runId: string,
  filter: DecisionPanelFilter,
  state: PanelState,
) {
  const ctx = runsCtx(c);
  let list = await listCommissionDecisions({
    ctx,
    input: { runId, page: filter.page, pageSize: PAGE_SIZE, filter },
  });
  const last = Math.max(1, Math.ceil(list.total / PAGE_SIZE));
  if (filter.page > last) {
    filter = { ...filter, page: last };
    list = await listCommissionDecisions({ ctx, input: { runId, page: last, pageSize: PAGE_SIZE, filter } });
  }
  const { run } = await getRun({ ctx, input: { runId } });
  const departing = new Set(run.params.departingRepIds ?? []);
  const receivers = (await listRepChoices(ctx))
    .filter((r) => (r.kind === 'person' || r.kind === 'house') && r.active && !departing.has(r.id))
    .map((r) => ({ id: r.id, name: r.name, kind: r.kind }));
  const principal = principalOf(c);
  const canEdit =
    (DECISION_WRITERS as readonly string[]).includes(principal.role) &&
    list.strategy === 'manual' &&
    DECIDABLE_STATUSES.includes(run.status as (typeof DECIDABLE_STATUSES)[number]);
  return {
    run: run as RunRecord,
    panel: (
      <CommissionDecisionsPanel
        runId={runId}
        runStatus={list.run.status}
        version={list.run.version}
        strategy={list.strategy}
        rows={list.rows}
        total={list.total}
        all={list.all}
        undecided={list.undecided}
        pageSize={list.pageSize}
        filter={filter}
        names={await repNames(ctx)}
        receivers={receivers}
        canEdit={canEdit}
        csrfToken={c.get('csrfToken')}
        errors={state.errors}
        notice={state.notice}
      />
    ),
  };
}

async function respond(
  c: Context<AppBindings>,
  runId: string,
  filter: DecisionPanelFilter,
  state: PanelState,
  status: 200 | 409 | 422 = 200,
) {
  const { run, panel } = await panelOf(c, runId, filter, state);
  // htmx swaps the panel (200, so the error shows next to the row); a page load gets the whole page.
  if (isFragmentRequest(c)) return c.html(panel);
  const names = await repNames(runsCtx(c));
  return renderPage(
    c,
    `Commission decisions · ${run.reason}`,
    <>
      <RunHeader run={run} names={names} current={`/runs/${runId}/commission-decisions`} />
      {panel}
    </>,
    status,
  );
}

/** The decision a form posts (type, C share, receiver), or the message to show. */
function decisionOf(form: Record<string, unknown>): {
  decision: Omit<DecisionInput, 'opportunityId'> | null;
  error?: string;
} {
  const type = text(form.commissionType);
  if (type === '') return { decision: null };
  if (!isCommissionType(type)) return { decision: null, error: 'Choose type A, B or C, or Undecided.' };
  const receiver = text(form.receiverRepId);
  if (receiver && !UUID.test(receiver))
    return { decision: null, error: 'Choose the receiving rep from the list.' };
  if (type === 'custom') {
    const bps = pctToBps(text(form.customPct));
    if (bps === null)
      return {
        decision: null,
        error: 'Type C needs the new rep’s share: a percentage from 0.01 to 100, e.g. 35.',
      };
    return {
      decision: { commissionType: type, customBps: bps, ...(receiver ? { receiverRepId: receiver } : {}) },
    };
  }
  if (type === 'house_absorbs') return { decision: { commissionType: type } };
  return { decision: { commissionType: type, ...(receiver ? { receiverRepId: receiver } : {}) } };
}

const issueText = (details: unknown): string =>
  Array.isArray(details)
    ? (details as FieldIssue[])
        .slice(0, 3)
        .map((d) => d.message)
        .join(' ')
    : '';

export function commissionDecisionPages() {
  const router = new Hono<AppBindings>();
  const viewers = requireRole(...VIEW_ROLES);
  const deciders = requireRole(...DECISION_WRITERS);
  router.get('/runs/:id/commission-decisions', viewers, decisionsPage);
  // One opportunity's decision (or "Undecided" to withdraw it).
  router.post('/runs/:id/commission-decisions/:opportunityId', deciders, decideOne);
  // One decision for the ticked opportunities, or for every opportunity matching the filter.
  router.post('/runs/:id/commission-decisions', deciders, decideMany);
  return router;
}

async function decisionsPage(c: Context<AppBindings>) {
  const runId = idParam(c, 'id', 'run');
  return respond(
    c,
    runId,
    filterOf((k) => c.req.query(k) ?? ''),
    {},
  );
}

/** Sets (or clears, with no decision) the decisions of the opportunities: null when done, else what was refused. */
async function applyDecision(
  c: Context<AppBindings>,
  runId: string,
  opportunityIds: string[],
  decision: Omit<DecisionInput, 'opportunityId'> | null,
): Promise<string | null> {
  try {
    await setCommissionDecisions({
      ctx: runsCtx(c),
      input: decision
        ? { runId, decisions: opportunityIds.map((opportunityId) => ({ opportunityId, ...decision })) }
        : { runId, decisions: [], clear: opportunityIds },
    });
  } catch (e) {
    if (!(e instanceof AppError) || e.code === 'INTERNAL' || e.code === 'FORBIDDEN') throw e;
    return [e.message, issueText(e.details)].filter(Boolean).join(' ');
  }
  return null;
}

async function decideOne(c: Context<AppBindings>) {
  const runId = idParam(c, 'id', 'run');
  const opportunityId = idParam(c, 'opportunityId', 'opportunity');
  const form = await c.req.parseBody();
  const filter = filterOf((k) => text(form[k]));
  const { decision, error } = decisionOf(form);
  const failure = error ?? (await applyDecision(c, runId, [opportunityId], decision));
  if (!isFragmentRequest(c)) {
    if (failure) return respond(c, runId, filter, { errors: { rows: { [opportunityId]: failure } } }, 422);
    return c.redirect(`${decisionsHref(runId, filter)}#decision-row-${opportunityId}`, 303);
  }
  return respond(
    c,
    runId,
    filter,
    failure ? { errors: { rows: { [opportunityId]: failure } } } : { notice: 'Decision saved.' },
  );
}

async function decideMany(c: Context<AppBindings>) {
  const runId = idParam(c, 'id', 'run');
  const form = await c.req.parseBody({ all: true });
  const one = (k: string) => {
    const v = form[k];
    return text(Array.isArray(v) ? v[0] : v);
  };
  const filter = filterOf(one);
  const { decision, error } = decisionOf({
    commissionType: one('commissionType'),
    customPct: one('customPct'),
    receiverRepId: one('receiverRepId'),
  });
  let failure: string | null = error ?? null;
  let count = 0;
  if (!failure) {
    const filtered = one('target') === 'filtered';
    const ids = filtered
      ? await matchingDecisionIds({ ctx: runsCtx(c), input: { runId, filter } })
      : tickedIds(form.ids);
    count = ids.length;
    if (ids.length === 0)
      failure = filtered
        ? 'No opportunity matches the filter: change the filter first.'
        : 'Tick at least one opportunity, or choose “All opportunities matching the filter”.';
    else failure = await applyDecision(c, runId, ids, decision);
  }
  const state: PanelState = failure
    ? { errors: { form: `Nothing was changed. ${failure}` } }
    : {
        notice: `${count} opportunit${count === 1 ? 'y' : 'ies'} ${decision ? 'decided' : 'undecided again'}.`,
      };
  if (!isFragmentRequest(c)) {
    if (failure) return respond(c, runId, filter, state, 422);
    return c.redirect(decisionsHref(runId, filter), 303);
  }
  return respond(c, runId, filter, state);
}

/** The ticked opportunity ids of a bulk form, once each. */
function tickedIds(raw: unknown): string[] {
  const ticked = (Array.isArray(raw) ? raw : raw === undefined ? [] : [raw]).filter(
    (x): x is string => typeof x === 'string' && UUID.test(x),
  );
  return [...new Set(ticked)];
}
