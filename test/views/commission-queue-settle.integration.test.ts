/**
 * HTML-level tests of the queue's settlement on the dashboard (issue 8): cancelled items with their reason and
 * count; a processing item links its retry run; the bulk cancel of waiting runs (plain form, CSRF, roles, reason
 * required, refusals listed); one item's history timeline (page and JSON API).
 */
import { eq } from 'drizzle-orm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import * as s from '../../db/schema/index.ts';
import { retryQueueItems } from '../../src/services/commission-queue/retry.ts';
import { createRunsWorld, type RunsWorld, runRow, seedBook } from '../api/runs/run-fixture.ts';
import { type Browser, createOrgWithUsers, createUser, signedIn } from '../app/harness.ts';
import {
  type Book,
  createOpportunityRun,
  eveOpportunity,
  itemById,
  itemsOf,
  queueCtx,
  solveAndApprove,
} from '../services/commission-queue/queue-world.ts';

let w: RunsWorld;
let book: Book;
let manager: Browser;
let analyst: Browser;
let finance: Browser;

beforeAll(async () => {
  w = await createRunsWorld();
  book = await seedBook(w);
  manager = await signedIn(w.h, await createUser(w.h, w.orgId, 'manager'));
  analyst = await signedIn(w.h, await createUser(w.h, w.orgId, 'analyst'));
  finance = await signedIn(w.h, await createUser(w.h, w.orgId, 'finance'));
});
afterAll(() => w.close());

async function approvedRun(name: string) {
  const opp = await eveOpportunity(w, book, true, name);
  const runId = await createOpportunityRun(w, book, opp.id);
  await solveAndApprove(w, runId);
  return runId;
}

/** An item in error (no split) whose retry run is open. */
async function retriedItem(name: string) {
  const opp = await eveOpportunity(w, book, false, name);
  const runId = await createOpportunityRun(w, book, opp.id);
  await solveAndApprove(w, runId);
  expect((await w.call('manager', 'POST', `/runs/${runId}/commit`, {})).status).toBe(200);
  const [item] = await itemsOf(w, runId);
  const result = await retryQueueItems({ ctx: queueCtx(w, 'manager'), input: { itemIds: [item!.id] } });
  return { item: item!, retryRunId: result.retried[0]!.runId };
}

const cancelRuns = (b: Browser, runIds: string[], reason: string, csrf = b.csrfToken) => {
  const body = new URLSearchParams();
  if (csrf) body.append('_csrf', csrf);
  for (const id of runIds) body.append('runIds', id);
  body.append('reason', reason);
  return b.request('/commissions/cancel-runs', {
    method: 'POST',
    headers: { 'content-type': 'application/x-www-form-urlencoded' },
    body: body.toString(),
  });
};

