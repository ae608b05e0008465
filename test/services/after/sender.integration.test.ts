/**
 * RELIABILITY 13–14: the real Resend SDK against a local fake of the API, under every fault — each notice ends
 * sent exactly once or failed with its reason; none twice, none lost.
 */

import { eq } from 'drizzle-orm';
import fc from 'fast-check';
import { Resend } from 'resend';
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import * as s from '../../../db/schema/index.ts';
import { withOrg } from '../../../src/db/tenancy.ts';
import { createJobRunner } from '../../../src/jobs/runner.ts';
import { MAX_ATTEMPTS } from '../../../src/notices/delivery-policy.ts';
import { deliveryNote, scheduleNoticeDelivery } from '../../../src/services/after/outbox.ts';
import {
  claimDueNotices,
  createSendNoticesHandler,
  deliverNotice,
  type SenderOptions,
  sendDueNoticesOfOrg,
  sweepDueNotices,
} from '../../../src/services/after/sender.ts';
import { createTestDatabase, type TestDatabase } from '../../support/db.ts';
import { createOrg, uniq } from '../../support/factories.ts';
import { type FakeFault, type FakeResend, startFakeResend } from '../../support/fake-resend.ts';

let t: TestDatabase;
let fake: FakeResend;
let orgId: string;
let now: Date;
const clock = () => now;
const advance = (ms: number) => {
  now = new Date(now.getTime() + ms);
};

beforeAll(async () => {
  t = await createTestDatabase();
  fake = await startFakeResend();
});
afterAll(async () => {
  await fake.close();
  await t.close();
});
beforeEach(async () => {
  orgId = (await createOrg(t.db)).id;
  fake.faults = [];
  fake.delivered = [];
  now = new Date(Date.now() + 1000);
});
afterEach(() => {
  fake.faults = [];
});

const options = (over: Partial<SenderOptions> = {}): SenderOptions => ({
  db: t.db,
  env: {
    RESEND_API_KEY: 're_test_key',
    RESEND_BASE_URL: fake.url,
    EMAIL_FROM: 'Bookshift <ops@bookshift.test>',
  },
  clock,
  minIntervalMs: 0,
  // Generous: a cold first request on a busy machine must not look like a timeout; the fake's timeout never answers.
  requestTimeoutMs: 3000,
  sendingLeaseMs: 60_000,
  ...over,
});

async function addNotices(n: number, org = orgId) {
  const rows = Array.from({ length: n }, (_, i) => ({
    orgId: org,
    kind: 'receiving_rep',
    recipientEmail: `rep${i}@acme.test`,
    recipientName: `Rep ${i}`,
    subject: `Accounts for rep ${i}`,
    html: `<p>Hello ${i}</p>`,
    text: `Hello ${i}`,
    idempotencyKey: uniq('notice-'),
    nextAttemptAt: new Date(now.getTime() - 1000),
  }));
  return t.db.insert(s.notices).values(rows).returning();
}

const load = (id: string) =>
  t.db
    .select()
    .from(s.notices)
    .where(eq(s.notices.id, id))
    .then((r) => r[0]!);
const deliveredFor = (key: string) => fake.delivered.filter((d) => d.idempotencyKey === key).length;

/** Runs the sender until nothing is pending, moving the clock past each back-off. */
async function settle(opts = options(), org = orgId) {
  for (let round = 0; round < 40; round += 1) {
    const report = await sendDueNoticesOfOrg(opts, org);
    if (!report.nextDueAt) return;
    now = new Date(Math.max(now.getTime(), report.nextDueAt.getTime()) + 1);
  }
  throw new Error('the sender did not settle');
}

