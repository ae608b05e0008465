/**
 * Issue 5's "from import to commit" for the kinds the other files stop short of: another system imports a roster
 * and a book as CSV through the API, then runs a realignment of one region and a new hire's starter book, each
 * planned on that import snapshot, through solve, review, approval and commit — no account dropped, none twice.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createRunsWorld, type RunsWorld } from './run-fixture.ts';

let w: RunsWorld;
beforeAll(async () => {
  w = await createRunsWorld();
});
afterAll(() => w.close());

const REGIONS = ['West', 'East'] as const;
const rosterCsv = [
  'rep_id,name,email,rep_type,region,segment,may_receive,departing,end_date,max_accounts,max_revenue,seniority,weight,ramp_target,manager',
  ...Array.from({ length: 6 }, (_, i) => {
    const region = REGIONS[i % 2];
    return `005R${i},Rep ${i},rep${i}@example.com,rep,${region},,yes,no,,,,1,1,,`;
  }),
  '005HIRE,Nova Hire,nova@example.com,rep,West,,yes,no,,,,0,1,,',
].join('\n');
// Lopsided on purpose: Rep 0 and Rep 1 own most of the book, so a realignment has something to even out.
const accountsCsv = [
  'account_id,account_name,owner_id,annual_revenue,region,tier,type,industry,protected,next_close_date',
  ...Array.from({ length: 36 }, (_, i) => {
    const region = REGIONS[i % 2];
    const owner = i < 24 ? `005R${i % 2}` : `005R${2 + (i % 4)}`;
    return `ACC-${String(i).padStart(3, '0')},Account ${i},${owner},${(i + 1) * 10_000},${region},1,Customer,Retail,no,`;
  }),
].join('\n');

async function importCsv(kind: string, csv: string) {
  const res = await w.h.app.request(`http://bookshift.test/v1/imports?kind=${kind}`, {
    method: 'POST',
    headers: { authorization: `Bearer ${w.keys.analyst}`, 'content-type': 'text/csv' },
    body: csv,
  });
  const body = await res.json();
  expect(res.status, JSON.stringify(body)).toBe(201);
  return body as { id: string; counts: { inserted: number } };
}

/** Solve, accept each blocking conflict with a note, approve what was reviewed, commit. */
async function throughCommit(runId: string) {
  // The harness clock stands still; imports are stamped by the database: keep the app's now in step with it.
  w.h.clock.now = new Date();
  expect((await w.call('analyst', 'POST', `/runs/${runId}/solve`)).status).toBe(202);
  await w.runner.drain();
  const solved = await w.call('manager', 'GET', `/runs/${runId}`);
  expect(solved.body.status, JSON.stringify(solved.body)).toBe('solved');
  const conflicts = await w.call('manager', 'GET', `/runs/${runId}/conflicts`);
  for (const c of conflicts.body.data as { id: string; severity: string; resolution: string | null }[]) {
    if (c.severity !== 'blocking' || c.resolution) continue;
    const res = await w.call('manager', 'POST', `/runs/${runId}/conflicts/${c.id}/resolve`, {
      resolution: 'accept',
      note: 'Reviewed',
    });
    expect(res.status).toBe(200);
  }
  const reviewed = (await w.call('manager', 'GET', `/runs/${runId}`)).body;
  const approved = await w.call('manager', 'POST', `/runs/${runId}/approve`, {
    expectedHash: reviewed.proposalHash,
    expectedVersion: reviewed.version,
  });
  expect(approved.status, JSON.stringify(approved.body)).toBe(200);
  const committed = await w.call('manager', 'POST', `/runs/${runId}/commit`, {});
  expect(committed.status, JSON.stringify(committed.body)).toBe(200);
  return committed.body as { changeSet: { counts: { accounts: number } } };
}

async function book() {
  const res = await w.call('manager', 'GET', '/accounts?limit=1000');
  return res.body.data as { id: string; crmId: string; ownerRepId: string | null; region: string | null }[];
}

describe('from import to commit', () => {
  it('a new hire’s starter book on the imported snapshot, then a realignment of one region on the book as committed', async () => {
    expect((await importCsv('reps', rosterCsv)).counts.inserted).toBe(7);
    const imported = await importCsv('accounts', accountsCsv);
    expect(imported.counts.inserted).toBe(36);

    const reps = (await w.call('manager', 'GET', '/reps?limit=100')).body.data as {
      id: string;
      name: string;
    }[];
    const repId = (name: string) => reps.find((r) => r.name === name)!.id;
    const before = await book();

    // New hire: Nova gets a starter book, at most 2 accounts from any one rep.
    const hire = await w.call('analyst', 'POST', '/runs', {
      kind: 'new_hire',
      reason: 'Nova starts on Monday',
      importId: imported.id,
      params: { hireRepIds: [repId('Nova Hire')], rampTargetBps: 5000, maxTakenPerRep: 2 },
    });
    expect(hire.status, JSON.stringify(hire.body)).toBe(201);
    const r2 = await throughCommit(hire.body.id);
    const afterHire = await book();
    const novas = afterHire.filter((a) => a.ownerRepId === repId('Nova Hire'));
    expect(novas.length).toBe(r2.changeSet.counts.accounts);
    expect(novas.length).toBeGreaterThan(0);
    const takenFrom = new Map<string, number>();
    for (const a of novas) {
      const prev = before.find((b) => b.id === a.id)!.ownerRepId!;
      takenFrom.set(prev, (takenFrom.get(prev) ?? 0) + 1);
    }
    for (const n of takenFrom.values()) expect(n).toBeLessThanOrEqual(2);
    expect(new Set(afterHire.map((a) => a.id)).size).toBe(36);
    // Realignment of the East, after that commit (so planned on the book as it stands): only East accounts move.
    const realign = await w.call('analyst', 'POST', '/runs', {
      kind: 'realignment',
      reason: 'Even out the East',
      params: { regions: ['East'] },
    });
    expect(realign.status, JSON.stringify(realign.body)).toBe(201);
    // A run committed since the import, so the default is the book as it stands, not the older snapshot.
    expect(realign.body.importId).toBeNull();
    const r1 = await throughCommit(realign.body.id);
    expect(r1.changeSet.counts.accounts).toBeGreaterThan(0);
    const afterRealign = await book();
    expect(afterRealign).toHaveLength(36);
    for (const a of afterRealign) {
      expect(a.ownerRepId).not.toBeNull();
      const was = afterHire.find((b) => b.id === a.id)!;
      if (a.region === 'West') expect(a.ownerRepId).toBe(was.ownerRepId);
    }
  });
});
