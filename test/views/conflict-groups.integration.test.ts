/**
 * Issue 13, "one conflict per account": a departure where one account has two reasons (a deal closing soon and the
 * import's keep-with-owner flag) shows one card for it listing both; resolving the card resolves both with one note,
 * the section comes back with its counters updated and the approval panel out of band, and the resolved card no
 * longer says it blocks approval (one of warnings alone says it does not block it). The bulk form resolves every
 * account with an open reason of one kind at once.
 */
import { eq } from 'drizzle-orm';
import { afterAll, beforeAll, expect, it } from 'vitest';
import * as s from '../../db/schema/index.ts';
import { createJobRunner } from '../../src/jobs/runner.ts';
import { solveRunJob } from '../../src/services/solve/solve-run-job.ts';
import { type Browser, createHarness, createOrgWithUsers, type Harness, signedIn } from '../app/harness.ts';
import { createAccount, createOpportunity, createRep } from '../support/factories.ts';

let h: Harness;
let runner: ReturnType<typeof createJobRunner>;
let analyst: Browser;
let runId: string;
let org: Awaited<ReturnType<typeof createOrgWithUsers>>;
let danaId: string;
let twoReasons: { id: string };
let closingOnly: { id: string };
let otherClosing: { id: string };

const inDays = (n: number) => new Date(h.clock.now.getTime() + n * 86_400_000).toISOString().slice(0, 10);

beforeAll(async () => {
  h = await createHarness({ SOLVER_TIME_LIMIT_SECONDS: '5' });
  runner = createJobRunner({ db: h.db.db, handlers: { solve_run: solveRunJob } });
  org = await createOrgWithUsers(h, 'Conflict Groups Org');
  const db = h.db.db;
  const dana = await createRep(db, org.id, { name: 'Dana Departing', region: 'West' });
  danaId = dana.id;
  await createRep(db, org.id, { name: 'Ana Receiver', region: 'West', maxRevenueCents: 1 });
  await createRep(db, org.id, { name: 'Ben Receiver', region: 'West' });
  const acc = (name: string, custom: Record<string, unknown> = {}) =>
    createAccount(db, org.id, { name, ownerRepId: dana.id, region: 'West', custom });
  twoReasons = await acc('Kept And Closing', { protected: true });
  closingOnly = await acc('Closing Only');
  otherClosing = await acc('Closing Too');
  await acc('Quiet Client');
  for (const a of [twoReasons, closingOnly, otherClosing])
    await createOpportunity(db, org.id, a.id, {
      name: 'Renewal',
      ownerRepId: dana.id,
      closeDate: inDays(10),
    });
  analyst = await signedIn(h, org.users.analyst);
  await analyst.page('/runs/new');
  const res = await analyst.request('/runs/new', {
    method: 'POST',
    form: {
      _csrf: analyst.csrfToken,
      kind: 'rep_departure',
      departingRepIds: dana.id,
      scope: 'ownership',
      reason: 'Dana leaves',
      strategy: 'optimal',
      objective: 'l1',
      commissionType: 'direct_transfer',
    },
  });
  expect(res.status).toBe(303);
  runId = /\/runs\/([0-9a-f-]{36})/.exec(res.headers.get('location') ?? '')![1]!;
  await runner.drain();
});
afterAll(async () => {
  await h?.close();
});

const cardOf = (html: string, accountId: string) => {
  const start = html.indexOf(`id="account-conflicts-${accountId}"`);
  expect(start, `a card for ${accountId}`).toBeGreaterThan(0);
  return html.slice(start, html.indexOf('</article>', start));
};

it('shows one card per account with every reason it has', async () => {
  const { html } = await analyst.page(`/runs/${runId}`);
  expect(html.split(`id="account-conflicts-${twoReasons.id}"`)).toHaveLength(2);
  const card = cardOf(html, twoReasons.id);
  expect(card).toContain('data-kind="deal_closing_soon"');
  expect(card).toContain('data-kind="protected_touched"');
  expect(card).toContain('marked keep with the current owner in the import');
  expect(card).toContain('Blocks approval');
  expect(html).toContain('<span id="conflicts-open-accounts">3</span>');
  // The run page says which eligibility rule is in force (no ruleset in this org: the built-in one).
  expect(html).toContain('the built-in default rules');
  expect(html).toContain('Same region: an account goes only to a rep of its own region');
});

it('names the open blocking conflicts on the approve page, where approval would be refused', async () => {
  const manager = await signedIn(h, org.users.manager);
  const { html } = await manager.page(`/runs/${runId}/approve`);
  expect(html).toContain('id="approve-blocking"');
  expect(html).toMatch(/\d+ blocking conflict\(s\) are still open/);
  expect(html).toContain('data-kind="protected_touched"');
  expect(html).toContain('Kept And Closing is protected');
});

