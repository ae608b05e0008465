/**
 * HTML-level tests of the commission pages (issue 8 levels 1 and 2): the opportunity page with its current split
 * and its history timeline (two changes, before | after, with the runs that made them), "Manage commissions"
 * refusing what the rules refuse next to the field, and valid level-1 and level-2 forms creating the right run,
 * requesting its solve and sending the manager to it. Roles and org isolation of the pages too.
 */
import { count, eq } from 'drizzle-orm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import * as s from '../../db/schema/index.ts';
import { createJobRunner } from '../../src/jobs/runner.ts';
import { solveRunJob } from '../../src/services/solve/solve-run-job.ts';
import { type Browser, createHarness, createOrgWithUsers, type Harness, signedIn } from '../app/harness.ts';
import {
  createAccount,
  createOpportunity,
  createRep,
  createRun,
  createSplits,
} from '../support/factories.ts';

const UUID_IN = /^\/runs\/([0-9a-f-]{36})$/;

let h: Harness;
let runner: ReturnType<typeof createJobRunner>;
let org: Awaited<ReturnType<typeof createOrgWithUsers>>;
let other: Awaited<ReturnType<typeof createOrgWithUsers>>;
let manager: Browser;
let analyst: Browser;
let book: Awaited<ReturnType<typeof seed>>;

async function seed(orgId: string) {
  const db = h.db.db;
  const house = await createRep(db, orgId, { kind: 'house', name: 'House', mayReceive: false });
  const eve = await createRep(db, orgId, { name: 'Eve Seller', region: 'East' });
  const ben = await createRep(db, orgId, { name: 'Ben Taker', region: 'West' });
  const ana = await createRep(db, orgId, { name: 'Ana Other', region: 'West' });
  const account = await createAccount(db, orgId, { name: 'Acme Corp', ownerRepId: eve.id });
  const deal = async (name: string, values: Partial<typeof s.opportunities.$inferInsert> = {}) => {
    const opp = await createOpportunity(db, orgId, account.id, {
      name,
      ownerRepId: eve.id,
      amountCents: 12_000_00,
      createdDate: '2026-01-15',
      closeDate: '2026-12-15',
      ...values,
    });
    await createSplits(db, orgId, opp.id, [
      { repId: house.id, role: 'house', bps: 4500 },
      { repId: eve.id, role: 'rep', bps: 5500 },
    ]);
    return opp;
  };
  const renewal = await deal('Acme renewal', { stage: 'Negotiation' });
  const upsell = await deal('Acme upsell', { amountCents: 3_000_00, stage: 'Proposal' });
  const lost = await deal('Acme old deal', { status: 'closed_lost', stage: 'Closed Lost' });
  // A partner deal: House 10% / Eve 50% / a Subagent 40%, so a Type C share above 60% would take House below 0.
  const partnerRep = await createRep(db, orgId, { kind: 'subagent', name: 'Partner Co', mayReceive: false });
  const partner = await createOpportunity(db, orgId, account.id, {
    name: 'Acme partner deal',
    ownerRepId: eve.id,
    createdDate: '2026-01-15',
  });
  await createSplits(db, orgId, partner.id, [
    { repId: house.id, role: 'house', bps: 1000 },
    { repId: eve.id, role: 'rep', bps: 5000 },
    { repId: partnerRep.id, role: 'subagent', bps: 4000 },
  ]);

  // A deal whose split changed twice: imported 45/55 with Eve, Ben took over on 1 April (run 1), then a custom
  // 35% for Ana on 1 July (run 2). Stored as effective-dated rows, the way commits write them.
  const storied = await createOpportunity(db, orgId, account.id, {
    name: 'Acme storied deal',
    ownerRepId: ana.id,
    createdDate: '2026-01-15',
  });
  const run1 = await createRun(db, orgId, { kind: 'opportunity', reason: 'Ben takes over from Eve' });
  const run2 = await createRun(db, orgId, { kind: 'opportunity', reason: 'Ana leads the expansion' });
  const rows = (
    parts: { repId: string; role: 'house' | 'rep'; bps: number }[],
    from: string,
    to: string | null,
    runId: string | null,
  ) =>
    db.insert(s.commissionSplits).values(
      parts.map((p) => ({
        orgId,
        opportunityId: storied.id,
        ...p,
        effectiveFrom: from,
        effectiveTo: to,
        runId,
      })),
    );
  await rows(
    [
      { repId: house.id, role: 'house', bps: 4500 },
      { repId: eve.id, role: 'rep', bps: 5500 },
    ],
    '2026-01-15',
    '2026-03-31',
    null,
  );
  await rows(
    [
      { repId: house.id, role: 'house', bps: 4500 },
      { repId: ben.id, role: 'rep', bps: 5500 },
    ],
    '2026-04-01',
    '2026-06-30',
    run1.id,
  );
  await rows(
    [
      { repId: house.id, role: 'house', bps: 6500 },
      { repId: ana.id, role: 'rep', bps: 3500 },
    ],
    '2026-07-01',
    null,
    run2.id,
  );
  return { house, eve, ben, ana, account, renewal, upsell, lost, partner, storied, run1, run2 };
}

