/**
 * Issue 18: a fresh install without demo data shows a first-run page behind the one-time token printed at
 * start; it creates the org and its first admin in one step, who then signs in; after that the page is gone.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createApp } from '../../src/app.ts';
import { orgCount } from '../../src/services/auth/provisioning.ts';
import { Browser, createHarness, type Harness } from '../app/harness.ts';
import { holdToContract } from '../support/contract.ts';

const TOKEN = 'first-run-token-0123456789abcdef';

describe('the first-run page', () => {
  let h: Harness;
  beforeAll(async () => {
    const base = await createHarness();
    const app = holdToContract(
      createApp({
        env: base.env,
        db: base.db.db,
        clock: () => base.clock.now,
        firstRun: { token: TOKEN },
      }),
    );
    h = { ...base, app };
  });
  afterAll(() => h.close());

  it('refuses a missing or wrong token', async () => {
    const b = new Browser(h);
    expect((await b.request('/setup')).status).toBe(403);
    const wrong = await b.page('/setup?token=guess');
    expect(wrong.res.status).toBe(403);
    expect(wrong.html).toContain('Use the link the server printed');
  });

  it('names each field that is wrong and creates nothing', async () => {
    const b = new Browser(h);
    const { html } = await b.page(`/setup?token=${TOKEN}`);
    expect(html).toContain('Set up Bookshift');
    const res = await b.request('/setup', {
      method: 'POST',
      form: {
        _csrf: b.csrfToken,
        token: TOKEN,
        orgName: 'Acme Corp',
        slug: 'Acme Corp',
        name: 'Ada Lovelace',
        email: 'not-an-email',
        password: 'short',
      },
    });
    expect(res.status).toBe(400);
    const body = await res.text();
    expect(body).toMatch(/id="slug-error"[^>]*>Use 1 to 40 lower-case letters/);
    expect(body).toMatch(/id="email-error"[^>]*>Not an email address/);
    expect(body).toMatch(/id="password-error"[^>]*>Use at least 12 characters/);
    expect(body).toContain('value="Acme Corp"');
    expect(body).not.toContain('value="short"');
    expect(await orgCount({ db: h.db.db })).toBe(0);
  });

  it('creates the org and its admin once; the admin signs in; the page is gone after', async () => {
    const b = new Browser(h);
    await b.page(`/setup?token=${TOKEN}`);
    const res = await b.request('/setup', {
      method: 'POST',
      form: {
        _csrf: b.csrfToken,
        token: TOKEN,
        orgName: 'Acme Corp',
        slug: 'acme',
        name: 'Ada Lovelace',
        email: 'Ada@Acme.example',
        password: 'a long enough password',
      },
    });
    expect(res.status).toBe(303);
    expect(res.headers.get('location')).toMatch(/^\/login/);
    expect(await orgCount({ db: h.db.db })).toBe(1);

    const admin = new Browser(h);
    expect((await admin.login('ada@acme.example', 'a long enough password')).status).toBe(303);
    const keys = await admin.page('/admin/api-keys');
    expect(keys.res.status).toBe(200);
    expect(keys.html).toContain('Acme Corp');

    const again = new Browser(h);
    expect((await again.request(`/setup?token=${TOKEN}`)).status).toBe(404);
    expect(
      (await again.request('/setup', { method: 'POST', form: { _csrf: again.csrfToken, token: TOKEN } }))
        .status,
    ).toBeGreaterThanOrEqual(403);
    expect(await orgCount({ db: h.db.db })).toBe(1);
  });

  it('does not exist on an install that was not started fresh', async () => {
    const plain = await createHarness();
    try {
      expect((await new Browser(plain).request(`/setup?token=${TOKEN}`)).status).toBe(404);
    } finally {
      await plain.close();
    }
  });
});
