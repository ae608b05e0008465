/**
 * Commission queue pages (seed 003): GET /commissions (the dashboard; an htmx request targeting #queue-table gets
 * the table alone), POST /commissions/retry (managers: the checked error items become new opportunity-level runs),
 * POST /commissions/cancel-runs (managers and analysts: the checked waiting runs are cancelled, with a reason) and
 * GET /commissions/items/:id (one item's history timeline). Each item links to its opportunity, its run and its
 * history. Plain forms: everything works without JavaScript.
 */
import { type Context, Hono } from 'hono';
import { html } from 'hono/html';
import type { AppBindings } from '../../api/context.ts';
import { principalOf, requireRole } from '../../auth/require-role.ts';
import { AppError, notFound } from '../../lib/errors.ts';
import { envSolveTimeLimitMs } from '../../lib/solve-time-limit.ts';
import { CANCEL_ROLES } from '../../services/after/cancel-run.ts';
import { queueItemHistory } from '../../services/commission-queue/history.ts';
import { listQueue, QUEUE_READERS } from '../../services/commission-queue/list.ts';
import { cancelQueueRuns, retryQueueItems } from '../../services/commission-queue/retry.ts';
import { QUEUE_STATUSES, type QueueStatus } from '../../services/commission-queue/settle.ts';
import { type PageStatus, renderPage } from '../layout.tsx';
import { hxTargetId, orgCtx } from '../shared/context.ts';
import { pageNumber } from '../shared/format.ts';
import {
  CommissionQueuePage,
  type QueueFilterValues,
  type QueueFlash,
  QueueTable,
} from './commission-queue-page.tsx';
import { QueueItemHistoryPage } from './queue-item-history.tsx';

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;
const PAGE_SIZE = 50;

function filterOf(c: Context<AppBindings>): QueueFilterValues {
  const status = c.req.query('status');
  const runId = c.req.query('runId');
  return {
    status: (QUEUE_STATUSES as readonly string[]).includes(status ?? '')
      ? (status as QueueStatus)
      : undefined,
    runId: runId && UUID.test(runId) ? runId : undefined,
    page: pageNumber(c.req.query('page')),
  };
}

/** The form's values of one field (ticked boxes); a body that is not a form (or cannot be read) has none. */
async function formValues(c: Context<AppBindings>, field: string): Promise<string[]> {
  try {
    const raw = (await c.req.parseBody({ all: true }))[field];
    const values = Array.isArray(raw) ? raw : raw === undefined ? [] : [raw];
    return values.filter((v): v is string => typeof v === 'string');
  } catch {
    return [];
  }
}

const selectedIds = (c: Context<AppBindings>) => formValues(c, 'itemIds');

async function show(
  c: Context<AppBindings>,
  filter: QueueFilterValues,
  flash?: QueueFlash,
  status: PageStatus = 200,
) {
  const page = await listQueue({
    ctx: orgCtx(c),
    input: { status: filter.status, runId: filter.runId, page: filter.page, pageSize: PAGE_SIZE },
  });
  const principal = principalOf(c);
  if (!flash && hxTargetId(c) === 'queue-table') {
    return c.html(
      html`${(
        <QueueTable
          page={page}
          filter={filter}
          canRetry={principal.role === 'manager'}
          csrfToken={c.get('csrfToken')}
        />
      )}`,
    );
  }
  return renderPage(
    c,
    'Commission queue',
    <CommissionQueuePage
      page={page}
      filter={filter}
      principal={principal}
      csrfToken={c.get('csrfToken')}
      flash={flash}
    />,
    status,
  );
}

export function commissionQueuePages() {
  const router = new Hono<AppBindings>();
  router.get('/commissions', requireRole(...QUEUE_READERS), (c) => show(c, filterOf(c)));
  router.get('/commissions/items/:id', requireRole(...QUEUE_READERS), itemHistory);
  router.post('/commissions/cancel-runs', requireRole(...CANCEL_ROLES), cancelRuns);
  router.post('/commissions/retry', requireRole('manager'), retryItems);
  return router;
}

