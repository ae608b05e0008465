/**
 * The manual queue at the HTML level: the level-3 form's "Manual queue" strategy creates a run with
 * params.commissionStrategy = manual; its overview loads the "Commission decisions" panel (htmx, or a page of its
 * own); the panel lists the opportunities to decide (paginated, filtered) with a form per row and a bulk form for the
 * ticked or all filtered ones; errors sit next to their row; finance reads it without forms and cannot post.
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
let runId: string;

const DEALS = 27; // more than one page of 25

async function seed(orgId: string) {
  const db = h.db.db;
  const house = await createRep(db, orgId, { kind: 'house', name: 'House', mayReceive: false });
  const dana = await createRep(db, orgId, { name: 'Dana Departing', region: 'West' });
  await createRep(db, orgId, { name: 'Ria Receiver', region: 'West' });
  const closer = await createRep(db, orgId, { name: 'Cleo Closer', region: 'East', mayReceive: false });
  const acme = await createAccount(db, orgId, { name: 'Acme Corp', ownerRepId: dana.id, region: 'West' });
  const zeta = await createAccount(db, orgId, { name: 'Zeta Ltd', ownerRepId: dana.id, region: 'West' });
  const deals = [];
  for (let i = 0; i < DEALS; i++) {
    const opp = await createOpportunity(db, orgId, i < 2 ? zeta.id : acme.id, {
      name: `${i < 2 ? 'Zeta' : 'Acme'} deal ${String(i).padStart(2, '0')}`,
      ownerRepId: dana.id,
      amountCents: 10_000_00 + i,
      createdDate: '2026-01-01',
      closeDate: '2027-06-30',
    });
    await createSplits(db, orgId, opp.id, [
      { repId: house.id, role: 'house', bps: 4500 },
      { repId: dana.id, role: 'rep', bps: 5500 },
    ]);
    deals.push(opp);
  }
  return { house, dana, closer, acme, zeta, deals };
}

const fragment = (b: Browser, path: string, init: Parameters<Browser['request']>[1] = {}) =>
  b.request(path, { ...init, headers: { 'hx-request': 'true', ...(init.headers ?? {}) } });

async function decisionsOf(id: string) {
  const [run] = await h.db.db.select().from(s.runs).where(eq(s.runs.id, id));
  return (
    (run!.params as { commissionDecisions?: Record<string, { commissionType: string }> })
      .commissionDecisions ?? {}
  );
}

beforeAll(async () => {
  h = await createHarness({ SOLVER_TIME_LIMIT_SECONDS: '5' });
  runner = createJobRunner({ db: h.db.db, handlers: { solve_run: solveRunJob } });
  org = await createOrgWithUsers(h, 'Decisions Org');
  book = await seed(org.id);
  manager = await signedIn(h, org.users.manager);
  analyst = await signedIn(h, org.users.analyst);
  finance = await signedIn(h, org.users.finance);
});
afterAll(async () => {
  await h?.close();
});

describe('commission decisions panel (manual queue)', () => {
  it('starts a manual-queue run from the level-3 form, and its overview loads the panel', async () => {
    const form = await manager.page(`/reps/${book.dana.id}/terminate-commissions`);
    expect(form.html).toContain('name="commissionStrategy" value="manual"');
    expect(form.html).toContain('name="seg-0-receiverRepId"');
    expect(form.html).toContain(`<option value="${book.closer.id}">Cleo Closer</option>`);
    const res = await manager.request(`/reps/${book.dana.id}/terminate-commissions`, {
      method: 'POST',
      form: {
        _csrf: manager.csrfToken,
        commissionEndDate: '2026-06-14',
        reassignmentDate: '2026-06-15',
        reason: 'Dana leaves; decide each deal',
        commissionType: 'direct_transfer',
        commissionStrategy: 'manual',
      },
    });
    expect(res.status).toBe(303);
    runId = /\/runs\/([0-9a-f-]{36})$/.exec(res.headers.get('location') ?? '')![1]!;
    const [run] = await h.db.db.select().from(s.runs).where(eq(s.runs.id, runId));
    expect(run!.params).toEqual({ departingRepIds: [book.dana.id], commissionStrategy: 'manual' });
    await runner.drain();

    const page = await manager.page(`/runs/${runId}`);
    expect(page.res.status).toBe(200);
    expect(page.html).toContain('Commission: manual queue');
    expect(page.html).toContain(`hx-get="/runs/${runId}/commission-decisions"`);
    expect(page.html).toContain(`<a href="/runs/${runId}/commission-decisions">`);
  });

  it('lists the opportunities to decide, a page at a time, filtered, with a form per row', async () => {
    const res = await fragment(manager, `/runs/${runId}/commission-decisions`);
    expect(res.status).toBe(200);
    const html = await res.text();
    expect(html).not.toContain('<html');
    expect(html).toContain('id="commission-decisions"');
    expect(html).toContain(`${DEALS} of ${DEALS} opportunities are undecided: approval is refused`);
    expect(html).toContain('Page 1 of 2');
    expect(html.match(/<tr id="decision-row-/g)?.length).toBe(25);
    expect(html).toContain('House 45% · Dana Departing 55%');
    expect(html).toContain('form="decisions-bulk"');
    // Sorted by account, then opportunity: page 1 holds Acme's deals, Zeta's are on page 2.
    expect(html.includes(`action="/runs/${runId}/commission-decisions/${book.deals[2]!.id}"`)).toBe(true);
    expect(html.includes(`decision-row-${book.deals[0]!.id}`)).toBe(false);
    expect(html).toContain('<option value="">The account’s new owner</option>');
    expect(html).toContain('Cleo Closer');
    expect(html.includes(`<option value="${book.dana.id}"`)).toBe(false); // the leaving rep cannot receive

    const second = await (await fragment(manager, `/runs/${runId}/commission-decisions?page=2`)).text();
    expect(second.match(/<tr id="decision-row-/g)?.length).toBe(DEALS - 25);
    expect(second.includes(`decision-row-${book.deals[0]!.id}`)).toBe(true);
    const zeta = await (await fragment(manager, `/runs/${runId}/commission-decisions?q=zeta`)).text();
    expect(zeta.match(/<tr id="decision-row-/g)?.length).toBe(2);
    expect(zeta).toContain('2 opportunities matching the filter');

    // The page of its own (no JavaScript) has the run header and the same panel.
    const full = await manager.page(`/runs/${runId}/commission-decisions`);
    expect(full.res.status).toBe(200);
    expect(full.html).toContain('id="run-title"');
    expect(full.html).toContain('id="commission-decisions"');
  });

  it('decides one opportunity, with the error next to its row when the form is incomplete', async () => {
    const deal = book.deals[3]!;
    await manager.page(`/runs/${runId}/commission-decisions`);
    const bad = await manager.request(`/runs/${runId}/commission-decisions/${deal.id}`, {
      method: 'POST',
      form: { _csrf: manager.csrfToken, commissionType: 'custom', customPct: '' },
    });
    expect(bad.status).toBe(422);
    const badHtml = await bad.text();
    expect(badHtml).toContain(`id="decision-${deal.id}-error"`);
    expect(badHtml).toMatch(/Type C needs the new rep’s share/);
    expect(await decisionsOf(runId)).toEqual({});

    const ok = await manager.request(`/runs/${runId}/commission-decisions/${deal.id}`, {
      method: 'POST',
      form: {
        _csrf: manager.csrfToken,
        commissionType: 'custom',
        customPct: '35',
        receiverRepId: book.closer.id,
      },
    });
    expect(ok.status).toBe(303);
    expect(ok.headers.get('location')).toBe(`/runs/${runId}/commission-decisions#decision-row-${deal.id}`);
    expect((await decisionsOf(runId))[deal.id]).toEqual({
      commissionType: 'custom',
      customBps: 3500,
      receiverRepId: book.closer.id,
    });

    // With htmx: the panel comes back with the row decided and the split it gives.
    const hx = await fragment(analyst, `/runs/${runId}/commission-decisions/${book.deals[4]!.id}`, {
      method: 'POST',
      form: { _csrf: analyst.csrfToken, commissionType: 'house_absorbs' },
    });
    expect(hx.status).toBe(200);
    const panel = await hx.text();
    expect(panel).toContain('Decision saved.');
    expect(panel).toContain(`${DEALS - 2} of ${DEALS} opportunities are undecided`);
    const row = new RegExp(
      `<tr id="decision-row-${book.deals[4]!.id}" data-decided="yes" data-type="house_absorbs">`,
    );
    expect(panel).toMatch(row);
    expect(panel).toContain('House 100%');
    const decided = await (
      await fragment(manager, `/runs/${runId}/commission-decisions?show=decided`)
    ).text();
    expect(decided).toContain('House 65% · Cleo Closer 35%');
  });

  it('applies one decision to the ticked, then to all filtered opportunities', async () => {
    await manager.page(`/runs/${runId}/commission-decisions`);
    const ticked = new URLSearchParams({
      _csrf: manager.csrfToken,
      commissionType: 'direct_transfer',
      target: 'selected',
    });
    for (const d of book.deals.slice(0, 2)) ticked.append('ids', d.id);
    const res = await manager.request(`/runs/${runId}/commission-decisions`, {
      method: 'POST',
      body: ticked.toString(),
      headers: { 'content-type': 'application/x-www-form-urlencoded', 'hx-request': 'true' },
    });
    expect(res.status).toBe(200);
    expect(await res.text()).toContain('2 opportunities decided.');
    const none = await manager.request(`/runs/${runId}/commission-decisions`, {
      method: 'POST',
      form: { _csrf: manager.csrfToken, commissionType: 'direct_transfer', target: 'selected' },
    });
    expect(none.status).toBe(422);
    expect(await none.text()).toMatch(/Nothing was changed. Tick at least one opportunity/);

    const all = await manager.request(`/runs/${runId}/commission-decisions`, {
      method: 'POST',
      form: {
        _csrf: manager.csrfToken,
        commissionType: 'custom',
        customPct: '20',
        target: 'filtered',
        show: 'undecided',
      },
    });
    expect(all.status).toBe(303);
    const decisions = await decisionsOf(runId);
    expect(Object.keys(decisions).length).toBe(DEALS);
    expect(decisions[book.deals[0]!.id]).toEqual({ commissionType: 'direct_transfer' });
    expect(decisions[book.deals[4]!.id]).toEqual({ commissionType: 'house_absorbs' });
    expect(decisions[book.deals[10]!.id]).toEqual({ commissionType: 'custom', customBps: 2000 });
    const panel = await (await fragment(manager, `/runs/${runId}/commission-decisions`)).text();
    expect(panel).toContain(`All ${DEALS} opportunities are decided.`);
  });

  it('shows finance the decisions without forms and refuses their posts', async () => {
    const res = await fragment(finance, `/runs/${runId}/commission-decisions?show=decided&q=Zeta`);
    expect(res.status).toBe(200);
    const html = await res.text();
    expect(html).not.toContain('decision-form');
    expect(html).not.toContain('id="decisions-bulk"');
    expect(html).toContain('Type B');
    const post = await finance.request(`/runs/${runId}/commission-decisions/${book.deals[0]!.id}`, {
      method: 'POST',
      form: { _csrf: finance.csrfToken, commissionType: 'house_absorbs' },
    });
    expect(post.status).toBe(403);
  });
});
