/**
 * Property (issue 17): for generated runs — opportunity or account level, type A, B or C with any share, any split
 * of House, the rep and a subagent, any end date — the change previewed before approval is the change committed,
 * read back from the database: the open split rows and every person's cents per month. A run whose split cannot be
 * written is held at review (a blocking conflict approval refuses), never committed halfway.
 */

import { and, eq, isNull } from 'drizzle-orm';
import fc from 'fast-check';
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

const TYPES = { A: 'house_absorbs', B: 'direct_transfer', C: 'custom' } as const;

const runArb = fc.record({
  level: fc.constantFrom('opportunity' as const, 'account' as const),
  type: fc.constantFrom('A' as const, 'B' as const, 'C' as const),
  customBps: fc.integer({ min: 1, max: 10_000 }),
  houseBps: fc.integer({ min: 0, max: 5000 }),
  subBps: fc.integer({ min: 0, max: 3000 }),
  endDay: fc.integer({ min: 0, max: 300 }),
  gapDays: fc.integer({ min: 0, max: 20 }),
});

const day = (n: number) => new Date(Date.UTC(2026, 0, 1) + n * 86_400_000).toISOString().slice(0, 10);

describe('previewed change = committed change', () => {
  it('holds for generated runs of both levels and every type', async () => {
    await fc.assert(
      fc.asyncProperty(runArb, async (g) => {
        const danaBps = 10_000 - g.houseBps - g.subBps;
        const split = [
          ...(g.houseBps > 0 ? [{ repId: r.house.id, role: 'house' as const, bps: g.houseBps }] : []),
          ...(g.subBps > 0 ? [{ repId: r.sub.id, role: 'subagent' as const, bps: g.subBps }] : []),
          { repId: r.dana.id, role: 'rep' as const, bps: danaBps },
        ];
        const deal = await createDeal(w, r.dana, split, monthly(2026, 1234_56));
        const created = await w.call('manager', 'POST', '/runs', {
          kind: g.level,
          scope: 'open_opportunities',
          reason: 'Generated hand-over',
          commissionEndDate: day(g.endDay),
          reassignmentDate: day(g.endDay + 1 + g.gapDays),
          params: {
            ...(g.level === 'opportunity' ? { opportunityId: deal.opp.id } : { accountId: deal.account.id }),
            newOwnerRepId: r.ria.id,
            commissionType: TYPES[g.type],
            ...(g.type === 'C' ? { customBps: g.customBps } : {}),
          },
        });
        expect(created.status, JSON.stringify(created.body)).toBe(201);
        const runId = created.body.id as string;
        expect((await solveAndDrain(w, runId, 'manager')).status).toBe('solved');
        const preview = await commissionImpact({ ctx: ctxAs(w, 'manager'), input: { runId } });
        const conflicts = (await w.call('manager', 'GET', `/runs/${runId}/conflicts`)).body.data as {
          severity: string;
          resolution: string | null;
        }[];
        const blocking = conflicts.filter((k) => k.severity === 'blocking' && !k.resolution);
        const reviewed = await w.call('manager', 'GET', `/runs/${runId}`);
        const approved = await w.call('manager', 'POST', `/runs/${runId}/approve`, {
          expectedHash: reviewed.body.proposalHash,
          expectedVersion: reviewed.body.version,
        });
        const houseNegative = g.type === 'C' && g.houseBps + danaBps - g.customBps < 0;
        if (houseNegative) {
          // Refused at review: a problem of the preview and a blocking conflict; nothing approved.
          expect(preview.problems.length).toBeGreaterThan(0);
          expect(blocking.length).toBeGreaterThan(0);
          expect(approved.status).toBe(409);
          return;
        }
        expect(preview.problems).toEqual([]);
        expect(approved.status, JSON.stringify(approved.body)).toBe(200);
        const committed = await w.call('manager', 'POST', `/runs/${runId}/commit`, {});
        expect(committed.status, JSON.stringify(committed.body)).toBe(200);

        const open = await w.h.db.db
          .select()
          .from(s.commissionSplits)
          .where(
            and(eq(s.commissionSplits.opportunityId, deal.opp.id), isNull(s.commissionSplits.effectiveTo)),
          );
        expect(preview.opportunities).toHaveLength(1);
        expect(splitKey(open)).toBe(splitKey(preview.opportunities[0]!.after));
        const after = await commissionImpact({ ctx: ctxAs(w, 'finance'), input: { runId } });
        const cents = (i: typeof preview) =>
          i.people
            .map(
              (p) =>
                `${p.participantId}:${p.months.map((m) => `${m.month}=${m.beforeCents}/${m.afterCents}`)}`,
            )
            .sort();
        expect(cents(after)).toEqual(cents(preview));
      }),
      { numRuns: 14, seed: 1717 },
    );
  }, 600_000);
});