/** One item's history page. */
async function itemHistory(c: Context<AppBindings>) {
  const id = c.req.param('id') ?? '';
  if (!UUID.test(id)) throw notFound('The commission queue item');
  const history = await queueItemHistory({ ctx: orgCtx(c), input: { itemId: id } });
  return renderPage(
    c,
    `History of ${history.item.opportunityName}`,
    <QueueItemHistoryPage history={history} />,
  );
}

/** Cancels the selected pending runs, with the reason given; the queue page says what it did. */
async function cancelRuns(c: Context<AppBindings>) {
  const ids = await formValues(c, 'runIds');
  const reason = ((await formValues(c, 'reason'))[0] ?? '').trim();
  const bad = ids.filter((id) => !UUID.test(id));
  const refuse = (message: string) => show(c, { page: 1 }, { kind: 'error', message }, 400);
  if (ids.length === 0)
    return refuse('Select at least one run to cancel (tick its box in the Cancel column).');
  if (bad.length > 0)
    return refuse(`${bad.length} selected run id(s) are not valid; reload the page and select again.`);
  if (reason === '')
    return refuse('Say why the selected runs are cancelled (the Why field), then cancel again.');
  try {
    const result = await cancelQueueRuns({ ctx: orgCtx(c), input: { runIds: ids, reason } });
    const items = result.cancelled.reduce((n, r) => n + r.items, 0);
    const reopened = result.cancelled.reduce((n, r) => n + r.reopened, 0);
    const message =
      `${result.cancelled.length} run(s) cancelled: ${items} item(s) cancelled` +
      (reopened > 0 ? `, ${reopened} retried item(s) back in error, ready to retry` : '') +
      (result.refused.length > 0 ? `; ${result.refused.length} refused:` : '.');
    return show(
      c,
      { page: 1 },
      { kind: result.refused.length === 0 ? 'success' : 'error', message, refused: result.refused },
      result.cancelled.length === 0 ? 409 : 200,
    );
  } catch (error) {
    if (error instanceof AppError && error.code === 'VALIDATION_FAILED') return refuse(error.message);
    throw error;
  }
}

/** Retries the selected items in error, each as a new opportunity-level run; the queue page says what it did. */
async function retryItems(c: Context<AppBindings>) {
  const ids = await selectedIds(c);
  const filter: QueueFilterValues = { status: 'error', page: 1 };
  const bad = ids.filter((id) => !UUID.test(id));
  if (ids.length === 0 || bad.length > 0) {
    const message =
      ids.length === 0
        ? 'Select at least one item in error to retry (tick its box in the Retry column).'
        : `${bad.length} selected item id(s) are not valid; reload the page and select again.`;
    return show(c, filter, { kind: 'error', message }, 400);
  }
  try {
    const result = await retryQueueItems({
      ctx: { ...orgCtx(c), solverTimeLimitMs: envSolveTimeLimitMs(c.get('deps').env) },
      input: { itemIds: ids },
    });
    const message =
      result.failed.length === 0
        ? `${result.retried.length} item(s) retried: each has a new run being solved; review, approve and commit it.`
        : `${result.retried.length} item(s) retried; ${result.failed.length} could not be (they are back in error with the reason).`;
    return show(
      c,
      { page: 1 },
      { kind: result.failed.length === 0 ? 'success' : 'error', message, ...result },
    );
  } catch (error) {
    if (
      error instanceof AppError &&
      (error.code === 'CONFLICT' || error.code === 'NOT_FOUND' || error.code === 'VALIDATION_FAILED')
    ) {
      const status = error.code === 'CONFLICT' ? 409 : error.code === 'NOT_FOUND' ? 404 : 400;
      return show(c, filter, { kind: 'error', message: error.message }, status);
    }
    throw error;
  }
}
