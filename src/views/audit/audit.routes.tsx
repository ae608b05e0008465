/** The audit timeline (F11) for the org and for one run: events in chain order with who, what, before and after, the hash chain verified, CSV/JSON export. */
import { type Context, Hono } from 'hono';
import type { AppBindings } from '../../api/context.ts';
import { requireRole } from '../../auth/require-role.ts';
import { AppError } from '../../lib/errors.ts';
import { exportAuditTrail, listAuditEvents, verifyOrgAuditChain } from '../../services/audit/audit-trail.ts';
import { repNames } from '../../services/book/rep-list.ts';
import { getRun } from '../../services/plan/create-run.ts';
import { renderPage } from '../layout.tsx';
import { RunHeader, type RunRecord } from '../runs/run-page.tsx';
import { query } from '../shared/components.tsx';
import { orgCtx } from '../shared/context.ts';
import { when } from '../shared/format.ts';
import { auditActionWords, auditEntityWords } from './audit-words.ts';

const STAFF = ['admin', 'manager', 'analyst', 'finance'] as const;
const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;
const PAGE = 100;

type Events = Awaited<ReturnType<typeof listAuditEvents>>;

function Timeline({
  events,
  base,
  verified,
}: {
  events: Events;
  base: string;
  verified: Awaited<ReturnType<typeof verifyOrgAuditChain>>;
}) {
  return (
    <>
      <p class={verified.ok ? 'alert success' : 'alert error'} id="chain-status" role="status">
        {verified.ok
          ? `Hash chain verified: all ${verified.checked.toLocaleString('en-US')} events of the org are intact and in order.`
          : `The hash chain does NOT verify at event ${verified.firstBadSeq ?? '?'}: ${verified.reason ?? 'an event was altered or removed'}. Report this to an admin.`}
      </p>
      <p>
        Download: <a href={`${base}.csv`}>CSV</a> · <a href={`${base}.json`}>JSON</a>
      </p>
      {events.events.length === 0 ? (
        <p class="muted">No events yet.</p>
      ) : (
        <ol class="timeline" id="audit-timeline">
          {events.events.map((e) => (
            <li>
              <strong>{auditActionWords(e.action)}</strong> — {e.actorLabel ?? 'system'}{' '}
              <span class="muted small">
                {when(e.at)} · #{e.seq} · {auditEntityWords(e.entityType)}
                {e.runId && (
                  <>
                    {' '}
                    · <a href={`/runs/${e.runId}`}>run</a>
                  </>
                )}
              </span>
              {(e.before !== null || e.after !== null) && (
                <details>
                  <summary class="small">Before and after</summary>
                  <pre class="json">
                    {JSON.stringify({ before: e.before, after: e.after }, null, 2).slice(0, 4000)}
                  </pre>
                </details>
              )}
            </li>
          ))}
        </ol>
      )}
      {events.nextAfterSeq !== null && (
        <p>
          {/* The next page of this timeline (base names the downloads: /audit/export → /audit). */}
          <a href={`${base.replace(/\/export$/, '')}${query({ after: events.nextAfterSeq })}`} rel="next">
            Later events →
          </a>
        </p>
      )}
    </>
  );
}

function afterOf(c: Context<AppBindings>) {
  const n = Number(c.req.query('after'));
  return Number.isInteger(n) && n > 0 ? n : 0;
}

export function auditPages() {
  const router = new Hono<AppBindings>();
  const staff = requireRole(...STAFF);

  router.get('/audit', staff, async (c) => {
    const ctx = orgCtx(c);
    const events = await listAuditEvents({ ctx, input: { afterSeq: afterOf(c), limit: PAGE } });
    const verified = await verifyOrgAuditChain({ ctx });
    return renderPage(
      c,
      'Audit trail',
      <>
        <h1>Audit trail</h1>
        <section class="card">
          <Timeline events={events} base="/audit/export" verified={verified} />
        </section>
      </>,
    );
  });

  const download = async (c: Context<AppBindings>, runId: string | undefined, format: 'csv' | 'json') => {
    const file = await exportAuditTrail({ ctx: orgCtx(c), input: { format, ...(runId ? { runId } : {}) } });
    c.header('Content-Type', `${file.contentType}; charset=utf-8`);
    c.header('Content-Disposition', `attachment; filename="${file.filename}"`);
    return c.body(file.body);
  };

  router.get('/audit/export.csv', staff, (c) => download(c, undefined, 'csv'));
  router.get('/audit/export.json', staff, (c) => download(c, undefined, 'json'));

  router.get('/runs/:id/audit', staff, async (c) => {
    const id = c.req.param('id');
    if (!UUID.test(id)) throw new AppError('NOT_FOUND', 'That run does not exist.');
    const ctx = orgCtx(c);
    const { run } = await getRun({ ctx: { ...ctx, requestId: ctx.requestId ?? '' }, input: { runId: id } });
    const events = await listAuditEvents({ ctx, input: { runId: id, afterSeq: afterOf(c), limit: PAGE } });
    const verified = await verifyOrgAuditChain({ ctx });
    const names = await repNames(ctx);
    return renderPage(
      c,
      `Audit · ${run.reason}`,
      <>
        <RunHeader run={run as RunRecord} names={names} current={`/runs/${id}/audit`} />
        <section class="card" aria-labelledby="run-audit-title">
          <h2 id="run-audit-title">Audit trail of this run</h2>
          <Timeline events={events} base={`/runs/${id}/audit/export`} verified={verified} />
        </section>
      </>,
    );
  });

  router.get('/runs/:id/audit/export.csv', staff, (c) => download(c, c.req.param('id'), 'csv'));
  router.get('/runs/:id/audit/export.json', staff, (c) => download(c, c.req.param('id'), 'json'));

  return router;
}
