/**
 * Property (issue 17): for generated runs of every kind — one opportunity, one account, a rep's departure (the
 * rep-level run "Terminate all commissions" makes), a realignment of a region and a new hire's starter book — with
 * type A, B or C at any share, any split of House, the rep and a subagent, any end date, and sometimes another type
 * or share for one opportunity (commissionOverrides), the change previewed before approval is the change
 * committed, read back from the database: the impact API's split per opportunity and the review's split per
 * opportunity (the run's account view) are the open split rows the commit wrote, and every person's cents per
 * month are the same before and after the commit. A run whose split cannot be written is held at review (a
 * blocking conflict approval refuses); an approved run always commits.
 */

import { and, eq, isNull } from 'drizzle-orm';
import fc from 'fast-check';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import * as s from '../../../db/schema/index.ts';
import { createRep, type RunsWorld, solveAndDrain } from '../../api/runs/run-fixture.ts';
import {
  createCommissionWorld,
  createDeal,
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

const TYPES = { A: 'house_absorbs', B: 'direct_transfer', C: 'custom' } as const;
const KINDS = ['opportunity', 'account', 'rep_departure', 'realignment', 'new_hire'] as const;
type Kind = (typeof KINDS)[number];

const typeArb = fc.constantFrom('A' as const, 'B' as const, 'C' as const);
const runArb = fc.record({
  kind: fc.constantFrom(...KINDS),
  type: typeArb,
  // The whole share too, where House has no room left whenever a subagent shares the deal.
  customBps: fc.oneof(fc.integer({ min: 1, max: 10_000 }), fc.constant(10_000)),
  houseBps: fc.integer({ min: 0, max: 5000 }),
  subBps: fc.integer({ min: 0, max: 3000 }),
  endDay: fc.integer({ min: 0, max: 300 }),
  gapDays: fc.integer({ min: 0, max: 20 }),
  /** Another type or share for the first deal's opportunity, chosen as at review. */
  override: fc.option(fc.record({ type: typeArb, customBps: fc.integer({ min: 1, max: 10_000 }) }), {
    nil: undefined,
  }),
});
type Generated = typeof runArb extends fc.Arbitrary<infer T> ? T : never;

const day = (n: number) => new Date(Date.UTC(2026, 0, 1) + n * 86_400_000).toISOString().slice(0, 10);
const choice = (type: 'A' | 'B' | 'C', customBps: number) => ({
  commissionType: TYPES[type],
  ...(type === 'C' ? { customBps } : {}),
});

let region = 0;

/**
 * The book one generated run works on, in a region of its own so that no other run's accounts take part: the rep
 * whose share moves owns the deals (two for a realignment, so one of them must move), and the reps who may receive.
 */
async function bookFor(g: Generated) {
  const db = w.h.db.db;
  const where = `P${++region}`;
  const owner = await createRep(db, w.orgId, { name: `Owner ${where}`, region: where });
  const receiver = await createRep(db, w.orgId, { name: `Receiver ${where}`, region: where });
  const ownerBps = 10_000 - g.houseBps - g.subBps;
  const split = [
    ...(g.houseBps > 0 ? [{ repId: r.house.id, role: 'house' as const, bps: g.houseBps }] : []),
    ...(g.subBps > 0 ? [{ repId: r.sub.id, role: 'subagent' as const, bps: g.subBps }] : []),
    { repId: owner.id, role: 'rep' as const, bps: ownerBps },
  ];
  const deals = [];
  for (let i = 0; i < (g.kind === 'realignment' || g.kind === 'new_hire' ? 2 : 1); i += 1) {
    const deal = await createDeal(w, owner, split, monthly(2026, 1234_56 + i));
    await db.update(s.accounts).set({ region: where }).where(eq(s.accounts.id, deal.account.id));
    deals.push(deal);
  }
  return { where, owner, receiver, ownerBps, deals };
}

function runBody(g: Generated, book: Awaited<ReturnType<typeof bookFor>>, kind: Kind) {
  const deal = book.deals[0]!;
  const commission = {
    ...choice(g.type, g.customBps),
    ...(g.override
      ? { commissionOverrides: { [deal.opp.id]: choice(g.override.type, g.override.customBps) } }
      : {}),
  };
  const params = {
    opportunity: { opportunityId: deal.opp.id, newOwnerRepId: book.receiver.id },
    account: { accountId: deal.account.id, newOwnerRepId: book.receiver.id },
    rep_departure: { departingRepIds: [book.owner.id] },
    realignment: { regions: [book.where], receiverRepIds: [book.owner.id, book.receiver.id] },
    new_hire: { hireRepIds: [book.receiver.id], rampTargetBps: 10_000 },
  }[kind];
  return {
    kind,
    scope: 'open_opportunities',
    reason: `Generated ${kind}`,
    commissionEndDate: day(g.endDay),
    reassignmentDate: day(g.endDay + 1 + g.gapDays),
    params: { ...params, ...commission },
  };
}

interface Part {
  participantId: string;
  role: string;
  bps: number;
}
interface Impact {
  basis: string;
  problems: unknown[];
  opportunities: { opportunityId: string; after: Part[] }[];
  people: { participantId: string; months: { month: string; beforeCents: number; afterCents: number }[] }[];
}
const impact = async (runId: string, role: 'manager' | 'finance' = 'manager') => {
  const res = await w.call(role, 'GET', `/runs/${runId}/commission-impact`);
  expect(res.status, JSON.stringify(res.body)).toBe(200);
  return res.body as unknown as Impact;
};
const cents = (i: Impact) =>
  i.people
    .map((p) => `${p.participantId}:${p.months.map((m) => `${m.month}=${m.beforeCents}/${m.afterCents}`)}`)
    .sort();

/** The review's split per opportunity: the run's account view of each account the deals are on. */
async function reviewed(runId: string, accountIds: readonly string[]) {
  const out = new Map<string, string>();
  for (const accountId of accountIds) {
    const res = await w.call('manager', 'GET', `/runs/${runId}/accounts/${accountId}`);
    if (res.status === 404) continue; // not in the run: nothing of it changes
    expect(res.status, JSON.stringify(res.body)).toBe(200);
    for (const o of res.body.opportunityChanges as {
      opportunityId: string;
      afterSplits: { repId: string; role: string; bps: number }[] | null;
    }[])
      if (o.afterSplits) out.set(o.opportunityId, splitKey(o.afterSplits));
  }
  return out;
}

/** Accepts what may be accepted (nothing about a split the commit cannot write can be). */
async function acceptWhatMayBe(runId: string) {
  const list = (await w.call('manager', 'GET', `/runs/${runId}/conflicts`)).body.data as {
    id: string;
    severity: string;
    resolution: string | null;
  }[];
  for (const c of list.filter((k) => k.severity === 'blocking' && !k.resolution))
    await w.call('manager', 'POST', `/runs/${runId}/conflicts/${c.id}/resolve`, {
      resolution: 'accept',
      note: 'Generated review',
    });
  return ((await w.call('manager', 'GET', `/runs/${runId}/conflicts`)).body.data as typeof list).filter(
    (k) => k.severity === 'blocking' && !k.resolution,
  );
}

const tally: Record<string, number> = {};

describe('previewed change = committed change', () => {
  it('holds for generated runs of every kind and every commission type', async () => {
    await fc.assert(
      fc.asyncProperty(runArb, async (g) => {
        const book = await bookFor(g);
        const created = await w.call('manager', 'POST', '/runs', runBody(g, book, g.kind));
        expect(created.status, JSON.stringify(created.body)).toBe(201);
        const runId = created.body.id as string;
        const solved = await solveAndDrain(w, runId, 'manager');
        expect(solved.status, JSON.stringify(solved.failureReason)).toBe('solved');
        const preview = await impact(runId);
        expect(preview.basis).toBe('proposal');
        const review = await reviewed(
          runId,
          book.deals.map((d) => d.account.id),
        );
        const blocking = await acceptWhatMayBe(runId);
        const current = await w.call('manager', 'GET', `/runs/${runId}`);
        const approved = await w.call('manager', 'POST', `/runs/${runId}/approve`, {
          expectedHash: current.body.proposalHash,
          expectedVersion: current.body.version,
        });

        // Type C (the run's or the override's) past House's room: the previewed deal's split cannot be written.
        const moved = preview.opportunities.map((o) => o.opportunityId);
        const chosen = (id: string) => (g.override && id === book.deals[0]!.opp.id ? g.override : g);
        const negative = book.deals.some((d) => {
          const c = chosen(d.opp.id);
          return c.type === 'C' && g.houseBps + book.ownerBps - c.customBps < 0;
        });
        if (preview.problems.length > 0 || blocking.length > 0) {
          // Held at review: a problem of the preview is a blocking conflict, and nothing is approved.
          expect(blocking.length, JSON.stringify(preview.problems)).toBeGreaterThan(0);
          expect(approved.status).toBe(409);
          tally[`${g.kind} held`] = (tally[`${g.kind} held`] ?? 0) + 1;
          return;
        }
        // Nothing held: no deal could have been planned with a split House cannot pay, unless it did not move.
        if (negative) expect(moved).not.toContain(book.deals[0]!.opp.id);
        // An approved run always commits.
        expect(approved.status, JSON.stringify(approved.body)).toBe(200);
        const committed = await w.call('manager', 'POST', `/runs/${runId}/commit`, {});
        expect(committed.status, JSON.stringify(committed.body)).toBe(200);
        tally[`${g.kind} committed`] = (tally[`${g.kind} committed`] ?? 0) + 1;
        if (moved.length > 0) tally[`${g.kind} moved a split`] = (tally[`${g.kind} moved a split`] ?? 0) + 1;

        // Every split the commit wrote was previewed, and every previewed split is the one written.
        const written = await w.h.db.db
          .select()
          .from(s.commissionSplits)
          .where(and(eq(s.commissionSplits.runId, runId), isNull(s.commissionSplits.effectiveTo)));
        expect([...new Set(written.map((x) => x.opportunityId))].sort()).toEqual([...moved].sort());
        for (const o of preview.opportunities) {
          const open = await w.h.db.db
            .select()
            .from(s.commissionSplits)
            .where(
              and(
                eq(s.commissionSplits.opportunityId, o.opportunityId),
                isNull(s.commissionSplits.effectiveTo),
              ),
            );
          expect(splitKey(open)).toBe(splitKey(o.after));
          expect(review.get(o.opportunityId), `review of ${o.opportunityId}`).toBe(splitKey(o.after));
        }
        const after = await impact(runId, 'finance');
        expect(after.basis).toBe('committed');
        expect(cents(after)).toEqual(cents(preview));
      }),
      { numRuns: 24, seed: 2026 },
    );
    // Every kind was generated and committed at least once (the seed is fixed, so this cannot flake).
    for (const kind of KINDS)
      expect(tally[`${kind} moved a split`], JSON.stringify(tally)).toBeGreaterThan(0);
    expect(
      KINDS.some((kind) => tally[`${kind} held`]),
      JSON.stringify(tally),
    ).toBe(true);
    console.info('preview = commit, runs by kind and outcome:', tally);
  }, 1_200_000);
});
