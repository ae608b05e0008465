/**
 * The commission queue settles with its runs (issue 8): a cancelled run's items are cancelled (with the reason,
 * on the dashboard and the API); a cancelled retry returns the item it retried to error, retryable again; a
 * rolled-back retry reopens the item it completed; a retry run whose commit skips the item again settles it in
 * error; a manager cancelling while the commit's notices go out leaves every item as the commit left it.
 */
import { and, asc, eq, inArray } from 'drizzle-orm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import * as s from '../../../db/schema/index.ts';
import { withOrg } from '../../../src/db/tenancy.ts';
import { listQueue } from '../../../src/services/commission-queue/list.ts';
import { retryQueueItems } from '../../../src/services/commission-queue/retry.ts';
import {
  RETRIED_ACTION,
  settleRetriedItemsAfterCommit,
} from '../../../src/services/commission-queue/settle.ts';
import {
  createOpportunity,
  createRunsWorld,
  type RunsWorld,
  runRow,
  seedBook,
} from '../../api/runs/run-fixture.ts';
import { createSplits } from '../../support/factories.ts';
import {
  addSplit,
  type Book,
  createOpportunityRun,
  eveOpportunity,
  itemById,
  itemsOf,
  queueCtx,
  queueViolations,
  solveAndApprove,
} from './queue-world.ts';

let w: RunsWorld;
let book: Book;
beforeAll(async () => {
  w = await createRunsWorld();
  book = await seedBook(w);
});
afterAll(() => w.close());

const db = () => w.h.db.db;

/** An item in error: an opportunity without a split handed to Ben by a committed opportunity-level run. */
async function errorItem() {
  const opp = await eveOpportunity(w, book, false);
  const runId = await createOpportunityRun(w, book, opp.id);
  await solveAndApprove(w, runId);
  const committed = await w.call('manager', 'POST', `/runs/${runId}/commit`, {});
  expect(committed.status, JSON.stringify(committed.body)).toBe(200);
  const [item] = await itemsOf(w, runId);
  expect(item!.status).toBe('error');
  return { opp, runId, item: item! };
}

async function retry(itemId: string) {
  const result = await retryQueueItems({ ctx: queueCtx(w, 'manager'), input: { itemIds: [itemId] } });
  expect(result.failed).toEqual([]);
  return result.retried[0]!.runId;
}

async function historyOf(itemId: string) {
  return db()
    .select({ action: s.auditEvents.action, runId: s.auditEvents.runId, after: s.auditEvents.after })
    .from(s.auditEvents)
    .where(and(eq(s.auditEvents.entityType, 'run_opportunity_change'), eq(s.auditEvents.entityId, itemId)))
    .orderBy(asc(s.auditEvents.seq));
}

describe('cancelling a run settles its items', () => {
  it('an approved run: its pending items become cancelled with the reason, on the API and in the counts', async () => {
    const opp = await eveOpportunity(w, book, true);
    const runId = await createOpportunityRun(w, book, opp.id);
    await solveAndApprove(w, runId);
    expect((await itemsOf(w, runId)).map((i) => i.status)).toEqual(['pending']);

    const cancelled = await w.call('manager', 'POST', `/runs/${runId}/cancel`, { reason: 'Deal lost' });
    expect(cancelled.status, JSON.stringify(cancelled.body)).toBe(200);
    expect(cancelled.body.queue).toEqual({ cancelled: 1, reopened: 0 });
    const [item] = await itemsOf(w, runId);
    expect(item).toMatchObject({ status: 'cancelled' });
    expect(item!.error).toMatch(/cancelled/i);
    expect(item!.error).toContain('Deal lost');

    const api = await w.call('finance', 'GET', `/commission-queue?status=cancelled&runId=${runId}`);
    expect(api.status, JSON.stringify(api.body)).toBe(200);
    expect(api.body.data.map((i: { id: string }) => i.id)).toEqual([item!.id]);
    expect(api.body.counts.cancelled).toBeGreaterThanOrEqual(1);
    const page = await listQueue({ ctx: queueCtx(w, 'analyst'), input: { runId, page: 1, pageSize: 10 } });
    expect(page.items[0]).toMatchObject({ status: 'cancelled', runStatus: 'cancelled' });
    expect(page.pendingReassignments.map((r) => r.runId)).not.toContain(runId);
    expect(await queueViolations(w)).toEqual([]);
  });

  it('a run cancelled while it re-solves: the items of its earlier solve are cancelled too', async () => {
    const opp = await eveOpportunity(w, book, true);
    const runId = await createOpportunityRun(w, book, opp.id);
    await solveAndApprove(w, runId);
    const resolve = await w.call('analyst', 'POST', `/runs/${runId}/solve`);
    expect(resolve.status).toBe(202);
    expect((await runRow(w, runId)).status).toBe('solving');
    const cancelled = await w.call('analyst', 'POST', `/runs/${runId}/cancel`, { reason: 'Wrong deal' });
    expect(cancelled.status, JSON.stringify(cancelled.body)).toBe(200);
    await w.runner.drain();
    expect((await runRow(w, runId)).status).toBe('cancelled');
    expect((await itemsOf(w, runId)).map((i) => i.status)).toEqual(['cancelled']);
    expect(await queueViolations(w)).toEqual([]);
  });
});

