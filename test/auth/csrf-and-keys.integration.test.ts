/** RELIABILITY 18 (CSRF: refused and nothing changes) and API key authentication (valid, revoked, expired, other org). */
import { eq } from 'drizzle-orm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { apiKeys, sessions } from '../../db/schema/index.ts';
import {
  apiKeyFor,
  bearer,
  createHarness,
  createOrgWithUsers,
  type Harness,
  jsonOf,
  ORIGIN,
  signedIn,
} from '../app/harness.ts';

let h: Harness;
let orgA: Awaited<ReturnType<typeof createOrgWithUsers>>;
let orgB: Awaited<ReturnType<typeof createOrgWithUsers>>;

beforeAll(async () => {
  h = await createHarness();
  orgA = await createOrgWithUsers(h, 'Org A');
  orgB = await createOrgWithUsers(h, 'Org B');
});
afterAll(async () => {
  await h?.close();
});

async function keyCount(orgId: string) {
  return (await h.db.db.select({ id: apiKeys.id }).from(apiKeys).where(eq(apiKeys.orgId, orgId))).length;
}

describe('CSRF on cookie-authenticated changes', () => {
  it('accepts a same-origin form post with the session token (the control case)', async () => {
    const b = await signedIn(h, orgA.users.admin);
    await b.page('/admin/api-keys');
    const before = await keyCount(orgA.id);
    const res = await b.request('/admin/api-keys', {
      method: 'POST',
      form: { _csrf: b.csrfToken, name: 'control', role: 'finance' },
    });
    expect(res.status).toBe(200);
    expect(await keyCount(orgA.id)).toBe(before + 1);
  });

  it('refuses, with 403 and no change: cross-origin, cross-site fetch, missing token, wrong token, no Content-Type', async () => {
    const b = await signedIn(h, orgA.users.admin);
    await b.page('/admin/api-keys');
    const other = await signedIn(h, orgA.users.manager);
    const form = (token: string) =>
      new URLSearchParams({ _csrf: token, name: 'evil', role: 'admin' }).toString();
    const formType = { 'content-type': 'application/x-www-form-urlencoded' };
    const cases: Array<[string, RequestInit]> = [
      ['another origin', { headers: { ...formType, origin: 'http://evil.test' }, body: form(b.csrfToken) }],
      ['Origin "null"', { headers: { ...formType, origin: 'null' }, body: form(b.csrfToken) }],
      [
        'a cross-site fetch without Origin',
        { headers: { ...formType, origin: '', 'sec-fetch-site': 'cross-site' }, body: form(b.csrfToken) },
      ],
      [
        'no token',
        { headers: formType, body: new URLSearchParams({ name: 'evil', role: 'admin' }).toString() },
      ],
      ['a token of another session', { headers: formType, body: form(other.csrfToken) }],
      [
        'a JSON body without the header',
        { headers: { 'content-type': 'application/json' }, body: '{"_csrf":"x"}' },
      ],
      ['no Content-Type and no token', { body: 'name=evil&role=admin' }],
      ['no body at all', {}],
    ];
    const before = await keyCount(orgA.id);
    for (const [label, init] of cases) {
      const headers = new Headers(init.headers);
      if (headers.get('origin') === '') headers.delete('origin');
      else if (!headers.has('origin')) headers.set('origin', ORIGIN);
      headers.set('cookie', b.jar.header());
      const res = await h.app.request(`${ORIGIN}/admin/api-keys`, {
        method: 'POST',
        headers,
        body: init.body,
      });
      expect(res.status, label).toBe(403);
      expect(await res.text(), label).toContain('Request refused');
    }
    expect(await keyCount(orgA.id)).toBe(before);
  });

  it('refuses a logout without the token: the session survives', async () => {
    const b = await signedIn(h, orgA.users.rep);
    const res = await h.app.request(`${ORIGIN}/logout`, {
      method: 'POST',
      headers: { cookie: b.jar.header(), origin: ORIGIN },
    });
    expect(res.status).toBe(403);
    const rows = await h.db.db.select().from(sessions).where(eq(sessions.userId, orgA.users.rep.id));
    expect(rows.length).toBeGreaterThan(0);
    expect((await b.request('/v1/me')).status).toBe(200);
  });

  it('refuses a login post without the pre-login token', async () => {
    const res = await h.app.request(`${ORIGIN}/login`, {
      method: 'POST',
      headers: { origin: ORIGIN, 'content-type': 'application/x-www-form-urlencoded' },
      body: new URLSearchParams({ email: orgA.users.admin.email, password: 'whatever' }).toString(),
    });
    expect(res.status).toBe(403);
    expect(res.headers.getSetCookie().some((c) => c.startsWith('bks_session='))).toBe(false);
  });

  it('lets htmx and API calls from a session send the token as X-CSRF-Token', async () => {
    const b = await signedIn(h, orgA.users.admin);
    const before = await keyCount(orgA.id);
    const without = await b.request('/v1/api-keys', {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ name: 'x', role: 'rep' }),
    });
    expect(without.status).toBe(403);
    expect((await jsonOf(without)).code).toBe('CSRF_REJECTED');
    const withHeader = await b.request('/v1/api-keys', {
      method: 'POST',
      headers: { 'content-type': 'application/json', 'x-csrf-token': b.csrfToken },
      body: JSON.stringify({ name: 'x', role: 'rep' }),
    });
    expect(withHeader.status).toBe(201);
    expect(await keyCount(orgA.id)).toBe(before + 1);
  });

  it('the page puts the token on <body> for htmx (hx-headers:inherited) and in every form', async () => {
    const b = await signedIn(h, orgA.users.admin);
    const { html } = await b.page('/admin/api-keys');
    expect(html).toContain(`hx-headers:inherited="{&quot;X-CSRF-Token&quot;:&quot;${b.csrfToken}&quot;}"`);
    const forms = html.match(/<form[^>]*method="post"/g) ?? [];
    const fields = html.match(/name="_csrf"/g) ?? [];
    expect(forms.length).toBeGreaterThan(1);
    expect(fields.length).toBe(forms.length);
  });
});

