/**
 * Rep and account pages, and a rep's own view (/me: their book and their notices, nothing else); the level-3
 * "Terminate all commissions" form of a rep (managers) and a run's commission impact panel.
 */
import { type Context, Hono } from 'hono';
import type { AppBindings } from '../../api/context.ts';
import { principalOf, requireRole } from '../../auth/require-role.ts';
import { AppError, type FieldIssue } from '../../lib/errors.ts';
import { envSolveTimeLimitMs } from '../../lib/solve-time-limit.ts';
import { type AccountFilter, listAccounts } from '../../services/book/account-list.ts';
import { segmentChoices } from '../../services/book/book-choices.ts';
import { getRep, noticesFor } from '../../services/book/book-reads.ts';
import { myChanges, readAccount, readMyNotice } from '../../services/book/my-book.ts';
import { listReps } from '../../services/book/rep-list.ts';
import { createRun } from '../../services/plan/create-run.ts';
import { COMMISSION_READERS, commissionImpact } from '../../services/review/commission-impact.ts';
import { myCommissionMoney } from '../../services/review/my-commission-money.ts';
import type { RunsContext } from '../../services/run-records/run-records.ts';
import { requestSolve } from '../../services/solve/solve-run.ts';
import { renderPage } from '../layout.tsx';
import { Crumbs } from '../shared/components.tsx';
import { orgCtx } from '../shared/context.ts';
import { pageNumber } from '../shared/format.ts';
import { AccountPage } from './account-page.tsx';
import { AccountsPage, RepPage, RepsList } from './book-pages.tsx';
import { CommissionImpactPanel } from './commission-impact.tsx';
import { MyChanges, MyNoticePage, MyNotices } from './my-book.tsx';
import { MyCommissionMoney } from './my-commission-money.tsx';
import {
  emptyTerminate,
  TerminateCommissionsPage,
  type TerminateErrors,
  type TerminateValues,
  terminateFieldOf,
  terminateValues,
  toTerminateInput,
} from './terminate-commissions.tsx';

function runsCtx(c: Context<AppBindings>): RunsContext {
  const ctx = orgCtx(c);
  return {
    ...ctx,
    requestId: ctx.requestId ?? '',
    solverTimeLimitMs: envSolveTimeLimitMs(c.get('deps').env),
  };
}

const STAFF = ['admin', 'manager', 'analyst', 'finance'] as const;
const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;
const PAGE = 50;

/** One page of the book, largest accounts first. */
const bookPage = (page: number, filter: Pick<AccountFilter, 'owner' | 'q'>): AccountFilter => ({
  ...filter,
  order: 'revenue',
  limit: PAGE,
  offset: (page - 1) * PAGE,
});

export function bookPages() {
  const router = new Hono<AppBindings>();
  repRoutes(router);
  terminateRoutes(router);
  impactRoutes(router);
  myBookRoutes(router);
  accountRoutes(router);
  return router;
}

/** The roster and a rep's book (staff). */
function repRoutes(router: Hono<AppBindings>) {
  const staff = requireRole(...STAFF);

  router.get('/reps', staff, async (c) =>
    renderPage(
      c,
      'Reps',
      <RepsList reps={(await listReps({ ctx: orgCtx(c), input: { order: 'region' } })).rows} />,
    ),
  );

  router.get('/reps/:id', staff, async (c) => {
    const id = c.req.param('id');
    const ctx = orgCtx(c);
    const rep = UUID.test(id) ? await getRep(ctx, id) : null;
    if (!rep) throw new AppError('NOT_FOUND', 'That rep does not exist.');
    const page = pageNumber(c.req.query('page'));
    const { rows, total } = await listAccounts({ ctx, input: bookPage(page, { owner: rep.id }) });
    return renderPage(
      c,
      rep.name,
      <RepPage
        rep={rep}
        rows={rows}
        total={total}
        page={page}
        pageSize={PAGE}
        principal={principalOf(c)}
        own={false}
      />,
    );
  });
}

/** Level 3 from the rep's page: the "Terminate all commissions" form and the run it starts (managers). */
function terminateRoutes(router: Hono<AppBindings>) {
  const managers = requireRole('manager');
  const repFor = async (c: Context<AppBindings>) => {
    const id = c.req.param('id') ?? '';
    const rep = UUID.test(id) ? await getRep(orgCtx(c), id) : null;
    if (rep?.kind !== 'person') throw new AppError('NOT_FOUND', 'That rep does not exist.');
    return rep;
  };
  const showTerminate = async (
    c: Context<AppBindings>,
    rep: Awaited<ReturnType<typeof repFor>>,
    values: TerminateValues,
    errors: TerminateErrors,
    status: 200 | 400 = 200,
  ) =>
    renderPage(
      c,
      `Terminate all commissions — ${rep.name}`,
      <TerminateCommissionsPage
        rep={rep}
        values={values}
        errors={errors}
        choices={await segmentChoices(orgCtx(c))}
        csrfToken={c.get('csrfToken')}
      />,
      status,
    );

  router.get('/reps/:id/terminate-commissions', managers, async (c) => {
    const rep = await repFor(c);
    return showTerminate(c, rep, emptyTerminate(rep), {});
  });

  router.post('/reps/:id/terminate-commissions', managers, async (c) => {
    const rep = await repFor(c);
    const values = terminateValues(await c.req.parseBody());
    const { input, errors } = toTerminateInput(rep.id, values);
    if (!input) {
      return showTerminate(
        c,
        rep,
        values,
        { form: 'Some fields need attention: see the messages next to them.', ...errors },
        400,
      );
    }
    try {
      const run = await createRun({ ctx: runsCtx(c), input });
      await requestSolve({ ctx: runsCtx(c), input: { runId: run.id } });
      return c.redirect(`/runs/${run.id}`, 303);
    } catch (error) {
      if (error instanceof AppError && error.code === 'VALIDATION_FAILED') {
        const issues = (Array.isArray(error.details) ? error.details : []) as FieldIssue[];
        const fieldErrors: TerminateErrors = { form: error.message };
        for (const i of issues) {
          const f = terminateFieldOf(i.path);
          if (!fieldErrors[f] || f === 'form') fieldErrors[f] = i.message;
        }
        return showTerminate(c, rep, values, fieldErrors, 400);
      }
      throw error;
    }
  });
}

