/**
 * The commission queue (issue 8): run_opportunity_changes statuses kept in step with the run — pending while it is
 * planned and approved, complete / error (with the reason) after the commit, rolled_back after a rollback, pending
 * still after a refused commit — and retry of error items as new opportunity-level runs, refused for other items.
 */
import { and, eq } from 'drizzle-orm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import * as s from '../../../db/schema/index.ts';
import type { Principal } from '../../../src/auth/principal.ts';
import type { Role } from '../../../src/lib/roles.ts';
import { listQueue } from '../../../src/services/commission-queue/list.ts';
import { retryQueueItems } from '../../../src/services/commission-queue/retry.ts';
import {
  createOpportunity,
  createRunsWorld,
  type RunsWorld,
  runRow,
  seedBook,
  solveAndDrain,
} from '../../api/runs/run-fixture.ts';
import { createSplits } from '../../support/factories.ts';

let w: RunsWorld;
let book: Awaited<ReturnType<typeof seedBook>>;
beforeAll(async () => {
  w = await createRunsWorld();
  book = await seedBook(w);
});
afterAll(() => w.close());

const db = () => w.h.db.db;
const ctx = (role: Role) => {
  const principal: Principal = {
    kind: 'api_key',
    orgId: w.orgId,
    orgName: 'Runs Org',
    role,
    apiKeyName: `queue test ${role}`,
  };
  return { db: db(), clock: () => new Date(), principal };
};

async function itemsOf(runId: string) {
  return db()
    .select()
    .from(s.runOpportunityChanges)
    .where(eq(s.runOpportunityChanges.runId, runId))
    .orderBy(s.runOpportunityChanges.opportunityId);
}

/** Solves the run, accepts its blocking conflicts and approves it. */
async function solveAndApprove(runId: string, solve = true) {
  if (solve) {
    const solved = await solveAndDrain(w, runId);
    expect(solved.status, solved.failureReason).toBe('solved');
  }
  const open = await w.call('manager', 'GET', `/runs/${runId}/conflicts`);
  for (const c of open.body.data as { id: string; severity: string; resolution: string | null }[]) {
    if (c.severity !== 'blocking' || c.resolution) continue;
    const res = await w.call('manager', 'POST', `/runs/${runId}/conflicts/${c.id}/resolve`, {
      resolution: 'accept',
      note: 'Reviewed',
    });
    expect(res.status, JSON.stringify(res.body)).toBe(200);
  }
  const approved = await w.call('manager', 'POST', `/runs/${runId}/approve`, {
    expectedHash: (await w.call('manager', 'GET', `/runs/${runId}`)).body.proposalHash,
  });
  expect(approved.status, JSON.stringify(approved.body)).toBe(200);
}

/** An opportunity of one of Eve's accounts, owned by Eve, handed to Ben by an opportunity-level run. */
async function opportunityRun(withSplit: boolean) {
  const { eve, ben, house } = book.reps;
  const account = book.others.find((a) => a.ownerRepId === eve.id)!;
  const opp = await createOpportunity(db(), w.orgId, account.id, { ownerRepId: eve.id });
  if (withSplit) {
    await createSplits(db(), w.orgId, opp.id, [
      { repId: house.id, role: 'house', bps: 4500 },
      { repId: eve.id, role: 'rep', bps: 5500 },
    ]);
  }
  const created = await w.call('analyst', 'POST', '/runs', {
    kind: 'opportunity',
    reason: 'Ben takes the deal',
    commissionEndDate: '2026-03-31',
    reassignmentDate: '2026-04-01',
    params: { opportunityId: opp.id, newOwnerRepId: ben.id },
  });
  expect(created.status, JSON.stringify(created.body)).toBe(201);
  return { runId: created.body.id as string, opp };
}

