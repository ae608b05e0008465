/** The HTML face of the error contract: what went wrong, what to do, and the request id to quote. */
import type { Context } from 'hono';
import type { AppBindings } from '../../api/context.ts';
import type { AppError } from '../../lib/errors.ts';
import { pageHtml } from '../layout.tsx';

const TITLES: Partial<Record<AppError['code'], string>> = {
  NOT_FOUND: 'Page not found',
  FORBIDDEN: 'Not allowed',
  CSRF_REJECTED: 'Request refused',
  UNAUTHENTICATED: 'Please sign in',
  TOO_MANY_REQUESTS: 'Too many attempts',
  INTERNAL: 'Something went wrong',
  UNAVAILABLE: 'Temporarily unavailable',
};

const NEXT_STEPS: Partial<Record<AppError['code'], string>> = {
  NOT_FOUND: 'Check the address, or go back to the runs list.',
  FORBIDDEN: 'Ask an admin of your org if you need this.',
  CSRF_REJECTED: 'Reload the page and try again.',
  UNAUTHENTICATED: 'Sign in and try again.',
  INTERNAL: 'Try again; if it keeps happening, report it with the request id below.',
};

export function ErrorContent({ error, requestId }: { error: AppError; requestId: string }) {
  const title = TITLES[error.code] ?? 'The request could not be completed';
  const next = NEXT_STEPS[error.code];
  return (
    <section class="card narrow" aria-labelledby="error-title">
      <h1 id="error-title">{title}</h1>
      <p>{error.message}</p>
      {next && <p>{next}</p>}
      <p class="muted">
        Request id: <code>{requestId}</code>
      </p>
      <p>
        <a href="/">Back to Bookshift</a>
      </p>
    </section>
  );
}

/** A signed-out visitor is sent to the login page (and back afterwards); other errors get a page. */
export function renderErrorPage(c: Context<AppBindings>, error: AppError): Response | Promise<Response> {
  if (error.code === 'UNAUTHENTICATED') {
    const target = `/login?next=${encodeURIComponent(c.req.path)}`;
    if (c.req.header('hx-request') === 'true') {
      c.header('HX-Redirect', target);
    } else if (c.req.method === 'GET' || c.req.method === 'HEAD') {
      return c.redirect(target, 303);
    }
  }
  const title = TITLES[error.code] ?? 'Error';
  return c.html(
    pageHtml(c, title, <ErrorContent error={error} requestId={c.get('requestId') ?? ''} />),
    error.status,
  );
}
