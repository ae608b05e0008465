import { and, eq } from 'drizzle-orm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import * as s from '../../../db/schema/index.ts';
import type { AppError } from '../../../src/lib/errors.ts';
import { cancelRun } from '../../../src/services/after/cancel-run.ts';
import { createTestDatabase, type TestDatabase } from '../../support/db.ts';
import { createCommittedRun } from './committed-run.ts';

let t: TestDatabase;
beforeAll(async () => {
  t = await createTestDatabase();
});
afterAll(() => t.close());

describe('cancelling a committed run while it sends', () => {
  it('stops the notices not yet sent, keeps the run committed, audits it; then refuses', async () => {
    const f = await createCommittedRun(t.db, { accounts: 2 });
    const outbox = await t.db.select().from(s.notices).where(eq(s.notices.runId, f.run.id));
    await t.db.update(s.notices).set({ status: 'sent' }).where(eq(s.notices.id, outbox[0]!.id));
    const ctx = { db: t.db, clock: () => new Date(), principal: f.principal };
    const analyst = await cancelRun({
      ctx: { ...ctx, principal: { ...f.principal, role: 'analyst' } },
      input: { runId: f.run.id, reason: 'Wrong text' },
    }).catch((e: unknown) => e);
    expect((analyst as AppError).status).toBe(403);
    const result = await cancelRun({ ctx, input: { runId: f.run.id, reason: 'Wrong text' } });
    expect(result.run.status).toBe('committed');
    expect(result.notices).toEqual({ cancelled: outbox.length - 1 });
    const after = await t.db.select().from(s.notices).where(eq(s.notices.runId, f.run.id));
    expect(after.filter((n) => n.status === 'cancelled')).toHaveLength(outbox.length - 1);
    const [ev] = await t.db
      .select()
      .from(s.auditEvents)
      .where(and(eq(s.auditEvents.runId, f.run.id), eq(s.auditEvents.action, 'run.sending_cancelled')));
    expect(ev?.after).toMatchObject({
      status: 'committed',
      reason: 'Wrong text',
      noticesCancelled: outbox.length - 1,
    });
    const again = await cancelRun({ ctx, input: { runId: f.run.id, reason: 'again' } }).catch(
      (e: unknown) => e,
    );
    expect((again as AppError).status).toBe(409);
    expect((again as AppError).message).toMatch(/roll it back instead/);
  });
});
