/**
 * Property (fast-check, on the database): for any split (House / departing rep / subagent), any monthly schedule,
 * any end date and gap, and any type A, B or C, the impact preview read through the service gives every period's
 * parts summing to the period amount to the cent, before and after; the subagent's share never changes (its cents
 * only by a rounding cent per slice); the new split totals 10000 bps; reconciliation entries exist only for paid periods and sum to zero per period.
 */
import fc from 'fast-check';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import * as s from '../../../db/schema/index.ts';
import { commissionReconciliation } from '../../../src/services/after/reconciliation.ts';
import { commissionImpact } from '../../../src/services/review/commission-impact.ts';
import type { RunsWorld } from '../../api/runs/run-fixture.ts';
import { createRun } from '../../support/factories.ts';
import {
  createCommissionWorld,
  createDeal,
  ctxAs,
  type Roster,
  seedRoster,
} from '../commission-splits/commission-fixture.ts';

let w: RunsWorld;
let r: Roster;

beforeAll(async () => {
  w = await createCommissionWorld();
  r = await seedRoster(w);
});
afterAll(async () => {
  await w?.close();
});

const day = (n: number) => new Date(Date.UTC(2026, 0, 1 + n)).toISOString().slice(0, 10);

const scenario = fc
  .record({
    danaBps: fc.integer({ min: 1, max: 10_000 }),
    subShare: fc.integer({ min: 0, max: 10_000 }),
    amounts: fc.array(fc.integer({ min: 0, max: 50_000_000_00 }), { minLength: 12, maxLength: 12 }),
    paid: fc.array(fc.boolean(), { minLength: 12, maxLength: 12 }),
    endDay: fc.integer({ min: 0, max: 363 }),
    gapDays: fc.integer({ min: 0, max: 20 }),
    type: fc.constantFrom('house_absorbs', 'direct_transfer', 'custom'),
    customShare: fc.integer({ min: 1, max: 10_000 }),
  })
  .map((x) => {
    const subBps = Math.floor(((10_000 - x.danaBps) * x.subShare) / 10_000);
    const houseBps = 10_000 - x.danaBps - subBps;
    // Type C within what House can give: the new rep's share at most the departing share plus House's.
    const customBps = 1 + ((x.customShare - 1) % (x.danaBps + houseBps));
    return { ...x, subBps, houseBps, customBps };
  });

describe('per-period parts (property, through the service)', () => {
  it('sum to the period amount to the cent, before and after, for every type, split, schedule and date', async () => {
    await fc.assert(
      fc.asyncProperty(scenario, async (x) => {
        const split = [
          ...(x.houseBps > 0 ? [{ repId: r.house.id, role: 'house' as const, bps: x.houseBps }] : []),
          { repId: r.dana.id, role: 'rep' as const, bps: x.danaBps },
          ...(x.subBps > 0 ? [{ repId: r.sub.id, role: 'subagent' as const, bps: x.subBps }] : []),
        ];
        const periods = x.amounts.map((amountCents, i) => ({
          start: `2026-${String(i + 1).padStart(2, '0')}-01`,
          end: new Date(Date.UTC(2026, i + 1, 0)).toISOString().slice(0, 10),
          amountCents,
          paid: x.paid[i]!,
        }));
        const { account, opp } = await createDeal(w, r.dana, split, periods);
        const endDate = day(x.endDay);
        const run = await createRun(w.h.db.db, w.orgId, {
          kind: 'account',
          status: 'in_review',
          scope: 'open_opportunities',
          commissionEndDate: endDate,
          reassignmentDate: day(x.endDay + x.gapDays),
          params: {
            accountId: account.id,
            newOwnerRepId: r.ria.id,
            commissionType: x.type,
            ...(x.type === 'custom' ? { customBps: x.customBps } : {}),
          },
        });
        await w.h.db.db.insert(s.runAssignments).values({
          orgId: w.orgId,
          runId: run.id,
          accountId: account.id,
          fromRepId: r.dana.id,
          toRepId: r.ria.id,
        });
        const impact = await commissionImpact({ ctx: ctxAs(w, 'finance'), input: { runId: run.id } });
        expect(impact.problems).toEqual([]);
        expect(impact.skipped).toEqual([]);
        expect(impact.opportunities).toHaveLength(1);
        const after = impact.opportunities[0]!;
        expect(after.opportunityId).toBe(opp.id);
        expect(after.after.reduce((a, p) => a + p.bps, 0)).toBe(10_000);

        // One period per month, paid on its last day: each month of the window holds exactly one period.
        for (const [i, period] of periods.entries()) {
          const month = period.start.slice(0, 7);
          if (month < impact.window.from.slice(0, 7)) continue;
          const parts = impact.people.map((p) => p.months.find((m) => m.month === month)!);
          expect(
            parts.reduce((a, m) => a + m.beforeCents, 0),
            month,
          ).toBe(x.amounts[i]);
          expect(
            parts.reduce((a, m) => a + m.afterCents, 0),
            month,
          ).toBe(x.amounts[i]);
          for (const m of parts) {
            expect(m.beforeCents).toBeGreaterThanOrEqual(0);
            expect(m.afterCents).toBeGreaterThanOrEqual(0);
          }
        }
        // The subagent's share never changes, and neither do its cents in any period: a reassignment moves cents
        // only between the participants whose basis points it changes (src/commission/README.md, "Rounding").
        if (x.subBps > 0) {
          for (const split of [after.before, after.after]) {
            expect(split.find((p) => p.participantId === r.sub.id)?.bps).toBe(x.subBps);
          }
        }
        const sub = impact.people.find((p) => p.participantId === r.sub.id);
        for (const m of sub?.months ?? []) {
          expect(m.afterCents, m.month).toBe(m.beforeCents);
        }
        expect(impact.totals.afterCents).toBe(impact.totals.beforeCents);

        const rec = await commissionReconciliation({ ctx: ctxAs(w, 'finance'), input: { runId: run.id } });
        expect(rec.problems).toEqual([]);
        const byPeriod = new Map<string, number>();
        for (const e of rec.entries) {
          expect(e.periodStatus).toBe('paid');
          expect(e.periodEnd > endDate).toBe(true);
          expect(x.paid[Number(e.periodStart.slice(5, 7)) - 1]).toBe(true);
          byPeriod.set(e.periodId, (byPeriod.get(e.periodId) ?? 0) + e.amountCents);
        }
        for (const total of byPeriod.values()) expect(total).toBe(0);
        expect(rec.netCents).toBe(0);
      }),
      { numRuns: 40 },
    );
  });
});
