/**
 * The outbox page (issue 17): managers and admins see every notice with its status — pending (and why), sent,
 * failed with the reason, given up, cancelled — and a preview of exactly what is sent, the HTML and the text.
 * Notices come from the change-set fixture (a committed departure's digests composed into the outbox).
 */
import { eq } from 'drizzle-orm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import * as s from '../../db/schema/index.ts';
import { MAX_ATTEMPTS } from '../../src/notices/delivery-policy.ts';
import { type Browser, createHarness, createUser, type Harness, signedIn } from '../app/harness.ts';
import { createCommittedRun } from '../services/after/committed-run.ts';

let h: Harness;
let configured: Harness;
let run: Awaited<ReturnType<typeof createCommittedRun>>;
let manager: Browser;
let notices: (typeof s.notices.$inferSelect)[];

const fromHtml = (html: string) =>
  html
    .replaceAll('&lt;', '<')
    .replaceAll('&gt;', '>')
    .replaceAll('&quot;', '"')
    .replaceAll('&#39;', "'")
    .replaceAll('&amp;', '&');

beforeAll(async () => {
  h = await createHarness();
  run = await createCommittedRun(h.db.db, {
    accounts: 3,
    names: ['Orchard & Sons <Ltd>', 'Kestrel', 'Bluewater'],
  });
  notices = await h.db.db.select().from(s.notices).where(eq(s.notices.runId, run.run.id));
  // One failed for good (the provider refused the address), one given up after every attempt, one cancelled.
  await h.db.db
    .update(s.notices)
    .set({ status: 'failed', attempts: 1, lastError: 'invalid_to_address (HTTP 422): bad address' })
    .where(eq(s.notices.id, notices[0]!.id));
  await h.db.db
    .update(s.notices)
    .set({
      status: 'failed',
      attempts: MAX_ATTEMPTS,
      lastError: `gave up after ${MAX_ATTEMPTS} attempts; last error rate_limit_exceeded (HTTP 429): slow down`,
    })
    .where(eq(s.notices.id, notices[1]!.id));
  await h.db.db
    .update(s.notices)
    .set({ status: 'cancelled', cancelledAt: new Date() })
    .where(eq(s.notices.id, notices[2]!.id));
  const user = await createUser(h, run.org.id, 'manager');
  manager = await signedIn(h, user);
});
afterAll(async () => {
  await h?.close();
  await configured?.close();
});

describe('the outbox page', () => {
  it('lists every notice with its status and reason, and says why pending notices wait', async () => {
    const { res, html } = await manager.page('/notices');
    expect(res.status).toBe(200);
    for (const n of notices) {
      expect(html).toContain(`href="/notices/${n.id}"`);
      expect(fromHtml(html)).toContain(n.subject);
    }
    expect(html).toContain('invalid_to_address (HTTP 422): bad address');
    expect(html).toMatch(/given up/);
    expect(html).toContain(`gave up after ${MAX_ATTEMPTS} attempts`);
    expect(html).toContain('cancelled');
    // No provider configured: the page says so and what to set.
    expect(html).toContain('id="outbox-not-configured"');
    expect(html).toContain('RESEND_API_KEY');
    expect(html).toContain('EMAIL_FROM');
    // Filtered by status.
    const failed = await manager.page('/notices?status=failed');
    expect(failed.html).toContain(`href="/notices/${notices[0]!.id}"`);
    expect(failed.html).not.toContain(`href="/notices/${notices[3]!.id}"`);
  });

  it('previews exactly the HTML and the text that are sent', async () => {
    const n = notices[3]!;
    const { res, html } = await manager.page(`/notices/${n.id}`);
    expect(res.status).toBe(200);
    expect(fromHtml(html)).toContain(n.text);
    expect(fromHtml(html)).toContain(n.html);
    expect(html).toContain(n.recipientEmail);
    expect(html).toContain(`src="/notices/${n.id}/preview"`);
    const preview = await manager.request(`/notices/${n.id}/preview`);
    expect(preview.status).toBe(200);
    expect(preview.headers.get('content-type')).toContain('text/html');
    // The stored HTML byte for byte, rendered in a sandbox: no script, nothing loaded.
    expect(await preview.text()).toBe(n.html);
    const csp = preview.headers.get('content-security-policy') ?? '';
    expect(csp).toContain('sandbox');
    expect(csp).toContain("default-src 'none'");
    expect((await manager.request('/notices/00000000-0000-4000-8000-000000000000')).status).toBe(404);
  });

  it('lets a manager retry a failed notice and cancel a pending one', async () => {
    const page = await manager.page(`/notices/${notices[0]!.id}`);
    const retried = await manager.request(`/notices/${notices[0]!.id}/retry`, {
      method: 'POST',
      form: { _csrf: manager.csrfToken },
    });
    expect(retried.status).toBe(303);
    expect(page.html).toContain('id="retry-notice"');
    const [row] = await h.db.db.select().from(s.notices).where(eq(s.notices.id, notices[0]!.id));
    expect(row!.status).toBe('pending');
    const cancelled = await manager.request(`/notices/${notices[4]!.id}/cancel`, {
      method: 'POST',
      form: { _csrf: manager.csrfToken },
    });
    expect(cancelled.status).toBe(303);
    const [gone] = await h.db.db.select().from(s.notices).where(eq(s.notices.id, notices[4]!.id));
    expect(gone!.status).toBe('cancelled');
    // A cancelled notice cannot be cancelled again: the page says why instead of failing.
    const again = await manager.request(`/notices/${notices[4]!.id}/cancel`, {
      method: 'POST',
      form: { _csrf: manager.csrfToken },
    });
    expect(again.status).toBe(409);
    expect(await again.text()).toContain('Only a pending notice can be cancelled');
  });

  it('is for managers and admins', async () => {
    for (const role of ['analyst', 'finance', 'rep'] as const) {
      const b = await signedIn(h, await createUser(h, run.org.id, role));
      expect((await b.request('/notices')).status, role).toBe(403);
    }
    const admin = await signedIn(h, await createUser(h, run.org.id, 'admin'));
    expect((await admin.request('/notices')).status).toBe(200);
  });

  it('with a provider configured, pending notices are shown as queued, not as unconfigured', async () => {
    configured = await createHarness({ RESEND_API_KEY: 're_test_123' });
    const other = await createCommittedRun(configured.db.db, { accounts: 1 });
    const b = await signedIn(configured, await createUser(configured, other.org.id, 'manager'));
    const { html } = await b.page('/notices');
    expect(html).not.toContain('id="outbox-not-configured"');
    expect(html).toContain('queued');
  });
});
