/**
 * Every rule that would make the commit refuse is checked at creation or review (issue 17), one test per rule:
 * missing dates when opportunities are in scope (a field error at creation), a split whose shares are not 100% and
 * a share for House in an org with no House rep (a blocking conflict at review that cannot be accepted, for
 * opportunity-level, account-level and departure runs). A held run is never approved; a run that is approved
 * commits. (House below 0, an end date before the opportunity was created and customBps 0 are in
 * preview-equals-commit.integration.test.ts.)
 */
import { eq } from 'drizzle-orm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import * as s from '../../../db/schema/index.ts';
import { createRep, type RunsWorld, solveAndDrain } from '../../api/runs/run-fixture.ts';
import { createCommissionWorld, createDeal, monthly, type Roster, seedRoster } from './commission-fixture.ts';

let w: RunsWorld;
let r: Roster;
beforeAll(async () => {
  w = await createCommissionWorld();
  r = await seedRoster(w);
});
afterAll(async () => {
  await w?.close();
});

type Kind = 'opportunity' | 'account' | 'rep_departure';
const dates = { commissionEndDate: '2026-06-14', reassignmentDate: '2026-06-15' };

function body(
  kind: Kind,
  deal: { account: { id: string }; opp: { id: string } },
  ids: { owner: string; receiver: string },
  commission: Record<string, unknown>,
  when: Record<string, string> = dates,
) {
  const params = {
    opportunity: { opportunityId: deal.opp.id, newOwnerRepId: ids.receiver },
    account: { accountId: deal.account.id, newOwnerRepId: ids.receiver },
    rep_departure: { departingRepIds: [ids.owner] },
  }[kind];
  return {
    kind,
    scope: 'open_opportunities',
    reason: 'Checked before commit',
    ...when,
    params: { ...params, ...commission },
  };
}

async function held(world: RunsWorld, runId: string, pattern: RegExp) {
  const list = (await world.call('manager', 'GET', `/runs/${runId}/conflicts`)).body.data as {
    id: string;
    severity: string;
    resolution: string | null;
    message: string;
  }[];
  const blocking = list.filter((k) => k.severity === 'blocking' && !k.resolution && pattern.test(k.message));
  expect(blocking.length, JSON.stringify(list.map((k) => k.message))).toBeGreaterThan(0);
  for (const k of blocking) {
    const res = await world.call('manager', 'POST', `/runs/${runId}/conflicts/${k.id}/resolve`, {
      resolution: 'accept',
      note: 'Commit it anyway',
    });
    expect(res.status).toBe(409);
  }
  const run = await world.call('manager', 'GET', `/runs/${runId}`);
  const approved = await world.call('manager', 'POST', `/runs/${runId}/approve`, {
    expectedHash: run.body.proposalHash,
    expectedVersion: run.body.version,
  });
  expect(approved.status, JSON.stringify(approved.body)).toBe(409);
}

async function approvedCommits(world: RunsWorld, runId: string) {
  const run = await world.call('manager', 'GET', `/runs/${runId}`);
  const approved = await world.call('manager', 'POST', `/runs/${runId}/approve`, {
    expectedHash: run.body.proposalHash,
    expectedVersion: run.body.version,
  });
  expect(approved.status, JSON.stringify(approved.body)).toBe(200);
  const committed = await world.call('manager', 'POST', `/runs/${runId}/commit`, {});
  expect(committed.status, JSON.stringify(committed.body)).toBe(200);
}

async function created(world: RunsWorld, payload: unknown) {
  const res = await world.call('manager', 'POST', '/runs', payload);
  expect(res.status, JSON.stringify(res.body)).toBe(201);
  const runId = res.body.id as string;
  const solved = await solveAndDrain(world, runId, 'manager');
  expect(solved.status, JSON.stringify(solved.failureReason)).toBe('solved');
  return runId;
}

