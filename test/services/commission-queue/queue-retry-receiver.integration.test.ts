/**
 * A retry keeps the receiving rep (issue 8): an item whose run handed the share to a segment's receiver rather than
 * to the new owner is retried as a run that hands it to the same receiver (one manual decision), so fixing the data
 * and retrying does exactly what the original run planned.
 */
import { eq } from 'drizzle-orm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import * as s from '../../../db/schema/index.ts';
import { retryQueueItems } from '../../../src/services/commission-queue/retry.ts';
import { createRunsWorld, type RunsWorld, runRow, seedBook } from '../../api/runs/run-fixture.ts';
import { createRep } from '../../support/factories.ts';
import { addSplit, eveOpportunity, itemsOf, queueCtx, solveAndApprove } from './queue-world.ts';

let w: RunsWorld;
let book: Awaited<ReturnType<typeof seedBook>>;
beforeAll(async () => {
  w = await createRunsWorld();
  book = await seedBook(w);
});
afterAll(() => w.close());

describe('retry of an item with a receiving rep', () => {
  it('hands the share to the receiver of the original run’s segment, not to the new owner', async () => {
    const { ben, eve, house } = book.reps;
    // Cara takes negotiation-stage shares; she receives no accounts.
    const cara = await createRep(w.h.db.db, w.orgId, { name: 'Cara', region: 'North', mayReceive: false });
    const opp = await eveOpportunity(w, book, false, 'Receiver deal');
    const created = await w.call('analyst', 'POST', '/runs', {
      kind: 'opportunity',
      reason: 'Hand the deal to Ben; Cara takes negotiation shares',
      commissionEndDate: '2026-03-31',
      reassignmentDate: '2026-04-01',
      params: {
        opportunityId: opp.id,
        newOwnerRepId: ben.id,
        commissionSegments: [
          { match: { stage: 'Negotiation' }, commissionType: 'direct_transfer', receiverRepId: cara.id },
        ],
      },
    });
    expect(created.status, JSON.stringify(created.body)).toBe(201);
    const runId = created.body.id as string;
    await solveAndApprove(w, runId);
    const committed = await w.call('manager', 'POST', `/runs/${runId}/commit`, {});
    expect(committed.status, JSON.stringify(committed.body)).toBe(200);
    const [item] = await itemsOf(w, runId);
    expect(item).toMatchObject({ status: 'error', toRepId: ben.id });

    // The data is fixed (House 45 / Eve 55) and the item retried.
    await addSplit(w, book, opp.id);
    const result = await retryQueueItems({ ctx: queueCtx(w, 'manager'), input: { itemIds: [item!.id] } });
    expect(result.failed).toEqual([]);
    const retryRunId = result.retried[0]!.runId;
    expect((await runRow(w, retryRunId)).params).toMatchObject({
      opportunityId: opp.id,
      newOwnerRepId: ben.id,
      plannedFromRepId: eve.id,
      commissionStrategy: 'manual',
      commissionDecisions: { [opp.id]: { commissionType: 'direct_transfer', receiverRepId: cara.id } },
    });
    await w.runner.drain();
    const [planned] = await itemsOf(w, retryRunId);
    expect(planned!.afterSplits).toEqual(
      expect.arrayContaining([
        { repId: house.id, role: 'house', bps: 4500 },
        { repId: cara.id, role: 'rep', bps: 5500 },
      ]),
    );
    expect(planned!.afterSplits).toHaveLength(2);

    await solveAndApprove(w, retryRunId, false);
    const committedRetry = await w.call('manager', 'POST', `/runs/${retryRunId}/commit`, {});
    expect(committedRetry.status, JSON.stringify(committedRetry.body)).toBe(200);
    expect((await itemsOf(w, runId))[0]!.status).toBe('complete');
    const current = (
      await w.h.db.db.select().from(s.commissionSplits).where(eq(s.commissionSplits.opportunityId, opp.id))
    )
      .filter((r) => r.effectiveTo === null)
      .map((r) => [r.repId, r.bps])
      .sort();
    expect(current).toEqual(
      [
        [house.id, 4500],
        [cara.id, 5500],
      ].sort(),
    );
  });
});
