/** The CSRF checks on their own: origin rules, where the token may come from, and refusal without a Content-Type. */
import { Hono } from 'hono';
import { describe, expect, it } from 'vitest';
import { isStateChanging, verifyCsrf } from '../../src/auth/csrf.ts';
import { AppError } from '../../src/lib/errors.ts';

const TOKEN = 't'.repeat(43);

function app(baseUrl?: string) {
  const a = new Hono();
  a.post('/x', async (c) => {
    try {
      await verifyCsrf(c, TOKEN, baseUrl);
      return c.text('ok');
    } catch (error) {
      if (error instanceof AppError) return c.text(error.code, 403);
      throw error;
    }
  });
  return a;
}

const post = (headers: Record<string, string>, body?: string, baseUrl?: string) =>
  app(baseUrl).request('http://app.test/x', { method: 'POST', headers, body });

describe('verifyCsrf', () => {
  it('accepts the header token or the form field from our own origin', async () => {
    expect((await post({ origin: 'http://app.test', 'x-csrf-token': TOKEN })).status).toBe(200);
    expect(
      (
        await post(
          { origin: 'http://app.test', 'content-type': 'application/x-www-form-urlencoded' },
          `_csrf=${TOKEN}&a=1`,
        )
      ).status,
    ).toBe(200);
    const form = new FormData();
    form.set('_csrf', TOKEN);
    const multipart = await app().request('http://app.test/x', {
      method: 'POST',
      headers: { origin: 'http://app.test' },
      body: form,
    });
    expect(multipart.status).toBe(200);
  });

  it('accepts a same-origin fetch without Origin (Sec-Fetch-Site) and a request with neither header', async () => {
    expect((await post({ 'sec-fetch-site': 'same-origin', 'x-csrf-token': TOKEN })).status).toBe(200);
    expect((await post({ 'x-csrf-token': TOKEN })).status).toBe(200);
  });

  it('refuses other origins, cross-site fetches and the null origin even with the right token', async () => {
    const cases: Array<Record<string, string>> = [
      { origin: 'http://evil.test' },
      { origin: 'http://app.test:8080' },
      { origin: 'https://app.test' },
      { origin: 'null' },
      { 'sec-fetch-site': 'cross-site' },
      { 'sec-fetch-site': 'same-site' },
    ];
    for (const headers of cases) {
      expect((await post({ ...headers, 'x-csrf-token': TOKEN })).status, JSON.stringify(headers)).toBe(403);
    }
  });

  it('uses APP_BASE_URL as our origin behind a proxy', async () => {
    const base = 'https://bookshift.example.com';
    expect((await post({ origin: base, 'x-csrf-token': TOKEN }, undefined, base)).status).toBe(200);
    expect((await post({ origin: 'http://app.test', 'x-csrf-token': TOKEN }, undefined, base)).status).toBe(
      403,
    );
  });

  it('refuses a missing or wrong token whatever the Content-Type (or without one)', async () => {
    const origin = { origin: 'http://app.test' };
    expect((await post(origin)).status).toBe(403);
    expect((await post(origin, `_csrf=${TOKEN}`)).status).toBe(403); // no Content-Type: the body is not read
    expect((await post({ ...origin, 'content-type': 'text/plain' }, `_csrf=${TOKEN}`)).status).toBe(403);
    expect(
      (await post({ ...origin, 'content-type': 'application/json' }, JSON.stringify({ _csrf: TOKEN })))
        .status,
    ).toBe(403);
    expect((await post({ ...origin, 'x-csrf-token': `${TOKEN}x` })).status).toBe(403);
    expect((await post({ ...origin, 'x-csrf-token': '' })).status).toBe(403);
  });

  it('knows which methods change state', () => {
    expect(['POST', 'put', 'PATCH', 'DELETE'].every(isStateChanging)).toBe(true);
    expect(['GET', 'HEAD', 'OPTIONS'].some(isStateChanging)).toBe(false);
  });
});
