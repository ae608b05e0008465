/**
 * Commission pages (seed 003 levels 1 and 2): GET /opportunities/:id (the opportunity, its split and its history
 * timeline; "Manage commissions" for managers) and POST /opportunities/:id/commissions (an `opportunity` run);
 * GET/POST /accounts/:id/reassign-opportunities (an `account` run over its open opportunities, uniform type).
 * A valid form creates the run through the runs service, requests its solve and sends the manager to /runs/:id.
 */
import { type Context, Hono } from 'hono';
import type { AppBindings } from '../../api/context.ts';
import { principalOf, requireRole } from '../../auth/require-role.ts';
import { AppError, type FieldIssue } from '../../lib/errors.ts';
import { envSolveTimeLimitMs } from '../../lib/solve-time-limit.ts';
import { listRepChoices } from '../../services/book/rep-list.ts';
import { createRun } from '../../services/plan/create-run.ts';
import {
  getAccountForReassign,
  getOpportunity,
  houseRepId,
  planInputs,
} from '../../services/review/commission-reads.ts';
import type { CreateRunInput } from '../../services/run-records/run-params.ts';
import type { RunsContext } from '../../services/run-records/run-records.ts';
import { requestSolve } from '../../services/solve/solve-run.ts';
import { renderPage } from '../layout.tsx';
import { orgCtx, todayOf } from '../shared/context.ts';
import {
  type CommissionFormErrors,
  type CommissionFormValues,
  checkForm,
  emptyValues,
  fieldOfPath,
  formValues,
} from './commission-form.ts';
import { OpportunityPage, ReassignOpportunitiesPage, type ReceiverChoice } from './commission-pages.tsx';
import { currentShares, splitTimeline } from './timeline.ts';

const VIEW_ROLES = ['admin', 'manager', 'analyst', 'finance'] as const;
const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;
const FIX = 'Some fields need attention: see the messages next to them.';

function runsCtx(c: Context<AppBindings>): RunsContext {
  const ctx = orgCtx(c);
  return {
    ...ctx,
    requestId: ctx.requestId ?? '',
    solverTimeLimitMs: envSolveTimeLimitMs(c.get('deps').env),
  };
}

function idParam(c: Context<AppBindings>, what: string): string {
  const id = c.req.param('id') ?? '';
  if (!UUID.test(id)) throw new AppError('NOT_FOUND', `That ${what} does not exist.`);
  return id;
}

/** Active people who may receive: the only reps a manager can hand an opportunity to. */
async function receiversOf(c: Context<AppBindings>): Promise<ReceiverChoice[]> {
  return (await listRepChoices(orgCtx(c)))
    .filter((r) => r.kind === 'person' && r.active && r.mayReceive)
    .map((r) => ({ id: r.id, name: r.name, region: r.region }));
}

/** Creates the run and requests its solve; the runs service's own refusals come back as field errors. */
async function createAndSolve(
  c: Context<AppBindings>,
  input: CreateRunInput,
): Promise<{ runId: string } | { errors: CommissionFormErrors }> {
  try {
    const run = await createRun({ ctx: runsCtx(c), input });
    await requestSolve({ ctx: runsCtx(c), input: { runId: run.id } });
    return { runId: run.id };
  } catch (error) {
    if (error instanceof AppError && error.code === 'VALIDATION_FAILED') {
      const errors: CommissionFormErrors = { form: error.message };
      for (const issue of (Array.isArray(error.details) ? error.details : []) as FieldIssue[]) {
        const field = fieldOfPath(issue.path);
        if (field === 'form' || !errors[field]) errors[field] = issue.message;
      }
      return { errors };
    }
    throw error;
  }
}

export function commissionPages() {
  const router = new Hono<AppBindings>();
  opportunityRoutes(router);
  accountRoutes(router);
  return router;
}

