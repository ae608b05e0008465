/** RELIABILITY 18–19: login, logout, session rotation, cookie flags, equal failure for unknown users, throttling. */
import { eq } from 'drizzle-orm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { sessions } from '../../db/schema/index.ts';
import { createApp } from '../../src/app.ts';
import { DEFAULT_SCRYPT, passwordStats } from '../../src/auth/password.ts';
import { sha256Hex } from '../../src/auth/tokens.ts';
import {
  Browser,
  createHarness,
  createOrgWithUsers,
  createUser,
  type Harness,
  ORIGIN,
  PASSWORD,
  signedIn,
} from '../app/harness.ts';
import { holdToContract } from '../support/contract.ts';

let h: Harness;
let org: Awaited<ReturnType<typeof createOrgWithUsers>>;

beforeAll(async () => {
  // TRUST_PROXY lets each test pick its own client address (X-Forwarded-For), so throttling tests stay apart.
  h = await createHarness({ LOGIN_MAX_ATTEMPTS: '3', LOGIN_WINDOW_SECONDS: '900', TRUST_PROXY: 'true' });
  org = await createOrgWithUsers(h, 'Login Org');
});
afterAll(async () => {
  await h?.close();
});

let ipCounter = 0;
const freshIp = () => ({ 'x-forwarded-for': `203.0.113.${++ipCounter}` });

function sessionCookie(res: Response) {
  return res.headers.getSetCookie().find((c) => c.startsWith('bks_session='));
}

async function sessionRows(userId: string) {
  return h.db.db.select().from(sessions).where(eq(sessions.userId, userId));
}