async function runCount() {
  const [row] = await h.db.db.select({ n: count() }).from(s.runs).where(eq(s.runs.orgId, org.id));
  return Number(row!.n);
}

async function post(b: Browser, path: string, form: Record<string, string>) {
  return b.request(path, { method: 'POST', form: { _csrf: b.csrfToken, ...form } });
}

beforeAll(async () => {
  h = await createHarness({ SOLVER_TIME_LIMIT_SECONDS: '5' });
  runner = createJobRunner({ db: h.db.db, handlers: { solve_run: solveRunJob } });
  org = await createOrgWithUsers(h, 'Commission Pages Org');
  other = await createOrgWithUsers(h, 'Commission Pages Other Org');
  book = await seed(org.id);
  manager = await signedIn(h, org.users.manager);
  analyst = await signedIn(h, org.users.analyst);
});
afterAll(async () => {
  await h?.close();
});

describe('the opportunity page', () => {
  it('shows the opportunity, its owner, stage, amount, dates and current split; analysts cannot manage', async () => {
    const { res, html } = await analyst.page(`/opportunities/${book.renewal.id}`);
    expect(res.status).toBe(200);
    expect(html).toContain('<h1>Acme renewal</h1>');
    expect(html).toContain(`href="/accounts/${book.account.id}"`);
    expect(html).toContain('Acme Corp');
    expect(html).toContain(`<a href="/reps/${book.eve.id}">Eve Seller</a>`);
    expect(html).toContain('Negotiation');
    expect(html).toContain('$12,000');
    expect(html).toContain('2026-12-15');
    expect(html).toContain('2026-01-15');
    expect(html).toMatch(/Status<\/dt><dd class="stat-value">Open</);
    const current = html.slice(html.indexOf('id="current-split"'), html.indexOf('id="split-history"'));
    expect(current).toContain('<td>House</td><td>House</td><td class="num">45%</td>');
    expect(current).toContain('<td>Eve Seller</td><td>Rep</td><td class="num">55%</td>');
    expect(html).toContain('The original structure has not changed.');
    expect(html).not.toContain('id="manage-commissions"');
  });

  it('shows the history timeline: every structure in force and each change before | after with its run', async () => {
    const { res, html } = await analyst.page(`/opportunities/${book.storied.id}`);
    expect(res.status).toBe(200);
    const periods = html.slice(html.indexOf('id="split-periods"'), html.indexOf('id="split-changes"'));
    expect(periods).toContain('2026-01-15 → 2026-03-31');
    expect(periods).toContain('2026-04-01 → 2026-06-30');
    expect(periods).toContain('2026-07-01 → now');
    expect(periods).toContain('imported or entered outside a run');

    const first = html.slice(html.indexOf('id="split-change-1"'), html.indexOf('id="split-change-2"'));
    expect(first).toContain('From 2026-04-01');
    expect(first).toContain(`<a href="/runs/${book.run1.id}">Ben takes over from Eve</a>`);
    const [before1, after1] = first.split('After (');
    expect(before1).toContain('Before (2026-01-15 → 2026-03-31)');
    expect(before1).toContain('<td>Eve Seller</td><td>Rep</td><td class="num">55%</td>');
    expect(after1).toContain('<td>Ben Taker</td><td>Rep</td><td class="num">55%</td>');
    expect(after1).not.toContain('Eve Seller');

    const second = html.slice(
      html.indexOf('id="split-change-2"'),
      html.indexOf('</ol>', html.indexOf('id="split-change-2"')),
    );
    expect(second).toContain('From 2026-07-01');
    expect(second).toContain(`<a href="/runs/${book.run2.id}">Ana leads the expansion</a>`);
    const [before2, after2] = second.split('After (');
    expect(before2).toContain('<td>Ben Taker</td><td>Rep</td><td class="num">55%</td>');
    expect(after2).toContain('<td>House</td><td>House</td><td class="num">65%</td>');
    expect(after2).toContain('<td>Ana Other</td><td>Rep</td><td class="num">35%</td>');
    expect(html).not.toContain('id="split-change-3"');
  });

  it('offers managers "Manage commissions" with the receivers and the three types; not for a closed deal', async () => {
    const { html } = await manager.page(`/opportunities/${book.renewal.id}`);
    expect(html).toContain('id="manage-commissions"');
    expect(html).toContain(`action="/opportunities/${book.renewal.id}/commissions"`);
    expect(html).toContain('name="_csrf"');
    expect(html).toContain(`<option value="${book.ben.id}">Ben Taker (West)</option>`);
    expect(html).not.toContain(`<option value="${book.house.id}"`);
    for (const t of ['house_absorbs', 'direct_transfer', 'custom'])
      expect(html).toContain(`name="commissionType" value="${t}"`);
    const closed = await manager.page(`/opportunities/${book.lost.id}`);
    expect(closed.res.status).toBe(200);
    expect(closed.html).toContain('Closed (closed lost)');
    expect(closed.html).toContain('closed opportunities cannot be reassigned');
    expect(closed.html).not.toContain(`action="/opportunities/${book.lost.id}/commissions"`);
  });

  it('answers 404 for an unknown, malformed or other org’s opportunity, and 403 to a rep', async () => {
    const foreignAccount = await createAccount(h.db.db, other.id, { name: 'Foreign' });
    const foreign = await createOpportunity(h.db.db, other.id, foreignAccount.id, { name: 'Foreign deal' });
    expect((await manager.request(`/opportunities/${foreign.id}`)).status).toBe(404);
    expect((await manager.request('/opportunities/not-a-uuid')).status).toBe(404);
    expect((await manager.request('/opportunities/00000000-0000-4000-8000-000000000000')).status).toBe(404);
    const rep = await signedIn(h, org.users.rep);
    expect((await rep.request(`/opportunities/${book.renewal.id}`)).status).toBe(403);
  });
});

