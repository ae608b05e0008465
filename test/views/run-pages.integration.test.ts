/**
 * HTML-level tests of the run, book, audit and rollback pages (issue 6, rollback of issue 7): status codes, the
 * content a person relies on, and the htmx fragments (progress polling, the account table, a conflict resolved
 * inline with the approval panel swapped out of band). Runs are started and solved through the real pages and
 * the real job runner; the committed runs for rollback come from the change-set fixture.
 */
import { eq } from 'drizzle-orm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import * as s from '../../db/schema/index.ts';
import { createJobRunner } from '../../src/jobs/runner.ts';
import { solveRunJob } from '../../src/services/solve/solve-run-job.ts';
import { type Browser, createHarness, createOrgWithUsers, type Harness, signedIn } from '../app/harness.ts';
import { createCommittedRun } from '../services/after/committed-run.ts';
import { createAccount, createOpportunity, createRep, createSplits } from '../support/factories.ts';

const HOUR = 3_600_000;
const UUID_IN = /\/runs\/([0-9a-f-]{36})/;

let h: Harness;
let runner: ReturnType<typeof createJobRunner>;
let org: Awaited<ReturnType<typeof createOrgWithUsers>>;
let other: Awaited<ReturnType<typeof createOrgWithUsers>>;
let book: Awaited<ReturnType<typeof seedBook>>;
let manager: Browser;
let analyst: Browser;
let departureRunId: string;
let secondRunId: string;

const inDays = (n: number) => new Date(h.clock.now.getTime() + n * 86_400_000).toISOString().slice(0, 10);

/** Dana leaves: six West accounts, one with a deal closing in ten days (a blocking conflict), one protected. */
async function seedBook(orgId: string) {
  const db = h.db.db;
  const house = await createRep(db, orgId, { kind: 'house', name: 'House', mayReceive: false });
  const dana = await createRep(db, orgId, { name: 'Dana Departing', region: 'West', endDate: inDays(20) });
  const ana = await createRep(db, orgId, { name: 'Ana Receiver', region: 'West', maxAccounts: 20 });
  const ben = await createRep(db, orgId, { name: 'Ben Receiver', region: 'West' });
  const danaAccounts = [];
  for (let i = 0; i < 6; i++) {
    danaAccounts.push(
      await createAccount(db, orgId, {
        name: `Dana Client ${i}`,
        ownerRepId: dana.id,
        region: 'West',
        annualRevenueCents: (i + 1) * 10_000_00,
      }),
    );
  }
  const closing = danaAccounts[0]!;
  const deal = await createOpportunity(db, orgId, closing.id, {
    name: 'Renewal closing soon',
    ownerRepId: dana.id,
    closeDate: inDays(10),
    amountCents: 55_000_00,
  });
  await createSplits(db, orgId, deal.id, [
    { repId: house.id, role: 'house', bps: 4500 },
    { repId: dana.id, role: 'rep', bps: 5500 },
  ]);
  const anaAccount = await createAccount(db, orgId, {
    name: 'Ana Own Client',
    ownerRepId: ana.id,
    region: 'West',
  });
  await createAccount(db, orgId, { name: 'Ben Own Client', ownerRepId: ben.id, region: 'West' });
  return { reps: { house, dana, ana, ben }, danaAccounts, closing, deal, anaAccount };
}

async function startDeparture(b: Browser, reason: string, strategy = 'optimal') {
  await b.page('/runs/new');
  const res = await b.request('/runs/new', {
    method: 'POST',
    form: {
      _csrf: b.csrfToken,
      kind: 'rep_departure',
      departingRepIds: book.reps.dana.id,
      scope: 'ownership',
      reason,
      strategy,
      objective: 'l1',
      commissionType: 'direct_transfer',
    },
  });
  expect(res.status).toBe(303);
  const id = UUID_IN.exec(res.headers.get('location') ?? '')?.[1];
  if (!id) throw new Error(`no run id in ${res.headers.get('location')}`);
  return id;
}

beforeAll(async () => {
  h = await createHarness({ SOLVER_TIME_LIMIT_SECONDS: '5' });
  runner = createJobRunner({ db: h.db.db, handlers: { solve_run: solveRunJob } });
  org = await createOrgWithUsers(h, 'Run Pages Org');
  other = await createOrgWithUsers(h, 'Run Pages Other Org');
  book = await seedBook(org.id);
  await createAccount(h.db.db, other.id, { name: 'Other Org Secret Client' });
  manager = await signedIn(h, org.users.manager);
  analyst = await signedIn(h, org.users.analyst);
});
afterAll(async () => {
  await h?.close();
});

