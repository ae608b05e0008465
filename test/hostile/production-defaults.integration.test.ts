/**
 * Issue 15, production-safe defaults: no demo data unless asked for outside development (never in
 * production), the published demo password refused at sign-in in production, redirects after sign-in to
 * this site only (parsed as a browser parses them), and a boot guard that refuses a superuser login role.
 */
import { randomBytes } from 'node:crypto';
import { sql } from 'drizzle-orm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { assertDatabaseSafe, UnsafeDatabaseError } from '../../src/db/boot-guard.ts';
import { openPostgres } from '../../src/db/client.ts';
import { DEMO_PASSWORD } from '../../src/lib/demo.ts';
import { parseEnv } from '../../src/lib/env.ts';
import { safeNext } from '../../src/views/auth/auth.routes.tsx';
import { Browser, createHarness, createOrgWithUsers, createUser, type Harness } from '../app/harness.ts';
import { testServerUrl } from '../support/db.ts';

let prod: Harness;
let dev: Harness;

beforeAll(async () => {
  prod = await createHarness({ NODE_ENV: 'production' });
  dev = await createHarness({ NODE_ENV: 'development' });
});
afterAll(async () => {
  await prod?.close();
  await dev?.close();
});

describe('demo data', () => {
  it('is seeded by default in development only, and refused in production', () => {
    expect(parseEnv({ NODE_ENV: 'development' }).SEED_DEMO).toBe(true);
    expect(parseEnv({}).SEED_DEMO).toBe(true); // NODE_ENV defaults to development (npm start)
    expect(parseEnv({ NODE_ENV: 'test' }).SEED_DEMO).toBe(false);
    expect(parseEnv({ NODE_ENV: 'production' }).SEED_DEMO).toBe(false);
    expect(parseEnv({ NODE_ENV: 'test', SEED_DEMO: 'true' }).SEED_DEMO).toBe(true);
    expect(() => parseEnv({ NODE_ENV: 'production', SEED_DEMO: 'true' })).toThrow(/SEED_DEMO/);
  });

  it('the demo password never signs in with NODE_ENV=production, even when a user has it', async () => {
    for (const [h, expected] of [
      [prod, 401],
      [dev, 303],
    ] as const) {
      const org = await createOrgWithUsers(h);
      const user = await createUser(h, org.id, 'admin', { password: DEMO_PASSWORD });
      const res = await new Browser(h).login(user.email, DEMO_PASSWORD);
      expect(res.status).toBe(expected);
    }
  });
});

describe('redirects after sign-in stay on this site', () => {
  it.each([
    ['/\t/evil.example', '/'],
    ['/\n/evil.example', '/'],
    ['//evil.example', '/'],
    ['/\\evil.example', '/'],
    ['/\\/evil.example', '/'],
    ['https://evil.example/', '/'],
    ['/%2F%2Fevil.example', '/%2F%2Fevil.example'],
    ['javascript:alert(1)', '/'],
    ['/runs/abc?tab=accounts#top', '/runs/abc?tab=accounts#top'],
    ['/./runs', '/runs'],
    ['', '/'],
  ])('next=%j → %j', (next, expected) => {
    expect(safeNext(next)).toBe(expected);
  });

  it('GET /login?next=/%09/evil.example signed in answers Location: /', async () => {
    const org = await createOrgWithUsers(dev);
    const b = new Browser(dev);
    await b.login(org.users.analyst.email);
    const res = await b.request('/login?next=/%09/evil.example');
    expect(res.status).toBe(303);
    expect(res.headers.get('location')).toBe('/');
  });

  it('POST /login with next=/%09/evil.example redirects to /', async () => {
    const org = await createOrgWithUsers(dev);
    const b = new Browser(dev);
    await b.page('/login');
    const res = await b.request('/login', {
      method: 'POST',
      form: {
        _csrf: b.csrfToken,
        email: org.users.analyst.email,
        password: 'correct horse battery staple',
        next: '/\t/evil.example',
      },
    });
    expect(res.status).toBe(303);
    expect(res.headers.get('location')).toBe('/');
  });
});

describe('boot guard and the login role', () => {
  it('refuses a superuser login role when asked to (production), accepts it otherwise', async () => {
    // The test connection logs in as a superuser (postgres, or PGlite's own).
    await expect(assertDatabaseSafe(dev.db.db, { refuseUnsafeLogin: true })).rejects.toThrow(
      UnsafeDatabaseError,
    );
    await expect(assertDatabaseSafe(dev.db.db, { refuseUnsafeLogin: true })).rejects.toThrow(/superuser/);
    const report = await assertDatabaseSafe(dev.db.db);
    expect(report.loginRole.superuser).toBe(true);
  });

  it.skipIf(!testServerUrl())(
    'accepts an ordinary login role that may only become the app role',
    async () => {
      const role = `bks_login_${randomBytes(4).toString('hex')}`;
      const owner = dev.db.db;
      await owner.execute(sql.raw(`create role ${role} login nosuperuser nobypassrls`));
      await owner.execute(sql.raw(`grant bookshift_app to ${role}`));
      const url = new URL(dev.db.url!);
      url.username = role;
      const handle = await openPostgres(url.toString(), 1, 'boot-guard-test');
      try {
        const report = await assertDatabaseSafe(handle.db, { refuseUnsafeLogin: true });
        expect(report.loginRole).toEqual({ name: role, superuser: false, bypassRls: false });
        await owner.execute(sql.raw(`alter role ${role} bypassrls`));
        await expect(assertDatabaseSafe(handle.db, { refuseUnsafeLogin: true })).rejects.toThrow(/BYPASSRLS/);
      } finally {
        await handle.close();
        await owner.execute(sql.raw(`drop owned by ${role}`));
        await owner.execute(sql.raw(`drop role ${role}`));
      }
    },
  );
});