describe('notice sender', () => {
  it('sends each notice once with its idempotency key and records the provider id', async () => {
    const rows = await addNotices(3);
    const report = await sendDueNoticesOfOrg(options(), orgId);
    expect(report).toMatchObject({
      configured: true,
      claimed: 3,
      sent: 3,
      retrying: 0,
      failed: 0,
      nextDueAt: null,
    });
    for (const row of rows) {
      const stored = await load(row.id);
      expect(stored.status).toBe('sent');
      expect(stored.attempts).toBe(1);
      expect(fake.delivered.find((d) => d.idempotencyKey === row.idempotencyKey)?.id).toBe(stored.providerId);
    }
    const audit = await t.db.select().from(s.auditEvents).where(eq(s.auditEvents.orgId, orgId));
    expect(audit.filter((e) => e.action === 'notice.sent')).toHaveLength(3);
  });

  for (const [fault, reason] of [
    ['server_error', 'internal_server_error (HTTP 500)'],
    ['rate_limit', 'rate_limit_exceeded (HTTP 429)'],
    ['timeout', 'request'],
  ] as const) {
    it(`${fault}: retried later with back-off, then sent once`, async () => {
      const [row] = await addNotices(1);
      fake.faults = [fault];
      const first = await sendDueNoticesOfOrg(options(), orgId);
      expect(first).toMatchObject({ retrying: 1, sent: 0 });
      const pending = await load(row!.id);
      expect(pending.status).toBe('pending');
      expect(pending.lastError).toContain(fault === 'timeout' ? 'application_error' : reason);
      const delay = pending.nextAttemptAt.getTime() - now.getTime();
      expect(delay).toBeGreaterThanOrEqual(fault === 'rate_limit' ? 1000 : 2000);
      // Not due yet: nothing happens.
      expect((await sendDueNoticesOfOrg(options(), orgId)).claimed).toBe(0);
      await settle();
      expect(await load(row!.id)).toMatchObject({ status: 'sent', attempts: 2 });
      expect(deliveredFor(row!.idempotencyKey)).toBe(1);
    });
  }

  it('accepted then dropped: the retry with the same key is not delivered twice', async () => {
    const [row] = await addNotices(1);
    fake.faults = ['accept_then_drop'];
    await settle();
    const stored = await load(row!.id);
    expect(stored).toMatchObject({ status: 'sent', attempts: 2 });
    expect(deliveredFor(row!.idempotencyKey)).toBe(1);
    expect(stored.providerId).toBe(fake.delivered[0]!.id);
  });

  it('a validation error fails at once with the reason', async () => {
    const [row] = await addNotices(1);
    fake.faults = ['validation_error'];
    await settle();
    const stored = await load(row!.id);
    expect(stored.status).toBe('failed');
    expect(stored.lastError).toContain('validation_error (HTTP 422)');
    expect(deliveryNote(stored, true)).toContain('failed: validation_error');
    expect(fake.delivered).toHaveLength(0);
  });

  it(`gives up after ${MAX_ATTEMPTS} failed attempts, with the last error`, async () => {
    const [row] = await addNotices(1);
    fake.faults = Array.from({ length: MAX_ATTEMPTS }, () => 'server_error' as const);
    await settle();
    const stored = await load(row!.id);
    expect(stored.status).toBe('failed');
    expect(stored.attempts).toBe(MAX_ATTEMPTS);
    expect(stored.lastError).toContain(`gave up after ${MAX_ATTEMPTS} attempts`);
  });

  it('a worker that crashed after the provider accepted: on restart the notice is not sent again', async () => {
    const [row] = await addNotices(1);
    // The crashed worker: claimed, sent, and died before recording the outcome.
    const [claimed] = await withOrg(t.db, { orgId }, (tx) =>
      claimDueNotices(tx, { now, leaseMs: 60_000, limit: 10 }),
    );
    const outcome = await deliverNotice(new Resend('re_test_key', { baseUrl: fake.url }), claimed!, {
      from: 'Bookshift <ops@bookshift.test>',
      timeoutMs: 1000,
    });
    expect(outcome.kind).toBe('sent');
    expect(await load(row!.id)).toMatchObject({ status: 'sending', attempts: 1 });
    // Before the lease runs out nobody touches it; after, it is retried with the same key.
    const early = await sendDueNoticesOfOrg(options(), orgId);
    expect(early.claimed).toBe(0);
    expect(early.nextDueAt?.getTime()).toBe(now.getTime() + 60_000);
    advance(60_001);
    await settle();
    const stored = await load(row!.id);
    expect(stored).toMatchObject({ status: 'sent', attempts: 2 });
    expect(deliveredFor(row!.idempotencyKey)).toBe(1);
    expect(stored.providerId).toBe(fake.delivered[0]!.id);
  });

  it('two senders at once never send a notice twice (SKIP LOCKED)', async () => {
    const rows = await addNotices(12);
    await Promise.all([sendDueNoticesOfOrg(options(), orgId), sendDueNoticesOfOrg(options(), orgId)]);
    for (const row of rows) {
      expect((await load(row.id)).status).toBe('sent');
      expect(deliveredFor(row.idempotencyKey)).toBe(1);
    }
    expect(fake.requests).toBeGreaterThanOrEqual(12);
  });

  it('paces requests under the provider rate limit', async () => {
    await addNotices(4);
    const started = Date.now();
    await sendDueNoticesOfOrg(options({ minIntervalMs: 250 }), orgId);
    expect(Date.now() - started).toBeGreaterThanOrEqual(3 * 250 - 20);
  });

  it('without RESEND_API_KEY nothing is sent and notices stay pending, marked as not sent', async () => {
    const [row] = await addNotices(1);
    const requestsBefore = fake.requests;
    const report = await sendDueNoticesOfOrg(options({ env: { EMAIL_FROM: 'x@y.test' } }), orgId);
    expect(report).toMatchObject({ configured: false, claimed: 0 });
    const stored = await load(row!.id);
    expect(stored.status).toBe('pending');
    expect(deliveryNote(stored, false)).toBe('not sent: no email provider configured');
    expect(fake.requests).toBe(requestsBefore);
  });

  it('the send_notices job sends, then schedules itself for the next retry; the sweep finds due orgs', async () => {
    const [ok, flaky] = await addNotices(2);
    fake.faults = ['ok', 'server_error'];
    now = new Date();
    await withOrg(t.db, { orgId }, (tx) => scheduleNoticeDelivery(tx, orgId));
    const env = options().env;
    const runner = createJobRunner({
      db: t.db,
      handlers: { send_notices: createSendNoticesHandler({ env, minIntervalMs: 0, requestTimeoutMs: 3000 }) },
    });
    expect(await runner.drain(1)).toBe(1);
    expect((await load(ok!.id)).status).toBe('sent');
    const retry = await load(flaky!.id);
    expect(retry.status).toBe('pending');
    const jobs = await t.db.select().from(s.jobs).where(eq(s.jobs.orgId, orgId));
    const followUp = jobs.find((j) => j.status === 'queued');
    expect(followUp?.runAt.getTime()).toBe(retry.nextAttemptAt.getTime());
    // The periodic sweep enqueues a job for an org whose notices are due and nobody scheduled.
    const quiet = (await createOrg(t.db)).id;
    await addNotices(1, quiet);
    expect(await sweepDueNotices(t.db)).toBeGreaterThanOrEqual(1);
    const swept = await t.db.select().from(s.jobs).where(eq(s.jobs.orgId, quiet));
    expect(swept.map((j) => [j.kind, j.status])).toEqual([['send_notices', 'queued']]);
  });

  it('property: under any sequence of faults every notice ends sent exactly once or failed with a reason', async () => {
    const faults: FakeFault[] = [
      'ok',
      'server_error',
      'rate_limit',
      'timeout',
      'accept_then_drop',
      'validation_error',
    ];
    await fc.assert(
      fc.asyncProperty(
        fc.integer({ min: 1, max: 4 }),
        fc.array(fc.constantFrom(...faults), { maxLength: 12 }),
        async (n, sequence) => {
          const org = (await createOrg(t.db)).id;
          fake.delivered = [];
          fake.faults = [...sequence];
          const rows = await addNotices(n, org);
          await settle(options({ requestTimeoutMs: 1000 }), org);
          for (const row of rows) {
            const stored = await load(row.id);
            const copies = deliveredFor(row.idempotencyKey);
            expect(copies).toBeLessThanOrEqual(1);
            expect(['sent', 'failed']).toContain(stored.status);
            if (stored.status === 'sent') {
              expect(copies).toBe(1);
              expect(stored.providerId).toBe(
                fake.delivered.find((d) => d.idempotencyKey === row.idempotencyKey)!.id,
              );
            } else expect(stored.lastError).toBeTruthy();
          }
        },
      ),
      { numRuns: 12 },
    );
  });
});
