/**
 * A run with what its status calls for: solve, live progress with cancel, the review, the result with exports and
 * notices, rollback inside the org's window; and the dashboard's bulk cancel.
 */
import type { Context, Hono } from 'hono';
import type { AppBindings } from '../../api/context.ts';
import { requireRole } from '../../auth/require-role.ts';
import { AppError } from '../../lib/errors.ts';
import { cancelRun } from '../../services/after/cancel-run.ts';
import { rollbackRun } from '../../services/after/rollback-run.ts';
import { requestSolve } from '../../services/solve/solve-run.ts';
import { isFragmentRequest } from '../layout.tsx';
import { orgCtx } from '../shared/context.ts';
import { text } from '../shared/format.ts';
import type { RollbackFormState } from './rollback-parts.tsx';
import { SolveStatus } from './run-page.tsx';
import { drafters, list, loadRun, runId, runsCtx, UUID, viewers } from './run-route-context.ts';
import { showRun } from './run-show.tsx';

export function runRoutes(router: Hono<AppBindings>) {
  router.post('/runs/bulk-cancel', drafters, bulkCancel);
  router.get('/runs/:id/progress', viewers, solveProgress);
  router.get('/runs/:id', viewers, (c) => showRun(c));
  router.post('/runs/:id/rollback', requireRole('manager'), rollback);
  router.post('/runs/:id/solve', drafters, solve);
  router.post('/runs/:id/cancel', drafters, cancel);
}

/** The dashboard's bulk cancel: every ticked run with one reason, back to the dashboard with what happened. */
async function bulkCancel(c: Context<AppBindings>) {
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
}

async function solveProgress(c: Context<AppBindings>) {
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
}

async function rollback(c: Context<AppBindings>) {
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
}

async function solve(c: Context<AppBindings>) {
  try {
    await requestSolve({ ctx: runsCtx(c), input: { runId: runId(c) } });
  } catch (error) {
    // The org's solves are all taken: the run stays as it is, and its page says so beside the Solve button.
    if (!(error instanceof AppError) || error.code !== 'TOO_MANY_REQUESTS') throw error;
    c.header('Retry-After', '30');
    return showRun(c, undefined, 429, error.message);
  }
  return c.redirect(`/runs/${runId(c)}`, 303);
}

async function cancel(c: Context<AppBindings>) {
  const reason = text((await c.req.parseBody()).reason);
  if (!reason) throw new AppError('VALIDATION_FAILED', 'Say why the run is cancelled, then cancel it again.');
  await cancelRun({ ctx: orgCtx(c), input: { runId: runId(c), reason } });
  return c.redirect(`/runs/${runId(c)}`, 303);
}
