/**
 * Opportunities through the API: list and filter (account, owner, stage, status, close dates), read one with
 * its split history — what another system needs to start an opportunity-level run without the database.
 */
import { inArray } from 'drizzle-orm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import * as s from '../../../db/schema/index.ts';
import { createOpportunity, createSplits } from '../../support/factories.ts';
import { createRunsWorld, type RunsWorld, seedBook } from '../runs/run-fixture.ts';

let w: RunsWorld;
let book: Awaited<ReturnType<typeof seedBook>>;
const opps: Record<string, { id: string }> = {};
beforeAll(async () => {
  w = await createRunsWorld();
  book = await seedBook(w);
  const db = w.h.db.db;
  const [a0, a1] = book.danaAccounts;
  opps.renewal = await createOpportunity(db, w.orgId, a0!.id, {
    name: 'Renewal',
    ownerRepId: book.reps.dana.id,
    stage: 'Negotiation',
    closeDate: '2027-03-01',
  });
  opps.won = await createOpportunity(db, w.orgId, a0!.id, {
    name: 'Won deal',
    ownerRepId: book.reps.ana.id,
    stage: 'Closed Won',
    status: 'closed_won',
    closeDate: '2026-10-01',
  });
  opps.other = await createOpportunity(db, w.orgId, a1!.id, {
    name: 'Other',
    ownerRepId: book.reps.dana.id,
    stage: 'Prospecting',
    closeDate: '2027-06-30',
  });
  // The split before: House 50 / Ana 50 from 2025-06-01 until the day before the one in force.
  const before = await createSplits(
    db,
    w.orgId,
    opps.renewal.id,
    [
      { repId: book.reps.house.id, role: 'house', bps: 5000 },
      { repId: book.reps.ana.id, role: 'rep', bps: 5000 },
    ],
    '2025-06-01',
  );
  await db
    .update(s.commissionSplits)
    .set({ effectiveTo: '2026-01-14' })
    .where(
      inArray(
        s.commissionSplits.id,
        before.map((r) => r.id),
      ),
    );
  await createSplits(db, w.orgId, opps.renewal.id, [
    { repId: book.reps.house.id, role: 'house', bps: 4500 },
    { repId: book.reps.dana.id, role: 'rep', bps: 5500 },
  ]);
});
afterAll(() => w.close());

const names = (body: { data: { name: string }[] }) => body.data.map((o) => o.name).sort();

describe('GET /v1/opportunities', () => {
  it('lists and filters by account, owner, stage, status and close dates', async () => {
    const all = await w.call('analyst', 'GET', '/opportunities');
    expect(all.status).toBe(200);
    expect(all.body.total).toBe(3);
    const byAccount = await w.call('analyst', 'GET', `/opportunities?account=${book.danaAccounts[0]!.id}`);
    expect(names(byAccount.body)).toEqual(['Renewal', 'Won deal']);
    const byOwner = await w.call('finance', 'GET', `/opportunities?owner=${book.reps.dana.id}&status=open`);
    expect(names(byOwner.body)).toEqual(['Other', 'Renewal']);
    const byStage = await w.call('manager', 'GET', '/opportunities?stage=Negotiation');
    expect(names(byStage.body)).toEqual(['Renewal']);
    const byDates = await w.call('admin', 'GET', '/opportunities?closeFrom=2027-01-01&closeTo=2027-03-31');
    expect(names(byDates.body)).toEqual(['Renewal']);
    expect(byDates.body.data[0]).toMatchObject({
      crmId: expect.any(String),
      accountCrmId: book.danaAccounts[0]!.crmId,
      status: 'open',
      closeDate: '2027-03-01',
    });
  });

  it('refuses bad filters with 400 naming the field, and reps with 403', async () => {
    const bad = await w.call('analyst', 'GET', '/opportunities?closeFrom=03/01/2027');
    expect(bad.status).toBe(400);
    expect(JSON.stringify(bad.body)).toContain('closeFrom');
    expect((await w.call('rep', 'GET', '/opportunities')).status).toBe(403);
  });

  it('reads one opportunity with its split history; an unknown id is 404', async () => {
    const one = await w.call('analyst', 'GET', `/opportunities/${opps.renewal!.id}`);
    expect(one.status).toBe(200);
    expect(one.body).toMatchObject({ name: 'Renewal', stage: 'Negotiation' });
    // Every split it has had, oldest first: the history, not only the split in force.
    const rows = one.body.splits as {
      role: string;
      repName: string;
      bps: number;
      effectiveFrom: string;
      effectiveTo: string | null;
    }[];
    expect(rows.map((r) => [r.role, r.repName, r.bps, r.effectiveFrom, r.effectiveTo])).toEqual([
      ['house', book.reps.house.name, 5000, '2025-06-01', '2026-01-14'],
      ['rep', book.reps.ana.name, 5000, '2025-06-01', '2026-01-14'],
      ['house', book.reps.house.name, 4500, '2026-01-15', null],
      ['rep', book.reps.dana.name, 5500, '2026-01-15', null],
    ]);
    const missing = await w.call('analyst', 'GET', '/opportunities/00000000-0000-4000-8000-000000000000');
    expect(missing.status).toBe(404);
  });
});
