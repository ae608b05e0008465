import { and, asc, count, eq } from 'drizzle-orm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import * as s from '../../../db/schema/index.ts';
import { verifyAuditChain } from '../../../src/db/audit.ts';
import { withOrg } from '../../../src/db/tenancy.ts';
import { AppError } from '../../../src/lib/errors.ts';
import { rollbackRun } from '../../../src/services/after/rollback-run.ts';
import { createTestDatabase, type TestDatabase } from '../../support/db.ts';
import { createRep } from '../../support/factories.ts';
import { createCommittedRun } from './committed-run.ts';

let t: TestDatabase;
beforeAll(async () => {
  t = await createTestDatabase();
});
afterAll(() => t.close());

const HOUR = 3_600_000;
const ctxAt = (fixture: Awaited<ReturnType<typeof createCommittedRun>>, at: Date) => ({
  db: t.db,
  clock: () => at,
  principal: fixture.principal,
  appBaseUrl: 'http://bookshift.test',
});

async function splitRows(opportunityId: string) {
  return t.db
    .select({
      id: s.commissionSplits.id,
      repId: s.commissionSplits.repId,
      bps: s.commissionSplits.bps,
      from: s.commissionSplits.effectiveFrom,
      to: s.commissionSplits.effectiveTo,
    })
    .from(s.commissionSplits)
    .where(eq(s.commissionSplits.opportunityId, opportunityId))
    .orderBy(asc(s.commissionSplits.id));
}