describe('Manage commissions (level 1)', () => {
  const valid = () => ({
    newOwnerRepId: book.ben.id,
    commissionType: 'custom',
    customPct: '35',
    commissionEndDate: '2026-03-31',
    reassignmentDate: '2026-04-01',
    reason: 'Ben takes the renewal',
  });

  it('refuses, next to the field and without creating a run: end date before creation, dates out of order, House below 0, no reason', async () => {
    await manager.page(`/opportunities/${book.renewal.id}`);
    const before = await runCount();
    const path = `/opportunities/${book.renewal.id}/commissions`;

    const early = await post(manager, path, { ...valid(), commissionEndDate: '2026-01-01' });
    expect(early.status).toBe(400);
    const earlyHtml = await early.text();
    expect(earlyHtml).toContain('Some fields need attention');
    expect(earlyHtml).toMatch(
      /id="f-commissionEndDate-error">The end date 2026-01-01 is before opportunity &quot;Acme renewal&quot; was created on 2026-01-15/,
    );
    expect(earlyHtml).toContain('aria-invalid="true"');

    const order = await post(manager, path, { ...valid(), reassignmentDate: '2026-03-01' });
    expect(order.status).toBe(400);
    expect(await order.text()).toMatch(
      /id="f-reassignmentDate-error">The reassignment date must be on or after the commission end date \(2026-03-31\)/,
    );

    const negative = await post(manager, `/opportunities/${book.partner.id}/commissions`, {
      ...valid(),
      customPct: '70',
    });
    expect(negative.status).toBe(400);
    const negativeHtml = await negative.text();
    expect(negativeHtml).toContain(
      'id="f-customPct-error">A custom share of 70% would leave House at -10%; the most the new rep can receive here is 60%.',
    );
    // The form keeps what the manager typed.
    expect(negativeHtml).toContain('value="70"');

    const noReason = await post(manager, path, { ...valid(), reason: '', customPct: '' });
    expect(noReason.status).toBe(400);
    const noReasonHtml = await noReason.text();
    expect(noReasonHtml).toContain('id="f-reason-error"');
    expect(noReasonHtml).toContain('id="f-customPct-error">Type C needs the new rep’s share in %');

    const sameOwner = await post(manager, path, { ...valid(), newOwnerRepId: book.eve.id });
    expect(sameOwner.status).toBe(400);
    expect(await sameOwner.text()).toContain('id="f-newOwnerRepId-error">The new owner is the current owner');

    const closed = await post(manager, `/opportunities/${book.lost.id}/commissions`, valid());
    expect(closed.status).toBe(400);
    expect(await closed.text()).toContain(
      'This opportunity is closed; closed opportunities cannot be reassigned.',
    );

    expect(await runCount()).toBe(before);
  });

  it('refuses analysts and requests without the CSRF token', async () => {
    await analyst.page(`/opportunities/${book.renewal.id}`);
    const res = await post(analyst, `/opportunities/${book.renewal.id}/commissions`, valid());
    expect(res.status).toBe(403);
    const noToken = await manager.request(`/opportunities/${book.renewal.id}/commissions`, {
      method: 'POST',
      form: valid(),
    });
    expect(noToken.status).toBe(403);
  });

  it('creates an opportunity run with the chosen type, requests its solve and redirects to it', async () => {
    await manager.page(`/opportunities/${book.renewal.id}`);
    const res = await post(manager, `/opportunities/${book.renewal.id}/commissions`, valid());
    expect(res.status).toBe(303);
    const runId = UUID_IN.exec(res.headers.get('location') ?? '')?.[1];
    expect(runId).toBeDefined();
    const [run] = await h.db.db.select().from(s.runs).where(eq(s.runs.id, runId!));
    expect(run).toMatchObject({
      kind: 'opportunity',
      scope: 'open_opportunities',
      status: 'solving',
      reason: 'Ben takes the renewal',
      commissionEndDate: '2026-03-31',
      reassignmentDate: '2026-04-01',
      params: {
        opportunityId: book.renewal.id,
        newOwnerRepId: book.ben.id,
        commissionType: 'custom',
        customBps: 3500,
      },
    });
    await runner.drain();
    const [solved] = await h.db.db.select().from(s.runs).where(eq(s.runs.id, runId!));
    expect(solved!.status).toBe('solved');
    const page = await manager.page(`/runs/${runId}`);
    expect(page.res.status).toBe(200);
    expect(page.html).toContain('Ben takes the renewal');
  });
});

