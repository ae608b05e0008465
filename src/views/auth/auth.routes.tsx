/** Sign-in and sign-out pages: plain form posts (no JavaScript needed), CSRF-checked by authenticate(). */
import { type Context, Hono } from 'hono';
import { z } from 'zod';
import type { AppBindings } from '../../api/context.ts';
import { clientIp } from '../../auth/client-ip.ts';
import { clearAnonCsrfCookie, clearSessionCookie, setSessionCookie } from '../../auth/cookies.ts';
import { AppError } from '../../lib/errors.ts';
import { login } from '../../services/auth/login.ts';
import { endSession } from '../../services/auth/sessions.ts';
import { renderPage } from '../layout.tsx';
import { LoginContent, type LoginFormState } from './login-page.tsx';

const LoginForm = z.object({
  email: z
    .string()
    .trim()
    .min(1, 'Enter your email address.')
    .max(320)
    .email('Enter an email address like name@example.com.'),
  password: z.string().min(1, 'Enter your password.').max(1024, 'That password is too long.'),
  next: z.string().optional(),
});

/** Only a path on this site: never `//host`, `/\host` or a full URL (an open redirect). */
const OWN_ORIGIN = 'http://bookshift.invalid';

/**
 * Where to go after signing in: a path of this site only. The value is parsed as a URL the way a browser
 * would (which drops tabs and newlines, so `/\t/evil.example` means `//evil.example`, another host) and
 * kept only when it stays on our origin; the normalised path is returned, anything else becomes `/`.
 */
export function safeNext(next: string | undefined) {
  if (!next?.startsWith('/')) return '/';
  let url: URL;
  try {
    url = new URL(next, OWN_ORIGIN);
  } catch {
    return '/';
  }
  if (url.origin !== OWN_ORIGIN) return '/';
  const path = `${url.pathname}${url.search}${url.hash}`;
  // A path that starts with two slashes (or a slash and a backslash) names a host when used as a Location.
  return /^\/[\\/]/.test(path) ? '/' : path;
}

export function authPages() {
  const router = new Hono<AppBindings>();
  router.get('/login', loginPage);
  router.post('/login', signIn);
  router.post('/logout', signOut);
  return router;
}

/** The sign-in page with its form in the given state. */
function show(c: Context<AppBindings>, state: LoginFormState, status: 200 | 400 | 401 | 403 | 429) {
  const { demoLogin, env } = c.get('deps');
  const demo = env.NODE_ENV !== 'production' ? demoLogin : undefined;
  return renderPage(
    c,
    'Sign in',
    <LoginContent
      state={state}
      csrfToken={c.get('csrfToken')}
      demo={demo}
      firstRun={Boolean(c.get('deps').firstRun?.token)}
    />,
    status,
  );
}

/** The sign-in form; a principal already signed in goes on to the next page. */
function loginPage(c: Context<AppBindings>) {
  if (c.get('principal')) return c.redirect(safeNext(c.req.query('next')), 303);
  const next = c.req.query('next');
  return show(c, next ? { next: safeNext(next) } : {}, 200);
}

/** Checks the form and signs in (ending a session this browser already had), or shows the form with its errors. */
async function signIn(c: Context<AppBindings>) {
  const deps = c.get('deps');
  const form = await c.req.parseBody();
  const parsed = LoginForm.safeParse({ email: form.email, password: form.password, next: form.next });
  const email = typeof form.email === 'string' ? form.email : '';
  const next = typeof form.next === 'string' ? safeNext(form.next) : undefined;
  if (!parsed.success) {
    const errors: LoginFormState['errors'] = {};
    for (const issue of parsed.error.issues) {
      const field = issue.path[0];
      if ((field === 'email' || field === 'password') && !errors[field]) errors[field] = issue.message;
    }
    return show(c, { email, next, errors }, 400);
  }
  // Signing in again while signed in replaces the old session: it must not outlive the switch.
  const previous = c.get('session');
  const previousUser = c.get('principal')?.userId;
  try {
    const result = await login({
      ctx: deps,
      input: {
        email: parsed.data.email,
        password: parsed.data.password,
        ip: clientIp(c, deps.env.TRUST_PROXY),
        userAgent: c.req.header('user-agent'),
      },
    });
    if (previous && previousUser)
      await endSession({ ctx: deps, input: { sessionId: previous.id, userId: previousUser } });
    setSessionCookie(c, deps.env, result.token, result.session.expiresAt, deps.clock());
    clearAnonCsrfCookie(c, deps.env);
    deps.logger.info('signed in', { requestId: c.get('requestId'), userId: result.principal.userId });
    return c.redirect(safeNext(parsed.data.next), 303);
  } catch (error) {
    if (
      error instanceof AppError &&
      ['UNAUTHENTICATED', 'TOO_MANY_REQUESTS', 'FORBIDDEN'].includes(error.code)
    ) {
      for (const [name, value] of Object.entries(error.headers)) c.header(name, value);
      return show(c, { email, next, errors: { form: error.message } }, error.status as 401 | 403 | 429);
    }
    throw error;
  }
}

async function signOut(c: Context<AppBindings>) {
  const deps = c.get('deps');
  const session = c.get('session');
  const userId = c.get('principal')?.userId;
  if (session && userId) await endSession({ ctx: deps, input: { sessionId: session.id, userId } });
  clearSessionCookie(c, deps.env);
  return c.redirect('/login', 303);
}