describe('rollback of a committed run', () => {
  it('inside the window restores owners and splits exactly, cancels pending notices, audits everything', async () => {
    const committedAt = new Date('2026-07-01T10:00:00.000Z');
    const f = await createCommittedRun(t.db, { accounts: 3, committedAt });
    const before = await splitRows(f.moved[0]!.opportunityId);
    const { result, replayed } = await rollbackRun({
      ctx: ctxAt(f, new Date(committedAt.getTime() + 47 * HOUR)),
      input: { runId: f.run.id },
    });
    expect(replayed).toBe(false);
    expect(result.restored).toEqual({ accounts: 3, opportunities: 3, splits: 3 });
    expect(result.conflicts).toEqual([]);
    for (const m of f.moved) {
      const [acc] = await t.db.select().from(s.accounts).where(eq(s.accounts.id, m.accountId));
      const [opp] = await t.db.select().from(s.opportunities).where(eq(s.opportunities.id, m.opportunityId));
      expect(acc!.ownerRepId).toBe(m.from.id);
      expect(opp!.ownerRepId).toBe(m.from.id);
      const rows = await splitRows(m.opportunityId);
      // Only the original rows remain, open again.
      expect(rows.map((r) => [r.repId, r.bps, r.to])).toEqual(
        expect.arrayContaining([
          [f.reps.house.id, 4500, null],
          [m.from.id, 5500, null],
        ]),
      );
      expect(rows).toHaveLength(2);
    }
    expect(before.length).toBe(4);
    const [run] = await t.db.select().from(s.runs).where(eq(s.runs.id, f.run.id));
    expect(run!.status).toBe('rolled_back');
    const statuses = await t.db
      .select({ status: s.notices.status })
      .from(s.notices)
      .where(eq(s.notices.runId, f.run.id));
    expect(statuses.length).toBeGreaterThan(0);
    expect(statuses.every((n) => n.status === 'cancelled')).toBe(true);
    expect(result.notices).toMatchObject({ cancelled: statuses.length, corrections: 0 });
    const actions = await t.db
      .select({ action: s.auditEvents.action })
      .from(s.auditEvents)
      .where(eq(s.auditEvents.runId, f.run.id));
    const names = actions.map((a) => a.action);
    expect(names.filter((a) => a === 'account.owner_restored')).toHaveLength(3);
    expect(names.filter((a) => a === 'opportunity.owner_restored')).toHaveLength(3);
    expect(names.filter((a) => a === 'split.restored')).toHaveLength(3);
    expect(names).toContain('run.rolled_back');
    const chain = await withOrg(t.db, { orgId: f.org.id }, (tx) => verifyAuditChain(tx, f.org.id));
    expect(chain.ok).toBe(true);
  });

  it('exactly at the deadline is still inside; a millisecond later is refused with the deadline named', async () => {
    const committedAt = new Date('2026-07-01T10:00:00.000Z');
    const atDeadline = await createCommittedRun(t.db, { accounts: 1, committedAt, windowHours: 24 });
    const ok = await rollbackRun({
      ctx: ctxAt(atDeadline, new Date(committedAt.getTime() + 24 * HOUR)),
      input: { runId: atDeadline.run.id },
    });
    expect(ok.result.status).toBe('rolled_back');

    const late = await createCommittedRun(t.db, { accounts: 1, committedAt, windowHours: 24 });
    const error = await rollbackRun({
      ctx: ctxAt(late, new Date(committedAt.getTime() + 24 * HOUR + 1)),
      input: { runId: late.run.id },
    }).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(AppError);
    expect((error as AppError).status).toBe(409);
    expect((error as AppError).message).toContain('2026-07-02T10:00:00.000Z');
    expect((error as AppError).details).toMatchObject({
      deadline: '2026-07-02T10:00:00.000Z',
      windowHours: 24,
    });
    const [acc] = await t.db.select().from(s.accounts).where(eq(s.accounts.id, late.moved[0]!.accountId));
    expect(acc!.ownerRepId).toBe(late.moved[0]!.to.id);
    const [run] = await t.db.select().from(s.runs).where(eq(s.runs.id, late.run.id));
    expect(run!.status).toBe('committed');
  });

  it('twice is a no-op that returns the first result', async () => {
    const committedAt = new Date('2026-07-01T10:00:00.000Z');
    const f = await createCommittedRun(t.db, { accounts: 2, committedAt });
    const first = await rollbackRun({
      ctx: ctxAt(f, new Date(committedAt.getTime() + HOUR)),
      input: { runId: f.run.id },
    });
    const [events] = await t.db
      .select({ n: count() })
      .from(s.auditEvents)
      .where(eq(s.auditEvents.orgId, f.org.id));
    // Later, even outside the window, the second call replays the first result and changes nothing.
    const second = await rollbackRun({
      ctx: ctxAt(f, new Date(committedAt.getTime() + 100 * HOUR)),
      input: { runId: f.run.id },
    });
    expect(second.replayed).toBe(true);
    expect(second.result).toEqual(first.result);
    const [after] = await t.db
      .select({ n: count() })
      .from(s.auditEvents)
      .where(eq(s.auditEvents.orgId, f.org.id));
    expect(after!.n).toBe(events!.n);
  });

  it('concurrent rollbacks apply once', async () => {
    const committedAt = new Date('2026-07-01T10:00:00.000Z');
    const f = await createCommittedRun(t.db, { accounts: 2, committedAt });
    const ctx = ctxAt(f, new Date(committedAt.getTime() + HOUR));
    const results = await Promise.all(
      Array.from({ length: 5 }, () => rollbackRun({ ctx, input: { runId: f.run.id } })),
    );
    expect(results.filter((r) => !r.replayed)).toHaveLength(1);
    for (const r of results) expect(r.result).toEqual(results[0]!.result);
    const [rolled] = await t.db
      .select({ n: count() })
      .from(s.auditEvents)
      .where(and(eq(s.auditEvents.runId, f.run.id), eq(s.auditEvents.action, 'run.rolled_back')));
    expect(rolled!.n).toBe(1);
  });

  it('records changed since the run are flagged and left alone', async () => {
    const committedAt = new Date('2026-07-01T10:00:00.000Z');
    const f = await createCommittedRun(t.db, { accounts: 3, committedAt });
    const other = await createRep(t.db, f.org.id, { name: 'Olga Other' });
    const [changedAcc, changedSplit] = f.moved;
    await t.db
      .update(s.accounts)
      .set({ ownerRepId: other.id })
      .where(eq(s.accounts.id, changedAcc!.accountId));
    // A later change ended the split rows this run added.
    await t.db
      .update(s.commissionSplits)
      .set({ effectiveTo: '2026-09-30' })
      .where(
        and(
          eq(s.commissionSplits.opportunityId, changedSplit!.opportunityId),
          eq(s.commissionSplits.runId, f.run.id),
        ),
      );
    const splitBefore = await splitRows(changedSplit!.opportunityId);
    const { result } = await rollbackRun({
      ctx: ctxAt(f, new Date(committedAt.getTime() + HOUR)),
      input: { runId: f.run.id },
    });
    expect(result.restored).toEqual({ accounts: 2, opportunities: 3, splits: 2 });
    expect(result.conflicts.map((c) => [c.object, c.recordId, c.reason])).toEqual([
      ['account', changedAcc!.accountId, 'changed_since'],
      ['split', changedSplit!.opportunityId, 'history_stale'],
    ]);
    const [acc] = await t.db.select().from(s.accounts).where(eq(s.accounts.id, changedAcc!.accountId));
    expect(acc!.ownerRepId).toBe(other.id);
    expect(await splitRows(changedSplit!.opportunityId)).toEqual(splitBefore);
    const [untouched] = await t.db.select().from(s.accounts).where(eq(s.accounts.id, f.moved[2]!.accountId));
    expect(untouched!.ownerRepId).toBe(f.moved[2]!.from.id);
  });

  it('people already notified get a correction digest; the rest are not written to', async () => {
    const committedAt = new Date('2026-07-01T10:00:00.000Z');
    const f = await createCommittedRun(t.db, { accounts: 2, committedAt });
    const outbox = await t.db.select().from(s.notices).where(eq(s.notices.runId, f.run.id));
    const ria = outbox.find((n) => n.kind === 'receiving_rep' && n.recipientName === 'Ria Receiver')!;
    await t.db
      .update(s.notices)
      .set({ status: 'sent', sentAt: new Date(), providerId: 'p-1' })
      .where(eq(s.notices.id, ria.id));
    const { result } = await rollbackRun({
      ctx: ctxAt(f, new Date(committedAt.getTime() + HOUR)),
      input: { runId: f.run.id },
    });
    expect(result.notices).toEqual({ cancelled: outbox.length - 1, corrections: 1, unreachable: [] });
    const corrections = await t.db
      .select()
      .from(s.notices)
      .where(and(eq(s.notices.runId, f.run.id), eq(s.notices.status, 'pending')));
    expect(corrections).toHaveLength(1);
    expect(corrections[0]).toMatchObject({
      kind: 'correction_receiving_rep',
      recipientEmail: ria.recipientEmail,
    });
    expect(corrections[0]!.subject).toMatch(/^Correction: /);
    expect(corrections[0]!.text).toContain('rolled back');
    const jobs = await t.db.select().from(s.jobs).where(eq(s.jobs.orgId, f.org.id));
    expect(jobs.some((j) => j.kind === 'send_notices')).toBe(true);
  });

  it('refuses a run that is not committed', async () => {
    const f = await createCommittedRun(t.db, { accounts: 1 });
    await t.db.update(s.runs).set({ status: 'approved' }).where(eq(s.runs.id, f.run.id));
    const error = await rollbackRun({ ctx: ctxAt(f, new Date()), input: { runId: f.run.id } }).catch(
      (e: unknown) => e,
    );
    expect((error as AppError).status).toBe(409);
    expect((error as AppError).message).toContain('Only a committed run can be rolled back');
  });
});