describe('solving and the review page', () => {
  it('shows a polling progress box while solving, answers the poll with a fragment, then redirects htmx', async () => {
    departureRunId = await startDeparture(manager, 'Dana leaves at the end of the month');
    const solving = await manager.page(`/runs/${departureRunId}`);
    expect(solving.res.status).toBe(200);
    expect(solving.html).toContain('Dana leaves at the end of the month');
    expect(solving.html).toContain('id="solve-progress"');
    expect(solving.html).toContain(`hx-get="/runs/${departureRunId}/progress"`);
    expect(solving.html).toContain('hx-trigger="every 1s"');
    expect(solving.html).toContain('id="cancel-run"');

    const poll = await manager.request(`/runs/${departureRunId}/progress`, {
      headers: { 'hx-request': 'true' },
    });
    expect(poll.status).toBe(200);
    const fragment = await poll.text();
    expect(fragment).not.toContain('<html');
    // Only the status is swapped: the cancel form (and a reason being typed in it) stays.
    expect(fragment).toContain('id="solve-status"');
    expect(fragment).toContain('<progress');
    expect(fragment).not.toContain('id="cancel-run"');

    await runner.drain();
    const done = await manager.request(`/runs/${departureRunId}/progress`, {
      headers: { 'hx-request': 'true' },
    });
    expect(done.status).toBe(200);
    expect(done.headers.get('hx-redirect')).toBe(`/runs/${departureRunId}`);
    expect(await done.text()).toContain('Open the review');
  });

  it('reviews the proposal: stats, charts, balance with the lower bound, per-rep table and the blocking conflict', async () => {
    const { res, html } = await manager.page(`/runs/${departureRunId}`);
    expect(res.status).toBe(200);
    expect(html).toContain('id="run-stats"');
    expect(html).toMatch(/Accounts moving<\/dt><dd class="stat-value">6</);
    expect(html).toContain('<svg');
    expect(html).toContain('id="balance-table"');
    expect(html).toContain('id="lower-bound"');
    expect(html).toContain('Ana Receiver');
    expect(html).toContain('Ben Receiver');
    expect(html).toContain('Renewal closing soon');
    expect(html).toContain('Blocks approval');
    // A blocking conflict is open, so the manager is told to resolve it instead of getting the approve link.
    expect(html).toContain('id="approve-blocked"');
    expect(html).not.toContain('id="approve-link"');
    expect(html).toContain(`href="/runs/${departureRunId}/accounts?moved=1"`);
  });

  it('tells an analyst that only a manager approves; finance sees the review without any form to change it', async () => {
    const a = await analyst.page(`/runs/${departureRunId}`);
    expect(a.html).toContain('id="approve-refused"');
    expect(a.html).toContain('id="resolve-run"');
    const finance = await signedIn(h, org.users.finance);
    const f = await finance.page(`/runs/${departureRunId}`);
    expect(f.res.status).toBe(200);
    expect(f.html).not.toContain('id="resolve-run"');
    expect(f.html).not.toContain(`hx-post="/runs/${departureRunId}/conflicts/`);
    const rep = await signedIn(h, org.users.rep);
    expect((await rep.request(`/runs/${departureRunId}`)).status).toBe(403);
  });

  it('a run of another org is not found, and a malformed id is a 404 page, not a 500', async () => {
    const outsider = await signedIn(h, other.users.manager);
    expect((await outsider.request(`/runs/${departureRunId}`)).status).toBe(404);
    expect((await outsider.request(`/runs/${departureRunId}/accounts`)).status).toBe(404);
    const bad = await manager.request('/runs/not-a-uuid');
    expect(bad.status).toBe(404);
    expect(await bad.text()).toContain('That run does not exist.');
  });
});

describe('account table', () => {
  it('renders the full page with filters, and only the table for an htmx request aimed at it', async () => {
    const full = await manager.page(`/runs/${departureRunId}/accounts?moved=1`);
    expect(full.res.status).toBe(200);
    expect(full.html).toContain('id="accounts-title"');
    for (const a of book.danaAccounts) expect(full.html).toContain(a.name);
    expect(full.html).not.toContain('Ana Own Client');

    const res = await manager.request(`/runs/${departureRunId}/accounts?moved=1&sort=revenue&order=asc`, {
      headers: { 'hx-request': 'true', 'hx-target': 'div#account-table' },
    });
    expect(res.status).toBe(200);
    const fragment = await res.text();
    expect(fragment).not.toContain('<html');
    expect(fragment).not.toContain('id="accounts-title"');
    expect(fragment).toContain('id="account-table"');
    // Ascending by revenue: client 0 (10,000) comes before client 5 (60,000).
    expect(fragment.indexOf('Dana Client 0')).toBeGreaterThan(-1);
    expect(fragment.indexOf('Dana Client 0')).toBeLessThan(fragment.indexOf('Dana Client 5'));
  });

  it("explains one account: from, to and why, with a link to the account's page", async () => {
    const a = book.danaAccounts[3]!;
    const { res, html } = await manager.page(`/runs/${departureRunId}/accounts/${a.id}`);
    expect(res.status).toBe(200);
    expect(html).toContain(a.name);
    expect(html).toContain('Dana Departing');
    expect(html).toMatch(/<dd id="why">[^<—]+</);
    expect(html).toContain(`href="/accounts/${a.id}"`);
  });
});