describe('queue statuses follow the run', () => {
  it('pending while approved; complete after the commit; rolled_back after the rollback', async () => {
    const { runId, opp } = await opportunityRun(true);
    await solveAndApprove(runId);
    expect((await itemsOf(runId)).map((i) => i.status)).toEqual(['pending']);

    const committed = await w.call('manager', 'POST', `/runs/${runId}/commit`, {});
    expect(committed.status, JSON.stringify(committed.body)).toBe(200);
    const [done] = await itemsOf(runId);
    expect(done).toMatchObject({ opportunityId: opp.id, status: 'complete', error: null, attempts: 1 });

    const page = await listQueue({
      ctx: ctx('finance'),
      input: { runId, page: 1, pageSize: 50 },
    });
    expect(page.total).toBe(1);
    expect(page.items[0]).toMatchObject({ status: 'complete', opportunityName: opp.name, toRepName: 'Ben' });

    const rolled = await w.call('manager', 'POST', `/runs/${runId}/rollback`, { reason: 'Wrong rep' });
    expect(rolled.status, JSON.stringify(rolled.body)).toBe(200);
    expect((await itemsOf(runId)).map((i) => i.status)).toEqual(['rolled_back']);
  });

  it('an opportunity without a split: the commit writes the owner and the item is an error with the reason', async () => {
    const { runId, opp } = await opportunityRun(false);
    await solveAndApprove(runId);
    const committed = await w.call('manager', 'POST', `/runs/${runId}/commit`, {});
    expect(committed.status, JSON.stringify(committed.body)).toBe(200);
    const [item] = await itemsOf(runId);
    expect(item!.status).toBe('error');
    expect(item!.error).toContain(opp.name);
    expect(item!.error).toMatch(/no current commission split/);

    const errors = await listQueue({
      ctx: ctx('analyst'),
      input: { status: 'error', page: 1, pageSize: 200 },
    });
    expect(errors.items.map((i) => i.id)).toContain(item!.id);
    expect(errors.items.every((i) => i.status === 'error')).toBe(true);
    expect(errors.counts.error).toBeGreaterThanOrEqual(1);

    // The owner already is Ben; the data is fixed (Eve's split added) and the item retried: the retry run names
    // Eve as the rep whose share moves, so it changes the split alone.
    const { eve, ben, house } = book.reps;
    const [owned] = await db().select().from(s.opportunities).where(eq(s.opportunities.id, opp.id));
    expect(owned!.ownerRepId).toBe(ben.id);
    await createSplits(db(), w.orgId, opp.id, [
      { repId: house.id, role: 'house', bps: 4000 },
      { repId: eve.id, role: 'rep', bps: 6000 },
    ]);
    const result = await retryQueueItems({ ctx: ctx('manager'), input: { itemIds: [item!.id] } });
    expect(result.failed).toEqual([]);
    const retryRunId = result.retried[0]!.runId;
    expect((await runRow(w, retryRunId)).params).toMatchObject({
      opportunityId: opp.id,
      newOwnerRepId: ben.id,
      plannedFromRepId: eve.id,
    });
    await w.runner.drain();
    expect((await runRow(w, retryRunId)).status).toBe('solved');
    const [planned] = await itemsOf(retryRunId);
    expect(planned).toMatchObject({ opportunityId: opp.id, fromRepId: eve.id, toRepId: ben.id, error: null });
    expect(planned!.afterSplits).toEqual(
      expect.arrayContaining([
        { repId: house.id, role: 'house', bps: 4000 },
        { repId: ben.id, role: 'rep', bps: 6000 },
      ]),
    );

    await solveAndApprove(retryRunId, false);
    const committedRetry = await w.call('manager', 'POST', `/runs/${retryRunId}/commit`, {});
    expect(committedRetry.status, JSON.stringify(committedRetry.body)).toBe(200);
    expect((await itemsOf(retryRunId))[0]!.status).toBe('complete');
    expect((await itemsOf(runId))[0]!.status).toBe('complete');
    const [after] = await db().select().from(s.opportunities).where(eq(s.opportunities.id, opp.id));
    expect(after!.ownerRepId).toBe(ben.id);
    const splits = await db()
      .select()
      .from(s.commissionSplits)
      .where(eq(s.commissionSplits.opportunityId, opp.id));
    expect(
      splits
        .filter((r) => r.effectiveTo === null)
        .map((r) => [r.repId, r.bps])
        .sort((x, y) => Number(y[1]) - Number(x[1])),
    ).toEqual([
      [ben.id, 6000],
      [house.id, 4000],
    ]);
  });

  it('a split-only run is refused at commit when the owner moved to a third rep', async () => {
    const { runId, opp } = await opportunityRun(false);
    await solveAndApprove(runId);
    expect((await w.call('manager', 'POST', `/runs/${runId}/commit`, {})).status).toBe(200);
    const [item] = await itemsOf(runId);
    const { eve, house, ana } = book.reps;
    await createSplits(db(), w.orgId, opp.id, [
      { repId: house.id, role: 'house', bps: 4000 },
      { repId: eve.id, role: 'rep', bps: 6000 },
    ]);
    const result = await retryQueueItems({ ctx: ctx('manager'), input: { itemIds: [item!.id] } });
    const retryRunId = result.retried[0]!.runId;
    await w.runner.drain();
    await solveAndApprove(retryRunId, false);
    await db().update(s.opportunities).set({ ownerRepId: ana.id }).where(eq(s.opportunities.id, opp.id));
    const refused = await w.call('manager', 'POST', `/runs/${retryRunId}/commit`, {});
    expect(refused.status, JSON.stringify(refused.body)).toBe(409);
    expect(JSON.stringify(refused.body)).toMatch(/changed owner since the run was planned/);
    expect((await itemsOf(retryRunId))[0]!.status).toBe('pending');
    expect((await itemsOf(runId))[0]!.status).toBe('processing');
  });

  it('a refused commit (the owner changed since approval) leaves the items pending', async () => {
    const { runId, opp } = await opportunityRun(true);
    await solveAndApprove(runId);
    await db()
      .update(s.opportunities)
      .set({ ownerRepId: book.reps.ana.id })
      .where(eq(s.opportunities.id, opp.id));
    const committed = await w.call('manager', 'POST', `/runs/${runId}/commit`, {});
    expect(committed.status).toBe(409);
    expect((await runRow(w, runId)).status).toBe('approved');
    expect((await itemsOf(runId)).map((i) => [i.status, i.attempts])).toEqual([['pending', 0]]);
    const waiting = await listQueue({ ctx: ctx('manager'), input: { page: 1, pageSize: 50 } });
    expect(waiting.pendingReassignments.map((r) => r.runId)).toContain(runId);
  });

  it('only readers see the queue; only a manager retries', async () => {
    await expect(listQueue({ ctx: ctx('rep'), input: { page: 1, pageSize: 10 } })).rejects.toThrow(/manager/);
    await expect(
      retryQueueItems({ ctx: ctx('analyst'), input: { itemIds: [crypto.randomUUID()] } }),
    ).rejects.toThrow(/Only a manager/);
  });
});

