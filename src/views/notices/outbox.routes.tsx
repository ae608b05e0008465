/**
 * The outbox pages: managers and admins watch notices go out (managers send notices by committing and rolling back
 * runs; admins configure the email provider). A manager retries a failed notice or cancels a pending one.
 */
import { type Context, Hono } from 'hono';
import type { AppBindings } from '../../api/context.ts';
import { principalOf, requireRole } from '../../auth/require-role.ts';
import { AppError } from '../../lib/errors.ts';
import {
  cancelNotice,
  getNotice,
  getNoticeWithRun,
  listNotices,
  type NoticeStatus,
  noticeCounts,
  providerConfigured,
  retryNotice,
} from '../../services/after/outbox.ts';
import { renderPage } from '../layout.tsx';
import { orgCtx } from '../shared/context.ts';
import { pageNumber } from '../shared/format.ts';
import { type Delivery, NoticePage, OUTBOX_STATUSES, OutboxPage } from './outbox-pages.tsx';

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;
const PAGE = 50;
/** What the sandboxed preview frame may do: show the HTML with its inline styles, nothing else. */
const PREVIEW_CSP =
  "sandbox; default-src 'none'; style-src 'unsafe-inline'; img-src data:; frame-ancestors 'self'";

export function outboxPages() {
  const router = new Hono<AppBindings>();
  const watchers = requireRole('admin', 'manager');
  const delivery = (c: Context<AppBindings>): Delivery => {
    const { env, clock } = c.get('deps');
    return { configured: providerConfigured(env), emailFrom: env.EMAIL_FROM, now: clock() };
  };
  const noticeOf = async (c: Context<AppBindings>) => {
    const id = c.req.param('id') ?? '';
    if (!UUID.test(id)) throw new AppError('NOT_FOUND', 'That notice does not exist.');
    return getNotice({ ctx: orgCtx(c), input: { id } });
  };

  router.get('/notices', watchers, async (c) => {
    const asked = c.req.query('status');
    const status = OUTBOX_STATUSES.find((s) => s === asked) as NoticeStatus | undefined;
    const page = pageNumber(c.req.query('page'));
    const ctx = orgCtx(c);
    const [{ notices }, counts] = await Promise.all([
      listNotices({ ctx, input: { status, limit: PAGE, offset: (page - 1) * PAGE, newestFirst: true } }),
      noticeCounts({ ctx }),
    ]);
    return renderPage(
      c,
      'Outbox',
      <OutboxPage
        rows={notices}
        counts={counts}
        status={status}
        page={page}
        pageSize={PAGE}
        delivery={delivery(c)}
      />,
    );
  });

  router.get('/notices/:id', watchers, async (c) => {
    const id = c.req.param('id');
    if (!UUID.test(id)) throw new AppError('NOT_FOUND', 'That notice does not exist.');
    const { notice, runReason } = await getNoticeWithRun({ ctx: orgCtx(c), input: { id } });
    return renderPage(
      c,
      notice.subject,
      <NoticePage
        notice={notice}
        delivery={delivery(c)}
        runLabel={runReason}
        canAct={principalOf(c).role === 'manager'}
        csrfToken={c.get('csrfToken')}
      />,
    );
  });

  // The stored HTML byte for byte, for the preview frame: sandboxed, nothing loaded, no script.
  router.get('/notices/:id/preview', watchers, async (c) => {
    const notice = await noticeOf(c);
    c.header('Content-Security-Policy', PREVIEW_CSP);
    c.header('X-Frame-Options', 'SAMEORIGIN');
    return c.html(notice.html);
  });

  const managers = requireRole('manager');
  router.post('/notices/:id/retry', managers, async (c) => {
    const notice = await noticeOf(c);
    await retryNotice({ ctx: orgCtx(c), input: { id: notice.id } });
    return c.redirect(`/notices/${notice.id}`, 303);
  });
  router.post('/notices/:id/cancel', managers, async (c) => {
    const notice = await noticeOf(c);
    await cancelNotice({ ctx: orgCtx(c), input: { id: notice.id } });
    return c.redirect(`/notices/${notice.id}`, 303);
  });

  return router;
}