describe('conflicts resolved inline', () => {
  async function openBlocking() {
    const all = await h.db.db.select().from(s.conflicts).where(eq(s.conflicts.runId, departureRunId));
    return all
      .filter((k) => k.severity === 'blocking' && k.resolution === null)
      .sort((a, b) => a.id.localeCompare(b.id));
  }

  it('refuses a decision without a note with the error in the fragment (422) and changes nothing', async () => {
    const open = await openBlocking();
    // The deal closing in ten days blocks; so does the protection that keeps such an account with its owner.
    expect(open.length).toBeGreaterThanOrEqual(1);
    expect(open.every((k) => k.accountId === book.closing.id)).toBe(true);
    const k = open[0]!;
    await analyst.page(`/runs/${departureRunId}`);
    const res = await analyst.request(`/runs/${departureRunId}/conflicts/${k.id}`, {
      method: 'POST',
      headers: { 'hx-request': 'true', 'hx-target': `article#conflict-${k.id}` },
      form: { _csrf: analyst.csrfToken, resolution: 'accept', note: '' },
    });
    expect(res.status).toBe(422);
    const html = await res.text();
    expect(html).not.toContain('<html');
    expect(html).toContain(`id="conflict-${k.id}"`);
    expect(html).toContain('Write why: the note is kept in the audit trail.');
    const [after] = await h.db.db.select().from(s.conflicts).where(eq(s.conflicts.id, k.id));
    expect(after!.resolution).toBeNull();
  });

  it('accepts with a note: the card, the approval panel (out of band) and the open count are swapped', async () => {
    const open = await openBlocking();
    const k = open[0]!;
    const res = await analyst.request(`/runs/${departureRunId}/conflicts/${k.id}`, {
      method: 'POST',
      headers: { 'hx-request': 'true', 'hx-target': `article#conflict-${k.id}` },
      form: { _csrf: analyst.csrfToken, resolution: 'accept', note: 'Ana knows the buyer' },
    });
    expect(res.status).toBe(200);
    const html = await res.text();
    expect(html).not.toContain('<html');
    expect(html).toContain(`id="conflict-${k.id}-resolution"`);
    expect(html).toContain('Ana knows the buyer');
    expect(html).toMatch(/<section[^>]*id="approve-panel"[^>]*hx-swap-oob="true"/);
    expect(html).toContain(`<span id="open-blocking" hx-swap-oob="true">${open.length - 1}</span>`);
  });

  it('a form post without htmx goes back to the page; without the CSRF token it is refused', async () => {
    const open = await openBlocking();
    for (const k of open) {
      const noToken = await analyst.request(`/runs/${departureRunId}/conflicts/${k.id}`, {
        method: 'POST',
        form: { resolution: 'accept', note: 'no token' },
      });
      expect(noToken.status).toBe(403);
      const plain = await analyst.request(`/runs/${departureRunId}/conflicts/${k.id}`, {
        method: 'POST',
        form: { _csrf: analyst.csrfToken, resolution: 'accept', note: 'Dana hands the renewal over' },
      });
      expect(plain.status).toBe(303);
      expect(plain.headers.get('location')).toBe(`/runs/${departureRunId}#conflicts`);
    }
    expect(await openBlocking()).toHaveLength(0);
    // With nothing blocking, the manager now gets the approve link on the page.
    const { html } = await manager.page(`/runs/${departureRunId}`);
    expect(html).toContain('id="approve-link"');
    expect(html).toContain('<span id="open-blocking">0</span>');
  });
});

describe('comparing two proposals', () => {
  it('offers the other solved run and shows both side by side', async () => {
    const second = await startDeparture(analyst, 'Dana leaves, round-robin variant', 'round-robin');
    secondRunId = second;
    await runner.drain();
    const pick = await manager.page(`/runs/${departureRunId}/compare`);
    expect(pick.res.status).toBe(200);
    expect(pick.html).toContain('id="compare-with"');
    expect(pick.html).toContain(`<option value="${second}"`);
    expect(pick.html).not.toContain('id="compare-metrics"');

    const { res, html } = await manager.page(`/runs/${departureRunId}/compare?with=${second}`);
    expect(res.status).toBe(200);
    expect(html).toContain('id="compare-metrics"');
    expect(html).toContain('id="compare-table"');
    expect(html).toMatch(/Accounts moving<\/th><td class="num">6<\/td><td class="num">6<\/td>/);
    expect(html).toContain('Ana Receiver');
    const bad = await manager.request(`/runs/${departureRunId}/compare?with=nonsense`);
    expect(bad.status).toBe(200);
  });
});