/** Level 1: an opportunity's page and the run that changes its commission (managers). */
function opportunityRoutes(router: Hono<AppBindings>) {
  const viewers = requireRole(...VIEW_ROLES);
  const managers = requireRole('manager');

  const showOpportunity = async (
    c: Context<AppBindings>,
    values: CommissionFormValues | null,
    errors: CommissionFormErrors,
    status: 200 | 400 = 200,
  ) => {
    const id = idParam(c, 'opportunity');
    const opp = await getOpportunity(orgCtx(c), id);
    if (!opp) throw new AppError('NOT_FOUND', 'That opportunity does not exist.');
    const { periods, changes } = splitTimeline(opp.splitRows, opp.runByEffectiveDate);
    const principal = principalOf(c);
    const receivers = principal.role === 'manager' ? await receiversOf(c) : [];
    return renderPage(
      c,
      opp.name,
      <OpportunityPage
        opp={opp}
        periods={periods}
        changes={changes}
        current={currentShares(opp.splitRows)}
        principal={principal}
        csrfToken={c.get('csrfToken')}
        values={values ?? emptyValues(todayOf(c))}
        errors={errors}
        receivers={receivers}
      />,
      status,
    );
  };

  router.get('/opportunities/:id', viewers, (c) => showOpportunity(c, null, {}));

  router.post('/opportunities/:id/commissions', managers, async (c) => {
    const id = idParam(c, 'opportunity');
    const ctx = orgCtx(c);
    const opp = await getOpportunity(ctx, id);
    if (!opp) throw new AppError('NOT_FOUND', 'That opportunity does not exist.');
    const values = formValues(await c.req.parseBody());
    const receivers = await receiversOf(c);
    const names = new Map<string, string>([[opp.id, opp.name]]);
    for (const r of receivers) names.set(r.id, r.name);
    if (opp.ownerId && opp.ownerName) names.set(opp.ownerId, opp.ownerName);
    const checked = checkForm(values, {
      level: 'opportunity',
      targetId: opp.id,
      currentOwnerId: opp.ownerId,
      receivers: new Set(receivers.map((r) => r.id)),
      opportunities: await planInputs(ctx, { opportunityId: opp.id }),
      houseRepId: await houseRepId(ctx),
      names,
      closed: opp.status !== 'open',
    });
    if (!checked.input) return showOpportunity(c, values, { form: FIX, ...checked.errors }, 400);
    const created = await createAndSolve(c, checked.input);
    if ('errors' in created) return showOpportunity(c, values, created.errors, 400);
    return c.redirect(`/runs/${created.runId}`, 303);
  });
}

/** Level 2: the run over every open opportunity of an account (managers). */
function accountRoutes(router: Hono<AppBindings>) {
  const managers = requireRole('manager');

  const showAccount = async (
    c: Context<AppBindings>,
    values: CommissionFormValues | null,
    errors: CommissionFormErrors,
    skipped: { opportunityId: string; reason: string }[] = [],
    status: 200 | 400 = 200,
  ) => {
    const id = idParam(c, 'account');
    const account = await getAccountForReassign(orgCtx(c), id);
    if (!account) throw new AppError('NOT_FOUND', 'That account does not exist.');
    return renderPage(
      c,
      `Reassign all opportunities of ${account.name}`,
      <ReassignOpportunitiesPage
        account={account}
        csrfToken={c.get('csrfToken')}
        values={values ?? emptyValues(todayOf(c))}
        errors={errors}
        receivers={await receiversOf(c)}
        skipped={skipped}
      />,
      status,
    );
  };

  router.get('/accounts/:id/reassign-opportunities', managers, (c) => showAccount(c, null, {}));

  router.post('/accounts/:id/reassign-opportunities', managers, async (c) => {
    const id = idParam(c, 'account');
    const ctx = orgCtx(c);
    const account = await getAccountForReassign(ctx, id);
    if (!account) throw new AppError('NOT_FOUND', 'That account does not exist.');
    const values = formValues(await c.req.parseBody());
    const receivers = await receiversOf(c);
    const names = new Map<string, string>(account.opportunities.map((o) => [o.id, o.name]));
    for (const r of receivers) names.set(r.id, r.name);
    if (account.ownerId && account.ownerName) names.set(account.ownerId, account.ownerName);
    const checked = checkForm(values, {
      level: 'account',
      targetId: account.id,
      currentOwnerId: account.ownerId,
      receivers: new Set(receivers.map((r) => r.id)),
      // Closed opportunities are never part of an account run; the page lists the open ones.
      opportunities: (await planInputs(ctx, { accountId: account.id })).filter((o) => !o.isClosed),
      houseRepId: await houseRepId(ctx),
      names,
    });
    if (!checked.input) return showAccount(c, values, { form: FIX, ...checked.errors }, checked.skipped, 400);
    const created = await createAndSolve(c, checked.input);
    if ('errors' in created) return showAccount(c, values, created.errors, checked.skipped, 400);
    return c.redirect(`/runs/${created.runId}`, 303);
  });
}
