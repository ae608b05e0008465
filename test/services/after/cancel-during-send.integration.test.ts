/**
 * RELIABILITY 12 (cancellation during the notice fan-out) with the real Resend SDK against the local fake of the
 * API. A relay in front of the fake lets each test act at the exact moment the sender's first request is in
 * flight: roll the run back, cancel a notice by hand, or stop the sender. Whatever was not yet handed to the
 * provider then is never sent; what was handed over is recorded as sent; nothing is left half-done.
 */
import { createServer, type IncomingMessage, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { eq, inArray } from 'drizzle-orm';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import * as s from '../../../db/schema/index.ts';
import type { Principal } from '../../../src/auth/principal.ts';
import { cancelNotice } from '../../../src/services/after/outbox.ts';
import { rollbackRun } from '../../../src/services/after/rollback-run.ts';
import { type SenderOptions, sendDueNoticesOfOrg } from '../../../src/services/after/sender.ts';
import { createTestDatabase, type TestDatabase } from '../../support/db.ts';
import { createMember, createOrg, uniq } from '../../support/factories.ts';
import { type FakeResend, startFakeResend } from '../../support/fake-resend.ts';
import { createCommittedRun } from './committed-run.ts';

let t: TestDatabase;
let fake: FakeResend;
let relay: Relay;

/** Forwards every request to the fake; before forwarding the first one of a test, runs `onFirstRequest`. */
interface Relay {
  url: string;
  onFirstRequest: (() => Promise<void>) | null;
  requests: number;
  close(): Promise<void>;
}

async function readBody(req: IncomingMessage): Promise<string> {
  const chunks: Buffer[] = [];
  for await (const chunk of req) chunks.push(chunk as Buffer);
  return Buffer.concat(chunks).toString('utf8');
}

async function startRelay(target: () => string): Promise<Relay> {
  const state: Relay = { url: '', onFirstRequest: null, requests: 0, close: async () => {} };
  const server: Server = createServer(async (req, res) => {
    state.requests += 1;
    const body = await readBody(req);
    const hook = state.onFirstRequest;
    state.onFirstRequest = null;
    try {
      if (hook) await hook();
      const headers: Record<string, string> = {};
      for (const name of ['authorization', 'content-type', 'idempotency-key', 'user-agent']) {
        const value = req.headers[name];
        if (typeof value === 'string') headers[name] = value;
      }
      const answer = await fetch(`${target()}${req.url}`, { method: req.method!, headers, body });
      res.writeHead(answer.status, {
        'content-type': answer.headers.get('content-type') ?? 'application/json',
      });
      res.end(await answer.text());
    } catch (error) {
      res.writeHead(502, { 'content-type': 'application/json' });
      res.end(JSON.stringify({ statusCode: 502, name: 'relay_error', message: String(error) }));
    }
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  state.url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  state.close = () =>
    new Promise<void>((resolve) => {
      server.closeAllConnections();
      server.close(() => resolve());
    });
  return state;
}

beforeAll(async () => {
  t = await createTestDatabase();
  fake = await startFakeResend();
  relay = await startRelay(() => fake.url);
});
afterAll(async () => {
  await relay.close();
  await fake.close();
  await t.close();
});
beforeEach(() => {
  fake.faults = [];
  fake.delivered = [];
  relay.requests = 0;
  relay.onFirstRequest = null;
});

// The sender's clock runs a little ahead, so every notice written "now" by the database is due.
const options = (over: Partial<SenderOptions> = {}): SenderOptions => ({
  db: t.db,
  env: {
    RESEND_API_KEY: 're_test_key',
    RESEND_BASE_URL: relay.url,
    EMAIL_FROM: 'Bookshift <ops@bookshift.test>',
  },
  clock: () => new Date(Date.now() + 5_000),
  minIntervalMs: 0,
  requestTimeoutMs: 5_000,
  sendingLeaseMs: 60_000,
  ...over,
});

const noticesOf = (runId: string) => t.db.select().from(s.notices).where(eq(s.notices.runId, runId));
const deliveredKeys = () => new Set(fake.delivered.map((d) => d.idempotencyKey));

describe('cancellation during the notice fan-out', () => {
  it('a rollback while the first handoff is in flight: that one is sent (and corrected), no other is ever sent', async () => {
    const f = await createCommittedRun(t.db, { accounts: 3 });
    const outbox = await noticesOf(f.run.id);
    expect(outbox.length).toBeGreaterThanOrEqual(4);
    // Ria's digest goes first.
    const first = outbox.find((n) => n.kind === 'receiving_rep' && n.recipientName === 'Ria Receiver')!;
    await t.db
      .update(s.notices)
      .set({ nextAttemptAt: new Date(Date.now() - 60_000) })
      .where(eq(s.notices.id, first.id));
    let rollback: Awaited<ReturnType<typeof rollbackRun>> | undefined;
    relay.onFirstRequest = async () => {
      rollback = await rollbackRun({
        ctx: {
          db: t.db,
          clock: () => new Date(),
          principal: f.principal,
          appBaseUrl: 'http://bookshift.test',
        },
        input: { runId: f.run.id },
      });
    };

    const report = await sendDueNoticesOfOrg(options(), f.org.id);

    expect(rollback?.result.status).toBe('rolled_back');
    // The one in flight counts as notified; every other handoff was still pending and is cancelled.
    expect(rollback!.result.notices).toEqual({
      cancelled: outbox.length - 1,
      corrections: 1,
      unreachable: [],
    });
    const after = await noticesOf(f.run.id);
    const byId = new Map(after.map((n) => [n.id, n]));
    expect(byId.get(first.id)).toMatchObject({ status: 'sent', attempts: 1 });
    for (const n of outbox) {
      if (n.id === first.id) continue;
      expect(byId.get(n.id)).toMatchObject({ status: 'cancelled', attempts: 0 });
      expect(deliveredKeys().has(n.idempotencyKey), `${n.kind} to ${n.recipientEmail} was sent`).toBe(false);
    }
    // Ria got her handoff and then its correction; nobody else got anything.
    const correction = after.find((n) => n.kind === 'correction_receiving_rep')!;
    expect(correction).toMatchObject({ status: 'sent', recipientEmail: first.recipientEmail });
    expect(fake.delivered.map((d) => [d.idempotencyKey, d.to])).toEqual([
      [first.idempotencyKey, [first.recipientEmail]],
      [correction.idempotencyKey, [first.recipientEmail]],
    ]);
    expect(report).toMatchObject({ claimed: 2, sent: 2, retrying: 0, failed: 0, nextDueAt: null });
    const cancelledEvents = await t.db
      .select({ entityId: s.auditEvents.entityId })
      .from(s.auditEvents)
      .where(eq(s.auditEvents.action, 'notice.cancelled'));
    const audited = new Set(cancelledEvents.map((e) => e.entityId));
    for (const n of outbox) if (n.id !== first.id) expect(audited.has(n.id)).toBe(true);
  });

  it('a notice cancelled by hand while the sender works through the others is never sent', async () => {
    const org = await createOrg(t.db);
    const manager = await createMember(t.db, org.id, 'manager');
    const rows = await t.db
      .insert(s.notices)
      .values(
        [0, 1, 2].map((i) => ({
          orgId: org.id,
          kind: 'receiving_rep',
          recipientEmail: `rep${i}@acme.test`,
          recipientName: `Rep ${i}`,
          subject: `Accounts for rep ${i}`,
          html: `<p>Hello ${i}</p>`,
          text: `Hello ${i}`,
          idempotencyKey: uniq('notice-'),
          nextAttemptAt: new Date(Date.now() - 60_000 + i * 1000),
        })),
      )
      .returning();
    const principal: Principal = {
      kind: 'session',
      orgId: org.id,
      orgName: org.name,
      role: 'manager',
      userId: manager.user.id,
      email: manager.user.email,
    };
    const last = rows[2]!;
    relay.onFirstRequest = async () => {
      // Pending until the sender reaches it, so it can be cancelled although the fan-out has started.
      await cancelNotice({ ctx: { db: t.db, clock: () => new Date(), principal }, input: { id: last.id } });
    };
    const report = await sendDueNoticesOfOrg(options(), org.id);
    expect(report).toMatchObject({ claimed: 2, sent: 2 });
    const stored = await t.db
      .select()
      .from(s.notices)
      .where(
        inArray(
          s.notices.id,
          rows.map((r) => r.id),
        ),
      );
    const status = new Map(stored.map((n) => [n.id, n]));
    expect(status.get(rows[0]!.id)?.status).toBe('sent');
    expect(status.get(rows[1]!.id)?.status).toBe('sent');
    expect(status.get(last.id)).toMatchObject({ status: 'cancelled', attempts: 0 });
    expect(deliveredKeys().has(last.idempotencyKey)).toBe(false);
    expect(relay.requests).toBe(2);
  });

  it('a sender stopped mid fan-out (job cancelled) claims nothing more: the rest stay pending, untouched', async () => {
    const org = await createOrg(t.db);
    const rows = await t.db
      .insert(s.notices)
      .values(
        [0, 1, 2, 3].map((i) => ({
          orgId: org.id,
          kind: 'receiving_rep',
          recipientEmail: `rep${i}@acme.test`,
          subject: `Accounts for rep ${i}`,
          html: `<p>Hello ${i}</p>`,
          text: `Hello ${i}`,
          idempotencyKey: uniq('notice-'),
          nextAttemptAt: new Date(Date.now() - 60_000 + i * 1000),
        })),
      )
      .returning();
    const stop = new AbortController();
    relay.onFirstRequest = async () => {
      stop.abort(new Error('job cancelled'));
    };
    const report = await sendDueNoticesOfOrg(options({ signal: stop.signal }), org.id);
    expect(report.claimed).toBe(1);
    const stored = new Map(
      (
        await t.db
          .select()
          .from(s.notices)
          .where(
            inArray(
              s.notices.id,
              rows.map((r) => r.id),
            ),
          )
      ).map((n) => [n.id, n]),
    );
    // The first was handed over when the stop came: its outcome is unknown, so it is retried later with the
    // same idempotency key (never delivered twice); the others were never claimed.
    expect(stored.get(rows[0]!.id)).toMatchObject({ status: 'pending', attempts: 1 });
    expect(stored.get(rows[0]!.id)?.lastError).toBeTruthy();
    for (const r of rows.slice(1)) expect(stored.get(r.id)).toMatchObject({ status: 'pending', attempts: 0 });
    expect(relay.requests).toBe(1);
    // Started again later, everything goes out exactly once.
    const later = await sendDueNoticesOfOrg(
      options({ clock: () => new Date(Date.now() + 3_600_000) }),
      org.id,
    );
    expect(later.sent).toBe(4);
    for (const r of rows)
      expect(fake.delivered.filter((d) => d.idempotencyKey === r.idempotencyKey)).toHaveLength(1);
  });
});
