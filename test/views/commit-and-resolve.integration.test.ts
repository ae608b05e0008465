/**
 * The run page's htmx actions update the page once and say what happened (issue 17): "Exclude the account" on a
 * conflict whose exclusion makes it go away answers with what happened (not "Page not found"); one click on
 * "Commit the change" loads the committed run as a whole page (HX-Redirect), never a redirect followed inside the
 * panel; the approve page lists the split change the commit writes before anyone approves.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type RunsWorld, solveAndDrain } from '../api/runs/run-fixture.ts';
import { type Browser, createUser, signedIn } from '../app/harness.ts';
import {
  createCommissionWorld,
  createDeal,
  monthly,
  type Roster,
  seedRoster,
} from '../services/commission-splits/commission-fixture.ts';

let w: RunsWorld;
let r: Roster;
let manager: Browser;
beforeAll(async () => {
  w = await createCommissionWorld();
  r = await seedRoster(w);
  manager = await signedIn(w.h, await createUser(w.h, w.orgId, 'manager'));
});
afterAll(async () => {
  await w?.close();
});

async function solvedRun(
  kind: 'account' | 'opportunity',
  customBps: number,
  split: { house: number; sub: number },
) {
  const deal = await createDeal(
    w,
    r.dana,
    [
      ...(split.house ? [{ repId: r.house.id, role: 'house' as const, bps: split.house }] : []),
      ...(split.sub ? [{ repId: r.sub.id, role: 'subagent' as const, bps: split.sub }] : []),
      { repId: r.dana.id, role: 'rep' as const, bps: 10_000 - split.house - split.sub },
    ],
    monthly(2026, 1000_00),
    { accountName: 'Globex Renewals' },
  );
  const created = await w.call('manager', 'POST', '/runs', {
    kind,
    scope: 'open_opportunities',
    reason: 'Ria takes the renewal',
    commissionEndDate: '2026-06-14',
    reassignmentDate: '2026-06-15',
    params: {
      ...(kind === 'account' ? { accountId: deal.account.id } : { opportunityId: deal.opp.id }),
      newOwnerRepId: r.ria.id,
      commissionType: 'custom',
      customBps,
    },
  });
  expect(created.status, JSON.stringify(created.body)).toBe(201);
  const runId = created.body.id as string;
  expect((await solveAndDrain(w, runId, 'manager')).status).toBe('solved');
  return { runId, deal };
}

describe('run page actions', () => {
  it('excluding the account of an unwritable split answers with what happened, not "Page not found"', async () => {
    const { runId, deal } = await solvedRun('account', 9000, { house: 1000, sub: 2000 });
    const conflicts = (await w.call('manager', 'GET', `/runs/${runId}/conflicts`)).body.data as {
      id: string;
      opportunityId: string | null;
      severity: string;
    }[];
    const k = conflicts.find((c) => c.opportunityId === deal.opp.id && c.severity === 'blocking')!;
    await manager.page(`/runs/${runId}`);
    const res = await manager.request(`/runs/${runId}/conflicts/${k.id}`, {
      method: 'POST',
      headers: { 'hx-request': 'true', 'hx-target': `article#conflict-${k.id}` },
      form: { _csrf: manager.csrfToken, resolution: 'exclude', note: 'Dana keeps this one' },
    });
    expect(res.status).toBe(200);
    const html = await res.text();
    expect(html).not.toContain('Page not found');
    expect(html).toContain(`id="conflict-${k.id}"`);
    expect(html).toMatch(/excluded from the run/);
  });

  it('approve shows the split the commit writes; one commit click answers with a redirect for htmx, not the page inside the panel', async () => {
    const { runId, deal } = await solvedRun('opportunity', 3500, { house: 3000, sub: 0 });
    const approve = await manager.page(`/runs/${runId}/approve`);
    expect(approve.html).toContain('id="approve-splits-list"');
    expect(approve.html).toContain(`data-opportunity="${deal.opp.id}"`);
    expect(approve.html).toMatch(/House 65(\.0+)?%/);
    expect(approve.html).toMatch(/Ria Receiver 35(\.0+)?%/);
    // An opportunity-level run moves no account: the page says what changes instead of "0 account(s)".
    expect(approve.html).not.toMatch(/0 account\(s\)/);
    expect(approve.html).toContain('<strong id="confirm-count">the opportunity</strong> changes owner');
    const reviewed = await w.call('manager', 'GET', `/runs/${runId}`);
    const approved = await w.call('manager', 'POST', `/runs/${runId}/approve`, {
      expectedHash: reviewed.body.proposalHash,
      expectedVersion: reviewed.body.version,
    });
    expect(approved.status, JSON.stringify(approved.body)).toBe(200);
    await manager.page(`/runs/${runId}`);
    const res = await manager.request(`/runs/${runId}/commit`, {
      method: 'POST',
      headers: { 'hx-request': 'true', 'hx-target': 'section#approve-panel' },
      form: { _csrf: manager.csrfToken },
    });
    expect(res.status).toBe(200);
    expect(res.headers.get('hx-redirect')).toBe(`/runs/${runId}?committed=1#committed`);
    expect(res.headers.get('location')).toBeNull();
    const after = await manager.page(`/runs/${runId}`);
    expect(after.html.match(/id="committed-title"/g)).toHaveLength(1);
    expect(after.html).not.toContain('id="approve-panel"');
  });
});
