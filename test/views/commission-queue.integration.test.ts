/**
 * HTML-level tests of the commission queue pages (issue 8): GET /commissions with counts per status, the runs
 * waiting for a person, the item table with error reasons and links to each opportunity's history and its run, the
 * status filter (whole page and the htmx fragment), and POST /commissions/retry (managers, CSRF, refusals shown on
 * the page, a retry run linked). The JSON API beside it answers the same.
 */
import { eq } from 'drizzle-orm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import * as s from '../../db/schema/index.ts';
import { commissionQueueRouter } from '../../src/api/routes/commission-queue/commission-queue.index.ts';
import { commissionQueuePages } from '../../src/views/commission-queue/commission-queue.routes.tsx';
import { createRunsWorld, type RunsWorld, seedBook, solveAndDrain } from '../api/runs/run-fixture.ts';
import { type Browser, createOrgWithUsers, createUser, signedIn } from '../app/harness.ts';
import { createOpportunity, createSplits } from '../support/factories.ts';

let w: RunsWorld;
let book: Awaited<ReturnType<typeof seedBook>>;
let manager: Browser;
let analyst: Browser;
let rep: Browser;
let errorItem: typeof s.runOpportunityChanges.$inferSelect;
let completeItem: typeof s.runOpportunityChanges.$inferSelect;
let approvedRunId: string;
let committedRunId: string;

const db = () => w.h.db.db;

async function solveAndApprove(runId: string) {
  const solved = await solveAndDrain(w, runId);
  expect(solved.status, solved.failureReason).toBe('solved');
  const open = await w.call('manager', 'GET', `/runs/${runId}/conflicts`);
  for (const c of open.body.data as { id: string; severity: string; resolution: string | null }[]) {
    if (c.severity !== 'blocking' || c.resolution) continue;
    await w.call('manager', 'POST', `/runs/${runId}/conflicts/${c.id}/resolve`, {
      resolution: 'accept',
      note: 'Reviewed',
    });
  }
  const approved = await w.call('manager', 'POST', `/runs/${runId}/approve`, {
    expectedHash: (await w.call('manager', 'GET', `/runs/${runId}`)).body.proposalHash,
  });
  expect(approved.status, JSON.stringify(approved.body)).toBe(200);
}

async function opportunityRun(name: string) {
  const { eve, ben, house } = book.reps;
  const account = book.others.find((a) => a.ownerRepId === eve.id)!;
  const opp = await createOpportunity(db(), w.orgId, account.id, { ownerRepId: eve.id, name });
  await createSplits(db(), w.orgId, opp.id, [
    { repId: house.id, role: 'house', bps: 4500 },
    { repId: eve.id, role: 'rep', bps: 5500 },
  ]);
  const created = await w.call('analyst', 'POST', '/runs', {
    kind: 'opportunity',
    reason: `Ben takes ${name}`,
    commissionEndDate: '2026-03-31',
    reassignmentDate: '2026-04-01',
    params: { opportunityId: opp.id, newOwnerRepId: ben.id },
  });
  expect(created.status, JSON.stringify(created.body)).toBe(201);
  await solveAndApprove(created.body.id);
  return created.body.id as string;
}

const itemOf = async (runId: string) =>
  (await db().select().from(s.runOpportunityChanges).where(eq(s.runOpportunityChanges.runId, runId)))[0]!;

beforeAll(async () => {
  w = await createRunsWorld();
  // Mounted here when the app does not mount the group yet (the lead adds it to src/app.ts).
  if (!w.h.app.routes.some((r) => r.path === '/commissions')) {
    w.h.app.route('/v1', commissionQueueRouter);
    w.h.app.route('/', commissionQueuePages());
  }
  book = await seedBook(w);

  // A departure whose commit skips Eve's side deal on one of Dana's accounts (no split): an error item.
  const side = await createOpportunity(db(), w.orgId, book.danaAccounts[0]!.id, {
    ownerRepId: book.reps.eve.id,
    name: 'Side <deal> & co',
  });
  const departure = await w.call('analyst', 'POST', '/runs', {
    kind: 'rep_departure',
    scope: 'open_opportunities',
    reason: 'Dana leaves',
    commissionEndDate: '2026-03-31',
    reassignmentDate: '2026-04-01',
    params: { departingRepIds: [book.reps.dana.id] },
  });
  await solveAndApprove(departure.body.id);
  expect((await w.call('manager', 'POST', `/runs/${departure.body.id}/commit`, {})).status).toBe(200);
  committedRunId = departure.body.id;
  errorItem = (await db().select().from(s.runOpportunityChanges)).find((i) => i.opportunityId === side.id)!;
  expect(errorItem.status).toBe('error');

  const done = await opportunityRun('Renewal');
  expect((await w.call('manager', 'POST', `/runs/${done}/commit`, {})).status).toBe(200);
  completeItem = await itemOf(done);
  expect(completeItem.status).toBe('complete');

  approvedRunId = await opportunityRun('Upsell');

  manager = await signedIn(w.h, await createUser(w.h, w.orgId, 'manager'));
  analyst = await signedIn(w.h, await createUser(w.h, w.orgId, 'analyst'));
  rep = await signedIn(w.h, await createUser(w.h, w.orgId, 'rep'));
});
afterAll(() => w.close());