describe('API keys as Bearer credentials', () => {
  it('authenticates a valid key as its org and role, with no CSRF needed', async () => {
    const { key, apiKey } = await apiKeyFor(h, orgA.id, 'admin');
    const me = await h.app.request(`${ORIGIN}/v1/me`, { headers: bearer(key) });
    expect(me.status).toBe(200);
    expect(await jsonOf(me)).toMatchObject({
      kind: 'api_key',
      orgId: orgA.id,
      role: 'admin',
      apiKeyId: apiKey.id,
    });
    const created = await h.app.request(`${ORIGIN}/v1/api-keys`, {
      method: 'POST',
      headers: { ...bearer(key), 'content-type': 'application/json', origin: 'http://elsewhere.test' },
      body: JSON.stringify({ name: 'from a system', role: 'finance' }),
    });
    expect(created.status).toBe(201);
    const body = await jsonOf(created);
    expect(body.key).toMatch(/^bks_/);
    expect(
      JSON.stringify(await jsonOf(await h.app.request(`${ORIGIN}/v1/api-keys`, { headers: bearer(key) }))),
    ).not.toContain(body.key);
  });

  it('refuses revoked, expired, unknown and malformed keys with 401', async () => {
    const admin = await apiKeyFor(h, orgA.id, 'admin');
    const victim = await apiKeyFor(h, orgA.id, 'analyst');
    expect((await h.app.request(`${ORIGIN}/v1/me`, { headers: bearer(victim.key) })).status).toBe(200);
    const revoke = await h.app.request(`${ORIGIN}/v1/api-keys/${victim.apiKey.id}`, {
      method: 'DELETE',
      headers: bearer(admin.key),
    });
    expect(revoke.status).toBe(200);
    expect((await jsonOf(revoke)).revokedAt).not.toBeNull();
    const refused = await h.app.request(`${ORIGIN}/v1/me`, { headers: bearer(victim.key) });
    expect(refused.status).toBe(401);
    expect(await jsonOf(refused)).toMatchObject({ code: 'UNAUTHENTICATED' });

    const expiring = await apiKeyFor(h, orgA.id, 'rep');
    await h.db.db
      .update(apiKeys)
      .set({ expiresAt: new Date(h.clock.now.getTime() - 1000) })
      .where(eq(apiKeys.id, expiring.apiKey.id));
    expect((await h.app.request(`${ORIGIN}/v1/me`, { headers: bearer(expiring.key) })).status).toBe(401);

    const unknown = `bks_abcdefgh_${'A'.repeat(43)}`;
    for (const header of [`Bearer ${unknown}`, 'Bearer nonsense', 'Basic dXNlcjpwYXNz', 'Bearer']) {
      const res = await h.app.request(`${ORIGIN}/v1/me`, { headers: { authorization: header } });
      expect(res.status, header).toBe(401);
    }
  });

  it('a key acts only in its own org: another org’s key ids are not found and nothing changes', async () => {
    const adminA = await apiKeyFor(h, orgA.id, 'admin');
    const keyB = await apiKeyFor(h, orgB.id, 'analyst');
    const listA = await jsonOf(await h.app.request(`${ORIGIN}/v1/api-keys`, { headers: bearer(adminA.key) }));
    expect(listA.data.map((k: { id: string }) => k.id)).not.toContain(keyB.apiKey.id);
    const res = await h.app.request(`${ORIGIN}/v1/api-keys/${keyB.apiKey.id}`, {
      method: 'DELETE',
      headers: bearer(adminA.key),
    });
    expect(res.status).toBe(404);
    const [row] = await h.db.db.select().from(apiKeys).where(eq(apiKeys.id, keyB.apiKey.id));
    expect(row!.revokedAt).toBeNull();
    expect((await h.app.request(`${ORIGIN}/v1/me`, { headers: bearer(keyB.key) })).status).toBe(200);
  });

  it('refuses an expiry in the past with a field error', async () => {
    const admin = await apiKeyFor(h, orgA.id, 'admin');
    const res = await h.app.request(`${ORIGIN}/v1/api-keys`, {
      method: 'POST',
      headers: { ...bearer(admin.key), 'content-type': 'application/json' },
      body: JSON.stringify({ name: 'late', role: 'rep', expiresAt: '2000-01-01T00:00:00Z' }),
    });
    expect(res.status).toBe(400);
    expect(await jsonOf(res)).toMatchObject({ code: 'VALIDATION_FAILED', details: [{ path: 'expiresAt' }] });
  });

  it('stores only a digest of each key', async () => {
    const { key, apiKey } = await apiKeyFor(h, orgA.id, 'finance');
    const [row] = await h.db.db.select().from(apiKeys).where(eq(apiKeys.id, apiKey.id));
    // The secret is everything after `bks_<prefix>_`; it may itself contain '_' (base64url).
    const secret = key.slice(key.indexOf('_', 'bks_'.length) + 1);
    expect(secret.length).toBeGreaterThanOrEqual(40);
    expect(JSON.stringify(row)).not.toContain(secret);
  });

  it('admin page: create shows the key once, revoke works with and without htmx', async () => {
    const b = await signedIn(h, orgB.users.admin);
    await b.page('/admin/api-keys');
    const created = await b.request('/admin/api-keys', {
      method: 'POST',
      form: { _csrf: b.csrfToken, name: 'CRM sync', role: 'finance' },
    });
    const html = await created.text();
    const key = /<code class="secret">([^<]+)<\/code>/.exec(html)![1]!;
    expect((await h.app.request(`${ORIGIN}/v1/me`, { headers: bearer(key) })).status).toBe(200);
    const id = /<tr id="key-([0-9a-f-]{36})"><td>CRM sync<\/td>/.exec(html)![1]!;
    const page = await b.page('/admin/api-keys');
    expect(page.html).not.toContain(key);

    const revoke = await b.request(`/admin/api-keys/${id}/revoke`, {
      method: 'POST',
      headers: { 'hx-request': 'true', 'x-csrf-token': b.csrfToken },
    });
    expect(revoke.status).toBe(200);
    const fragment = await revoke.text();
    expect(fragment.startsWith('<div id="api-keys">')).toBe(true);
    expect(fragment).not.toContain('<html');
    expect(fragment).toContain('revoked');
    expect((await h.app.request(`${ORIGIN}/v1/me`, { headers: bearer(key) })).status).toBe(401);
  });

  it('admin page: a missing name is shown next to the field', async () => {
    const b = await signedIn(h, orgB.users.admin);
    await b.page('/admin/api-keys');
    const res = await b.request('/admin/api-keys', {
      method: 'POST',
      form: { _csrf: b.csrfToken, name: '  ', role: 'manager' },
    });
    expect(res.status).toBe(400);
    const html = await res.text();
    expect(html).toContain('id="key-name-error"');
    expect(html).toContain('aria-invalid="true"');
  });
});
