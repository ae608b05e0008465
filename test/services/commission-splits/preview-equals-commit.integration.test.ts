/**
 * One truth for preview and commit (issue 17): what the review, the approval page and the impact show before the
 * commit is what the commit writes — for an opportunity-level and an account-level run, types A, B and C. A split
 * the commit cannot write is a blocking conflict that cannot be accepted, and every rule that would make the
 * commit refuse is caught at creation or review.
 */
import { and, eq, isNull } from 'drizzle-orm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import * as s from '../../../db/schema/index.ts';
import { commissionImpact } from '../../../src/services/review/commission-impact.ts';
import { type RunsWorld, solveAndDrain } from '../../api/runs/run-fixture.ts';
import {
  createCommissionWorld,
  createDeal,
  ctxAs,
  monthly,
  type Roster,
  seedRoster,
  splitKey,
} from './commission-fixture.ts';

let w: RunsWorld;
let r: Roster;
beforeAll(async () => {
  w = await createCommissionWorld();
  r = await seedRoster(w);
});
afterAll(async () => {
  await w?.close();
});

type Level = 'opportunity' | 'account';
const TYPES = { A: 'house_absorbs', B: 'direct_transfer', C: 'custom' } as const;

async function createRun(
  level: Level,
  deal: { account: { id: string }; opp: { id: string } },
  commission: { commissionType: string; customBps?: number },
  dates = { commissionEndDate: '2026-06-14', reassignmentDate: '2026-06-15' },
) {
  return w.call('manager', 'POST', '/runs', {
    kind: level,
    scope: 'open_opportunities',
    reason: 'Ria takes the deal over',
    ...dates,
    params:
      level === 'opportunity'
        ? { opportunityId: deal.opp.id, newOwnerRepId: r.ria.id, ...commission }
        : { accountId: deal.account.id, newOwnerRepId: r.ria.id, ...commission },
  });
}

async function solved(
  level: Level,
  deal: Parameters<typeof createRun>[1],
  c: Parameters<typeof createRun>[2],
) {
  const created = await createRun(level, deal, c);
  expect(created.status, JSON.stringify(created.body)).toBe(201);
  const runId = created.body.id as string;
  const done = await solveAndDrain(w, runId, 'manager');
  expect(done.status, done.failureReason).toBe('solved');
  return runId;
}

const openConflicts = async (runId: string) =>
  (await w.call('manager', 'GET', `/runs/${runId}/conflicts`)).body.data as {
    id: string;
    kind: string;
    severity: string;
    resolution: string | null;
    message: string;
    opportunityId: string | null;
  }[];

async function approve(runId: string) {
  const reviewed = await w.call('manager', 'GET', `/runs/${runId}`);
  return w.call('manager', 'POST', `/runs/${runId}/approve`, {
    expectedHash: reviewed.body.proposalHash,
    expectedVersion: reviewed.body.version,
  });
}

async function openSplit(opportunityId: string) {
  return w.h.db.db
    .select()
    .from(s.commissionSplits)
    .where(and(eq(s.commissionSplits.opportunityId, opportunityId), isNull(s.commissionSplits.effectiveTo)));
}

describe('the previewed change is the committed change', () => {
  for (const level of ['opportunity', 'account'] as const) {
    for (const type of ['A', 'B', 'C'] as const) {
      it(`${level}-level, type ${type}: the impact before commit lists the split the commit writes, to the cent`, async () => {
        const deal = await createDeal(
          w,
          r.dana,
          [
            { repId: r.house.id, role: 'house', bps: 3000 },
            { repId: r.dana.id, role: 'rep', bps: 7000 },
          ],
          monthly(2026, 1000_00),
        );
        const runId = await solved(level, deal, {
          commissionType: TYPES[type],
          ...(type === 'C' ? { customBps: 3500 } : {}),
        });
        const before = await commissionImpact({ ctx: ctxAs(w, 'manager'), input: { runId } });
        expect(before.basis).toBe('proposal');
        expect(before.opportunities.map((o) => o.opportunityId)).toEqual([deal.opp.id]);
        expect(before.statements.join(' ')).not.toMatch(/Nothing in this run changes/);
        const want = {
          A: [{ participantId: r.house.id, role: 'house', bps: 10_000 }],
          B: [
            { participantId: r.house.id, role: 'house', bps: 3000 },
            { participantId: r.ria.id, role: 'rep', bps: 7000 },
          ],
          C: [
            { participantId: r.house.id, role: 'house', bps: 6500 },
            { participantId: r.ria.id, role: 'rep', bps: 3500 },
          ],
        }[type];
        expect(splitKey(before.opportunities[0]!.after)).toBe(splitKey(want));
        expect(
          (await openConflicts(runId)).filter((k) => k.severity === 'blocking' && !k.resolution),
        ).toEqual([]);

        const approved = await approve(runId);
        expect(approved.status, JSON.stringify(approved.body)).toBe(200);
        const committed = await w.call('manager', 'POST', `/runs/${runId}/commit`, {});
        expect(committed.status, JSON.stringify(committed.body)).toBe(200);

        expect(splitKey(await openSplit(deal.opp.id))).toBe(splitKey(before.opportunities[0]!.after));
        const after = await commissionImpact({ ctx: ctxAs(w, 'finance'), input: { runId } });
        expect(after.basis).toBe('committed');
        const money = (i: typeof before) =>
          i.people.map((p) => [p.participantId, p.months.map((m) => [m.month, m.beforeCents, m.afterCents])]);
        expect(money(after)).toEqual(money(before));
        expect(after.opportunities.map((o) => splitKey(o.after))).toEqual(
          before.opportunities.map((o) => splitKey(o.after)),
        );
      });
    }
  }
});