describe('changing selected accounts of a proposal', () => {
  const assignments = () =>
    h.db.db.select().from(s.runAssignments).where(eq(s.runAssignments.runId, secondRunId));
  const change = (b: Browser, form: Record<string, string | string[]>) => {
    const body = new URLSearchParams();
    for (const [k, v] of Object.entries(form)) for (const x of [v].flat()) body.append(k, x);
    return b.request(`/runs/${secondRunId}/accounts/change`, {
      method: 'POST',
      headers: { 'content-type': 'application/x-www-form-urlencoded' },
      body: body.toString(),
    });
  };

  it('offers checkboxes and the change form to those who may change the proposal, in the page and the fragment', async () => {
    const { html } = await analyst.page(`/runs/${secondRunId}/accounts?moved=1`);
    expect(html).toContain(
      `<form method="post" action="/runs/${secondRunId}/accounts/change" id="account-change">`,
    );
    for (const a of book.danaAccounts)
      expect(html).toContain(
        `name="accountId" value="${a.id}" id="select-${a.id}" aria-label="Select ${a.name}"`,
      );
    expect(html).toContain('<legend>With the selected accounts</legend>');
    expect(html).toContain(`name="back" value="/runs/${secondRunId}/accounts?moved=1"`);
    const fragment = await (
      await analyst.request(`/runs/${secondRunId}/accounts?moved=1&page=1`, {
        headers: { 'hx-request': 'true', 'hx-target': 'div#account-table' },
      })
    ).text();
    expect(fragment).not.toContain('<html');
    expect(fragment).toContain('id="account-change"');

    const finance = await signedIn(h, org.users.finance);
    const seen = await finance.page(`/runs/${secondRunId}/accounts?moved=1`);
    expect(seen.html).not.toContain('name="accountId"');
    expect(seen.html).not.toContain('id="account-change"');
    const refused = await change(finance, {
      _csrf: finance.csrfToken,
      accountId: book.danaAccounts[1]!.id,
      action: 'exclude',
      note: 'finance tries',
    });
    expect(refused.status).toBe(403);
  });

  it('refuses an exclusion without a note, or a selection of nothing, and changes nothing', async () => {
    await analyst.page(`/runs/${secondRunId}/accounts`);
    const before = await assignments();
    const noNote = await change(analyst, {
      _csrf: analyst.csrfToken,
      accountId: [book.danaAccounts[1]!.id, book.danaAccounts[2]!.id],
      action: 'exclude',
      note: '',
      back: `/runs/${secondRunId}/accounts?moved=1`,
    });
    expect(noNote.status).toBe(303);
    const location = noNote.headers.get('location')!;
    expect(location.startsWith(`/runs/${secondRunId}/accounts?moved=1&error=`)).toBe(true);
    const page = await analyst.page(location);
    expect(page.html).toContain('id="change-error"');
    expect(page.html).toContain('Write why in the note');
    const none = await change(analyst, { _csrf: analyst.csrfToken, action: 'exclude', note: 'x' });
    expect(new URL(none.headers.get('location')!, 'http://x').searchParams.get('error')).toBe(
      'Select at least one account, then apply the change.',
    );
    const noAction = await change(analyst, {
      _csrf: analyst.csrfToken,
      accountId: book.danaAccounts[1]!.id,
      action: '',
      note: 'x',
    });
    expect(new URL(noAction.headers.get('location')!, 'http://x').searchParams.get('error')).toBe(
      'Choose what to change.',
    );
    const pinNobody = await change(analyst, {
      _csrf: analyst.csrfToken,
      accountId: book.danaAccounts[1]!.id,
      action: 'pin',
      note: 'to whom?',
    });
    expect(pinNobody.headers.get('location')).toContain('error=');
    expect(await assignments()).toEqual(before);
  });

  it('excludes the selected accounts with the note, audits each, and comes back to the same filtered table', async () => {
    const [x, y] = [book.danaAccounts[1]!, book.danaAccounts[2]!];
    const res = await change(analyst, {
      _csrf: analyst.csrfToken,
      accountId: [x.id, y.id],
      action: 'exclude',
      note: 'Dana keeps these two until the handover call',
      back: `/runs/${secondRunId}/accounts?moved=1`,
    });
    expect(res.status).toBe(303);
    expect(res.headers.get('location')).toBe(`/runs/${secondRunId}/accounts?moved=1&applied=2`);
    const rows = await assignments();
    for (const a of [x, y]) {
      const row = rows.find((r) => r.accountId === a.id)!;
      expect(row.excluded).toBe(true);
      expect(row.toRepId).toBe(book.reps.dana.id);
    }
    expect(rows.filter((r) => r.excluded)).toHaveLength(2);
    const { html } = await analyst.page(`/runs/${secondRunId}/accounts?applied=2`);
    expect(html).toContain('id="change-applied"');
    expect(html).toContain('2 change(s) made.');
    expect(html.match(/stays \(excluded\)/g)).toHaveLength(2);
    const events = await h.db.db.select().from(s.auditEvents).where(eq(s.auditEvents.runId, secondRunId));
    const excluded = events.filter((e) => e.action === 'run.account_excluded');
    expect(excluded.map((e) => e.entityId).sort()).toEqual([x.id, y.id].sort());
    expect(JSON.stringify(excluded[0]!.after)).toContain('Dana keeps these two until the handover call');
  });

  it('accepts the open conflicts of the selected accounts with one note', async () => {
    const openOf = async () =>
      (await h.db.db.select().from(s.conflicts).where(eq(s.conflicts.runId, secondRunId))).filter(
        (k) => k.resolution === null,
      );
    const before = await openOf();
    const onClosing = before.filter((k) => k.accountId === book.closing.id);
    expect(onClosing.length).toBeGreaterThanOrEqual(1);
    const quiet = book.danaAccounts[5]!;
    expect(before.some((k) => k.accountId === quiet.id)).toBe(false);

    const nothing = await change(analyst, {
      _csrf: analyst.csrfToken,
      accountId: quiet.id,
      action: 'accept',
      note: 'nothing to accept',
    });
    expect(new URL(nothing.headers.get('location')!, 'http://x').searchParams.get('error')).toBe(
      'The selected accounts have no open conflict. Nothing was changed.',
    );
    const res = await change(analyst, {
      _csrf: analyst.csrfToken,
      accountId: [book.closing.id, quiet.id],
      action: 'accept',
      note: 'Renewal stays on track with the new owner',
      back: `/runs/${secondRunId}/accounts?conflict=1`,
    });
    expect(res.headers.get('location')).toBe(
      `/runs/${secondRunId}/accounts?conflict=1&applied=${onClosing.length}`,
    );
    const after = await openOf();
    expect(after.filter((k) => k.accountId === book.closing.id)).toHaveLength(0);
    expect(after).toHaveLength(before.length - onClosing.length);
    const resolved = await h.db.db.select().from(s.conflicts).where(eq(s.conflicts.runId, secondRunId));
    for (const k of resolved.filter((r) => r.accountId === book.closing.id)) {
      expect(k.resolution).toBe('accept');
      expect(k.note).toBe('Renewal stays on track with the new owner');
    }
  });

  it("pins one account from its own page, then removes the override; a foreign 'back' is ignored", async () => {
    const a = book.danaAccounts[4]!;
    const page = await analyst.page(`/runs/${secondRunId}/accounts/${a.id}`);
    expect(page.html).toContain('id="account-override"');
    expect(page.html).toContain(`<input type="hidden" name="accountId" value="${a.id}"/>`);
    expect(page.html).toContain('Placed by the solver.');
    const pin = await change(analyst, {
      _csrf: analyst.csrfToken,
      accountId: a.id,
      action: 'pin',
      repId: book.reps.ben.id,
      note: 'Ben sold to them before',
      back: `/runs/${secondRunId}/accounts/${a.id}`,
    });
    expect(pin.headers.get('location')).toBe(`/runs/${secondRunId}/accounts/${a.id}?applied=1`);
    const pinned = (await assignments()).find((r) => r.accountId === a.id)!;
    expect(pinned.pinned).toBe(true);
    expect(pinned.toRepId).toBe(book.reps.ben.id);
    const after = await analyst.page(`/runs/${secondRunId}/accounts/${a.id}?applied=1`);
    expect(after.html).toContain('Pinned: every re-solve keeps it with its rep.');
    expect(after.html).toContain('Ben sold to them before');

    const unpin = await change(analyst, {
      _csrf: analyst.csrfToken,
      accountId: a.id,
      action: 'unpin',
      back: 'https://evil.example/phish',
    });
    expect(unpin.headers.get('location')).toBe(`/runs/${secondRunId}/accounts?applied=1`);
    expect((await assignments()).find((r) => r.accountId === a.id)!.pinned).toBe(false);
    // Un-pinning again is refused by the service with its reason, shown on the page; nothing breaks.
    const again = await change(analyst, { _csrf: analyst.csrfToken, accountId: a.id, action: 'unpin' });
    const q = new URL(again.headers.get('location')!, 'http://x').searchParams;
    expect(q.get('applied')).toBe('0');
    expect(q.get('error')).toContain('not pinned');

    const finance = await signedIn(h, org.users.finance);
    expect((await finance.page(`/runs/${secondRunId}/accounts/${a.id}`)).html).not.toContain(
      'id="account-override"',
    );
  });

  it('applies a change to every account matching the filter, and refuses when the table changed meanwhile', async () => {
    const movedNow = (await assignments()).filter((r) => !r.excluded && r.toRepId !== r.fromRepId);
    expect(movedNow.length).toBeGreaterThanOrEqual(2);
    const { html } = await analyst.page(`/runs/${secondRunId}/accounts?moved=1`);
    expect(html).toContain('<input type="checkbox" id="bulk-all" name="all" value="1"/>');
    expect(html).toContain(
      `Apply to all ${movedNow.length} account(s) matching these filters, not only those ticked on this page`,
    );
    expect(html).toContain(`<input type="hidden" name="matching" value="${movedNow.length}"/>`);
    expect(html).toContain('<input type="hidden" name="moved" value="1"/>');
    const [run] = await h.db.db.select().from(s.runs).where(eq(s.runs.id, secondRunId));
    const byAccount = async () => (await assignments()).sort((a, b) => (a.accountId < b.accountId ? -1 : 1));
    const untouched = await byAccount();

    const stale = await change(analyst, {
      _csrf: analyst.csrfToken,
      all: '1',
      moved: '1',
      matching: String(movedNow.length + 1),
      action: 'exclude',
      note: 'all moving ones stay for now',
      back: `/runs/${secondRunId}/accounts?moved=1`,
    });
    const q = new URL(stale.headers.get('location')!, 'http://x').searchParams;
    expect(q.get('applied')).toBe('0');
    expect(q.get('error')).toContain(
      `The filter now matches ${movedNow.length} account(s), not ${movedNow.length + 1} as shown`,
    );
    expect(await byAccount()).toEqual(untouched);

    const res = await change(analyst, {
      _csrf: analyst.csrfToken,
      all: '1',
      moved: '1',
      matching: String(movedNow.length),
      action: 'exclude',
      note: 'all moving ones stay for now',
      back: `/runs/${secondRunId}/accounts?moved=1`,
    });
    expect(res.headers.get('location')).toBe(
      `/runs/${secondRunId}/accounts?moved=1&applied=${movedNow.length}`,
    );
    const rows = await assignments();
    for (const m of movedNow) expect(rows.find((r) => r.accountId === m.accountId)!.excluded).toBe(true);
    const [after] = await h.db.db.select().from(s.runs).where(eq(s.runs.id, secondRunId));
    expect(after!.version).toBe(run!.version + 1); // one change, whatever the number of accounts
    expect(after!.proposalHash).not.toBe(run!.proposalHash);
    const events = await h.db.db.select().from(s.auditEvents).where(eq(s.auditEvents.runId, secondRunId));
    const noted = events.filter(
      (e) => e.action === 'run.account_excluded' && JSON.stringify(e.after).includes('all moving ones stay'),
    );
    expect(noted.map((e) => e.entityId).sort()).toEqual(movedNow.map((m) => m.accountId).sort());

    // Back as they were, ticked one by one (include takes the accounts the filter no longer shows as moving).
    const back = await change(analyst, {
      _csrf: analyst.csrfToken,
      accountId: movedNow.map((m) => m.accountId),
      action: 'include',
    });
    expect(new URL(back.headers.get('location')!, 'http://x').searchParams.get('applied')).toBe(
      String(movedNow.length),
    );
  });
});

