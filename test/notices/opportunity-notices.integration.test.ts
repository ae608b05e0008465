/**
 * Committing an opportunity-level run (issue 8 level 1) writes handoff digests to the outbox in the commit: the
 * new owner hears about the opportunity with its account, amount, close date, previous owner and split; the
 * previous owner and their manager hear what leaves; finance still gets the split summary.
 */
import { eq } from 'drizzle-orm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import * as s from '../../db/schema/index.ts';
import {
  createAccount,
  createOpportunity,
  createRep,
  createRunsWorld,
  type RunsWorld,
  solveAndDrain,
} from '../api/runs/run-fixture.ts';
import { createSplits } from '../support/factories.ts';

let w: RunsWorld;
beforeAll(async () => {
  w = await createRunsWorld();
});
afterAll(() => w.close());

describe('notices of an opportunity-level run', () => {
  it('writes one digest for the new owner, the previous owner and their manager, with the opportunity and split', async () => {
    const db = w.h.db.db;
    const house = await createRep(db, w.orgId, { kind: 'house', name: 'House', mayReceive: false });
    const mona = await createRep(db, w.orgId, { name: 'Mona Manager', email: 'mona@notices.test' });
    const eve = await createRep(db, w.orgId, {
      name: 'Eve Seller',
      email: 'eve@notices.test',
      managerRepId: mona.id,
    });
    const ben = await createRep(db, w.orgId, { name: 'Ben Taker', email: 'ben@notices.test' });
    const account = await createAccount(db, w.orgId, { name: 'Acme Corp', ownerRepId: eve.id });
    const opp = await createOpportunity(db, w.orgId, account.id, {
      name: 'Acme renewal',
      ownerRepId: eve.id,
      amountCents: 48_000_00,
      closeDate: '2026-11-30',
    });
    await createSplits(db, w.orgId, opp.id, [
      { repId: house.id, role: 'house', bps: 4500 },
      { repId: eve.id, role: 'rep', bps: 5500 },
    ]);

    const created = await w.call('manager', 'POST', '/runs', {
      kind: 'opportunity',
      reason: 'Ben takes the renewal',
      commissionEndDate: '2026-03-31',
      reassignmentDate: '2026-04-01',
      params: { opportunityId: opp.id, newOwnerRepId: ben.id, commissionType: 'custom', customBps: 3500 },
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
        note: 'Ben takes over this deal',
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
    const byKind = (kind: string) => notices.filter((n) => n.kind === kind);

    const toBen = notices.filter((n) => n.recipientEmail === 'ben@notices.test');
    expect(toBen).toHaveLength(1);
    expect(toBen[0]).toMatchObject({
      kind: 'receiving_rep',
      recipientRepId: ben.id,
      status: 'pending',
      subject: '1 opportunity now assigned to you',
    });
    expect(toBen[0]!.text).toContain(
      '- Acme renewal (Acme Corp): $48,000.00, closes 2026-11-30; from Eve Seller to Ben Taker; split House 45.00%, Eve Seller 55.00% -> House 65.00%, Ben Taker 35.00%',
    );
    expect(toBen[0]!.html).toContain('Acme renewal');

    expect(byKind('losing_rep').map((n) => n.recipientEmail)).toEqual(['eve@notices.test']);
    expect(byKind('losing_rep')[0]!.text).toContain('Leaving you');
    expect(byKind('losing_rep_manager').map((n) => n.recipientEmail)).toEqual(['mona@notices.test']);
    expect(byKind('losing_rep_manager')[0]!.text).toContain('Leaving Eve Seller');
    // The org's managers (members) get the summary; finance keeps its split summary.
    expect(byKind('manager_summary').length).toBeGreaterThan(0);
    expect(byKind('finance_summary').length).toBeGreaterThan(0);
    // One digest per person and kind: no recipient gets the same kind twice.
    const keys = notices.map((n) => `${n.kind}:${n.recipientEmail}`);
    expect(new Set(keys).size).toBe(keys.length);
  });
});