describe('login and logout', () => {
  it('signs in with a form post, sets a hardened cookie, and stores only the token hash', async () => {
    const b = new Browser(h);
    await b.page('/login');
    const res = await b.request('/login', {
      method: 'POST',
      form: { _csrf: b.csrfToken, email: org.users.analyst.email, password: PASSWORD },
    });
    expect(res.status).toBe(303);
    expect(res.headers.get('location')).toBe('/');
    const cookie = sessionCookie(res)!;
    expect(cookie).toMatch(/HttpOnly/);
    expect(cookie).toMatch(/SameSite=Lax/);
    expect(cookie).toMatch(/Path=\//);
    expect(cookie).not.toMatch(/Secure/); // served over http in this test
    const token = b.jar.cookies.get('bks_session')!;
    expect(Buffer.from(token, 'base64url').length).toBe(32);
    const rows = await sessionRows(org.users.analyst.id);
    expect(rows.map((r) => r.tokenHash)).toContain(sha256Hex(token));
    expect(JSON.stringify(rows)).not.toContain(token);
    const { html } = await b.page('/');
    expect(html).toContain(org.users.analyst.email);
    expect(html).toContain('Analyst');
  });

  it('marks the cookie Secure behind TLS (COOKIE_SECURE or an https base URL)', async () => {
    for (const env of [
      { ...h.env, COOKIE_SECURE: true },
      { ...h.env, APP_BASE_URL: 'https://bookshift.test' },
    ]) {
      const app = holdToContract(createApp({ env, db: h.db.db, logger: h.logger }));
      const origin = new URL(env.APP_BASE_URL!).origin;
      const page = await app.request(`${origin}/login`);
      const anon = page.headers.getSetCookie().find((c) => c.startsWith('bks_csrf='))!;
      expect(anon).toMatch(/Secure/);
      const csrf = /name="_csrf" value="([^"]+)"/.exec(await page.text())![1]!;
      const res = await app.request(`${origin}/login`, {
        method: 'POST',
        headers: {
          origin,
          cookie: anon.split(';')[0]!,
          'content-type': 'application/x-www-form-urlencoded',
        },
        body: new URLSearchParams({ _csrf: csrf, email: org.users.rep.email, password: PASSWORD }).toString(),
      });
      expect(res.status).toBe(303);
      expect(sessionCookie(res)).toMatch(/;\s*Secure/);
    }
  });

  it('issues a new session at every login, never reusing a cookie the browser already had', async () => {
    const b = new Browser(h);
    b.jar.cookies.set('bks_session', 'attacker-chosen-value-attacker-chosen-value-123');
    await b.login(org.users.manager.email);
    const first = b.jar.cookies.get('bks_session')!;
    expect(first).not.toBe('attacker-chosen-value-attacker-chosen-value-123');
    const before = await sessionRows(org.users.manager.id);

    // Signing in again (same browser) rotates: a new token and id, and the old session is gone.
    await b.login(org.users.manager.email);
    const second = b.jar.cookies.get('bks_session')!;
    expect(second).not.toBe(first);
    const after = await sessionRows(org.users.manager.id);
    const oldRow = before.find((r) => r.tokenHash === sha256Hex(first))!;
    expect(after.find((r) => r.id === oldRow.id)).toBeUndefined();
    expect(after.find((r) => r.tokenHash === sha256Hex(second))).toBeDefined();

    const stale = await h.app.request(`${ORIGIN}/`, { headers: { cookie: `bks_session=${first}` } });
    expect(stale.status).toBe(303);
    expect(stale.headers.get('location')).toBe('/login?next=%2F');
  });

  it('logout deletes the session: the old cookie no longer signs anyone in', async () => {
    const b = await signedIn(h, org.users.finance);
    const token = b.jar.cookies.get('bks_session')!;
    const res = await b.request('/logout', { method: 'POST', form: { _csrf: b.csrfToken } });
    expect(res.status).toBe(303);
    expect(res.headers.get('location')).toBe('/login');
    expect(sessionCookie(res)).toMatch(/Max-Age=0/);
    expect((await sessionRows(org.users.finance.id)).some((r) => r.tokenHash === sha256Hex(token))).toBe(
      false,
    );
    const replay = await h.app.request(`${ORIGIN}/v1/me`, { headers: { cookie: `bks_session=${token}` } });
    expect(replay.status).toBe(401);
  });

  it('ends a session at its expiry', async () => {
    const b = await signedIn(h, org.users.rep);
    expect((await b.request('/v1/me')).status).toBe(200);
    const saved = h.clock.now;
    try {
      h.clock.advance(h.env.SESSION_TTL_HOURS * 3600_000 + 1000);
      expect((await b.request('/v1/me')).status).toBe(401);
    } finally {
      h.clock.now = saved;
    }
  });

  it('sends a signed-out visitor to the login page and back to where they were going', async () => {
    const res = await h.app.request(`${ORIGIN}/admin/api-keys`);
    expect(res.status).toBe(303);
    expect(res.headers.get('location')).toBe('/login?next=%2Fadmin%2Fapi-keys');
    const b = new Browser(h);
    const { html } = await b.page('/login?next=%2Fadmin%2Fapi-keys');
    expect(html).toContain('name="next" value="/admin/api-keys"');
    const login = await b.request('/login', {
      method: 'POST',
      form: { _csrf: b.csrfToken, email: org.users.admin.email, password: PASSWORD, next: '/admin/api-keys' },
    });
    expect(login.headers.get('location')).toBe('/admin/api-keys');
  });

  it('never redirects off-site after login', async () => {
    for (const next of ['//evil.test/', 'https://evil.test/', '/\\evil.test']) {
      const b = new Browser(h);
      await b.page('/login');
      const res = await b.request('/login', {
        method: 'POST',
        form: { _csrf: b.csrfToken, email: org.users.admin.email, password: PASSWORD, next },
      });
      expect(res.headers.get('location')).toBe('/');
    }
  });

  it('shows field errors next to the fields for an empty form, without a 500', async () => {
    const b = new Browser(h);
    await b.page('/login');
    const res = await b.request('/login', {
      method: 'POST',
      form: { _csrf: b.csrfToken, email: '', password: '' },
    });
    expect(res.status).toBe(400);
    const html = await res.text();
    expect(html).toContain('id="email-error"');
    expect(html).toContain('Enter your email address.');
    expect(html).toContain('id="password-error"');
  });
});