it('resolves every reason of the card with one note; counters and the approval panel update in place', async () => {
  const res = await analyst.request(`/runs/${runId}/conflicts/account/${twoReasons.id}`, {
    method: 'POST',
    headers: { 'hx-request': 'true', 'hx-target': 'conflicts' },
    form: { _csrf: analyst.csrfToken, resolution: 'accept', note: 'Ana knows them', repId: '' },
  });
  expect(res.status).toBe(200);
  const html = await res.text();
  expect(html).not.toContain('<html');
  expect(html).toMatch(/<section[^>]*id="conflicts"/);
  expect(html).toContain('<span id="conflicts-open-accounts">2</span>');
  const card = cardOf(html, twoReasons.id);
  expect(card).toContain('No longer blocks approval');
  expect(card).not.toContain('>Blocks approval<');
  expect(card.match(/Ana knows them/g)).toHaveLength(2);
  expect(html).toMatch(/<section[^>]*id="approve-panel"[^>]*hx-swap-oob="true"/);
  const rows = await h.db.db.select().from(s.conflicts).where(eq(s.conflicts.accountId, twoReasons.id));
  expect(rows.every((r) => r.resolution === 'accept' && r.note === 'Ana knows them')).toBe(true);
});

it('resolves every account with an open reason of one kind from the bulk form, with one note', async () => {
  const res = await analyst.request(`/runs/${runId}/conflicts/bulk`, {
    method: 'POST',
    headers: { 'hx-request': 'true', 'hx-target': 'conflicts' },
    form: {
      _csrf: analyst.csrfToken,
      which: 'kind:deal_closing_soon',
      resolution: 'accept',
      note: 'Renewals go with the account',
      repId: '',
    },
  });
  expect(res.status).toBe(200);
  const html = await res.text();
  expect(html).toContain('<span id="conflicts-open-accounts">0</span>');
  expect(html).toContain('<span id="open-blocking" hx-swap-oob="true">0</span>');
  for (const a of [closingOnly, otherClosing]) {
    const rows = await h.db.db.select().from(s.conflicts).where(eq(s.conflicts.accountId, a.id));
    expect(rows.every((r) => r.note === 'Renewals go with the account')).toBe(true);
  }
});

it('says a card of warnings alone does not block approval (never that it no longer does)', async () => {
  // Carl leaves; his one account has only a deal won last year, which a run that moves opportunities names as a
  // warning (its split will not be changed).
  const db = h.db.db;
  const orgId = (await db.select().from(s.reps).where(eq(s.reps.id, danaId)))[0]!.orgId;
  const carl = await createRep(db, orgId, { name: 'Carl Departing', region: 'West' });
  const won = await createAccount(db, orgId, { name: 'Won Last Year', ownerRepId: carl.id, region: 'West' });
  await createOpportunity(db, orgId, won.id, {
    name: 'Won deal',
    ownerRepId: carl.id,
    status: 'closed_won',
    stage: 'Closed Won',
    closeDate: inDays(-200),
  });
  const res = await analyst.request('/runs/new', {
    method: 'POST',
    form: {
      _csrf: analyst.csrfToken,
      kind: 'rep_departure',
      departingRepIds: carl.id,
      scope: 'open_opportunities',
      commissionEndDate: inDays(30),
      reassignmentDate: inDays(31),
      reason: 'Carl leaves',
      strategy: 'optimal',
      objective: 'l1',
      commissionType: 'direct_transfer',
    },
  });
  expect(res.status).toBe(303);
  const carlRun = /\/runs\/([0-9a-f-]{36})/.exec(res.headers.get('location') ?? '')![1]!;
  await runner.drain();
  const { html } = await analyst.page(`/runs/${carlRun}`);
  const card = cardOf(html, won.id);
  expect(card).toContain('data-kind="closed_opportunity_in_scope"');
  expect(card).toContain('Does not block approval');
  expect(card).not.toContain('No longer blocks approval');
  expect(card).not.toContain('>Blocks approval<');
  expect(html).toContain('<span id="conflicts-open-accounts">0</span>');
});

it('says what is wrong next to the form when the note is missing, and changes nothing', async () => {
  const res = await analyst.request(`/runs/${runId}/conflicts/bulk`, {
    method: 'POST',
    headers: { 'hx-request': 'true', 'hx-target': 'conflicts' },
    form: { _csrf: analyst.csrfToken, which: 'ticked', resolution: 'accept', note: '' },
  });
  expect(res.status).toBe(422);
  expect(await res.text()).toContain('Write why in the note');
});

it('says in the wizard, before the solve, which rule is in force and what in the rules contradicts the book', async () => {
  await analyst.page('/runs/new');
  const res = await analyst.request('/runs/new/impact', {
    method: 'POST',
    headers: { 'hx-request': 'true' },
    form: {
      _csrf: analyst.csrfToken,
      kind: 'rep_departure',
      departingRepIds: danaId,
      scope: 'ownership',
      reason: 'Dana leaves',
      strategy: 'optimal',
      objective: 'l1',
      commissionType: 'direct_transfer',
    },
  });
  expect(res.status).toBe(200);
  const html = await res.text();
  expect(html).toContain('id="rules-in-force"');
  expect(html).toContain('Same region: an account goes only to a rep of its own region');
  // Ana's revenue cap of one cent is below her target: the numbers and the fix.
  expect(html).toContain('data-code="target-above-cap"');
  expect(html).toMatch(/Raise the revenue caps in West by at least \$[0-9.]+/);
});
