/**
 * Compare counts what really moved (issue 17): on the demo data, after a first committed run, a realignment of one region is created, solved,
 * approved and committed through the API, beside a second proposal for the same region. Before and after the
 * commit, Compare says the realignment moves exactly the accounts its change set moves (never 1 once the owners
 * in the book are the new ones), and the compare page says the same number.
 */
import { and, eq } from 'drizzle-orm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import * as s from '../../../db/schema/index.ts';
import { DEMO_PASSWORD, seedDemo } from '../../../db/seed.ts';
import { createJobRunner } from '../../../src/jobs/runner.ts';
import { compareRuns } from '../../../src/services/review/compare.ts';
import { getRunSummary } from '../../../src/services/review/review.ts';
import { solveRunJob } from '../../../src/services/solve/solve-run-job.ts';
import { apiKeyFor, Browser, createHarness, type Harness, type Json, ORIGIN } from '../../app/harness.ts';

let h: Harness;
let runner: ReturnType<typeof createJobRunner>;
let orgId: string;
const keys = { analyst: '', manager: '' };

beforeAll(async () => {
  h = await createHarness({ SOLVER_TIME_LIMIT_SECONDS: '3' });
  const seeded = await seedDemo(h.db.db, { accounts: 240, today: '2026-11-23' });
  orgId = seeded.orgs.find((o) => o.name === 'Acme Sales')!.id;
  keys.analyst = (await apiKeyFor(h, orgId, 'analyst')).key;
  keys.manager = (await apiKeyFor(h, orgId, 'manager')).key;
  runner = createJobRunner({ db: h.db.db, handlers: { solve_run: solveRunJob } });
  h.clock.now = new Date(Date.now() + 60_000);
}, 240_000);
afterAll(() => h?.close());

async function call(role: keyof typeof keys, method: string, path: string, body?: unknown) {
  const res = await h.app.request(`${ORIGIN}/v1${path}`, {
    method,
    headers: {
      authorization: `Bearer ${keys[role]}`,
      ...(body !== undefined ? { 'content-type': 'application/json' } : {}),
    },
    ...(body !== undefined ? { body: JSON.stringify(body) } : {}),
  });
  const text = await res.text();
  return { status: res.status, body: (text ? JSON.parse(text) : null) as Json };
}

async function solvedRealignment(region: string, strategy: string) {
  const created = await call('analyst', 'POST', '/runs', {
    kind: 'realignment',
    scope: 'ownership',
    reason: `Realign ${region} (${strategy})`,
    params: { regions: [region], strategy, commissionType: 'direct_transfer' },
  });
  expect(created.status, JSON.stringify(created.body)).toBe(201);
  const runId = created.body.id as string;
  expect((await call('analyst', 'POST', `/runs/${runId}/solve`)).status).toBe(202);
  await runner.drain();
  const solved = await call('analyst', 'GET', `/runs/${runId}`);
  expect(solved.body.status, solved.body.failureReason).toBe('solved');
  return runId;
}

async function commit(runId: string) {
  const conflicts = await call('manager', 'GET', `/runs/${runId}/conflicts`);
  for (const c of conflicts.body.data as { id: string; severity: string; resolution: string | null }[]) {
    if (c.severity !== 'blocking' || c.resolution) continue;
    const res = await call('manager', 'POST', `/runs/${runId}/conflicts/${c.id}/resolve`, {
      resolution: 'accept',
      note: 'Checked for the compare test',
    });
    expect(res.status, JSON.stringify(res.body)).toBe(200);
  }
  const reviewed = await call('manager', 'GET', `/runs/${runId}`);
  const approved = await call('manager', 'POST', `/runs/${runId}/approve`, {
    expectedHash: reviewed.body.proposalHash,
    expectedVersion: reviewed.body.version,
  });
  expect(approved.status, JSON.stringify(approved.body)).toBe(200);
  const committed = await call('manager', 'POST', `/runs/${runId}/commit`, {});
  expect(committed.status, JSON.stringify(committed.body)).toBe(200);
}

/** The accounts the commit moved, read from its change set (what the CRM files and the rollback read). */
async function accountsMovedByCommit(runId: string) {
  const [cs] = await h.db.db.select().from(s.changeSets).where(eq(s.changeSets.runId, runId));
  const items = await h.db.db
    .select()
    .from(s.changeSetItems)
    .where(and(eq(s.changeSetItems.changeSetId, cs!.id), eq(s.changeSetItems.object, 'account')));
  return items.filter((i) => i.fromRepId !== i.toRepId).length;
}

