/**
 * A cascade never changes a split past a reconciled period (issue 8): the review says so before approval — a
 * blocking conflict naming the reconciled date and what to do — and the commit leaves the split as it is and
 * reports the opportunity in the queue, so what was reviewed is what happens.
 */
import { eq } from 'drizzle-orm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import * as s from '../../../db/schema/index.ts';
import { itemsOf, solveAndApprove } from '../../services/commission-queue/queue-world.ts';
import { createSplits } from '../../support/factories.ts';
import {
  createOpportunity,
  createRunsWorld,
  type RunsWorld,
  seedBook,
  solveAndDrain,
} from './run-fixture.ts';

let w: RunsWorld;
let book: Awaited<ReturnType<typeof seedBook>>;
beforeAll(async () => {
  w = await createRunsWorld();
  book = await seedBook(w);
});
afterAll(() => w.close());

describe('a cascade over a reconciled schedule', () => {
  it('is a blocking conflict in review, and the commit keeps the split and reports it', async () => {
    const { dana, house } = book.reps;
    const db = w.h.db.db;
    const opp = await createOpportunity(db, w.orgId, book.danaAccounts[0]!.id, {
      ownerRepId: dana.id,
      name: 'Reconciled deal',
      createdDate: '2025-12-01',
    });
    await createSplits(db, w.orgId, opp.id, [
      { repId: house.id, role: 'house', bps: 4500 },
      { repId: dana.id, role: 'rep', bps: 5500 },
    ]);
    const months = ['01', '02', '03', '04', '05', '06', '07', '08'];
    await db.insert(s.revenueSchedules).values(
      months.map((m, i) => ({
        orgId: w.orgId,
        opportunityId: opp.id,
        periodStart: `2026-${m}-01`,
        periodEnd: new Date(Date.UTC(2026, i + 1, 0)).toISOString().slice(0, 10),
        amountCents: 1_000_00,
        paid: i < 6,
        reconciled: i < 6,
      })),
    );
    const created = await w.call('analyst', 'POST', '/runs', {
      kind: 'rep_departure',
      scope: 'open_opportunities',
      reason: 'Dana leaves; finance closed the first half',
      commissionEndDate: '2026-03-31',
      reassignmentDate: '2026-04-01',
      params: { departingRepIds: [dana.id] },
    });
    expect(created.status, JSON.stringify(created.body)).toBe(201);
    const runId = created.body.id as string;
    expect((await solveAndDrain(w, runId)).status).toBe('solved');

    const conflicts = await w.call('analyst', 'GET', `/runs/${runId}/conflicts`);
    const mine = (
      conflicts.body.data as { opportunityId: string | null; severity: string; message: string }[]
    ).find((c) => c.opportunityId === opp.id && c.message.includes('cannot be reassigned'));
    expect(mine).toMatchObject({ severity: 'blocking' });
    expect(mine!.message).toContain(
      'reconciled through 2026-06-30, after the commission end date 2026-03-31',
    );
    expect(mine!.message).toContain('Manage commissions');

    // Accepted as reviewed, approved and committed: the split stays, and the queue says why.
    await solveAndApprove(w, runId, false);
    const committed = await w.call('manager', 'POST', `/runs/${runId}/commit`, {});
    expect(committed.status, JSON.stringify(committed.body)).toBe(200);
    const current = (
      await db.select().from(s.commissionSplits).where(eq(s.commissionSplits.opportunityId, opp.id))
    )
      .filter((r) => r.effectiveTo === null)
      .map((r) => [r.repId, r.bps]);
    expect(current.sort()).toEqual(
      [
        [house.id, 4500],
        [dana.id, 5500],
      ].sort(),
    );
    const item = (await itemsOf(w, runId)).find((i) => i.opportunityId === opp.id);
    expect(item).toMatchObject({ status: 'error' });
    expect(item!.error).toMatch(/reconciled/i);
  });
});
