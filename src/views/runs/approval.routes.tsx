/** Approve with a confirmation, commit, and the files of a committed run. */
import type { Context, Hono } from 'hono';
import type { AppBindings } from '../../api/context.ts';
import { requireRole } from '../../auth/require-role.ts';
import { AppError } from '../../lib/errors.ts';
import { EXPORT_FORMATS, type ExportFormat, exportRun } from '../../services/after/run-exports.ts';
import { approveRun } from '../../services/approve/approve-run.ts';
import { repNames } from '../../services/book/rep-list.ts';
import { commitRun } from '../../services/commit/commit-run.ts';
import { listConflicts } from '../../services/review/changes.ts';
import { commissionImpact } from '../../services/review/commission-impact.ts';
import { moveGroups } from '../../services/review/run-page-reads.ts';
import { ApproveSplits } from '../book/commission-impact.tsx';
import { isFragmentRequest, renderPage } from '../layout.tsx';
import { orgCtx } from '../shared/context.ts';
import { text } from '../shared/format.ts';
import { ApproveConfirm } from './approve-confirm.tsx';
import { REVIEW_STATUSES } from './run-page.tsx';
import { loadRun, runId, runsCtx } from './run-route-context.ts';

export function approvalRoutes(router: Hono<AppBindings>) {
  router.get('/runs/:id/approve', requireRole('manager'), (c) => showConfirm(c));
  router.post('/runs/:id/approve', requireRole('manager'), approve);
  router.post('/runs/:id/commit', requireRole('manager'), commit);
  router.get('/runs/:id/exports/:format', requireRole('admin', 'manager', 'analyst', 'finance'), exportFile);
}

async function showConfirm(c: Context<AppBindings>, error?: string, status: 200 | 403 | 409 = 200) {
  const { run } = await loadRun(c);
  if (!REVIEW_STATUSES.includes(run.status) || run.status === 'approved')
    return c.redirect(`/runs/${run.id}`, 303);
  const ctx = runsCtx(c);
  const moves = await moveGroups(ctx, run.id);
  const names = await repNames(ctx);
  // What still stops approval, e.g. an account left with someone who leaves: named here too, not only on the review.
  const blocking = await listConflicts({ ctx, input: { runId: run.id, open: true, severity: 'blocking' } });
  // The split changes the commit will write (the same computation as the commit's), so nobody approves blind.
  const impact =
    run.commissionEndDate && run.reassignmentDate
      ? await commissionImpact({ ctx: orgCtx(c), input: { runId: run.id } })
      : null;
  return renderPage(
    c,
    'Approve',
    <>
      <ApproveConfirm
        run={run}
        blocking={blocking.map((k) => ({ kind: k.kind, message: k.message }))}
        csrfToken={c.get('csrfToken')}
        moves={moves}
        moved={moves.reduce((s, m) => s + m.accounts, 0)}
        names={names}
        error={error}
      />
      {impact && <ApproveSplits impact={impact} />}
    </>,
    status,
  );
}

async function approve(c: Context<AppBindings>) {
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
}

async function commit(c: Context<AppBindings>) {
  const { env } = c.get('deps');
  const base = env.APP_BASE_URL ?? new URL(c.req.url).origin;
  const fragment = isFragmentRequest(c);
  try {
    await commitRun({ ctx: orgCtx(c), input: { runId: runId(c), appBaseUrl: base } });
  } catch (error) {
    // A commit refused (the proposal changed, a conflict): said in the panel, the page stays as it is.
    if (!fragment || !(error instanceof AppError) || error.code === 'INTERNAL') throw error;
    return c.html(<CommitRefused runId={runId(c)} message={error.message} />);
  }
  // htmx loads the committed run as a whole page (once): a 303 would be followed inside the panel, and the run
  // page would appear twice (the approved one around, the committed one inside) until a reload. The query makes
  // the address differ from the page's own, so the browser loads it rather than only jumping to the anchor.
  if (fragment) {
    c.header('HX-Redirect', `/runs/${runId(c)}?committed=1#committed`);
    return c.body(null, 200);
  }
  return c.redirect(`/runs/${runId(c)}?committed=1#committed`, 303);
}

function CommitRefused({ runId, message }: { runId: string; message: string }) {
  return (
    <section class="card" id="approve-panel" aria-labelledby="approve-title">
      <h2 id="approve-title">Commit</h2>
      <p class="alert error" role="alert" id="commit-error">
        Nothing was committed. {message}
      </p>
      <p>
        <a href={`/runs/${runId}`}>Reload the run</a>
      </p>
    </section>
  );
}

async function exportFile(c: Context<AppBindings>) {
  const format = c.req.param('format') ?? '';
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
  c.header('Content-Disposition', `attachment; filename="${out.filename.replace(/[^A-Za-z0-9._-]+/g, '_')}"`);
  return c.body(out.body);
}