describe('failed logins', () => {
  it('answers an unknown email and a wrong password identically, both after a full scrypt', async () => {
    const slow = await createUser(h, org.id, 'analyst', { params: DEFAULT_SCRYPT });
    const attempt = async (email: string) => {
      const b = new Browser(h);
      await b.page('/login');
      const before = passwordStats.verifications;
      const started = performance.now();
      const res = await b.request('/login', {
        method: 'POST',
        headers: freshIp(),
        form: { _csrf: b.csrfToken, email, password: 'not the password' },
      });
      const ms = performance.now() - started;
      const html = await res.text();
      return {
        status: res.status,
        verified: passwordStats.verifications - before,
        ms,
        message: /role="alert"[^>]*>([^<]+)</.exec(html)?.[1],
      };
    };
    // Warm up the dummy hash so its one-time creation does not count against the unknown user.
    await attempt('warm-up@example.test');
    const wrong = await attempt(slow.email);
    const unknown = await attempt('nobody-here@example.test');
    expect(wrong.status).toBe(401);
    expect(unknown.status).toBe(401);
    expect(wrong.message).toBe('Email or password is incorrect.');
    expect(unknown.message).toBe(wrong.message);
    expect(wrong.verified).toBe(1);
    expect(unknown.verified).toBe(1);
    // Both pay for scrypt at N=2^17 (hundreds of ms); a short-cut for unknown users would be ~1 ms.
    expect(unknown.ms).toBeGreaterThan(wrong.ms / 3);
    expect(wrong.ms).toBeGreaterThan(unknown.ms / 3);
  });

  it('throttles repeated failures per email and address with 429 and Retry-After, even for the right password', async () => {
    const ip = freshIp();
    const user = org.users.analyst;
    const post = async (password: string, headers: Record<string, string> = ip) => {
      const b = new Browser(h);
      await b.page('/login');
      return b.request('/login', {
        method: 'POST',
        headers,
        form: { _csrf: b.csrfToken, email: user.email, password },
      });
    };
    for (let i = 0; i < 3; i++) expect((await post('wrong')).status).toBe(401);
    const blocked = await post(PASSWORD);
    expect(blocked.status).toBe(429);
    const retryAfter = Number(blocked.headers.get('retry-after'));
    expect(retryAfter).toBeGreaterThan(0);
    expect(retryAfter).toBeLessThanOrEqual(900);
    expect(await blocked.text()).toContain('Too many failed sign-in attempts');
    expect(sessionCookie(blocked)).toBeUndefined();

    // Another address is counted apart; and once the window has passed, the right password works again.
    expect((await post(PASSWORD, freshIp())).status).toBe(303);
    const saved = h.clock.now;
    try {
      h.clock.advance(retryAfter * 1000 + 1000);
      expect((await post(PASSWORD)).status).toBe(303);
    } finally {
      h.clock.now = saved;
    }
  });

  it('throttles unknown emails the same way (no hint that the account does not exist)', async () => {
    const ip = freshIp();
    let last: Response | undefined;
    for (let i = 0; i < 4; i++) {
      const b = new Browser(h);
      await b.page('/login');
      last = await b.request('/login', {
        method: 'POST',
        headers: ip,
        form: { _csrf: b.csrfToken, email: 'ghost@example.test', password: 'x' },
      });
    }
    expect(last!.status).toBe(429);
    expect(last!.headers.get('retry-after')).toBeTruthy();
  });

  it('refuses a disabled user with the same message', async () => {
    const user = await createUser(h, org.id, 'rep');
    const { users } = await import('../../db/schema/index.ts');
    await h.db.db.update(users).set({ disabledAt: new Date() }).where(eq(users.id, user.id));
    const b = new Browser(h);
    const res = await b.login(user.email);
    expect(res.status).toBe(401);
    expect(await res.text()).toContain('Email or password is incorrect.');
  });
});