function impactRoutes(router: Hono<AppBindings>) {
  // The commission impact of a run: a fragment for the run page's lazy panel (htmx), else a page of its own.
  router.get('/runs/:id/commission-impact', requireRole(...COMMISSION_READERS), async (c) => {
    const id = c.req.param('id');
    if (!UUID.test(id)) throw new AppError('NOT_FOUND', 'That run does not exist.');
    const fragment = c.req.header('hx-request') === 'true';
    let impact: Awaited<ReturnType<typeof commissionImpact>> | null = null;
    let message = '';
    try {
      impact = await commissionImpact({ ctx: orgCtx(c), input: { runId: id } });
    } catch (error) {
      // A run without dates, or rolled back, has no impact: say so where the panel would be.
      if (!(error instanceof AppError) || !['UNPROCESSABLE', 'CONFLICT'].includes(error.code)) throw error;
      message = error.message;
    }
    const body = impact ? (
      <CommissionImpactPanel impact={impact} />
    ) : (
      <section class="card" id="commission-impact">
        <h2>Commission impact</h2>
        <p class="muted">{message}</p>
      </section>
    );
    if (fragment) return c.html(body);
    return renderPage(
      c,
      'Commission impact',
      <>
        <Crumbs
          items={[
            { href: '/', label: 'Runs' },
            { href: `/runs/${id}`, label: 'Run' },
            { label: 'Commission impact' },
          ]}
        />
        {body}
      </>,
    );
  });
}

/** A rep's own view: their book, notices and changes, and one notice. */
function myBookRoutes(router: Hono<AppBindings>) {
  router.get('/me', requireRole('rep'), async (c) => {
    const principal = principalOf(c);
    const ctx = orgCtx(c);
    if (!principal.repId) {
      return renderPage(
        c,
        'My book',
        <section class="card">
          <h1>My book</h1>
          <p>
            Your sign-in is not linked to a rep of the roster yet. Ask an admin of {principal.orgName} to link
            it.
          </p>
        </section>,
      );
    }
    const rep = await getRep(ctx, principal.repId);
    if (!rep) throw new AppError('NOT_FOUND', 'Your rep record was not found; ask an admin.');
    const page = pageNumber(c.req.query('page'));
    const { rows, total } = await listAccounts({ ctx, input: bookPage(page, { owner: rep.id }) });
    const notices = await noticesFor(ctx, { repId: rep.id, userId: principal.userId });
    const changes = await myChanges(ctx, rep.id);
    const committed = changes.commissions.filter((x) => x.runStatus === 'committed');
    const money = await myCommissionMoney({ ctx, input: { runIds: committed.map((x) => x.runId) } });
    const runNames = new Map(committed.map((x) => [x.runId, x.runReason]));
    return renderPage(
      c,
      'My book',
      <RepPage
        rep={rep}
        rows={rows}
        total={total}
        page={page}
        pageSize={PAGE}
        principal={principal}
        own
        extra={
          <>
            <MyNotices notices={notices} />
            <MyChanges
              moves={changes.moves}
              commissions={changes.commissions}
              moneyPanel={<MyCommissionMoney money={money} runNames={runNames} />}
            />
          </>
        }
      />,
    );
  });

  router.get('/me/notices/:id', requireRole('rep'), async (c) => {
    const id = c.req.param('id');
    if (!UUID.test(id)) throw new AppError('NOT_FOUND', 'That notice does not exist.');
    const notice = await readMyNotice(orgCtx(c), id);
    return renderPage(c, notice.subject, <MyNoticePage notice={notice} />);
  });
}

function accountRoutes(router: Hono<AppBindings>) {
  const staff = requireRole(...STAFF);

  router.get('/accounts', staff, async (c) => {
    const q = (c.req.query('q') ?? '').trim().slice(0, 200);
    const page = pageNumber(c.req.query('page'));
    const { rows, total, noRevenue } = await listAccounts({
      ctx: orgCtx(c),
      input: bookPage(page, { q: q || undefined }),
    });
    return renderPage(
      c,
      'Accounts',
      <AccountsPage rows={rows} total={total} page={page} pageSize={PAGE} q={q} noRevenue={noRevenue} />,
    );
  });

  // Staff read every account; a rep reads the accounts of their own book (the links of My book).
  router.get('/accounts/:id', requireRole(...STAFF, 'rep'), async (c) => {
    const id = c.req.param('id');
    if (!UUID.test(id)) throw new AppError('NOT_FOUND', 'That account does not exist.');
    const account = await readAccount(orgCtx(c), id);
    return renderPage(c, account.name, <AccountPage account={account} principal={principalOf(c)} />);
  });
}