describe('a cancelled retry returns the item to error', () => {
  it('cancelled while its solve is queued: error with the reason, retryable again', async () => {
    const { item } = await errorItem();
    const retryRunId = await retry(item.id);
    expect((await itemById(w, item.id)).status).toBe('processing');

    const cancelled = await w.call('analyst', 'POST', `/runs/${retryRunId}/cancel`, { reason: 'Not now' });
    expect(cancelled.status, JSON.stringify(cancelled.body)).toBe(200);
    await w.runner.drain();
    const back = await itemById(w, item.id);
    expect(back.status).toBe('error');
    expect(back.error).toMatch(/retry .*cancelled/i);
    expect(back.error).toContain('Not now');
    // The original reason is kept, so the manager still knows what to fix.
    expect(back.error).toMatch(/no current commission split/);
    expect(await queueViolations(w)).toEqual([]);

    // Retryable again: a new retry run.
    const again = await retry(item.id);
    expect(again).not.toBe(retryRunId);
    expect((await itemById(w, item.id)).status).toBe('processing');
    const history = (await historyOf(item.id)).map((h) => h.action);
    expect(history).toEqual([RETRIED_ACTION, 'commission_queue.retry_cancelled', RETRIED_ACTION]);
    await w.call('analyst', 'POST', `/runs/${again}/cancel`, { reason: 'Tidy up' });
  });

  it('cancelled after review and approval (bulk cancel of the runs list): same', async () => {
    const { opp, item } = await errorItem();
    await addSplit(w, book, opp.id);
    const retryRunId = await retry(item.id);
    await w.runner.drain();
    await solveAndApprove(w, retryRunId, false);
    expect((await itemsOf(w, retryRunId)).map((i) => i.status)).toEqual(['pending']);
    const cancelled = await w.call('manager', 'POST', `/runs/${retryRunId}/cancel`, { reason: 'Later' });
    expect(cancelled.status, JSON.stringify(cancelled.body)).toBe(200);
    expect((await itemsOf(w, retryRunId)).map((i) => i.status)).toEqual(['cancelled']);
    const back = await itemById(w, item.id);
    expect(back.status).toBe('error');
    expect(back.error).toMatch(/retry .*cancelled/i);
    expect(await queueViolations(w)).toEqual([]);
  });
});