describe('Compare after a commit', () => {
  it('counts the accounts a committed realignment moved, before and after the commit, on the page too', async () => {
    // The demo region with the most accounts owned by people, so the realignment moves many.
    const accounts = await h.db.db.select().from(s.accounts).where(eq(s.accounts.orgId, orgId));
    const byRegion = new Map<string, number>();
    for (const a of accounts) if (a.region) byRegion.set(a.region, (byRegion.get(a.region) ?? 0) + 1);
    const region = [...byRegion.entries()].sort((a, b) => b[1] - a[1])[0]![0];
    // A demo in use: a single-account run was committed first, so the realignment plans on the live owners (not
    // the import's snapshot), and after its own commit those owners are its new ones.
    const account = accounts.find((a) => a.region !== region && a.ownerRepId && !a.isHouse)!;
    const receiver = (await h.db.db.select().from(s.reps).where(eq(s.reps.orgId, orgId))).find(
      (r) => r.kind === 'person' && r.mayReceive && r.endDate === null && r.id !== account.ownerRepId,
    )!;
    const first = await call('analyst', 'POST', '/runs', {
      kind: 'account',
      scope: 'ownership',
      reason: 'One account first',
      params: { accountId: account.id, newOwnerRepId: receiver.id, commissionType: 'direct_transfer' },
    });
    expect(first.status, JSON.stringify(first.body)).toBe(201);
    expect((await call('analyst', 'POST', `/runs/${first.body.id}/solve`)).status).toBe(202);
    await runner.drain();
    await commit(first.body.id as string);
    h.clock.advance(60_000);

    const realignment = await solvedRealignment(region, 'optimal');
    const other = await solvedRealignment(region, 'round-robin');
    const ctx = {
      db: h.db.db,
      clock: () => h.clock.now,
      principal: { kind: 'session' as const, orgId, orgName: 'Acme Sales', role: 'manager' as const },
    };
    const before = await compareRuns({ ctx, input: { leftRunId: realignment, rightRunId: other } });
    expect(before.left.moved).toBeGreaterThan(5);
    const summaryBefore = await getRunSummary({ ctx, input: { runId: realignment } });

    await commit(realignment);
    const moved = await accountsMovedByCommit(realignment);
    expect(moved).toBe(before.left.moved);
    const after = await compareRuns({ ctx, input: { leftRunId: realignment, rightRunId: other } });
    expect(after.left.status).toBe('committed');
    expect(after.left.moved).toBe(moved);
    // The run page's summary reads the same after the commit: what moved, and each rep's book before and after.
    const summaryAfter = await getRunSummary({ ctx, input: { runId: realignment } });
    expect(summaryAfter.moved).toBe(moved);
    const loads = (x: typeof summaryBefore) =>
      x.reps.map((r) => [r.repId, r.countBefore, r.countAfter, r.accountsIn, r.accountsOut]).sort();
    expect(loads(summaryAfter)).toEqual(loads(summaryBefore));
    // Seen from the other run, the committed one still moved what it moved.
    const mirrored = await compareRuns({ ctx, input: { leftRunId: other, rightRunId: realignment } });
    expect(mirrored.right.moved).toBe(moved);
    // Each rep's book after the committed run is the book as the commit left it.
    const owners = new Map<string, number>();
    for (const a of await h.db.db.select().from(s.accounts).where(eq(s.accounts.orgId, orgId)))
      if (a.ownerRepId) owners.set(a.ownerRepId, (owners.get(a.ownerRepId) ?? 0) + 1);
    for (const r of after.reps) expect(r.leftCount, r.name).toBe(owners.get(r.repId) ?? 0);

    // The page says the same, as the demo's manager reads it.
    const manager = new Browser(h);
    await manager.login('manager@demo.test', DEMO_PASSWORD);
    const { res, html } = await manager.page(`/runs/${realignment}/compare?with=${other}`);
    expect(res.status).toBe(200);
    const row = /<th scope="row">Accounts moving<\/th><td class="num">([\d,]+)<\/td>/.exec(html);
    expect(row?.[1]).toBe(moved.toLocaleString('en-US'));
  });
});
