/**
 * A split the commit cannot write offers only exclude or another type or share (issue 17), through the API: a
 * departure and an opportunity-level run whose type C share leaves House below 0 are held at review; accepting, or a
 * change that leaves the split unwritable, is refused with the reason and changes nothing; another type or share for
 * the opportunity clears the conflict, and the run approves and commits the split the review previewed.
 */
import { and, eq, isNull } from 'drizzle-orm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import * as s from '../../../db/schema/index.ts';
import { commissionImpact } from '../../../src/services/review/commission-impact.ts';
import {
  createCommissionWorld,
  createDeal,
  ctxAs,
  monthly,
  type Roster,
  seedRoster,
  splitKey,
} from '../../services/commission-splits/commission-fixture.ts';
import { createRep, type RunsWorld, solveAndDrain } from './run-fixture.ts';

let w: RunsWorld;
let r: Roster;
beforeAll(async () => {
  w = await createCommissionWorld();
  r = await seedRoster(w);
});
afterAll(async () => {
  await w?.close();
});

interface ConflictJson {
  id: string;
  kind: string;
  severity: string;
  resolution: string | null;
  message: string;
  opportunityId: string | null;
  accountId: string | null;
}
const openBlocking = async (runId: string) =>
  ((await w.call('manager', 'GET', `/runs/${runId}/conflicts`)).body.data as ConflictJson[]).filter(
    (k) => k.severity === 'blocking' && !k.resolution,
  );
const resolve = (runId: string, conflictId: string, body: Record<string, unknown>) =>
  w.call('manager', 'POST', `/runs/${runId}/conflicts/${conflictId}/resolve`, {
    note: 'Reviewed with finance',
    ...body,
  });
async function approve(runId: string) {
  const reviewed = await w.call('manager', 'GET', `/runs/${runId}`);
  return w.call('manager', 'POST', `/runs/${runId}/approve`, {
    expectedHash: reviewed.body.proposalHash,
    expectedVersion: reviewed.body.version,
  });
}
const openSplit = (opportunityId: string) =>
  w.h.db.db
    .select()
    .from(s.commissionSplits)
    .where(and(eq(s.commissionSplits.opportunityId, opportunityId), isNull(s.commissionSplits.effectiveTo)));
const dates = { commissionEndDate: '2026-06-14', reassignmentDate: '2026-06-15' };