describe('bulk cancel of waiting runs', () => {
  it('lists waiting runs with boxes for managers; analysts get none on an approved run, finance none at all', async () => {
    const runId = await approvedRun('Waiting deal');
    const { html } = await manager.page('/commissions');
    expect(html).toMatch(
      /<form method="post" action="\/commissions\/cancel-runs"[^>]*>\s*<input type="hidden" name="_csrf"/,
    );
    expect(html).toContain(`name="runIds" value="${runId}"`);
    // A manager's approval is undone only by a manager: the analyst sees the run, with no box on it.
    const asAnalyst = await analyst.page('/commissions');
    expect(asAnalyst.html).toContain(`href="/runs/${runId}"`);
    expect(asAnalyst.html).not.toContain(`value="${runId}"`);
    expect(asAnalyst.html).toContain('Manager only');
    const read = await finance.page('/commissions');
    expect(read.html).toContain(`href="/runs/${runId}"`);
    expect(read.html).not.toContain('name="runIds"');
    // Posted anyway, the analyst's cancel is listed as refused with the reason (nothing cancelled: 409).
    await analyst.page('/commissions');
    const refused = await cancelRuns(analyst, [runId], 'Tidy up');
    expect(refused.status).toBe(409);
    expect(await refused.text()).toContain('Only a manager can cancel an approved run');
    await manager.page('/commissions');
    expect((await cancelRuns(manager, [runId], 'Tidy up')).status).toBe(200);
    expect(await manager.page('/commissions').then((p) => p.html)).not.toContain(`value="${runId}"`);
  });

  it('needs the CSRF token, a manager or analyst, a selection and a reason', async () => {
    const runId = await approvedRun('Guarded deal');
    await manager.page('/commissions');
    expect((await cancelRuns(manager, [runId], 'No token', '')).status).toBe(403);
    await finance.page('/commissions');
    expect((await cancelRuns(finance, [runId], 'Not mine')).status).toBe(403);
    await manager.page('/commissions');
    const none = await cancelRuns(manager, [], 'Nothing');
    expect(none.status).toBe(400);
    expect(await none.text()).toContain('Select at least one run to cancel');
    const noReason = await cancelRuns(manager, [runId], '  ');
    expect(noReason.status).toBe(400);
    expect(await noReason.text()).toContain('Say why the selected runs are cancelled');
    expect((await runRow(w, runId)).status).toBe('approved');
    expect((await itemsOf(w, runId)).map((i) => i.status)).toEqual(['pending']);
  });

  it('cancels the selected runs: their items cancelled, a retry run’s item back in error; refusals listed', async () => {
    const plain = await approvedRun('Plain deal');
    const { item, retryRunId } = await retriedItem('Retried deal');
    // A committed run without notices left cannot be cancelled: listed as refused, the others still cancelled.
    const committed = await approvedRun('Done deal');
    expect((await w.call('manager', 'POST', `/runs/${committed}/commit`, {})).status).toBe(200);
    await w.h.db.db.update(s.notices).set({ status: 'sent' }).where(eq(s.notices.runId, committed));

    await manager.page('/commissions');
    const res = await cancelRuns(manager, [plain, retryRunId, committed], 'Quarter closed');
    expect(res.status).toBe(200);
    const html = await res.text();
    // The retry run was solved meanwhile (the commit above drained the solve queue): its own item is cancelled too.
    expect(html).toContain('2 run(s) cancelled: 2 item(s) cancelled, 1 retried item(s) back in error');
    expect(html).toContain('1 refused');
    expect(html).toMatch(/roll it back instead of cancelling it/);
    expect((await itemsOf(w, plain)).map((i) => [i.status, i.error])).toEqual([
      ['cancelled', 'Cancelled with its run: Quarter closed'],
    ]);
    const back = await itemById(w, item.id);
    expect(back.status).toBe('error');
    expect(back.error).toMatch(/retry in run .* was cancelled \(Quarter closed\)/);
    expect((await runRow(w, committed)).status).toBe('committed');

    // The dashboard counts and shows the cancelled item with its reason; filtering by status works.
    const { html: page } = await manager.page('/commissions?status=cancelled');
    expect(page).toMatch(/<div class="stat" data-status="cancelled">[\s\S]*?<a href="[^"]*">([1-9]\d*)<\/a>/);
    expect(page).toContain('Cancelled with its run: Quarter closed');
    const rows = [...page.matchAll(/<tr id="item-[^"]+" data-status="([a-z_]+)"/g)].map((m) => m[1]);
    expect(rows.length).toBeGreaterThan(0);
    expect(rows.every((r) => r === 'cancelled')).toBe(true);
  });
});

describe('a processing item and its history', () => {
  it('links its retry run on the dashboard; its history page and API tell the whole story', async () => {
    const { item, retryRunId } = await retriedItem('Story deal');
    const { html } = await manager.page('/commissions?status=processing');
    const row = html.slice(html.indexOf(`id="item-${item.id}"`));
    expect(row.slice(0, row.indexOf('</tr>'))).toContain(`href="/runs/${retryRunId}"`);
    expect(html).toContain(`href="/commissions/items/${item.id}"`);

    await manager.page('/commissions');
    expect((await cancelRuns(manager, [retryRunId], 'Not this week')).status).toBe(200);

    const history = await analyst.page(`/commissions/items/${item.id}`);
    expect(history.res.status).toBe(200);
    expect(history.html).toContain('<h1>History of Story deal</h1>');
    const actions = [...history.html.matchAll(/<li data-action="([a-z_.]+)"/g)].map((m) => m[1]);
    expect(actions).toEqual([
      'commission_queue.planned',
      'run.approved',
      'run.committed',
      'commission_queue.retried',
      'run.cancelled',
      'commission_queue.retry_cancelled',
    ]);
    expect(history.html).toContain('Not this week');
    expect(history.html).toContain(`href="/runs/${retryRunId}"`);
    expect(history.html).toMatch(/data-status="error"/);

    const api = await w.call('finance', 'GET', `/commission-queue/${item.id}/history`);
    expect(api.status, JSON.stringify(api.body)).toBe(200);
    expect(api.body.item).toMatchObject({ id: item.id, status: 'error', retryRunId: null });
    expect(api.body.entries.map((e: { action: string }) => e.action)).toEqual(actions);
    expect(api.body.entries.at(-1)).toMatchObject({ runId: retryRunId, runRole: 'retry' });
    expect((await w.call('rep', 'GET', `/commission-queue/${item.id}/history`)).status).toBe(403);
    expect((await w.call('manager', 'GET', '/commission-queue/not-a-uuid/history')).status).toBe(400);

    const other = await createOrgWithUsers(w.h, 'Other queue org');
    const outsider = await signedIn(w.h, other.users.manager);
    expect((await outsider.request(`/commissions/items/${item.id}`)).status).toBe(404);
    expect((await manager.request('/commissions/items/nope')).status).toBe(404);
  });
});
