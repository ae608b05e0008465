/**
 * Stopping a run's notice fan-out (F12, RELIABILITY 12): every notice not yet handed to the provider is cancelled
 * and audited, one in flight or already sent is left as it is, other runs are untouched; a failed handoff of a
 * rolled-back run cannot be retried (it would tell someone something no longer true).
 */
import { and, eq } from 'drizzle-orm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import * as s from '../../../db/schema/index.ts';
import { verifyAuditChain } from '../../../src/db/audit.ts';
import { withOrg } from '../../../src/db/tenancy.ts';
import { AppError } from '../../../src/lib/errors.ts';
import { cancelPendingNoticesOfRun, retryNotice } from '../../../src/services/after/outbox.ts';
import { rollbackRun } from '../../../src/services/after/rollback-run.ts';
import { createTestDatabase, type TestDatabase } from '../../support/db.ts';
import { createCommittedRun } from './committed-run.ts';

let t: TestDatabase;
beforeAll(async () => {
  t = await createTestDatabase();
});
afterAll(() => t.close());

const noticesOf = (runId: string) => t.db.select().from(s.notices).where(eq(s.notices.runId, runId));

describe('stopping a run’s notice fan-out', () => {
  it('cancels pending notices (retries included), leaves sending and sent ones, audits each', async () => {
    const f = await createCommittedRun(t.db, { accounts: 2 });
    const other = await createCommittedRun(t.db, { accounts: 1, orgId: f.org.id });
    const [sending, sent, retrying, ...rest] = await noticesOf(f.run.id);
    expect(rest.length).toBeGreaterThan(0);
    await t.db.update(s.notices).set({ status: 'sending', attempts: 1 }).where(eq(s.notices.id, sending!.id));
    await t.db
      .update(s.notices)
      .set({ status: 'sent', attempts: 1, providerId: 'p-1', sentAt: new Date() })
      .where(eq(s.notices.id, sent!.id));
    await t.db
      .update(s.notices)
      .set({
        attempts: 2,
        lastError: 'internal_server_error (HTTP 500)',
        nextAttemptAt: new Date(Date.now() + 60_000),
      })
      .where(eq(s.notices.id, retrying!.id));
    const at = new Date();
    const stopped = await withOrg(t.db, { orgId: f.org.id }, (tx) =>
      cancelPendingNoticesOfRun(tx, {
        runId: f.run.id,
        at,
        reason: 'run cancelled while sending',
        actor: { actorUserId: f.manager.user.id, actorApiKeyId: null, actorLabel: 'mona', requestId: null },
      }),
    );
    expect(stopped.map((n) => n.id).sort()).toEqual([retrying!.id, ...rest.map((n) => n.id)].sort());
    const after = new Map((await noticesOf(f.run.id)).map((n) => [n.id, n]));
    expect(after.get(sending!.id)?.status).toBe('sending');
    expect(after.get(sent!.id)?.status).toBe('sent');
    for (const n of [retrying!, ...rest]) {
      expect(after.get(n.id)).toMatchObject({ status: 'cancelled', cancelledAt: at });
    }
    expect((await noticesOf(other.run.id)).every((n) => n.status === 'pending')).toBe(true);
    const events = await t.db
      .select()
      .from(s.auditEvents)
      .where(and(eq(s.auditEvents.runId, f.run.id), eq(s.auditEvents.action, 'notice.cancelled')));
    expect(events.map((e) => e.entityId).sort()).toEqual(stopped.map((n) => n.id).sort());
    expect(events[0]).toMatchObject({
      actorUserId: f.manager.user.id,
      before: { status: 'pending' },
      after: { status: 'cancelled', reason: 'run cancelled while sending' },
    });
    const chain = await withOrg(t.db, { orgId: f.org.id }, (tx) => verifyAuditChain(tx, f.org.id));
    expect(chain.ok).toBe(true);
  });

  it('a failed handoff of a rolled-back run cannot be retried; its correction can', async () => {
    const committedAt = new Date();
    const f = await createCommittedRun(t.db, { accounts: 2, committedAt });
    const outbox = await noticesOf(f.run.id);
    const ria = outbox.find((n) => n.kind === 'receiving_rep' && n.recipientName === 'Ria Receiver')!;
    const sam = outbox.find((n) => n.kind === 'receiving_rep' && n.recipientName === 'Sam Receiver')!;
    await t.db
      .update(s.notices)
      .set({ status: 'sent', attempts: 1, providerId: 'p-1', sentAt: new Date() })
      .where(eq(s.notices.id, ria.id));
    await t.db
      .update(s.notices)
      .set({ status: 'failed', attempts: 8, lastError: 'validation_error (HTTP 422)' })
      .where(eq(s.notices.id, sam.id));
    const ctx = { db: t.db, clock: () => new Date(), principal: f.principal };
    await rollbackRun({ ctx: { ...ctx, appBaseUrl: 'http://bookshift.test' }, input: { runId: f.run.id } });
    const refused = await retryNotice({ ctx, input: { id: sam.id } }).catch((e: unknown) => e);
    expect(refused).toBeInstanceOf(AppError);
    expect((refused as AppError).status).toBe(409);
    expect((refused as AppError).message).toContain('rolled back');
    const [still] = await t.db.select().from(s.notices).where(eq(s.notices.id, sam.id));
    expect(still?.status).toBe('failed');
    // The correction to Ria, once failed, is retried as usual.
    const [correction] = (await noticesOf(f.run.id)).filter((n) => n.kind === 'correction_receiving_rep');
    expect(correction?.recipientEmail).toBe(ria.recipientEmail);
    await t.db
      .update(s.notices)
      .set({ status: 'failed', lastError: 'internal_server_error (HTTP 500)' })
      .where(eq(s.notices.id, correction!.id));
    const retried = await retryNotice({ ctx, input: { id: correction!.id } });
    expect(retried.status).toBe('pending');
  });
});