describe('reps and accounts', () => {
  it('lists the roster with loads and who leaves; a rep page shows the book, the cap and "reassign this book"', async () => {
    const list = await manager.page('/reps');
    expect(list.res.status).toBe(200);
    expect(list.html).toContain('id="reps-table"');
    expect(list.html).toContain(`href="/reps/${book.reps.dana.id}"`);
    expect(list.html).toContain(`leaves ${book.reps.dana.endDate}`);
    expect(list.html).not.toContain('Other Org');

    const dana = await manager.page(`/reps/${book.reps.dana.id}`);
    expect(dana.res.status).toBe(200);
    expect(dana.html).toContain('id="rep-load"');
    for (const a of book.danaAccounts) expect(dana.html).toContain(a.name);
    expect(dana.html).not.toContain('Ana Own Client');
    expect(dana.html).toContain(`href="/runs/new?kind=rep_departure&amp;rep=${book.reps.dana.id}"`);

    const ana = await manager.page(`/reps/${book.reps.ana.id}`);
    expect(ana.html).toContain('of 20 (5%)');

    const finance = await signedIn(h, org.users.finance);
    expect((await finance.page(`/reps/${book.reps.dana.id}`)).html).not.toContain('id="reassign-book"');
    expect((await manager.request('/reps/00000000-0000-4000-8000-000000000000')).status).toBe(404);
    expect((await manager.request('/reps/nope')).status).toBe(404);
  });

  it('searches accounts and shows one account with its owner and commission structure', async () => {
    const search = await manager.page('/accounts?q=Dana%20Client%203');
    expect(search.res.status).toBe(200);
    expect(search.html).toContain('Dana Client 3');
    expect(search.html).not.toContain('Dana Client 4');
    expect(search.html).not.toContain('Other Org Secret Client');

    const { res, html } = await manager.page(`/accounts/${book.closing.id}`);
    expect(res.status).toBe(200);
    expect(html).toContain(book.closing.name);
    expect(html).toContain(`href="/reps/${book.reps.dana.id}"`);
    expect(html).toContain('Renewal closing soon');
    expect(html).toContain('<td>house</td><td class="num">45%</td>');
    expect(html).toContain('<td>rep</td><td class="num">55%</td>');
    expect((await manager.request('/accounts/00000000-0000-4000-8000-000000000000')).status).toBe(404);
  });

  it("the rep's own view shows their book and nothing else; the staff pages are closed to them", async () => {
    await h.db.db
      .update(s.memberships)
      .set({ repId: book.reps.ana.id })
      .where(eq(s.memberships.userId, org.users.rep.id));
    const notice = (repId: string, subject: string) => ({
      orgId: org.id,
      runId: departureRunId,
      kind: 'receiver_digest',
      recipientRepId: repId,
      recipientEmail: `${subject.replaceAll(' ', '-')}@example.test`,
      subject,
      html: '<p>x</p>',
      text: 'x',
      idempotencyKey: `me-${subject}-${repId}`,
    });
    await h.db.db
      .insert(s.notices)
      .values([
        notice(book.reps.ana.id, 'Three accounts for Ana'),
        notice(book.reps.ben.id, 'Three accounts for Ben'),
      ]);
    const rep = await signedIn(h, org.users.rep);
    const { res, html } = await rep.page('/me');
    expect(html).toContain('Three accounts for Ana');
    expect(html).not.toContain('Three accounts for Ben');
    expect(res.status).toBe(200);
    expect(html).toContain('My book — Ana Receiver');
    expect(html).toContain('Ana Own Client');
    expect(html).not.toContain('Dana Client');
    expect(html).not.toContain('Ben Own Client');
    expect(html).toContain('id="notices-title"');
    expect(html).not.toContain('id="reassign-book"');
    for (const path of ['/reps', `/reps/${book.reps.dana.id}`, '/accounts', '/audit', '/runs/new']) {
      expect((await rep.request(path)).status, path).toBe(403);
    }
    expect((await manager.request('/me')).status).toBe(403);
  });
});