describe('GET /commissions', () => {
  it('shows counts, waiting runs, items with reasons and links; retry boxes only on error items', async () => {
    const { res, html } = await manager.page('/commissions');
    expect(res.status).toBe(200);
    expect(res.headers.get('content-security-policy')).toMatch(/script-src/);
    expect(html).toContain('<h1>Commission queue</h1>');
    const countOf = (status: string) =>
      new RegExp(`<div class="stat" data-status="${status}">[\\s\\S]*?<a href="[^"]*">(\\d+)</a>`).exec(
        html,
      )?.[1];
    expect([countOf('pending'), countOf('complete'), countOf('error'), countOf('rolled_back')]).toEqual([
      '1',
      '1',
      '1',
      '0',
    ]);
    // The approved run waits in "Pending reassignments"; committed runs do not.
    const waiting = html.slice(html.indexOf('id="pending-reassignments"'), html.indexOf('id="queue-table"'));
    expect(waiting).toContain(`href="/runs/${approvedRunId}"`);
    expect(waiting).not.toContain(`href="/runs/${committedRunId}"`);
    // Error item: escaped name, link to its history page and run, the reason, a retry box.
    expect(html).toContain(`href="/opportunities/${errorItem.opportunityId}"`);
    expect(html).toContain('Side &lt;deal&gt; &amp; co');
    expect(html).not.toContain('Side <deal>');
    expect(html).toContain(`href="/runs/${committedRunId}"`);
    expect(html).toMatch(/no current split; set its split first|no current commission split/);
    expect(html).toContain(`name="itemIds" value="${errorItem.id}"`);
    expect(html).not.toContain(`value="${completeItem.id}"`);
    expect(html).toMatch(
      /<form method="post" action="\/commissions\/retry"[^>]*>\s*<input type="hidden" name="_csrf"/,
    );
    // Strict CSP: nothing inline.
    expect(html).not.toMatch(/<script(?![^>]*\bsrc=)[^>]*>/);
    expect(html).not.toMatch(/\sstyle=|<style/);
    expect(html).not.toMatch(/\son[a-z]+=/);
  });

  it('filters by status, as a page and as the htmx fragment', async () => {
    const { html } = await manager.page('/commissions?status=complete');
    const rows = [...html.matchAll(/<tr id="item-[^"]+" data-status="([a-z_]+)"/g)].map((m) => m[1]);
    expect(rows).toEqual(['complete']);
    expect(html).toContain('<option value="complete" selected="">');

    const res = await manager.request('/commissions?status=error', {
      headers: { 'hx-request': 'true', 'hx-target': 'section#queue-table' },
    });
    const fragment = await res.text();
    expect(res.status).toBe(200);
    expect(fragment.trimStart().startsWith('<section class="card" id="queue-table"')).toBe(true);
    expect(fragment).not.toContain('<html');
    expect([...fragment.matchAll(/data-status="([a-z_]+)"/g)].map((m) => m[1])).toEqual(['error']);
  });

  it('analysts read without retry; reps are refused; another org sees none of it', async () => {
    const { res, html } = await analyst.page('/commissions');
    expect(res.status).toBe(200);
    expect(html).toContain(`href="/opportunities/${errorItem.opportunityId}"`);
    expect(html).not.toContain('name="itemIds"');
    expect(html).not.toContain('action="/commissions/retry"');
    expect((await rep.request('/commissions')).status).toBe(403);

    const other = await createOrgWithUsers(w.h, 'Other org');
    const outsider = await signedIn(w.h, other.users.manager);
    const foreign = await outsider.page('/commissions');
    expect(foreign.res.status).toBe(200);
    expect(foreign.html).not.toContain(errorItem.opportunityId);
    expect(foreign.html).toContain('No queue items match.');
  });
});

describe('POST /commissions/retry', () => {
  const post = (b: Browser, ids: string[], csrf = b.csrfToken) => {
    const body = new URLSearchParams();
    if (csrf) body.append('_csrf', csrf);
    for (const id of ids) body.append('itemIds', id);
    return b.request('/commissions/retry', {
      method: 'POST',
      headers: { 'content-type': 'application/x-www-form-urlencoded' },
      body: body.toString(),
    });
  };

  it('needs the CSRF token and a manager', async () => {
    await manager.page('/commissions');
    expect((await post(manager, [errorItem.id], '')).status).toBe(403);
    await analyst.page('/commissions');
    expect((await post(analyst, [errorItem.id])).status).toBe(403);
    expect((await itemOf(committedRunId)).status).toBe('error');
  });

  it('shows refusals on the page: nothing selected, an item not in error', async () => {
    await manager.page('/commissions');
    const none = await post(manager, []);
    expect(none.status).toBe(400);
    expect(await none.text()).toContain('Select at least one item in error to retry');
    // No form body at all (the token in the header, as htmx sends it): the same page, never a 500.
    const bare = await manager.request('/commissions/retry', {
      method: 'POST',
      headers: { 'x-csrf-token': manager.csrfToken },
    });
    expect(bare.status).toBe(400);
    const junk = await manager.request('/commissions/retry', {
      method: 'POST',
      headers: { 'x-csrf-token': manager.csrfToken, 'content-type': 'multipart/form-data; boundary=x' },
      body: 'not multipart',
    });
    expect(junk.status).toBe(400);

    const mixed = await post(manager, [errorItem.id, completeItem.id]);
    expect(mixed.status).toBe(409);
    const html = await mixed.text();
    expect(html).toMatch(/Nothing was retried: opportunity Renewal is complete, not in error/);
    expect((await itemOf(committedRunId)).status).toBe('error');
  });

  it('retries an error item after the split is added and links the new run', async () => {
    await createSplits(db(), w.orgId, errorItem.opportunityId, [
      { repId: book.reps.eve.id, role: 'rep', bps: 10_000 },
    ]);
    await manager.page('/commissions');
    const res = await post(manager, [errorItem.id]);
    expect(res.status).toBe(200);
    const html = await res.text();
    expect(html).toContain('1 item(s) retried');
    const link = /href="\/runs\/([0-9a-f-]{36})">Retry run/.exec(html);
    expect(link).not.toBeNull();
    const [run] = await db().select().from(s.runs).where(eq(s.runs.id, link![1]!));
    expect(run).toMatchObject({ kind: 'opportunity', status: 'solving' });
    expect((await itemOf(committedRunId)).status).toBe('processing');
  });
});

describe('the JSON API', () => {
  it('lists with filters and refuses retry of items not in error', async () => {
    const list = await w.call('finance', 'GET', '/commission-queue?status=complete');
    expect(list.status, JSON.stringify(list.body)).toBe(200);
    expect(list.body.data.map((i: { id: string }) => i.id)).toEqual([completeItem.id]);
    expect(list.body.counts).toMatchObject({ complete: 1, pending: 1 });
    expect((await w.call('rep', 'GET', '/commission-queue')).status).toBe(403);
    expect(
      (await w.call('analyst', 'POST', '/commission-queue/retry', { itemIds: [completeItem.id] })).status,
    ).toBe(403);
    const refused = await w.call('manager', 'POST', '/commission-queue/retry', {
      itemIds: [completeItem.id],
    });
    expect(refused.status).toBe(409);
    expect(refused.body.message).toMatch(/not in error/);
    const bad = await w.call('manager', 'POST', '/commission-queue/retry', { itemIds: ['nope'] });
    expect(bad.status).toBe(400);
    const missing = await w.call('manager', 'POST', '/commission-queue/retry', {
      itemIds: ['00000000-0000-4000-8000-000000000000'],
    });
    expect(missing.status).toBe(404);
  });
});