describe('Reassign all opportunities (level 2)', () => {
  const path = () => `/accounts/${book.account.id}/reassign-opportunities`;

  it('lists the account’s open opportunities with their current splits, for managers only', async () => {
    const { res, html } = await manager.page(path());
    expect(res.status).toBe(200);
    expect(html).toContain('Reassign all opportunities of Acme Corp');
    const table = html.slice(
      html.indexOf('id="open-opportunities"'),
      html.indexOf('</table>', html.indexOf('id="open-opportunities"')),
    );
    expect(table).toContain(`<a href="/opportunities/${book.renewal.id}">Acme renewal</a>`);
    expect(table).toContain(`<a href="/opportunities/${book.upsell.id}">Acme upsell</a>`);
    expect(table).toContain('House 45% · Eve Seller 55%');
    expect(table).not.toContain('Acme old deal');
    expect(html).toContain(`action="/accounts/${book.account.id}/reassign-opportunities"`);
    expect((await analyst.request(path())).status).toBe(403);
  });

  it('refuses a Type C share that would take House below 0 on one of the opportunities, next to the field', async () => {
    await manager.page(path());
    const before = await runCount();
    const res = await post(manager, path(), {
      newOwnerRepId: book.ben.id,
      commissionType: 'custom',
      customPct: '70',
      commissionEndDate: '2026-03-31',
      reassignmentDate: '2026-04-01',
      reason: 'Territory change',
    });
    expect(res.status).toBe(400);
    const html = await res.text();
    expect(html).toContain(
      'id="f-customPct-error">A custom share of 70% would leave House at -10%; the most the new rep can receive here is 60%.',
    );
    expect(await runCount()).toBe(before);
  });

  it('lists billing-flagged and protected-stage deals as keeping their split, as the review and commit will', async () => {
    const db = h.db.db;
    const account = await createAccount(db, org.id, { name: 'Billing Corp', ownerRepId: book.eve.id });
    const opp = async (name: string, values: Partial<typeof s.opportunities.$inferInsert>) => {
      const o = await createOpportunity(db, org.id, account.id, {
        name,
        ownerRepId: book.eve.id,
        createdDate: '2026-01-15',
        ...values,
      });
      await createSplits(db, org.id, o.id, [
        { repId: book.house.id, role: 'house', bps: 1000 },
        { repId: book.eve.id, role: 'rep', bps: 9000 },
      ]);
      return o;
    };
    await opp('Billing Corp invoicing', { stage: 'Invoicing', isBillingStage: true });
    await opp('Billing Corp in billing', { stage: 'billing' });
    await opp('Billing Corp new deal', { stage: 'Proposal' });
    const path = `/accounts/${account.id}/reassign-opportunities`;
    await manager.page(path);
    const before = await runCount();
    // An end date before the deals were created: refused, and the page says which deals keep their split.
    const res = await post(manager, path, {
      newOwnerRepId: book.ben.id,
      commissionType: 'direct_transfer',
      commissionEndDate: '2026-01-10',
      reassignmentDate: '2026-01-11',
      reason: 'Territory change',
    });
    expect(res.status).toBe(400);
    const html = await res.text();
    const kept = html.slice(
      html.indexOf('These keep their split'),
      html.indexOf('</ul>', html.indexOf('These keep their split')),
    );
    expect(kept).toContain(
      'Billing Corp invoicing: Stage &quot;Invoicing&quot; (a billing stage) is protected',
    );
    expect(kept).toContain('Billing Corp in billing: Stage &quot;billing&quot; is protected');
    expect(kept).not.toContain('Billing Corp new deal: Stage');
    expect(await runCount()).toBe(before);
  });

  it('creates an account run over the open opportunities with one type for all, solves it and redirects', async () => {
    await manager.page(path());
    const res = await post(manager, path(), {
      newOwnerRepId: book.ana.id,
      commissionType: 'house_absorbs',
      customPct: '',
      commissionEndDate: '2026-05-31',
      reassignmentDate: '2026-06-01',
      reason: 'Ana takes the Acme relationship',
    });
    expect(res.status).toBe(303);
    const runId = UUID_IN.exec(res.headers.get('location') ?? '')?.[1];
    expect(runId).toBeDefined();
    const [run] = await h.db.db.select().from(s.runs).where(eq(s.runs.id, runId!));
    expect(run).toMatchObject({
      kind: 'account',
      scope: 'open_opportunities',
      status: 'solving',
      reason: 'Ana takes the Acme relationship',
      commissionEndDate: '2026-05-31',
      reassignmentDate: '2026-06-01',
      params: { accountId: book.account.id, newOwnerRepId: book.ana.id, commissionType: 'house_absorbs' },
    });
    expect((run!.params as Record<string, unknown>).customBps).toBeUndefined();
    await runner.drain();
    const [solved] = await h.db.db.select().from(s.runs).where(eq(s.runs.id, runId!));
    expect(solved!.status).toBe('solved');
  });
});