describe('rolling back a retry reopens the item it settled', () => {
  it('complete after the retry commit; error (retryable) after its rollback; history shows both', async () => {
    const { opp, item } = await errorItem();
    await addSplit(w, book, opp.id);
    const retryRunId = await retry(item.id);
    await w.runner.drain();
    await solveAndApprove(w, retryRunId, false);
    const committed = await w.call('manager', 'POST', `/runs/${retryRunId}/commit`, {});
    expect(committed.status, JSON.stringify(committed.body)).toBe(200);
    expect((await itemById(w, item.id)).status).toBe('complete');

    const rolled = await w.call('manager', 'POST', `/runs/${retryRunId}/rollback`, { reason: 'Wrong split' });
    expect(rolled.status, JSON.stringify(rolled.body)).toBe(200);
    expect((await itemsOf(w, retryRunId)).map((i) => i.status)).toEqual(['rolled_back']);
    const reopened = await itemById(w, item.id);
    expect(reopened.status).toBe('error');
    expect(reopened.error).toMatch(/rolled back/);
    expect(reopened.error).toContain('Wrong split');
    expect(await queueViolations(w)).toEqual([]);

    const history = await historyOf(item.id);
    expect(history.map((h) => h.action)).toEqual([RETRIED_ACTION, 'commission_queue.reopened']);
    expect(history[1]!.runId).toBe(retryRunId);

    // Retryable again, and the new retry run commits.
    const again = await retry(item.id);
    await w.runner.drain();
    await solveAndApprove(w, again, false);
    expect((await w.call('manager', 'POST', `/runs/${again}/commit`, {})).status).toBe(200);
    expect((await itemById(w, item.id)).status).toBe('complete');
    expect(await queueViolations(w)).toEqual([]);
  });
});

describe('retry guards', () => {
  it('the run of an item being retried is not rolled back until the retry is committed or cancelled', async () => {
    const { opp, runId, item } = await errorItem();
    await addSplit(w, book, opp.id);
    const retryRunId = await retry(item.id);
    const refused = await w.call('manager', 'POST', `/runs/${runId}/rollback`, { reason: 'Undo' });
    expect(refused.status).toBe(409);
    expect(refused.body.message).toContain('being retried');
    expect(refused.body.message).toContain(retryRunId);
    expect((await runRow(w, runId)).status).toBe('committed');
    expect((await itemById(w, item.id)).status).toBe('processing');

    // The retry is cancelled (the item back in error); now the rollback goes through and settles it.
    expect(
      (await w.call('manager', 'POST', `/runs/${retryRunId}/cancel`, { reason: 'Undo instead' })).status,
    ).toBe(200);
    const rolled = await w.call('manager', 'POST', `/runs/${runId}/rollback`, { reason: 'Undo' });
    expect(rolled.status, JSON.stringify(rolled.body)).toBe(200);
    expect((await itemById(w, item.id)).status).toBe('rolled_back');
    expect(await queueViolations(w)).toEqual([]);
  });

  it('an opportunity already being retried is not retried twice (two items of one opportunity)', async () => {
    const { opp, item } = await errorItem();
    // A second run skips the same opportunity: a second error item for it.
    const second = await createOpportunityRun(w, book, opp.id, book.reps.ana.id);
    await solveAndApprove(w, second);
    expect((await w.call('manager', 'POST', `/runs/${second}/commit`, {})).status).toBe(200);
    const [other] = await itemsOf(w, second);
    expect(other!.status).toBe('error');

    await expect(
      retryQueueItems({ ctx: queueCtx(w, 'manager'), input: { itemIds: [item.id, other!.id] } }),
    ).rejects.toThrow(/twice|same opportunity/);
    const retryRunId = await retry(item.id);
    await expect(
      retryQueueItems({ ctx: queueCtx(w, 'manager'), input: { itemIds: [other!.id] } }),
    ).rejects.toThrow(/already being retried/);
    expect((await itemById(w, other!.id)).status).toBe('error');
    await w.call('analyst', 'POST', `/runs/${retryRunId}/cancel`, { reason: 'Tidy up' });
  });
});

describe('a retry run whose commit skips the item again', () => {
  it('settles the item it retried in error, naming the retry run (the commit hook)', async () => {
    // The split is not fixed: the retry run's commit skips the opportunity again.
    const { item } = await errorItem();
    const retryRunId = await retry(item.id);
    await w.runner.drain();
    await solveAndApprove(w, retryRunId, false);
    expect((await w.call('manager', 'POST', `/runs/${retryRunId}/commit`, {})).status).toBe(200);
    const [own] = await itemsOf(w, retryRunId);
    expect(own!.status).toBe('error');
    // The hook the commit calls (commit-run.ts, after recordQueueOutcomes); idempotent when already called.
    await withOrg(db(), { orgId: w.orgId }, (tx) =>
      settleRetriedItemsAfterCommit(tx, { id: retryRunId, kind: 'opportunity' }, new Date()),
    );
    const settled = await itemById(w, item.id);
    expect(settled.status).toBe('error');
    expect(settled.error).toContain(retryRunId);
    expect(settled.error).toMatch(/no current commission split/);
    expect(await queueViolations(w)).toEqual([]);
  });
});

