/**
 * Commission queue pages (seed 003): GET /commissions (the dashboard; an htmx request targeting #queue-table gets
 * the table alone) and POST /commissions/retry (managers: the checked error items become new opportunity-level
 * runs). Each item links to its opportunity's history page and to its run.
 */
import { type Context, Hono } from 'hono';
import { html } from 'hono/html';
import type { AppBindings } from '../../api/context.ts';
import { principalOf, requireRole } from '../../auth/require-role.ts';
import { AppError } from '../../lib/errors.ts';
import {
  listQueue,
  QUEUE_READERS,
  QUEUE_STATUSES,
  type QueueStatus,
  retryQueueItems,
} from '../../services/commission/queue.ts';
import { type PageStatus, renderPage } from '../layout.tsx';
import { hxTargetId, orgCtx } from '../shared/context.ts';
import { pageNumber } from '../shared/format.ts';
import {
  CommissionQueuePage,
  type QueueFilterValues,
  type QueueFlash,
  QueueTable,
} from './commission-queue-page.tsx';

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

/** The ticked item ids of the form; a body that is not a form (or cannot be read) selects nothing. */
async function selectedIds(c: Context<AppBindings>): Promise<string[]> {
  try {
    const raw = (await c.req.parseBody({ all: true })).itemIds;
    const values = Array.isArray(raw) ? raw : raw === undefined ? [] : [raw];
    return values.filter((v): v is string => typeof v === 'string');
  } catch {
    return [];
  }
}

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

  router.post('/commissions/retry', requireRole('manager'), async (c) => {
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
        ctx: { ...orgCtx(c), solverTimeLimitMs: c.get('deps').env.SOLVER_TIME_LIMIT_SECONDS * 1000 },
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
  });

  return router;
}
