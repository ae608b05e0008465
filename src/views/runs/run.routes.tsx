/**
 * A run with what its status calls for: solve, live progress with cancel, the review, the result with exports and
 * notices, rollback inside the org's window; and the dashboard's bulk cancel.
 */
import type { Context, Hono } from 'hono';
import type { AppBindings } from '../../api/context.ts';
import { principalOf, requireRole } from '../../auth/require-role.ts';
import { AppError } from '../../lib/errors.ts';
import { cancelRun } from '../../services/after/cancel-run.ts';
import { exportOverview } from '../../services/after/export-overview.ts';
import { listNotices } from '../../services/after/outbox.ts';
import { changeSetCounts, rollbackInfo } from '../../services/after/rollback-info.ts';
import { rollbackRun } from '../../services/after/rollback-run.ts';
import { repNames } from '../../services/book/rep-list.ts';
import { rulesInForce } from '../../services/plan/diagnose-run.ts';
import { listConflicts } from '../../services/review/changes.ts';
import { getRunSummary } from '../../services/review/review.ts';
import { requestSolve } from '../../services/solve/solve-run.ts';
import { isFragmentRequest, renderPage } from '../layout.tsx';
import { orgCtx } from '../shared/context.ts';
import { text } from '../shared/format.ts';
import { CommittedPanel } from './committed-panel.tsx';
import { GroupedConflictsSection } from './conflict-groups.tsx';
import { RulesInForce } from './diagnosis-panel.tsx';
import { DraftPanel } from './draft-panel.tsx';
import { ApprovePanel, Charts, changedReps, RepTable, repsToShow } from './review-parts.tsx';
import { type RollbackFormState, RollbackPanel, RollbackResultPanel } from './rollback-parts.tsx';
import {
  BalanceTable,
  CancelForm,
  canDraft,
  REVIEW_STATUSES,
  RunHeader,
  SolveStatus,
  SolvingBox,
  SummaryStats,
} from './run-page.tsx';
import {
  drafters,
  list,
  loadRun,
  receiverChoices,
  runId,
  runsCtx,
  UUID,
  viewers,
} from './run-route-context.ts';

export function runRoutes(router: Hono<AppBindings>) {
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
    return c.html(<SolveStatus run={run} job={job} />);
  });

  const showRun = async (
    c: Context<AppBindings>,
    rollbackState?: RollbackFormState,
    status: 200 | 409 | 422 | 429 = 200,
    solveRefusal?: string,
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
      body = <DraftPanel run={run} csrfToken={csrfToken} principal={principal} solveRefusal={solveRefusal} />;
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
        const exports = await exportOverview({ ctx, input: { runId: run.id } });
        committed = (
          <>
            <RollbackResultPanel run={run} info={info} />
            <CommittedPanel run={run} counts={counts} notices={notices} exports={exports} />
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
            {changedReps(reps).length === 0 ? (
              <p id="no-book-changes">
                No account changes owner in this run
                {run.kind === 'opportunity'
                  ? ': what changes is who owns and earns on the opportunity (see the commission impact).'
                  : '.'}
              </p>
            ) : (
              <>
                <Charts reps={changedReps(reps)} />
                <RepTable reps={changedReps(reps)} runId={run.id} />
              </>
            )}
            {reps.length > changedReps(reps).length && (
              <details>
                <summary>All {reps.length} receiving reps, including those whose book stays the same</summary>
                <RepTable reps={reps} runId={run.id} id="rep-table-all" />
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
            runKind={run.kind}
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
    try {
      await requestSolve({ ctx: runsCtx(c), input: { runId: runId(c) } });
    } catch (error) {
      // The org's solves are all taken: the run stays as it is, and its page says so beside the Solve button.
      if (!(error instanceof AppError) || error.code !== 'TOO_MANY_REQUESTS') throw error;
      c.header('Retry-After', '30');
      return showRun(c, undefined, 429, error.message);
    }
    return c.redirect(`/runs/${runId(c)}`, 303);
  });

  router.post('/runs/:id/cancel', drafters, async (c) => {
    const reason = text((await c.req.parseBody()).reason);
    if (!reason)
      throw new AppError('VALIDATION_FAILED', 'Say why the run is cancelled, then cancel it again.');
    await cancelRun({ ctx: orgCtx(c), input: { runId: runId(c), reason } });
    return c.redirect(`/runs/${runId(c)}`, 303);
  });
}