describe('retry of error items', () => {
  it('after the split is added, retry creates an opportunity-level run and solves it; non-error items are refused', async () => {
    const { dana, eve, ana, ben } = book.reps;
    // Eve owns a deal on one of Dana's accounts, with no split: the departure hands the account over, the deal
    // keeps Eve as owner, and the commission core skips it (SPLIT_MISSING).
    const account = book.danaAccounts[0]!;
    const opp = await createOpportunity(db(), w.orgId, account.id, { ownerRepId: eve.id, name: 'Side deal' });
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
    await solveAndApprove(runId);
    const committed = await w.call('manager', 'POST', `/runs/${runId}/commit`, {});
    expect(committed.status, JSON.stringify(committed.body)).toBe(200);
    const [item] = (await itemsOf(runId)).filter((i) => i.opportunityId === opp.id);
    expect(item!.status).toBe('error');
    expect(item!.error).toMatch(/Side deal/);
    expect([ana.id, ben.id]).toContain(item!.toRepId);

    // A pending item (of a run still approved) in the same request refuses the whole request; nothing changes.
    const pendingRun = await opportunityRun(true);
    await solveAndApprove(pendingRun.runId);
    const [pending] = await itemsOf(pendingRun.runId);
    expect(pending!.status).toBe('pending');
    await expect(
      retryQueueItems({ ctx: ctx('manager'), input: { itemIds: [item!.id, pending!.id] } }),
    ).rejects.toThrow(/not in error/);
    expect((await itemsOf(runId)).find((i) => i.id === item!.id)!.status).toBe('error');

    // The data is fixed: Eve's deal gets its split. Retry.
    await createSplits(db(), w.orgId, opp.id, [{ repId: eve.id, role: 'rep', bps: 10_000 }]);
    const result = await retryQueueItems({ ctx: ctx('manager'), input: { itemIds: [item!.id] } });
    expect(result.failed).toEqual([]);
    expect(result.retried).toHaveLength(1);
    const retryRunId = result.retried[0]!.runId;
    const retryRun = await runRow(w, retryRunId);
    expect(retryRun).toMatchObject({
      kind: 'opportunity',
      status: 'solving',
      commissionEndDate: '2026-03-31',
      reassignmentDate: '2026-04-01',
    });
    expect(retryRun.reason).toMatch(/^Retry of opportunity Side deal/);
    expect(retryRun.params).toMatchObject({
      opportunityId: opp.id,
      newOwnerRepId: item!.toRepId,
      commissionType: 'direct_transfer',
    });
    expect((await itemsOf(runId)).find((i) => i.id === item!.id)!.status).toBe('processing');
    const [link] = await db()
      .select()
      .from(s.auditEvents)
      .where(
        and(
          eq(s.auditEvents.action, 'commission_queue.retried'),
          eq(s.auditEvents.runId, retryRunId),
          eq(s.auditEvents.entityId, item!.id),
        ),
      );
    expect(link!.after).toMatchObject({ retryRunId });

    // A second retry of the same item is refused: it is processing now.
    await expect(retryQueueItems({ ctx: ctx('manager'), input: { itemIds: [item!.id] } })).rejects.toThrow(
      /is processing, not in error/,
    );
    // The retry run's solve plans Eve's whole share to the new owner.
    await w.runner.drain();
    expect((await runRow(w, retryRunId)).status).toBe('solved');
    const [planned] = await itemsOf(retryRunId);
    expect(planned).toMatchObject({ opportunityId: opp.id, fromRepId: eve.id, toRepId: item!.toRepId });
    expect(planned!.afterSplits).toEqual([{ repId: item!.toRepId, role: 'rep', bps: 10_000 }]);

    // Reviewed, approved and committed, the retry run writes the split and settles the item it retried.
    await solveAndApprove(retryRunId, false);
    const committedRetry = await w.call('manager', 'POST', `/runs/${retryRunId}/commit`, {});
    expect(committedRetry.status, JSON.stringify(committedRetry.body)).toBe(200);
    expect((await itemsOf(retryRunId))[0]!.status).toBe('complete');
    expect((await itemsOf(runId)).find((i) => i.id === item!.id)!.status).toBe('complete');
    const splits = await db()
      .select()
      .from(s.commissionSplits)
      .where(eq(s.commissionSplits.opportunityId, opp.id));
    expect(splits.filter((r) => r.effectiveTo === null).map((r) => [r.repId, r.bps])).toEqual([
      [item!.toRepId, 10_000],
    ]);
  });
});
