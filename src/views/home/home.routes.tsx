/**
 * The dashboard (GET /): runs with filters and pages, the pending queue with bulk cancel, reps leaving soon,
 * recent imports. A rep is sent to their own book. htmx requests that target the runs list get only that list.
 */
import { Hono } from 'hono';
import type { AppBindings } from '../../api/context.ts';
import { principalOf, requireRole } from '../../auth/require-role.ts';
import {
  listLeavingReps,
  listQueue,
  listRunsPage,
  type RunListFilter,
} from '../../services/dashboard/dashboard.ts';
import { listImports } from '../../services/imports/import-history.ts';
import { renderPage } from '../layout.tsx';
import { hxTargetId, orgCtx, todayOf } from '../shared/context.ts';
import { pageNumber } from '../shared/format.ts';
import { HomeContent, RunsSection } from './home-page.tsx';

const PAGE_SIZE = 25;

export function homePages() {
  const router = new Hono<AppBindings>();
  router.get('/', requireRole('admin', 'manager', 'analyst', 'rep', 'finance'), async (c) => {
    const principal = principalOf(c);
    // A rep sees their own book and notices, nothing else (src/lib/roles.ts).
    if (principal.role === 'rep') return c.redirect('/me', 303);
    const ctx = orgCtx(c);
    const filter: RunListFilter = {
      q: (c.req.query('q') ?? '').trim().slice(0, 200) || undefined,
      status: c.req.query('status') || undefined,
      kind: c.req.query('kind') || undefined,
      page: pageNumber(c.req.query('page')),
      pageSize: PAGE_SIZE,
    };
    const filtered = Boolean(filter.q || filter.status || filter.kind);
    const page = await listRunsPage(ctx, filter);
    const anyRuns = filtered ? (await listRunsPage(ctx, { page: 1, pageSize: 1 })).total > 0 : page.total > 0;
    const runs = { filter, total: page.total, runs: page.rows, anyRuns };
    if (hxTargetId(c) === 'runs-list') return c.html(<RunsSection {...runs} />);
    // One after another: the embedded database has a single connection.
    const queue = await listQueue(ctx);
    const leaving = await listLeavingReps(ctx, todayOf(c));
    const imports = await listImports({ ctx, input: { limit: 5, offset: 0 } });
    return renderPage(
      c,
      'Runs',
      <HomeContent
        principal={principal}
        csrfToken={c.get('csrfToken')}
        runs={runs}
        queue={queue}
        leaving={leaving}
        imports={imports}
        notice={c.req.query('notice')?.slice(0, 300)}
        error={c.req.query('error')?.slice(0, 300)}
      />,
    );
  });
  return router;
}