describe('ways out of a split the commit cannot write', () => {
  it('departure: accept and another owner are refused; another share clears it, and the commit writes the previewed split', async () => {
    const leaver = await createRep(w.h.db.db, w.orgId, { name: 'Lou Leaving', region: 'West' });
    const deal = await createDeal(
      w,
      leaver,
      [
        { repId: r.house.id, role: 'house', bps: 1000 },
        { repId: leaver.id, role: 'rep', bps: 7000 },
        { repId: r.sub.id, role: 'subagent', bps: 2000 },
      ],
      monthly(2026, 1000_00),
    );
    const created = await w.call('manager', 'POST', '/runs', {
      kind: 'rep_departure',
      scope: 'open_opportunities',
      reason: 'Lou leaves mid-June',
      ...dates,
      params: { departingRepIds: [leaver.id], commissionType: 'custom', customBps: 9000 },
    });
    expect(created.status, JSON.stringify(created.body)).toBe(201);
    const runId = created.body.id as string;
    expect((await solveAndDrain(w, runId, 'manager')).status).toBe('solved');
    const [split] = (await openBlocking(runId)).filter((k) => k.opportunityId === deal.opp.id);
    expect(split?.message).toMatch(/House below 0/);

    expect((await resolve(runId, split!.id, { resolution: 'accept' })).status).toBe(409);
    const versionBefore = (await w.call('manager', 'GET', `/runs/${runId}`)).body.version;
    const override = await resolve(runId, split!.id, { resolution: 'override', repId: r.sam.id });
    expect(override.status, JSON.stringify(override.body)).toBe(409);
    expect(override.body.message).toMatch(/does not make the split writable.*House below 0/);
    // Nothing was kept: the same version, the conflict still open.
    expect((await w.call('manager', 'GET', `/runs/${runId}`)).body.version).toBe(versionBefore);
    expect((await openBlocking(runId)).map((k) => k.id)).toContain(split!.id);
    const stillNegative = await resolve(runId, split!.id, {
      resolution: 'commission',
      commission: { commissionType: 'custom', customBps: 8500 },
    });
    expect(stillNegative.status).toBe(409);
    expect(stillNegative.body.message).toMatch(/House below 0/);
    const noShare = await resolve(runId, split!.id, {
      resolution: 'commission',
      commission: { commissionType: 'custom' },
    });
    expect(noShare.status).toBe(400);
    expect(JSON.stringify(noShare.body.details)).toMatch(/commission\.customBps/);

    const fixed = await resolve(runId, split!.id, {
      resolution: 'commission',
      commission: { commissionType: 'custom', customBps: 2000 },
    });
    expect(fixed.status, JSON.stringify(fixed.body)).toBe(200);
    expect(fixed.body.conflict.resolution).toBe('commission');
    expect(await openBlocking(runId)).toEqual([]);
    const run = (await w.call('manager', 'GET', `/runs/${runId}`)).body;
    expect(run.params.commissionOverrides).toEqual({
      [deal.opp.id]: { commissionType: 'custom', customBps: 2000 },
    });

    const preview = await w.call('manager', 'GET', `/runs/${runId}/commission-impact`);
    expect(preview.status, JSON.stringify(preview.body)).toBe(200);
    const previewed = (preview.body.opportunities as { opportunityId: string; after: never[] }[]).find(
      (o) => o.opportunityId === deal.opp.id,
    )!;
    const newOwner = (previewed.after as { participantId: string; role: string }[]).find(
      (p) => p.role === 'rep',
    )!.participantId;
    expect(splitKey(previewed.after)).toBe(
      splitKey([
        { repId: r.house.id, role: 'house', bps: 6000 },
        { repId: newOwner, role: 'rep', bps: 2000 },
        { repId: r.sub.id, role: 'subagent', bps: 2000 },
      ]),
    );
    expect((await approve(runId)).status).toBe(200);
    const committed = await w.call('manager', 'POST', `/runs/${runId}/commit`, {});
    expect(committed.status, JSON.stringify(committed.body)).toBe(200);
    expect(splitKey(await openSplit(deal.opp.id))).toBe(splitKey(previewed.after));
    const [account] = await w.h.db.db.select().from(s.accounts).where(eq(s.accounts.id, deal.account.id));
    expect(account!.ownerRepId).toBe(newOwner);
  });

  it('opportunity level: exclusion is refused (nothing would be left to change); another type clears it and commits', async () => {
    const deal = await createDeal(
      w,
      r.dana,
      [
        { repId: r.sub.id, role: 'subagent', bps: 3000 },
        { repId: r.dana.id, role: 'rep', bps: 7000 },
      ],
      monthly(2026, 1000_00),
    );
    const created = await w.call('manager', 'POST', '/runs', {
      kind: 'opportunity',
      scope: 'open_opportunities',
      reason: 'Ria takes the deal over',
      ...dates,
      params: {
        opportunityId: deal.opp.id,
        newOwnerRepId: r.ria.id,
        commissionType: 'custom',
        customBps: 8000,
      },
    });
    expect(created.status, JSON.stringify(created.body)).toBe(201);
    const runId = created.body.id as string;
    expect((await solveAndDrain(w, runId, 'manager')).status).toBe('solved');
    const blocking = await openBlocking(runId);
    expect(blocking.length).toBeGreaterThan(0);
    const first = blocking[0]!;
    const excluded = await resolve(runId, first.id, { resolution: 'exclude' });
    expect(excluded.status).toBe(409);
    expect(excluded.body.message).toMatch(/another commission type or share.*cancel the run/);
    expect((await approve(runId)).status).toBe(409);

    const fixed = await resolve(runId, first.id, {
      resolution: 'commission',
      commission: { commissionType: 'direct_transfer' },
    });
    expect(fixed.status, JSON.stringify(fixed.body)).toBe(200);
    expect(await openBlocking(runId)).toEqual([]);
    const before = await commissionImpact({ ctx: ctxAs(w, 'manager'), input: { runId } });
    expect(before.problems).toEqual([]);
    expect(before.opportunities.map((o) => splitKey(o.after))).toEqual([
      splitKey([
        { repId: r.sub.id, role: 'subagent', bps: 3000 },
        { repId: r.ria.id, role: 'rep', bps: 7000 },
      ]),
    ]);
    expect((await approve(runId)).status).toBe(200);
    const committed = await w.call('manager', 'POST', `/runs/${runId}/commit`, {});
    expect(committed.status, JSON.stringify(committed.body)).toBe(200);
    expect(splitKey(await openSplit(deal.opp.id))).toBe(splitKey(before.opportunities[0]!.after));
    const [opp] = await w.h.db.db.select().from(s.opportunities).where(eq(s.opportunities.id, deal.opp.id));
    expect(opp!.ownerRepId).toBe(r.ria.id);
  });

  it('account level: excluding the account clears it; a date problem is not solved by another type', async () => {
    const deal = await createDeal(
      w,
      r.dana,
      [
        { repId: r.house.id, role: 'house', bps: 3000 },
        { repId: r.dana.id, role: 'rep', bps: 7000 },
      ],
      monthly(2026, 1000_00),
    );
    const created = await w.call('manager', 'POST', '/runs', {
      kind: 'account',
      scope: 'open_opportunities',
      reason: 'Ria takes the account',
      commissionEndDate: '2025-12-15',
      reassignmentDate: '2025-12-16',
      params: { accountId: deal.account.id, newOwnerRepId: r.ria.id, commissionType: 'direct_transfer' },
    });
    expect(created.status, JSON.stringify(created.body)).toBe(201);
    const runId = created.body.id as string;
    expect((await solveAndDrain(w, runId, 'manager')).status).toBe('solved');
    const date = (await openBlocking(runId)).find((k) => k.kind === 'date_rule')!;
    expect(date, JSON.stringify(await openBlocking(runId))).toBeDefined();
    const retyped = await resolve(runId, date.id, {
      resolution: 'commission',
      commission: { commissionType: 'house_absorbs' },
    });
    expect(retyped.status).toBe(409);
    expect(retyped.body.message).toMatch(/dates/);
    const excluded = await resolve(runId, date.id, { resolution: 'exclude' });
    expect(excluded.status, JSON.stringify(excluded.body)).toBe(200);
    expect(await openBlocking(runId)).toEqual([]);
  });

  it('manual queue: another share replaces the decision that could not be written, and the run commits it', async () => {
    const deal = await createDeal(
      w,
      r.dana,
      [
        { repId: r.house.id, role: 'house', bps: 1000 },
        { repId: r.dana.id, role: 'rep', bps: 7000 },
        { repId: r.sub.id, role: 'subagent', bps: 2000 },
      ],
      monthly(2026, 1000_00),
    );
    const created = await w.call('manager', 'POST', '/runs', {
      kind: 'account',
      scope: 'open_opportunities',
      reason: 'Ria takes the account; finance decides the deal',
      ...dates,
      params: { accountId: deal.account.id, newOwnerRepId: r.ria.id, commissionStrategy: 'manual' },
    });
    expect(created.status, JSON.stringify(created.body)).toBe(201);
    const runId = created.body.id as string;
    expect((await solveAndDrain(w, runId, 'manager')).status).toBe('solved');
    const decided = await w.call('manager', 'PUT', `/runs/${runId}/commission-decisions`, {
      decisions: [{ opportunityId: deal.opp.id, commissionType: 'custom', customBps: 9000 }],
    });
    expect(decided.status, JSON.stringify(decided.body)).toBe(200);
    const [split] = (await openBlocking(runId)).filter((k) => k.opportunityId === deal.opp.id);
    expect(split?.message).toMatch(/House below 0/);
    const fixed = await resolve(runId, split!.id, {
      resolution: 'commission',
      commission: { commissionType: 'house_absorbs' },
    });
    expect(fixed.status, JSON.stringify(fixed.body)).toBe(200);
    const run = (await w.call('manager', 'GET', `/runs/${runId}`)).body;
    expect(run.params.commissionDecisions).toEqual({ [deal.opp.id]: { commissionType: 'house_absorbs' } });
    expect(run.params.commissionOverrides).toBeUndefined();
    expect(await openBlocking(runId)).toEqual([]);
    expect((await approve(runId)).status).toBe(200);
    expect((await w.call('manager', 'POST', `/runs/${runId}/commit`, {})).status).toBe(200);
    expect(splitKey(await openSplit(deal.opp.id))).toBe(
      splitKey([
        { repId: r.house.id, role: 'house', bps: 8000 },
        { repId: r.sub.id, role: 'subagent', bps: 2000 },
      ]),
    );
  });
});
