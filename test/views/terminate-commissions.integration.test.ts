/**
 * The level-3 "Terminate all commissions" flow at the HTML level (seed 003): the button on a rep's page (managers
 * only), the form with its errors next to the fields, the run it creates through the runs service (a rep_departure
 * of scope open_opportunities with the segments and dates), the solve it starts, and the run page's commission
 * impact panel (a lazy htmx fragment, or a page). Also the account page's links to the commission pages.
 */
import { eq } from 'drizzle-orm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import * as s from '../../db/schema/index.ts';
import { createJobRunner } from '../../src/jobs/runner.ts';
import { solveRunJob } from '../../src/services/solve/solve-run-job.ts';
import { type Browser, createHarness, createOrgWithUsers, type Harness, signedIn } from '../app/harness.ts';
import { createAccount, createOpportunity, createRep, createSplits } from '../support/factories.ts';

let h: Harness;
let runner: ReturnType<typeof createJobRunner>;
let org: Awaited<ReturnType<typeof createOrgWithUsers>>;
let manager: Browser;
let analyst: Browser;
let finance: Browser;
let book: Awaited<ReturnType<typeof seed>>;

async function seed(orgId: string) {
  const db = h.db.db;
  const house = await createRep(db, orgId, { kind: 'house', name: 'House', mayReceive: false });
  const dana = await createRep(db, orgId, { name: 'Dana Departing', region: 'West' });
  await createRep(db, orgId, { name: 'Ria Receiver', region: 'West' });
  await createRep(db, orgId, { name: 'Sam Receiver', region: 'West' });
  const enterprise = await createAccount(db, orgId, {
    name: 'Enterprise Client',
    ownerRepId: dana.id,
    region: 'West',
    type: 'Enterprise',
  });
  const smb = await createAccount(db, orgId, {
    name: 'Small Client',
    ownerRepId: dana.id,
    region: 'West',
    type: 'SMB',
  });
  const deals = [];
  for (const [account, amount] of [
    [enterprise, 120_000_00],
    [smb, 12_000_00],
  ] as const) {
    const opp = await createOpportunity(db, orgId, account.id, {
      ownerRepId: dana.id,
      amountCents: amount,
      createdDate: '2026-01-01',
      closeDate: '2027-06-30',
    });
    await createSplits(db, orgId, opp.id, [
      { repId: house.id, role: 'house', bps: 4500 },
      { repId: dana.id, role: 'rep', bps: 5500 },
    ]);
    await db.insert(s.revenueSchedules).values(
      Array.from({ length: 12 }, (_, i) => ({
        orgId,
        opportunityId: opp.id,
        periodStart: `2026-${String(i + 1).padStart(2, '0')}-01`,
        periodEnd: new Date(Date.UTC(2026, i + 1, 0)).toISOString().slice(0, 10),
        amountCents: amount / 100,
      })),
    );
    deals.push(opp);
  }
  const closed = await createOpportunity(db, orgId, smb.id, {
    name: 'Old closed deal',
    ownerRepId: dana.id,
    status: 'closed_won',
    stage: 'Closed Won',
  });
  return { house, dana, enterprise, smb, deals, closed };
}

const validForm = () => ({
  commissionEndDate: '2026-06-14',
  reassignmentDate: '2026-06-15',
  reason: 'Dana leaves on 14 June',
  commissionType: 'direct_transfer',
  customPct: '',
  'seg-0-accountType': 'Enterprise',
  'seg-0-commissionType': 'custom',
  'seg-0-customPct': '35',
  'seg-1-maxAmount': '20,000',
  'seg-1-commissionType': 'house_absorbs',
});

beforeAll(async () => {
  h = await createHarness({ SOLVER_TIME_LIMIT_SECONDS: '5' });
  runner = createJobRunner({ db: h.db.db, handlers: { solve_run: solveRunJob } });
  org = await createOrgWithUsers(h, 'Terminate Org');
  book = await seed(org.id);
  manager = await signedIn(h, org.users.manager);
  analyst = await signedIn(h, org.users.analyst);
  finance = await signedIn(h, org.users.finance);
});
afterAll(async () => {
  await h?.close();
});

