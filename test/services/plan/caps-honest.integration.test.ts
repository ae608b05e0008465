/**
 * Issue 13, caps: "every rep within caps or a blocking conflict names the rep". A rep already over its cap before
 * the run, whose accounts the run cannot move away (a departure moves only the leaver's; a protection keeps them),
 * stays over it even when it receives nothing: the proposal says so as a blocking conflict naming the rep, the cap
 * and the amount over — not as a warning the review never shows. Where the run can move its accounts (a
 * realignment of its region), the proposal holds the cap instead. Through the API and the real solve job.
 */
import { afterAll, beforeAll, expect, it } from 'vitest';
import {
  createAccount,
  createRep,
  createRunsWorld,
  type RunsWorld,
  solveAndDrain,
} from '../../api/runs/run-fixture.ts';

let w: RunsWorld;
let rep: Record<'dana' | 'ana' | 'ben' | 'cy', { id: string }>;
let anaAccounts: { id: string }[];

beforeAll(async () => {
  w = await createRunsWorld();
  const db = w.h.db.db;
  const orgId = w.orgId;
  // Ana's revenue cap is $300,000; she already owns $500,000 (five accounts of $100,000).
  rep = {
    dana: await createRep(db, orgId, { name: 'Dana Leaving', region: 'West' }),
    ana: await createRep(db, orgId, { name: 'Ana Overfull', region: 'West', maxRevenueCents: 300_000_00 }),
    ben: await createRep(db, orgId, { name: 'Ben Roomy', region: 'West' }),
    cy: await createRep(db, orgId, { name: 'Cy Roomy', region: 'West' }),
  };
  const account = (name: string, owner: { id: string }, custom: Record<string, unknown> = {}) =>
    createAccount(db, orgId, {
      name,
      ownerRepId: owner.id,
      region: 'West',
      annualRevenueCents: 100_000_00,
      custom,
    });
  anaAccounts = [];
  for (let i = 0; i < 5; i++) anaAccounts.push(await account(`Ana ${i}`, rep.ana));
  for (let i = 0; i < 2; i++) await account(`Dana ${i}`, rep.dana);
  await account('Ben 0', rep.ben);
});
afterAll(() => w?.close());

interface Conflict {
  id: string;
  kind: string;
  severity: string;
  repId: string | null;
  message: string;
}

async function solvedRun(body: Record<string, unknown>) {
  const created = await w.call('analyst', 'POST', '/runs', { scope: 'ownership', ...body });
  expect(created.status, JSON.stringify(created.body)).toBe(201);
  const run = await solveAndDrain(w, created.body.id);
  expect(run.status, JSON.stringify(run)).toBe('solved');
  const conflicts = (await w.call('analyst', 'GET', `/runs/${created.body.id}/conflicts`)).body
    .data as Conflict[];
  return { runId: created.body.id as string, conflicts };
}

it('a departure leaves a rep over its cap that receives nothing: a blocking conflict names the rep, the cap and the amount', async () => {
  const { runId, conflicts } = await solvedRun({
    kind: 'rep_departure',
    reason: 'Dana leaves',
    params: { departingRepIds: [rep.dana.id] },
  });
  const accounts = (await w.call('analyst', 'GET', `/runs/${runId}/accounts?pageSize=50`)).body.data as {
    toRepId: string | null;
  }[];
  expect(accounts.some((a) => a.toRepId === rep.ana.id)).toBe(false);
  const over = conflicts.filter((c) => c.repId === rep.ana.id);
  expect(over).toMatchObject([{ kind: 'over_revenue_cap', severity: 'blocking' }]);
  expect(over[0]!.message).toBe(
    'Ana Overfull would own $500,000 of revenue, over the cap of $300,000 by $200,000: over before this run, which cannot move enough of their accounts away. Raise the cap, move accounts away from Ana Overfull in a realignment, or accept it with a note.',
  );
  // Approval waits for a decision on it.
  const list = (await w.call('analyst', 'GET', `/runs/${runId}/conflicts`)).body;
  expect(list.openBlocking).toBeGreaterThan(0);
});

it('a realignment of the region holds the cap: Ana gives accounts away and no cap conflict remains', async () => {
  const { runId, conflicts } = await solvedRun({
    kind: 'realignment',
    reason: 'Rebalance the West',
    params: { regions: ['West'] },
  });
  expect(conflicts.filter((c) => c.kind === 'over_revenue_cap')).toEqual([]);
  const summary = (await w.call('analyst', 'GET', `/runs/${runId}/summary`)).body;
  const ana = summary.reps.find((r: { repId: string }) => r.repId === rep.ana.id);
  expect(ana.revenueAfterCents).toBeLessThanOrEqual(300_000_00);
  expect(ana.overRevenueCap).toBe(false);
});

it('a realignment whose protections keep a rep over its cap names the rep in a blocking conflict', async () => {
  const db = w.h.db.db;
  const fay = await createRep(db, w.orgId, {
    name: 'Fay Kept',
    region: 'North',
    maxRevenueCents: 300_000_00,
  });
  await createRep(db, w.orgId, { name: 'Gus Roomy', region: 'North' });
  for (let i = 0; i < 5; i++)
    await createAccount(db, w.orgId, {
      name: `Fay ${i}`,
      ownerRepId: fay.id,
      region: 'North',
      annualRevenueCents: 100_000_00,
      // Four are marked "keep with the current owner" in the import: they cannot leave Fay.
      custom: i < 4 ? { protected: true } : {},
    });
  const { conflicts } = await solvedRun({
    kind: 'realignment',
    reason: 'Rebalance the North',
    params: { regions: ['North'] },
  });
  const over = conflicts.filter((c) => c.repId === fay.id);
  expect(over).toMatchObject([{ kind: 'over_revenue_cap', severity: 'blocking' }]);
  expect(over[0]!.message).toMatch(
    /^Fay Kept would own \$400,000 of revenue, over the cap of \$300,000 by \$100,000: over before this run/,
  );
});
