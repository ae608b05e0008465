/** Rep and account pages, and a rep's own view (/me: their book and their notices, nothing else). */
import { Hono } from 'hono';
import type { AppBindings } from '../../api/context.ts';
import { principalOf, requireRole } from '../../auth/require-role.ts';
import { AppError } from '../../lib/errors.ts';
import { renderPage } from '../layout.tsx';
import { orgCtx } from '../shared/context.ts';
import { pageNumber } from '../shared/format.ts';
import { getAccount, getRep, listAccounts, listReps, noticesFor } from './book-data.ts';
import { AccountPage, AccountsPage, RepPage, RepsList } from './book-pages.tsx';

const STAFF = ['admin', 'manager', 'analyst', 'finance'] as const;
const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;
const PAGE = 50;

export function bookPages() {
  const router = new Hono<AppBindings>();
  const staff = requireRole(...STAFF);

  router.get('/reps', staff, async (c) =>
    renderPage(c, 'Reps', <RepsList reps={await listReps(orgCtx(c))} />),
  );

  router.get('/reps/:id', staff, async (c) => {
    const id = c.req.param('id');
    const ctx = orgCtx(c);
    const rep = UUID.test(id) ? await getRep(ctx, id) : null;
    if (!rep) throw new AppError('NOT_FOUND', 'That rep does not exist.');
    const page = pageNumber(c.req.query('page'));
    const { rows, total } = await listAccounts(ctx, { ownerId: rep.id, page, pageSize: PAGE });
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
    const { rows, total } = await listAccounts(ctx, { ownerId: rep.id, page, pageSize: PAGE });
    const notices = await noticesFor(ctx, { repId: rep.id, userId: principal.userId });
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
        notices={notices}
      />,
    );
  });

  router.get('/accounts', staff, async (c) => {
    const q = (c.req.query('q') ?? '').trim().slice(0, 200);
    const page = pageNumber(c.req.query('page'));
    const { rows, total } = await listAccounts(orgCtx(c), { q: q || undefined, page, pageSize: PAGE });
    return renderPage(
      c,
      'Accounts',
      <AccountsPage rows={rows} total={total} page={page} pageSize={PAGE} q={q} />,
    );
  });

  router.get('/accounts/:id', staff, async (c) => {
    const id = c.req.param('id');
    const account = UUID.test(id) ? await getAccount(orgCtx(c), id) : null;
    if (!account) throw new AppError('NOT_FOUND', 'That account does not exist.');
    return renderPage(c, account.name, <AccountPage account={account} principal={principalOf(c)} />);
  });

  return router;
}
