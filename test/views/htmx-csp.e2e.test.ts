/**
 * In Chromium, under the real Content-Security-Policy: sign in with the form, create and revoke an API key
 * through htmx (swaps, no page reload), and not one CSP violation. Also: the skip link is the first stop.
 */
import { existsSync } from 'node:fs';
import type { AddressInfo } from 'node:net';
import { serve } from '@hono/node-server';
import { type Browser, chromium } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createApp } from '../../src/app.ts';
import { createHarness, createOrgWithUsers, type Harness, PASSWORD } from '../app/harness.ts';

const CHROMIUM = ['/usr/bin/chromium', '/usr/bin/chromium-browser'].find((p) => existsSync(p));

let h: Harness;
let org: Awaited<ReturnType<typeof createOrgWithUsers>>;
let server: ReturnType<typeof serve>;
let base: string;
let browser: Browser;

beforeAll(async () => {
  if (!CHROMIUM)
    throw new Error('Chromium is not installed (apt-get install chromium); end-to-end tests need it.');
  h = await createHarness();
  org = await createOrgWithUsers(h, 'E2E Org');
  // Without APP_BASE_URL the app takes its origin from the request (Host), as on a laptop.
  const app = createApp({ env: { ...h.env, APP_BASE_URL: undefined }, db: h.db.db, logger: h.logger });
  server = await new Promise<ReturnType<typeof serve>>((resolve) => {
    const s = serve({ fetch: app.fetch, port: 0, hostname: '127.0.0.1' }, () => resolve(s));
  });
  base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  browser = await chromium.launch({
    executablePath: CHROMIUM,
    args: [
      '--no-sandbox',
      '--disable-background-networking',
      '--disable-component-update',
      '--disable-sync',
      '--no-first-run',
    ],
  });
});

afterAll(async () => {
  await browser?.close();
  await new Promise((resolve) => (server ? server.close(resolve) : resolve(undefined)));
  await h?.close();
});

describe('pages in a browser under the CSP', () => {
  it('signs in, creates and revokes a key with htmx, with no CSP violation', async () => {
    const context = await browser.newContext();
    const page = await context.newPage();
    const problems: string[] = [];
    page.on('console', (m) => {
      if (m.type() === 'error' || /Content Security Policy|Refused to/i.test(m.text()))
        problems.push(m.text());
    });
    page.on('pageerror', (e) => problems.push(e.message));

    await page.goto(`${base}/login`);
    await page.fill('#email', org.users.admin.email);
    await page.fill('#password', PASSWORD);
    await Promise.all([page.waitForURL(`${base}/`), page.click('button[type=submit]:has-text("Sign in")')]);
    expect(await page.textContent('#signed-in')).toContain(org.users.admin.email);
    // The first Tab stop is the skip link, and following it moves focus to the main content.
    await page.keyboard.press('Tab');
    expect(await page.evaluate('document.activeElement?.className')).toBe('skip-link');
    await page.keyboard.press('Enter');
    expect(await page.evaluate('document.activeElement?.id')).toBe('main');

    await page.goto(`${base}/admin/api-keys`);
    // htmx is a deferred script of the page: it has run by the load event (no string waitForFunction: the CSP refuses eval).
    await page.waitForLoadState('load');
    expect(await page.evaluate('"htmx" in window')).toBe(true);
    // A marker that a full page load would wipe: htmx swaps must keep it.
    await page.evaluate('window.marker = 42');
    // htmx 4 inherits nothing implicitly: this proves `hx-headers:inherited` on <body> reaches the request.
    const posted = page.waitForRequest((r) => r.method() === 'POST' && r.url().endsWith('/admin/api-keys'));
    await page.fill('#key-name', 'Browser key');
    await page.selectOption('#key-role', 'finance');
    await page.click('button:has-text("Create key")');
    const request = await posted;
    expect(request.headers()['hx-request']).toBe('true');
    expect(request.headers()['x-csrf-token']).toMatch(/^[A-Za-z0-9_-]{43}$/);
    await page.waitForSelector('#new-key code.secret');
    const key = (await page.textContent('#new-key code.secret'))!.trim();
    expect(key).toMatch(/^bks_/);
    expect(await page.evaluate('window.marker')).toBe(42);

    await page.click('button[aria-label="Revoke key Browser key"]');
    await page.waitForSelector('text=Key “Browser key” revoked.');
    expect(await page.evaluate('window.marker')).toBe(42);
    const res = await fetch(`${base}/v1/me`, { headers: { authorization: `Bearer ${key}` } });
    expect(res.status).toBe(401);

    await Promise.all([page.waitForURL(`${base}/login`), page.click('button:has-text("Sign out")')]);
    expect(problems).toEqual([]);
    await context.close();
  });
});