describe('audit timeline', () => {
  it('shows the org timeline with the chain verified, and the run timeline with its own events only', async () => {
    const org = await manager.page('/audit');
    expect(org.res.status).toBe(200);
    expect(org.html).toContain('Hash chain verified');
    expect(org.html).toContain('created the run');
    expect(org.html).toContain('resolved a conflict');
    expect(org.html).toContain('href="/audit/export.csv"');

    const run = await manager.page(`/runs/${departureRunId}/audit`);
    expect(run.res.status).toBe(200);
    expect(run.html).toContain('id="run-audit-title"');
    expect(run.html).toContain('Ana knows the buyer');
    expect(run.html).not.toContain('round-robin variant</a>');
    const csv = await manager.request(`/runs/${departureRunId}/audit/export.csv`);
    expect(csv.status).toBe(200);
    expect(await csv.text()).toContain('conflict.resolved');
  });
});

describe('rolling back a committed run from its page', () => {
  let rb: Awaited<ReturnType<typeof createOrgWithUsers>>;
  let rbManager: Browser;
  /** The fixture stores strategy 'balanced', which no run kind accepts; the review page reads params strictly. */
  async function committedRun(options: { accounts: number; committedAt: Date }) {
    const f = await createCommittedRun(h.db.db, { orgId: rb.id, ...options });
    await h.db.db
      .update(s.runs)
      .set({ params: { strategy: 'optimal', departingRepIds: [f.reps.departing.id] } })
      .where(eq(s.runs.id, f.run.id));
    return f;
  }
  beforeAll(async () => {
    rb = await createOrgWithUsers(h, 'Rollback Pages Org');
    rbManager = await signedIn(h, rb.users.manager);
  });

  it('shows managers a form with what will change and the deadline; others only the deadline', async () => {
    const f = await committedRun({ accounts: 3, committedAt: h.clock.now });
    const deadline = new Date(h.clock.now.getTime() + 48 * HOUR).toISOString().slice(0, 16).replace('T', ' ');
    const { res, html } = await rbManager.page(`/runs/${f.run.id}`);
    expect(res.status).toBe(200);
    expect(html).toContain('id="rollback-confirm"');
    expect(html).toContain('3 account(s), 3 opportunity(ies) and 3 commission split(s)');
    expect(html).toContain(
      `<strong id="rollback-deadline">${deadline} UTC</strong> (48 hours after the commit`,
    );
    expect(html).toContain(`<form method="post" action="/runs/${f.run.id}/rollback">`);
    expect(html).toMatch(/<textarea id="rollback-reason" name="reason" required=""/);
    expect(html).toContain('id="rollback-run"');

    const a = await signedIn(h, rb.users.analyst);
    const seen = await a.page(`/runs/${f.run.id}`);
    expect(seen.html).toContain('id="rollback-open"');
    expect(seen.html).toContain(`${deadline} UTC`);
    expect(seen.html).not.toContain('id="rollback-run"');
    const refused = await a.request(`/runs/${f.run.id}/rollback`, {
      method: 'POST',
      form: { _csrf: a.csrfToken, reason: 'analyst tries', confirm: 'yes' },
    });
    expect(refused.status).toBe(403);
  });

  it('refuses without a reason or the confirmation, next to the fields, and changes nothing', async () => {
    const f = await committedRun({ accounts: 1, committedAt: h.clock.now });
    await rbManager.page(`/runs/${f.run.id}`);
    const res = await rbManager.request(`/runs/${f.run.id}/rollback`, {
      method: 'POST',
      form: { _csrf: rbManager.csrfToken, reason: '   ' },
    });
    expect(res.status).toBe(422);
    const html = await res.text();
    expect(html).toContain('id="rollback-error"');
    expect(html).toContain(
      '<p class="field-error" id="rollback-reason-error">Say why the run is rolled back',
    );
    expect(html).toContain('id="rollback-confirm-box-error"');
    expect(html).toContain('<details open="">');
    const noToken = await rbManager.request(`/runs/${f.run.id}/rollback`, {
      method: 'POST',
      form: { reason: 'wrong run', confirm: 'yes' },
    });
    expect(noToken.status).toBe(403);
    const [run] = await h.db.db.select().from(s.runs).where(eq(s.runs.id, f.run.id));
    expect(run!.status).toBe('committed');
  });

  it('rolls back: restores owners, leaves a record changed since alone, shows the result, the reason and the inverse file', async () => {
    const f = await committedRun({ accounts: 3, committedAt: h.clock.now });
    // Someone moved the first account (not its deal) after the commit: that account is left alone, its deal and split return.
    const changed = f.moved[0]!;
    await h.db.db
      .update(s.accounts)
      .set({ ownerRepId: f.reps.boss.id })
      .where(eq(s.accounts.id, changed.accountId));
    await rbManager.page(`/runs/${f.run.id}`);
    const res = await rbManager.request(`/runs/${f.run.id}/rollback`, {
      method: 'POST',
      form: { _csrf: rbManager.csrfToken, reason: 'Wrong rep was marked as leaving', confirm: 'yes' },
    });
    expect(res.status).toBe(303);
    expect(res.headers.get('location')).toBe(`/runs/${f.run.id}#rollback-result`);

    const owners = await h.db.db.select().from(s.accounts).where(eq(s.accounts.orgId, rb.id));
    const ownerOf = (id: string) => owners.find((a) => a.id === id)!.ownerRepId;
    expect(ownerOf(changed.accountId)).toBe(f.reps.boss.id);
    expect(ownerOf(f.moved[1]!.accountId)).toBe(f.reps.departing.id);
    expect(ownerOf(f.moved[2]!.accountId)).toBe(f.reps.departing.id);

    const { html } = await rbManager.page(`/runs/${f.run.id}`);
    expect(html).toContain('Rolled back');
    expect(html).toContain('id="rollback-result"');
    expect(html).toMatch(/2 account\(s\),\s*3 opportunity\(ies\) and 3 commission split\(s\)\s*restored/);
    expect(html).toContain('<strong id="rollback-conflict-count">1</strong>');
    const name = owners.find((a) => a.id === changed.accountId)!.name;
    expect(html).toContain(`<strong><a href="/accounts/${changed.accountId}">${name}</a></strong>`);
    expect(html).toContain('changed since the run');
    expect(html).toContain('Reason: <q>Wrong rep was marked as leaving</q>');
    expect(html).toContain(`href="/runs/${f.run.id}/exports/inverse"`);
    expect(html).not.toContain('id="rollback-run"');

    const inverse = await rbManager.request(`/runs/${f.run.id}/exports/inverse`);
    expect(inverse.status).toBe(200);
    const csv = await inverse.text();
    expect(csv).toContain(f.reps.departing.email!);
    expect(csv).not.toContain(name);

    const audit = await rbManager.page(`/runs/${f.run.id}/audit`);
    expect(audit.html).toContain('rolled the run back');
    expect(audit.html).toContain('Hash chain verified');
    // Every event in words, never a raw kind such as run.rolled_back.
    expect(audit.html).not.toMatch(/<strong>[a-z_]+\.[a-z_]+<\/strong>/);

    // The reason is kept in the rollback's own audit event (one transaction with the rollback).
    const rolledBack = (
      await h.db.db.select().from(s.auditEvents).where(eq(s.auditEvents.runId, f.run.id))
    ).filter((e) => e.action === 'run.rolled_back');
    expect(rolledBack).toHaveLength(1);
    expect((rolledBack[0]!.after as { reason: string }).reason).toBeTruthy();
    // Posting again (a double click, a back button) changes nothing and adds no second rollback event.
    const again = await rbManager.request(`/runs/${f.run.id}/rollback`, {
      method: 'POST',
      form: { _csrf: rbManager.csrfToken, reason: 'second try', confirm: 'yes' },
    });
    expect(again.status).toBe(303);
    const reasons = await h.db.db.select().from(s.auditEvents).where(eq(s.auditEvents.runId, f.run.id));
    expect(reasons.filter((e) => e.action === 'run.rolled_back')).toHaveLength(1);
  });

  it('after the window: the page names the deadline that passed, offers no button, and a post is refused', async () => {
    const committedAt = new Date(h.clock.now.getTime() - 49 * HOUR);
    const f = await committedRun({ accounts: 1, committedAt });
    const deadline = new Date(committedAt.getTime() + 48 * HOUR);
    const { html } = await rbManager.page(`/runs/${f.run.id}`);
    expect(html).toContain('id="rollback-closed"');
    expect(html).toContain(`${deadline.toISOString().slice(0, 16).replace('T', ' ')} UTC`);
    expect(html).not.toContain('id="rollback-run"');
    expect(html).not.toContain(`action="/runs/${f.run.id}/rollback"`);

    const res = await rbManager.request(`/runs/${f.run.id}/rollback`, {
      method: 'POST',
      form: { _csrf: rbManager.csrfToken, reason: 'Too late', confirm: 'yes' },
    });
    expect(res.status).toBe(409);
    const page = await res.text();
    expect(page).toContain('Nothing was rolled back.');
    expect(page).toContain(deadline.toISOString());
    const [run] = await h.db.db.select().from(s.runs).where(eq(s.runs.id, f.run.id));
    expect(run!.status).toBe('committed');
  });

  it('offers no rollback on a run that is not committed', async () => {
    const { html } = await manager.page(`/runs/${departureRunId}`);
    expect(html).not.toContain('id="rollback"');
    await manager.page(`/runs/${departureRunId}`);
    const res = await manager.request(`/runs/${departureRunId}/rollback`, {
      method: 'POST',
      form: { _csrf: manager.csrfToken, reason: 'Not committed yet', confirm: 'yes' },
    });
    expect(res.status).toBe(409);
    expect(await res.text()).toContain('Nothing was rolled back.');
  });
});
