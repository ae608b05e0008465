/**
 * The first-run page (GET/POST /setup): only while the install has no org, and only with the one-time token
 * src/index.ts printed at start. After it succeeds the token is spent and the page answers 404.
 */
import { type Context, Hono } from 'hono';
import type { AppBindings } from '../../api/context.ts';
import { safeEqual } from '../../auth/tokens.ts';
import { AppError } from '../../lib/errors.ts';
import { setUpFirstOrg } from '../../services/auth/provisioning.ts';
import { renderPage } from '../layout.tsx';
import { SETUP_FIELDS, SetupContent, type SetupField, type SetupFormState } from './setup-page.tsx';

function spent(): AppError {
  return new AppError(
    'NOT_FOUND',
    'There is nothing to set up here: this install has an org. Sign in instead.',
  );
}

/** The token, when it is the one printed at start and still unspent. */
function validToken(c: Context<AppBindings>, presented: unknown): string | null {
  const expected = c.get('deps').firstRun?.token;
  if (!expected || typeof presented !== 'string' || !safeEqual(presented, expected)) return null;
  return presented;
}

export function setupPages() {
  const router = new Hono<AppBindings>();
  const show = (c: Context<AppBindings>, state: SetupFormState, status: 200 | 400 | 409) =>
    renderPage(c, 'Set up Bookshift', <SetupContent state={state} csrfToken={c.get('csrfToken')} />, status);

  router.get('/setup', (c) => {
    if (!c.get('deps').firstRun?.token) throw spent();
    const token = validToken(c, c.req.query('token'));
    if (!token) {
      throw new AppError(
        'FORBIDDEN',
        'This setup link is not valid. Use the link the server printed when it started.',
      );
    }
    return show(c, { token }, 200);
  });

  router.post('/setup', async (c) => {
    const deps = c.get('deps');
    const firstRun = deps.firstRun;
    if (!firstRun?.token) throw spent();
    const form = await c.req.parseBody();
    const token = validToken(c, form.token);
    if (!token) {
      throw new AppError(
        'FORBIDDEN',
        'This setup link is not valid. Use the link the server printed when it started.',
      );
    }
    const values: Partial<Record<SetupField, string>> = {};
    for (const field of SETUP_FIELDS) if (typeof form[field] === 'string') values[field] = form[field];
    try {
      const member = await setUpFirstOrg(
        { db: deps.db, clock: deps.clock, actorLabel: 'first-run setup' },
        values,
      );
      firstRun.token = null;
      deps.logger.info('first org set up', { requestId: c.get('requestId'), org: member.org.slug });
      return c.redirect(`/login?next=${encodeURIComponent('/')}`, 303);
    } catch (error) {
      if (!(error instanceof AppError) || !['VALIDATION_FAILED', 'CONFLICT'].includes(error.code))
        throw error;
      const errors: SetupFormState['errors'] = {};
      const details = Array.isArray(error.details)
        ? (error.details as Array<{ path: string; message: string }>)
        : [];
      for (const d of details) {
        const field = d.path as SetupField;
        if ((SETUP_FIELDS as readonly string[]).includes(field) && !errors[field]) errors[field] = d.message;
      }
      if (details.length === 0 || error.code === 'CONFLICT') errors.form = error.message;
      return show(
        c,
        { token, values: { ...values, password: '' }, errors },
        error.code === 'CONFLICT' ? 409 : 400,
      );
    }
  });

  return router;
}