describe('cancellation of a batch in progress', () => {
  it('a manager cancels while the commit’s notices go out: items stay as the commit left them', async () => {
    // A departure with notices: Dana's accounts to Ana and Ben, one deal without a split (error), one with.
    const { dana, eve, house } = book.reps;
    const withSplit = await eveOpportunityOn(book.danaAccounts[1]!.id, 'Covered deal', dana.id);
    await addSplitFor(withSplit.id, [
      { repId: house.id, role: 'house', bps: 4500 },
      { repId: dana.id, role: 'rep', bps: 5500 },
    ]);
    const bare = await eveOpportunityOn(book.danaAccounts[2]!.id, 'Bare deal', eve.id);
    const created = await w.call('analyst', 'POST', '/runs', {
      kind: 'rep_departure',
      scope: 'open_opportunities',
      reason: 'Dana leaves',
      commissionEndDate: '2026-03-31',
      reassignmentDate: '2026-04-01',
      params: { departingRepIds: [dana.id], commissionType: 'direct_transfer' },
    });
    expect(created.status, JSON.stringify(created.body)).toBe(201);
    const runId = created.body.id as string;
    await solveAndApprove(w, runId);
    expect((await w.call('manager', 'POST', `/runs/${runId}/commit`, {})).status).toBe(200);
    const pendingNotices = await db()
      .select({ id: s.notices.id })
      .from(s.notices)
      .where(and(eq(s.notices.runId, runId), eq(s.notices.status, 'pending')));
    expect(pendingNotices.length).toBeGreaterThan(0);
    const before = await itemsOf(w, runId);

    const cancelled = await w.call('manager', 'POST', `/runs/${runId}/cancel`, { reason: 'Stop the emails' });
    expect(cancelled.status, JSON.stringify(cancelled.body)).toBe(200);
    expect(cancelled.body.notices.cancelled).toBe(pendingNotices.length);
    expect((await runRow(w, runId)).status).toBe('committed');
    const after = await itemsOf(w, runId);
    expect(after.map((i) => [i.id, i.status, i.error])).toEqual(before.map((i) => [i.id, i.status, i.error]));
    const byOpp = new Map(after.map((i) => [i.opportunityId, i.status]));
    expect(byOpp.get(withSplit.id)).toBe('complete');
    expect(byOpp.get(bare.id)).toBe('error');
    const left = await db()
      .select({ status: s.notices.status })
      .from(s.notices)
      .where(and(eq(s.notices.runId, runId), inArray(s.notices.status, ['pending'])));
    expect(left).toEqual([]);
    expect(await queueViolations(w)).toEqual([]);
  });

  it('a cancel racing a commit: whichever wins, every item matches the run', async () => {
    const opp = await eveOpportunity(w, book, true);
    const runId = await createOpportunityRun(w, book, opp.id);
    await solveAndApprove(w, runId);
    const [commit, cancel] = await Promise.all([
      w.call('manager', 'POST', `/runs/${runId}/commit`, {}),
      w.call('manager', 'POST', `/runs/${runId}/cancel`, { reason: 'Race' }),
    ]);
    const run = await runRow(w, runId);
    const [item] = await itemsOf(w, runId);
    if (run.status === 'cancelled') {
      expect(commit.status).toBe(409);
      expect(item!.status).toBe('cancelled');
    } else {
      expect(commit.status, JSON.stringify(commit.body)).toBe(200);
      expect(run.status).toBe('committed');
      expect(item!.status).toBe('complete');
      // Cancelling a committed run stops its notices (if any are left) or is refused: it never undoes the commit.
      expect([200, 409]).toContain(cancel.status);
    }
    expect(await queueViolations(w)).toEqual([]);
  });
});

function eveOpportunityOn(accountId: string, name: string, ownerRepId: string) {
  return createOpportunity(db(), w.orgId, accountId, { ownerRepId, name });
}

async function addSplitFor(
  opportunityId: string,
  parts: { repId: string; role: 'house' | 'rep' | 'subagent'; bps: number }[],
) {
  await createSplits(db(), w.orgId, opportunityId, parts);
}