describe('caught at creation', () => {
  it('missing dates when opportunities are in scope: a field error for each date, every kind', async () => {
    const owner = await createRep(w.h.db.db, w.orgId, { name: 'Nia Nodates' });
    const deal = await createDeal(
      w,
      owner,
      [{ repId: owner.id, role: 'rep', bps: 10_000 }],
      monthly(2026, 1000_00),
    );
    for (const kind of ['opportunity', 'account', 'rep_departure'] as const) {
      const cases: Record<string, string>[] = [
        {},
        { commissionEndDate: '2026-06-14' },
        { reassignmentDate: '2026-06-15' },
      ];
      for (const when of cases) {
        const res = await w.call(
          'manager',
          'POST',
          '/runs',
          body(
            kind,
            deal,
            { owner: owner.id, receiver: r.ria.id },
            { commissionType: 'direct_transfer' },
            when,
          ),
        );
        expect(res.status, `${kind} ${JSON.stringify(when)}`).toBe(400);
        const paths = (res.body.details as { path: string }[]).map((d) => d.path);
        if (!('commissionEndDate' in when)) expect(paths, kind).toContain('commissionEndDate');
        if (!('reassignmentDate' in when)) expect(paths, kind).toContain('reassignmentDate');
      }
    }
    // The realignment of a region too, and the ownership-only scope needs no dates.
    const realign = await w.call('manager', 'POST', '/runs', {
      kind: 'realignment',
      scope: 'complete',
      reason: 'Re-carve the West',
      params: { regions: ['West'] },
    });
    expect(realign.status).toBe(400);
    const ownership = await w.call('manager', 'POST', '/runs', {
      kind: 'account',
      scope: 'ownership',
      reason: 'Owner only',
      params: { accountId: deal.account.id, newOwnerRepId: r.ria.id },
    });
    expect(ownership.status, JSON.stringify(ownership.body)).toBe(201);
  }, 180_000);
});

describe('caught at review', () => {
  it('shares that are not 100%: blocking and not acceptable, at every level', async () => {
    for (const kind of ['opportunity', 'account', 'rep_departure'] as const) {
      const owner = await createRep(w.h.db.db, w.orgId, { name: `Owner of a 90% split (${kind})` });
      const deal = await createDeal(
        w,
        owner,
        [
          { repId: r.house.id, role: 'house', bps: 3000 },
          { repId: owner.id, role: 'rep', bps: 6000 },
        ],
        monthly(2026, 1000_00),
      );
      const runId = await created(
        w,
        body(kind, deal, { owner: owner.id, receiver: r.ria.id }, { commissionType: 'direct_transfer' }),
      );
      await held(w, runId, /100|10,?000|total/i);
      const [opp] = await w.h.db.db.select().from(s.opportunities).where(eq(s.opportunities.id, deal.opp.id));
      expect(opp!.ownerRepId, kind).toBe(owner.id);
    }
  }, 300_000);

  describe('an org with no House rep', () => {
    let bare: RunsWorld;
    let dana: { id: string };
    let ria: { id: string };
    let sub: { id: string };
    beforeAll(async () => {
      bare = await createCommissionWorld();
      dana = await createRep(bare.h.db.db, bare.orgId, { name: 'Dana Houseless', region: 'West' });
      ria = await createRep(bare.h.db.db, bare.orgId, { name: 'Ria Houseless', region: 'West' });
      sub = await createRep(bare.h.db.db, bare.orgId, {
        kind: 'subagent',
        name: 'Partner Co',
        mayReceive: false,
        email: null,
      });
    });
    afterAll(async () => {
      await bare?.close();
    });

    it('a share for House (types A and C) is blocking at every level; type B, which gives House nothing, commits', async () => {
      for (const kind of ['opportunity', 'account', 'rep_departure'] as const) {
        for (const commission of [
          { commissionType: 'house_absorbs' },
          { commissionType: 'custom', customBps: 5000 },
        ]) {
          const leaver =
            kind === 'rep_departure'
              ? await createRep(bare.h.db.db, bare.orgId, { name: 'Lee Leaving', region: 'West' })
              : dana;
          const deal = await createDeal(
            bare,
            leaver,
            [
              { repId: leaver.id, role: 'rep', bps: 8000 },
              { repId: sub.id, role: 'subagent', bps: 2000 },
            ],
            monthly(2026, 1000_00),
          );
          const runId = await created(
            bare,
            body(kind, deal, { owner: leaver.id, receiver: ria.id }, commission),
          );
          await held(bare, runId, /House/);
        }
        const leaver =
          kind === 'rep_departure'
            ? await createRep(bare.h.db.db, bare.orgId, { name: 'Lee Leaving', region: 'West' })
            : dana;
        const deal = await createDeal(
          bare,
          leaver,
          [
            { repId: leaver.id, role: 'rep', bps: 8000 },
            { repId: sub.id, role: 'subagent', bps: 2000 },
          ],
          monthly(2026, 1000_00),
        );
        const runId = await created(
          bare,
          body(kind, deal, { owner: leaver.id, receiver: ria.id }, { commissionType: 'direct_transfer' }),
        );
        await approvedCommits(bare, runId);
      }
    }, 600_000);
  });
});