describe('a split the commit cannot write is never accepted', () => {
  it('type C leaving House below 0 (account level): blocking, accept refused, exclusion resolves; nothing moves without its split', async () => {
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
    const runId = await solved('account', deal, { commissionType: 'custom', customBps: 9000 });
    const blocking = (await openConflicts(runId)).filter((k) => k.severity === 'blocking' && !k.resolution);
    const split = blocking.find((k) => k.opportunityId === deal.opp.id)!;
    expect(split, JSON.stringify(blocking)).toBeDefined();
    expect(split.message).toMatch(/House below 0/);
    const accepted = await w.call('manager', 'POST', `/runs/${runId}/conflicts/${split.id}/resolve`, {
      resolution: 'accept',
      note: 'Fine by me',
    });
    expect(accepted.status).toBe(409);
    expect(accepted.body.message).toMatch(/cannot be accepted/);
    expect((await approve(runId)).status).toBe(409);

    const excluded = await w.call('manager', 'POST', `/runs/${runId}/conflicts/${split.id}/resolve`, {
      resolution: 'exclude',
      note: 'Dana keeps this one',
    });
    expect(excluded.status, JSON.stringify(excluded.body)).toBe(200);
    // The run's one account is out: nothing is left to approve, and nothing moved without its split.
    const approvedAfter = await approve(runId);
    expect(approvedAfter.body.message).toMatch(/changes no owner/);
    const [account] = await w.h.db.db.select().from(s.accounts).where(eq(s.accounts.id, deal.account.id));
    expect(account!.ownerRepId).toBe(r.dana.id);
    expect(splitKey(await openSplit(deal.opp.id))).toMatch(new RegExp(`rep:${r.dana.id}:7000`));
  });

  it('type C leaving House below 0 (opportunity level): blocking and not acceptable; the opportunity keeps owner and split', async () => {
    const deal2 = await createDeal(
      w,
      r.dana,
      [
        { repId: r.sub.id, role: 'subagent', bps: 3000 },
        { repId: r.dana.id, role: 'rep', bps: 7000 },
      ],
      monthly(2026, 1000_00),
    );
    const refused = await solved('opportunity', deal2, { commissionType: 'custom', customBps: 8000 });
    const blocking = (await openConflicts(refused)).filter((k) => k.severity === 'blocking' && !k.resolution);
    expect(blocking.map((k) => k.kind)).toContain('split_not_100');
    for (const k of blocking) {
      const res = await w.call('manager', 'POST', `/runs/${refused}/conflicts/${k.id}/resolve`, {
        resolution: 'accept',
        note: 'Try anyway',
      });
      expect(res.status).toBe(409);
    }
    expect((await approve(refused)).status).toBe(409);
    const [opp] = await w.h.db.db.select().from(s.opportunities).where(eq(s.opportunities.id, deal2.opp.id));
    expect(opp!.ownerRepId).toBe(r.dana.id);
  });
});

describe('every rule that would make the commit refuse is caught at creation or review', () => {
  it('customBps 0 is a field error at creation', async () => {
    const deal = await createDeal(w, r.dana, [{ repId: r.dana.id, role: 'rep', bps: 10_000 }], []);
    for (const level of ['opportunity', 'account'] as const) {
      const res = await createRun(level, deal, { commissionType: 'custom', customBps: 0 });
      expect(res.status, JSON.stringify(res.body)).toBe(400);
      expect(JSON.stringify(res.body.details)).toMatch(/customBps/);
    }
  });

  it('an end date before the opportunity was created is a blocking conflict for both levels', async () => {
    for (const level of ['opportunity', 'account'] as const) {
      const deal = await createDeal(
        w,
        r.dana,
        [
          { repId: r.house.id, role: 'house', bps: 3000 },
          { repId: r.dana.id, role: 'rep', bps: 7000 },
        ],
        monthly(2026, 1000_00),
      );
      const created = await createRun(
        level,
        deal,
        { commissionType: 'direct_transfer' },
        { commissionEndDate: '2025-12-15', reassignmentDate: '2025-12-16' },
      );
      expect(created.status, JSON.stringify(created.body)).toBe(201);
      const runId = created.body.id as string;
      expect((await solveAndDrain(w, runId, 'manager')).status).toBe('solved');
      const blocking = (await openConflicts(runId)).filter(
        (k) => k.severity === 'blocking' && !k.resolution && k.opportunityId === deal.opp.id,
      );
      expect(
        blocking.map((k) => k.kind),
        level,
      ).toContain('date_rule');
      for (const k of blocking) {
        const res = await w.call('manager', 'POST', `/runs/${runId}/conflicts/${k.id}/resolve`, {
          resolution: 'accept',
          note: 'Try anyway',
        });
        expect(res.status, level).toBe(409);
      }
      expect((await approve(runId)).status, level).toBe(409);
    }
  });
});
