/** The page frame (skip link, nav, who is signed in, logout) and the full-page-or-fragment rule for htmx. */
import type { Context } from 'hono';
import { html } from 'hono/html';
import type { Child } from 'hono/jsx';
import type { AppBindings } from '../api/context.ts';
import type { Principal } from '../auth/principal.ts';
import type { Role } from '../lib/roles.ts';

export interface NavItem {
  href: string;
  label: string;
  /** Shown only to these roles; everyone signed in when absent. */
  roles?: readonly Role[];
}

/** The main navigation; a page group adds its entry here. */
export const NAV: NavItem[] = [
  { href: '/', label: 'Runs', roles: ['admin', 'manager', 'analyst', 'finance'] },
  { href: '/runs/new', label: 'New run', roles: ['manager', 'analyst'] },
  { href: '/what-if', label: 'What-if', roles: ['manager', 'analyst'] },
  { href: '/imports', label: 'Imports', roles: ['admin', 'manager', 'analyst'] },
  { href: '/reps', label: 'Reps', roles: ['admin', 'manager', 'analyst', 'finance'] },
  { href: '/accounts', label: 'Accounts', roles: ['admin', 'manager', 'analyst', 'finance'] },
  { href: '/commissions', label: 'Commissions', roles: ['admin', 'manager', 'analyst', 'finance'] },
  { href: '/audit', label: 'Audit', roles: ['admin', 'manager', 'analyst', 'finance'] },
  { href: '/notices', label: 'Outbox', roles: ['admin', 'manager'] },
  { href: '/me', label: 'My book', roles: ['rep'] },
  { href: '/admin/api-keys', label: 'API keys', roles: ['admin', 'manager'] },
  { href: '/admin/house-users', label: 'House users', roles: ['admin'] },
  { href: '/v1/docs', label: 'API reference' },
];

const ROLE_LABELS: Record<Role, string> = {
  admin: 'Admin',
  manager: 'Manager',
  analyst: 'Analyst',
  rep: 'Rep',
  finance: 'Finance',
};

export function roleLabel(role: Role) {
  return ROLE_LABELS[role];
}

/** How a principal is named on a page: the person, or the API key a system uses. */
export function principalLabel(principal: Principal) {
  if (principal.kind === 'api_key') return `API key “${principal.apiKeyName ?? principal.apiKeyId}”`;
  return principal.displayName ?? principal.email ?? 'Signed in';
}

/** A hidden CSRF field for forms that must also work without JavaScript. */
export function CsrfField({ token }: { token: string }) {
  return <input type="hidden" name="_csrf" value={token} />;
}

function Header({ principal, csrfToken, path }: { principal?: Principal; csrfToken: string; path: string }) {
  const items = NAV.filter((item) => !item.roles || (principal && item.roles.includes(principal.role)));
  return (
    <header class="site-header">
      <div class="bar">
        <a class="brand" href="/">
          Bookshift
        </a>
        {principal && (
          <nav class="site-nav" aria-label="Main">
            <ul>
              {items.map((item) => (
                <li>
                  <a href={item.href} aria-current={item.href === path ? 'page' : undefined}>
                    {item.label}
                  </a>
                </li>
              ))}
            </ul>
          </nav>
        )}
        {principal && (
          <div class="who">
            <span>
              {principalLabel(principal)} · <span class="badge">{roleLabel(principal.role)}</span> ·{' '}
              {principal.orgName}
            </span>
            <form method="post" action="/logout">
              <CsrfField token={csrfToken} />
              <button type="submit" class="secondary">
                Sign out
              </button>
            </form>
          </div>
        )}
      </div>
    </header>
  );
}

export interface PageOptions {
  title: string;
  principal?: Principal;
  csrfToken: string;
  path: string;
}

export function Layout({ title, principal, csrfToken, path, children }: PageOptions & { children: Child }) {
  // htmx 4 does not inherit attributes implicitly: `:inherited` makes every htmx request send the token.
  const htmxHeaders = { 'hx-headers:inherited': JSON.stringify({ 'X-CSRF-Token': csrfToken }) };
  return (
    <html lang="en">
      <head>
        <meta charset="utf-8" />
        <meta name="viewport" content="width=device-width, initial-scale=1" />
        <title>{`${title} · Bookshift`}</title>
        {/* Read by htmx at start-up; the CSP allows no inline styles, so: no indicator <style> injection, and no
            settle step (it copies each swapped element's old `style` attribute onto the new one with setAttribute,
            which the CSP refuses once the browser has given an input an empty style attribute). */}
        <meta name="htmx-config" content='{"includeIndicatorCSS":false,"defaultSettleDelay":0}' />
        <link rel="icon" href="/static/favicon.svg" type="image/svg+xml" />
        <link rel="stylesheet" href="/static/app.css" />
        <script src="/static/htmx.js" defer></script>
      </head>
      <body {...htmxHeaders}>
        <a class="skip-link" href="#main">
          Skip to content
        </a>
        <Header principal={principal} csrfToken={csrfToken} path={path} />
        <main id="main" tabindex={-1}>
          {children}
        </main>
      </body>
    </html>
  );
}

/**
 * Full page on a normal load; only the content on an htmx request (the yusukebe/hono-htmx pattern),
 * so the same handler serves both.
 */
export function pageHtml(c: Context<AppBindings>, title: string, content: Child) {
  if (isFragmentRequest(c)) return html`${content}`;
  const page = (
    <Layout title={title} principal={c.get('principal')} csrfToken={c.get('csrfToken')} path={c.req.path}>
      {content}
    </Layout>
  );
  return html`<!DOCTYPE html>${page}`;
}

/** An htmx request that targets part of the page (not a boosted full-page swap). */
export function isFragmentRequest(c: Context) {
  return c.req.header('hx-request') === 'true' && c.req.header('hx-request-type') !== 'full';
}

export type PageStatus = 200 | 400 | 401 | 403 | 404 | 409 | 413 | 422 | 429 | 500 | 503;

export function renderPage(c: Context<AppBindings>, title: string, content: Child, status: PageStatus = 200) {
  return c.html(pageHtml(c, title, content), status);
}
