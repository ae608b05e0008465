/**
 * Level 3 through the API: a rep departure over Dana's whole book, solved by the real solver. The impact covers
 * every moved account with a deal, names each receiving rep as a new rep, and moves exactly Dana's lost
 * commission to them (House and the subagent unchanged under type B).
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  createCommissionWorld,
  createDeal,
  monthly,
  type Roster,
  seedRoster,
} from '../../services/commission-splits/commission-fixture.ts';
import type { RunsWorld } from '../runs/run-fixture.ts';
import { solveAndDrain } from '../runs/run-fixture.ts';

let w: RunsWorld;
let r: Roster;

beforeAll(async () => {
  w = await createCommissionWorld();
  r = await seedRoster(w);
});
afterAll(async () => {
  await w?.close();
});

describe('rep departure (level 3)', () => {
  it('previews every moved deal of the departing rep, per receiving rep, with the book’s totals unchanged', async () => {
    const split = [
      { repId: r.house.id, role: 'house' as const, bps: 4000 },
      { repId: r.dana.id, role: 'rep' as const, bps: 5000 },
      { repId: r.sub.id, role: 'subagent' as const, bps: 1000 },
    ];
    const deals = [];
    for (let i = 0; i < 4; i++)
      deals.push(await createDeal(w, r.dana, split, monthly(2026, (i + 1) * 1200_00)));
    // Ria and Sam own a book already, so the solver balances Dana's four accounts between them.
    for (const rep of [r.ria, r.sam])
      await createDeal(w, rep, [{ repId: rep.id, role: 'rep', bps: 10_000 }], []);
    const created = await w.call('manager', 'POST', '/runs', {
      kind: 'rep_departure',
      scope: 'open_opportunities',
      reason: 'Dana leaves on 30 June',
      commissionEndDate: '2026-06-30',
      reassignmentDate: '2026-07-01',
      params: { departingRepIds: [r.dana.id], commissionType: 'direct_transfer' },
    });
    expect(created.status, JSON.stringify(created.body)).toBe(201);
    const solved = await solveAndDrain(w, created.body.id, 'manager');
    expect(solved.status, solved.failureReason).toBe('solved');

    const res = await w.call('finance', 'GET', `/runs/${created.body.id}/commission-impact`);
    expect(res.status, JSON.stringify(res.body)).toBe(200);
    const impact = res.body;
    expect(impact.counts).toMatchObject({ accounts: 4, opportunities: 4, skipped: 0, affectedSchedules: 4 });
    expect(impact.counts.affectedPeriods).toBe(4 * 6); // July to December of each deal
    const receivers = new Set(impact.opportunities.map((o: { toRepId: string }) => o.toRepId));
    expect([...receivers].every((id) => id === r.ria.id || id === r.sam.id)).toBe(true);

    const person = (id: string) =>
      impact.people.find((p: { participantId: string }) => p.participantId === id);
    // Dana's window July–December: 50% of (1200+2400+3600+4800) × 100 cents × 6 months.
    expect(person(r.dana.id)).toMatchObject({
      category: 'departing-rep',
      annualBeforeCents: 6 * 6_000_00,
      annualAfterCents: 0,
    });
    expect(person(r.house.id)).toMatchObject({
      annualBeforeCents: 6 * 4_800_00,
      annualAfterCents: 6 * 4_800_00,
    });
    expect(person(r.sub.id)).toMatchObject({
      category: 'subagent',
      annualBeforeCents: 6 * 1_200_00,
      annualAfterCents: 6 * 1_200_00,
    });
    const newReps = impact.people.filter((p: { category: string }) => p.category === 'new-rep');
    expect(newReps.length).toBe(receivers.size);
    expect(newReps.reduce((a: number, p: { annualAfterCents: number }) => a + p.annualAfterCents, 0)).toBe(
      6 * 6_000_00,
    );
    expect(impact.totals.beforeCents).toBe(impact.totals.afterCents);
    expect(impact.nextPaymentDate).toBe('2026-07-31');
  });
});
