/** The first pages: login form, home (who is signed in, the org's runs only), layout, htmx fragments. */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { runs } from '../../db/schema/index.ts';
import { createApp } from '../../src/app.ts';
import {
  Browser,
  createHarness,
  createOrgWithUsers,
  type Harness,
  ORIGIN,
  signedIn,
} from '../app/harness.ts';
import { holdToContract } from '../support/contract.ts';

let h: Harness;
let orgA: Awaited<ReturnType<typeof createOrgWithUsers>>;
let orgB: Awaited<ReturnType<typeof createOrgWithUsers>>;

beforeAll(async () => {
  h = await createHarness();
  orgA = await createOrgWithUsers(h, 'Pages Org A');
  orgB = await createOrgWithUsers(h, 'Pages Org B');
});
afterAll(async () => {
  await h?.close();
});

describe('login page', () => {
  it('is a real form with labelled fields, the CSRF field, and no demo hint outside development', async () => {
    const b = new Browser(h);
    const { res, html } = await b.page('/login');
    expect(res.status).toBe(200);
    expect(html).toContain('<form method="post" action="/login"');
    expect(html).toContain('<label for="email">Email</label>');
    expect(html).toContain('<label for="password">Password</label>');
    expect(html).toContain('autocomplete="current-password"');
    expect(b.csrfToken).toHaveLength(43);
    expect(html).not.toContain('Demo accounts');
  });

  it('shows the demo accounts in development and never in production', async () => {
    const demoLogin = {
      password: 'bookshift-demo',
      users: [{ email: 'admin@demo.test', role: 'admin, Acme' }],
    };
    const dev = holdToContract(
      createApp({
        env: { ...h.env, NODE_ENV: 'development' },
        db: h.db.db,
        logger: h.logger,
        demoLogin,
      }),
    );
    const devHtml = await (await dev.request(`${ORIGIN}/login`)).text();
    expect(devHtml).toContain('Demo accounts');
    expect(devHtml).toContain('admin@demo.test');
    expect(devHtml).toContain('bookshift-demo');
    const prod = holdToContract(
      createApp({
        env: { ...h.env, NODE_ENV: 'production' },
        db: h.db.db,
        logger: h.logger,
        demoLogin,
      }),
    );
    expect(await (await prod.request(`${ORIGIN}/login`)).text()).not.toContain('bookshift-demo');
  });

  it('keeps the typed email and puts the error where a screen reader finds it', async () => {
    const b = new Browser(h);
    await b.page('/login');
    const res = await b.request('/login', {
      method: 'POST',
      form: { _csrf: b.csrfToken, email: orgA.users.rep.email, password: 'wrong' },
    });
    expect(res.status).toBe(401);
    const html = await res.text();
    expect(html).toContain('role="alert" id="form-error">Email or password is incorrect.');
    expect(html).toContain(`value="${orgA.users.rep.email}"`);
    expect(html).toContain('aria-describedby="form-error"');
  });

  it('sends a signed-in visitor on from the login page', async () => {
    const b = await signedIn(h, orgA.users.analyst);
    const res = await b.request('/login');
    expect(res.status).toBe(303);
    expect(res.headers.get('location')).toBe('/');
  });
});

describe('home page', () => {
  it('shows who is signed in with role and org, and the empty state', async () => {
    const b = await signedIn(h, orgB.users.finance);
    const { html } = await b.page('/');
    expect(html).toContain('Pages Org B');
    expect(html).toContain(orgB.users.finance.email);
    expect(html).toContain('<span class="badge">Finance</span>');
    expect(html).toContain('id="runs-empty"');
  });

  it("lists the org's runs and none of another org's (read inside the org, under RLS)", async () => {
    await h.db.db.insert(runs).values([
      { orgId: orgA.id, kind: 'rep_departure', reason: 'Dana leaves on Friday' },
      { orgId: orgB.id, kind: 'realignment', reason: 'Secret Org B carve-up' },
    ]);
    const a = await signedIn(h, orgA.users.manager);
    const { html } = await a.page('/');
    expect(html).toContain('id="runs-table"');
    expect(html).toContain('Dana leaves on Friday');
    expect(html).toContain('Rep departure');
    expect(html).not.toContain('Secret Org B carve-up');
  });

  it('layout: skip link, main landmark, nav by role, logout as a POST form with CSRF', async () => {
    const admin = await signedIn(h, orgA.users.admin);
    const adminHtml = (await admin.page('/')).html;
    expect(adminHtml.startsWith('<!DOCTYPE html>')).toBe(true);
    expect(adminHtml).toContain('<a class="skip-link" href="#main">Skip to content</a>');
    expect(adminHtml).toContain('<main id="main" tabindex="-1">');
    expect(adminHtml).toContain('href="/admin/api-keys"');
    expect(adminHtml).toContain('aria-current="page"');
    expect(adminHtml).toMatch(
      /<form method="post" action="\/logout"><input type="hidden" name="_csrf" value="[^"]{43}"\/><button type="submit"/,
    );
    const rep = await signedIn(h, orgA.users.rep);
    expect((await rep.page('/')).html).not.toContain('href="/admin/api-keys"');
    const analyst = await signedIn(h, orgA.users.analyst);
    expect((await analyst.page('/')).html).not.toContain('href="/admin/api-keys"');
    const manager = await signedIn(h, orgA.users.manager);
    expect((await manager.page('/')).html).toContain('href="/admin/api-keys"');
  });

  it('answers an htmx request with the fragment only, and a full page otherwise', async () => {
    const b = await signedIn(h, orgA.users.analyst);
    const fragment = await (await b.request('/', { headers: { 'hx-request': 'true' } })).text();
    expect(fragment).not.toContain('<html');
    expect(fragment).toContain('id="runs-title"');
    const boosted = await (
      await b.request('/', { headers: { 'hx-request': 'true', 'hx-request-type': 'full' } })
    ).text();
    expect(boosted).toContain('<html');
  });

  it('tells htmx to go to the login page when the session is gone', async () => {
    const res = await h.app.request(`${ORIGIN}/`, { headers: { 'hx-request': 'true' } });
    expect(res.status).toBe(401);
    expect(res.headers.get('hx-redirect')).toBe('/login?next=%2F');
  });

  it('a role that may not see a page gets a 403 page that says so', async () => {
    const b = await signedIn(h, orgA.users.rep);
    const res = await b.request('/admin/api-keys');
    expect(res.status).toBe(403);
    const html = await res.text();
    expect(html).toContain('Not allowed');
    expect(html).toContain('Your role does not allow this action.');
  });
});
