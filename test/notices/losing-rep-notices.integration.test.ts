/**
 * Issue 17: committing a departure tells the departing rep what leaves them — every account with its new owner
 * and the commission share they no longer earn — in one digest, beside the receivers' and their manager's.
 */
import { eq } from 'drizzle-orm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import * as s from '../../db/schema/index.ts';
import {
  createOpportunity,
  createRunsWorld,
  type RunsWorld,
  seedBook,
  solveAndDrain,
} from '../api/runs/run-fixture.ts';
import { createSplits } from '../support/factories.ts';

let w: RunsWorld;
beforeAll(async () => {
  w = await createRunsWorld();
});
afterAll(() => w.close());

describe('notices to a rep who loses accounts', () => {
  it('the departing rep gets one digest listing every account that leaves and the share that ends', async () => {
    const db = w.h.db.db;
    const book = await seedBook(w);
    const { dana, house } = book.reps;
    const deal = await createOpportunity(db, w.orgId, book.danaAccounts[5]!.id, {
      name: 'Dana renewal',
      ownerRepId: dana.id,
      amountCents: 30_000_00,
      closeDate: '2026-12-15',
    });
    await createSplits(db, w.orgId, deal.id, [
      { repId: house.id, role: 'house', bps: 4500 },
      { repId: dana.id, role: 'rep', bps: 5500 },
    ]);
    const created = await w.call('manager', 'POST', '/runs', {
      kind: 'rep_departure',
      scope: 'open_opportunities',
      reason: 'Dana leaves',
      commissionEndDate: '2026-06-30',
      reassignmentDate: '2026-07-01',
      params: { departingRepIds: [dana.id], commissionType: 'direct_transfer' },
    });
    expect(created.status, JSON.stringify(created.body)).toBe(201);
    const runId = created.body.id as string;
    const solved = await solveAndDrain(w, runId);
    expect(solved.status, solved.failureReason).toBe('solved');
    const open = await w.call('manager', 'GET', `/runs/${runId}/conflicts`);
    for (const c of open.body.data as { id: string; severity: string; resolution: string | null }[]) {
      if (c.severity !== 'blocking' || c.resolution) continue;
      const res = await w.call('manager', 'POST', `/runs/${runId}/conflicts/${c.id}/resolve`, {
        resolution: 'accept',
        note: 'Checked',
      });
      expect(res.status, JSON.stringify(res.body)).toBe(200);
    }
    const reviewed = await w.call('manager', 'GET', `/runs/${runId}`);
    const approved = await w.call('manager', 'POST', `/runs/${runId}/approve`, {
      expectedHash: reviewed.body.proposalHash,
      expectedVersion: reviewed.body.version,
    });
    expect(approved.status, JSON.stringify(approved.body)).toBe(200);
    const committed = await w.call('manager', 'POST', `/runs/${runId}/commit`, {});
    expect(committed.status, JSON.stringify(committed.body)).toBe(200);

    const notices = await db.select().from(s.notices).where(eq(s.notices.runId, runId));
    const toDana = notices.filter((n) => n.recipientRepId === dana.id);
    expect(toDana).toHaveLength(1);
    expect(toDana[0]).toMatchObject({ kind: 'losing_rep', recipientEmail: dana.email, status: 'pending' });
    expect(toDana[0]!.subject).toBe('6 accounts handed over to a new owner');
    for (const a of book.danaAccounts) expect(toDana[0]!.text).toContain(`- ${a.name}: `);
    expect(toDana[0]!.text).toMatch(
      /Dana renewal \(Dana 5\): House 45\.00%, Dana 55\.00% -> House 45\.00%, (Ana|Ben) 55\.00%/,
    );
    // Every rep who gained an account heard once, and no one got the same kind twice.
    const receivers = new Set(
      (await db.select().from(s.accounts).where(eq(s.accounts.orgId, w.orgId)))
        .filter((a) => book.danaAccounts.some((d) => d.id === a.id))
        .map((a) => a.ownerRepId),
    );
    for (const id of receivers) {
      expect(notices.filter((n) => n.recipientRepId === id && n.kind === 'receiving_rep')).toHaveLength(1);
    }
    const keys = notices.map((n) => `${n.kind}:${n.recipientEmail}`);
    expect(new Set(keys).size).toBe(keys.length);
  });
});