describe('terminate all commissions (rep page, level 3)', () => {
  it('shows the button to managers only, and the form to managers only', async () => {
    const repPage = `/reps/${book.dana.id}`;
    expect((await manager.page(repPage)).html).toContain(
      `href="/reps/${book.dana.id}/terminate-commissions"`,
    );
    expect((await analyst.page(repPage)).html).not.toContain('id="terminate-commissions"');
    expect((await finance.page(repPage)).html).not.toContain('id="terminate-commissions"');
    expect((await manager.page(`/reps/${book.house.id}`)).html).not.toContain('id="terminate-commissions"');

    const { res, html } = await manager.page(`${repPage}/terminate-commissions`);
    expect(res.status).toBe(200);
    expect(html).toContain('Terminate all commissions — Dana Departing');
    for (const name of ['commissionEndDate', 'reassignmentDate', 'reason', 'commissionType', 'customPct'])
      expect(html).toContain(`name="${name}"`);
    expect(html).toContain('name="seg-0-accountType"');
    expect(html).toContain('<option value="Enterprise">Enterprise</option>');
    expect(html).toContain('<option value="SMB">SMB</option>');
    expect((await analyst.request(`${repPage}/terminate-commissions`)).status).toBe(403);
    expect((await finance.request(`${repPage}/terminate-commissions`)).status).toBe(403);
    expect((await manager.request(`/reps/${crypto.randomUUID()}/terminate-commissions`)).status).toBe(404);
  });

  it('refuses an incomplete form with the errors next to the fields and the values kept, creating no run', async () => {
    await manager.page(`/reps/${book.dana.id}/terminate-commissions`);
    const before = await h.db.db.select({ id: s.runs.id }).from(s.runs).where(eq(s.runs.orgId, org.id));
    const res = await manager.request(`/reps/${book.dana.id}/terminate-commissions`, {
      method: 'POST',
      form: {
        _csrf: manager.csrfToken,
        ...validForm(),
        reason: '',
        reassignmentDate: '2026-06-01',
        'seg-0-customPct': '',
        'seg-2-commissionType': 'house_absorbs',
        'seg-3-minAmount': 'lots',
      },
    });
    expect(res.status).toBe(400);
    const html = await res.text();
    expect(html).toContain('id="t-reason-error"');
    expect(html).toMatch(/Say why this run is needed/);
    expect(html).toMatch(/on or after the commission end date \(2026-06-14\)/);
    expect(html).toMatch(/Segment 1: type C needs the new rep’s share/);
    expect(html).toMatch(/Segment 3 has no condition/);
    expect(html).toMatch(/Segment 4: choose its type/);
    expect(html).toContain('value="2026-06-14"');
    const after = await h.db.db.select({ id: s.runs.id }).from(s.runs).where(eq(s.runs.orgId, org.id));
    expect(after.length).toBe(before.length);
  });

  it('creates a segmented rep_departure run, starts its solve and shows the commission impact on the run page', async () => {
    await manager.page(`/reps/${book.dana.id}/terminate-commissions`);
    const res = await manager.request(`/reps/${book.dana.id}/terminate-commissions`, {
      method: 'POST',
      form: { _csrf: manager.csrfToken, ...validForm() },
    });
    expect(res.status).toBe(303);
    const runId = /\/runs\/([0-9a-f-]{36})$/.exec(res.headers.get('location') ?? '')?.[1];
    expect(runId).toBeTruthy();
    const [run] = await h.db.db.select().from(s.runs).where(eq(s.runs.id, runId!));
    expect(run).toMatchObject({
      kind: 'rep_departure',
      scope: 'open_opportunities',
      status: 'solving',
      reason: 'Dana leaves on 14 June',
      commissionEndDate: '2026-06-14',
      reassignmentDate: '2026-06-15',
    });
    expect(run!.params).toEqual({
      departingRepIds: [book.dana.id],
      commissionType: 'direct_transfer',
      commissionSegments: [
        { match: { accountType: 'Enterprise' }, commissionType: 'custom', customBps: 3500 },
        { match: { maxAmountCents: 20_000_00 }, commissionType: 'house_absorbs' },
      ],
    });

    await runner.drain();
    const page = await manager.page(`/runs/${runId}`);
    expect(page.res.status).toBe(200);
    expect(page.html).toContain('id="run-commission-strategy"');
    expect(page.html).toContain('account type Enterprise → type C (custom) 35% to the new rep');
    expect(page.html).toContain('deal size below $20,000 → type A (House absorbs)');
    expect(page.html).toContain(`hx-get="/runs/${runId}/commission-impact"`);

    const fragment = await manager.request(`/runs/${runId}/commission-impact`, {
      headers: { 'hx-request': 'true' },
    });
    expect(fragment.status).toBe(200);
    const panel = await fragment.text();
    expect(panel).not.toContain('<html');
    expect(panel).toContain('id="commission-impact-people"');
    expect(panel).toContain('Dana Departing');
    expect(panel).toContain('departing rep');
    expect(panel).toContain('C — custom');
    expect(panel).toContain('A — House absorbs');
    expect(panel).toMatch(/Opportunities changed<\/dt><dd class="stat-value">2</);

    const full = await finance.page(`/runs/${runId}/commission-impact`);
    expect(full.res.status).toBe(200);
    expect(full.html).toContain('<html');
    expect(full.html).toContain('id="commission-impact-people"');
    const csv = await finance.request(`/v1/runs/${runId}/commission-impact.csv`);
    expect(csv.status).toBe(200);
    expect(await csv.text()).toContain('participant_id');
  });
});

describe('account page links to the commission pages', () => {
  it('gives managers "Manage commissions" per open opportunity and "Reassign all opportunities"', async () => {
    const { html } = await manager.page(`/accounts/${book.smb.id}`);
    expect(html).toContain(`href="/accounts/${book.smb.id}/reassign-opportunities"`);
    expect(html).toContain(`href="/opportunities/${book.deals[1]!.id}"`);
    expect(html).not.toContain(`href="/opportunities/${book.closed.id}"`);
    const asAnalyst = (await analyst.page(`/accounts/${book.smb.id}`)).html;
    expect(asAnalyst).not.toContain('/reassign-opportunities"');
    expect(asAnalyst).not.toContain('href="/opportunities/');
  });
});
