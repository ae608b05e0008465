/**
 * The database down or restarting is not the caller's fault and not a bug: every request that needs it answers
 * 503 UNAVAILABLE with Retry-After and a message that says what to do, never a 500. Both drivers: postgres.js
 * refused at the socket (nothing listens on port 1) and a closed embedded database.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createApp } from '../../src/app.ts';
import { type DatabaseHandle, openPglite, openPostgres } from '../../src/db/client.ts';
import { createMemoryLogger } from '../../src/lib/logger.ts';
import { holdToContract } from '../support/contract.ts';
import {
  apiKeyFor,
  Browser,
  bearer,
  createHarness,
  createOrgWithUsers,
  type Harness,
  jsonOf,
  ORIGIN,
  signedIn,
} from './harness.ts';

let h: Harness;
const handles: Record<string, DatabaseHandle> = {};
/** A real key and a real session cookie, minted while the database was up. */
let key: string;
let sessionCookie: string;

beforeAll(async () => {
  h = await createHarness();
  const org = await createOrgWithUsers(h, 'Unreachable Org');
  key = (await apiKeyFor(h, org.id, 'analyst')).key;
  sessionCookie = (await signedIn(h, org.users.manager)).jar.header();
  handles.refused = await openPostgres('postgres://postgres@127.0.0.1:1/postgres', 1);
  handles.closed = await openPglite('memory://');
  await handles.closed.close();
});
afterAll(async () => {
  await handles.refused?.close();
  await h?.close();
});

describe.each(['refused', 'closed'])('database %s', (which) => {
  const appFor = () =>
    holdToContract(createApp({ env: h.env, db: handles[which]!.db, logger: createMemoryLogger() }));

  it('an API call answers 503 UNAVAILABLE with Retry-After, in the error contract', async () => {
    const res = await appFor().request(`${ORIGIN}/v1/accounts`, {
      headers: bearer(key),
    });
    expect(res.status).toBe(503);
    expect(res.headers.get('retry-after')).toBe('30');
    const body = await jsonOf(res);
    expect(body.code).toBe('UNAVAILABLE');
    expect(body.message).toMatch(/database cannot be reached/);
    expect(body.message).toMatch(/Try again in 30 seconds/);
    expect(body.requestId).toBe(res.headers.get('x-request-id'));
  });

  it('a page answers 503 with a page that says to try again, never the 500 page', async () => {
    const res = await appFor().request(`${ORIGIN}/`, {
      headers: { accept: 'text/html', cookie: sessionCookie },
    });
    expect(res.status).toBe(503);
    const html = await res.text();
    expect(html).toContain('Temporarily unavailable');
    expect(html).toContain('Try again in 30 seconds');
    expect(html).not.toContain('Something went wrong');
  });

  it('a sign-in attempt answers 503 and says to try again, not that the password is wrong', async () => {
    const browser = new Browser({ ...h, app: appFor() });
    const form = await browser.page('/login');
    expect(form.res.status).toBe(200);
    expect(browser.csrfToken).not.toBe('');
    const res = await browser.request('/login', {
      method: 'POST',
      form: { _csrf: browser.csrfToken, email: 'someone@example.test', password: 'not-checked-at-all' },
    });
    expect(res.status).toBe(503);
    const html = await res.text();
    expect(html).toContain('Try again in 30 seconds');
    expect(html).not.toMatch(/password is wrong|not recognised|incorrect/i);
  });
});
