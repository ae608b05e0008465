/**
 * Issue 13 in Chromium on the demo org: one run of each kind (departure, realignment of one region, new hire
 * starter book, single account, single opportunity), started from the wizard's form as an analyst and read on the
 * run's page as the manager who approves it. On each: the rules in force are shown, every moved account goes to a
 * rep of its own region, no protected account moves without a blocking conflict on the page, a new hire stays
 * within target plus tolerance (or the page says why not), and resolving a conflict card updates the counters in
 * place. The same properties are read through the API (the run's accounts and its open blocking conflicts).
 * Screenshots go to the artifacts folder.
 */
import { sql } from 'drizzle-orm';
import type { Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { queryRows } from '../../src/db/query-rows.ts';
import { ARTIFACTS, type DemoBrowser, pickLeaver, startDemoBrowser } from './demo-browser.ts';

let demo: DemoBrowser;

beforeAll(async () => {
  demo = await startDemoBrowser('rules-hold');
});
afterAll(() => demo?.close());

const inDays = (n: number) => new Date(Date.now() + n * 86_400_000).toISOString().slice(0, 10);

const SAME_REGION = 'Same region: an account goes only to a rep of its own region';

/** Starts a run with the wizard's own form (its CSRF token and fields), as the analyst's browser submits it. */
async function startRun(page: Page, fields: Record<string, string | string[]>): Promise<string> {
  await page.goto(`${demo.base}/runs/new`);
  const csrf = await page.locator('input[name=_csrf]').first().inputValue();
  const form = new URLSearchParams({
    _csrf: csrf,
    scope: 'ownership',
    strategy: 'optimal',
    objective: 'l1',
    commissionType: 'direct_transfer',
    reason: 'End-to-end check of the rules',
  });
  for (const [k, v] of Object.entries(fields)) {
    form.delete(k);
    for (const x of [v].flat()) form.append(k, x);
  }
  const res = await page.request.post(`${demo.base}/runs/new`, {
    headers: { 'content-type': 'application/x-www-form-urlencoded' },
    data: form.toString(),
    maxRedirects: 0,
  });
  expect(res.status(), await res.text()).toBe(303);
  const runId = /\/runs\/([0-9a-f-]{36})/.exec(res.headers().location ?? '')![1]!;
  await page.goto(`${demo.base}/runs/${runId}`);
  await page.waitForSelector('#run-stats', { timeout: 120_000 });
  return runId;
}

type Line = {
  account_id: string;
  account_region: string | null;
  protected: boolean;
  from_rep_id: string | null;
  to_rep_id: string | null;
  to_region: string | null;
  excluded: boolean;
};

const linesOf = (runId: string) =>
  queryRows<Line>(
    demo.db.db,
    sql`select ra.account_id, a.region as account_region, coalesce(a.custom->>'protected', '') = 'true' as protected,
               ra.from_rep_id, ra.to_rep_id, r.region as to_region, ra.excluded
        from run_assignments ra join accounts a on a.id = ra.account_id left join reps r on r.id = ra.to_rep_id
        where ra.run_id = ${runId}::uuid`,
  );

const openBlockingOn = async (runId: string) =>
  new Set(
    (
      await queryRows<{ account_id: string | null; rep_id: string | null }>(
        demo.db.db,
        sql`select account_id, rep_id from conflicts
            where run_id = ${runId}::uuid and severity = 'blocking' and resolution is null`,
      )
    ).flatMap((c) => [c.account_id, c.rep_id].filter((x): x is string => x !== null)),
  );

/** The page as the manager sees it: rules in force, regions held, protected accounts kept or flagged. */
async function checkRulesHold(page: Page, runId: string, name: string) {
  await demo.signIn(page, 'manager@demo.test');
  await page.goto(`${demo.base}/runs/${runId}`);
  await page.waitForSelector('#run-stats');
  expect(await page.textContent('#eligibility-rule')).toContain(SAME_REGION);
  const lines = await linesOf(runId);
  const blocking = await openBlockingOn(runId);
  for (const l of lines) {
    if (l.excluded || l.to_rep_id === null || l.to_rep_id === l.from_rep_id) continue;
    expect(l.to_region, `account ${l.account_id} went across regions`).toBe(l.account_region);
    if (l.protected)
      expect(blocking.has(l.account_id), `protected ${l.account_id} moved silently`).toBe(true);
  }
  // Every open blocking conflict of an account is on the page, one card per account.
  for (const id of [...blocking].slice(0, 20)) {
    if (lines.some((l) => l.account_id === id))
      expect(await page.locator(`[id="account-conflicts-${id}"]`).count()).toBe(1);
  }
  await page.screenshot({ path: `${ARTIFACTS}rules-hold-${name}.png`, fullPage: true });
  await checkThroughApi(page, runId, lines);
  return { lines, blocking };
}

/**
 * The same properties read through the API, as another system would read them with the manager's session: the run's
 * accounts (every one, page by page) agree with what the page showed, every moved account goes to a rep of its own
 * region, and a protected account that moves has an open blocking conflict in the API's conflict list.
 */
async function checkThroughApi(page: Page, runId: string, lines: Line[]) {
  const get = async (path: string) => {
    const res = await page.request.get(`${demo.base}/v1${path}`);
    expect(res.status(), `GET /v1${path}: ${await res.text()}`).toBe(200);
    return res.json();
  };
  const region = new Map<string, string | null>();
  for (const r of (await get('/reps?limit=1000')).data as { id: string; region: string | null }[])
    region.set(r.id, r.region);
  type ApiLine = {
    accountId: string;
    region: string | null;
    fromRepId: string | null;
    toRepId: string | null;
  };
  const api: (ApiLine & { moved: boolean; excluded: boolean })[] = [];
  for (let n = 1; ; n++) {
    const body = await get(`/runs/${runId}/accounts?pageSize=500&page=${n}`);
    api.push(...body.data);
    if (api.length >= body.total || body.data.length === 0) break;
  }
  const byAccount = new Map(api.map((a) => [a.accountId, a]));
  for (const l of lines) expect(byAccount.get(l.account_id)?.toRepId, l.account_id).toBe(l.to_rep_id);
  const open = (await get(`/runs/${runId}/conflicts?open=true&severity=blocking`)).data as {
    accountId: string | null;
  }[];
  const flagged = new Set(open.map((k) => k.accountId));
  const protectedIds = new Set(lines.filter((l) => l.protected).map((l) => l.account_id));
  for (const a of api) {
    if (!a.moved || a.excluded || a.toRepId === null) continue;
    expect(region.get(a.toRepId), `API: account ${a.accountId} went across regions`).toBe(a.region);
    if (protectedIds.has(a.accountId))
      expect(flagged.has(a.accountId), `API: protected ${a.accountId} moved silently`).toBe(true);
  }
}

describe('the proposal does what the rules say, on the demo in a browser', () => {
  it('departure: receivers of the leaver’s region only; resolving a card updates the counters in place', async () => {
    const page = await demo.newPage();
    await demo.signIn(page, 'analyst@demo.test');
    const leaver = await pickLeaver(demo.db.db);
    const runId = await startRun(page, { kind: 'rep_departure', departingRepIds: leaver.id });
    const { lines } = await checkRulesHold(page, runId, 'departure');
    expect(lines.some((l) => l.from_rep_id === leaver.id && l.to_rep_id !== leaver.id)).toBe(true);
    const cards = page.locator('.conflict:has(form)');
    if ((await cards.count()) > 0) {
      const before = Number(await page.textContent('#conflicts-open-accounts'));
      const card = cards.first();
      const id = await card.getAttribute('id');
      const canAccept = (await card.locator('select[name=resolution] option[value=accept]').count()) > 0;
      if (canAccept) await card.locator('select[name=resolution]').selectOption('accept');
      else {
        await card.locator('select[name=resolution]').selectOption('override');
        await card.locator('select[name=repId] option:nth-child(2)').waitFor({ state: 'attached' });
        const rep = await card.locator('select[name=repId] option:nth-child(2)').getAttribute('value');
        await card.locator('select[name=repId]').selectOption(rep!);
      }
      await card.locator('input[name=note]').fill('Checked with the regional manager');
      await card.locator('button:has-text("Resolve")').click();
      await page.locator(`[id="${id}"]:not(:has(form))`).waitFor();
      // No reload: the section came back with its counter one lower.
      expect(Number(await page.textContent('#conflicts-open-accounts'))).toBe(before - 1);
      await page.screenshot({ path: `${ARTIFACTS}rules-hold-departure-resolved.png`, fullPage: true });
    }
    await page.close();
  });

  it('realignment of one region: its accounts stay among its reps; protected accounts do not move', async () => {
    const page = await demo.newPage();
    await demo.signIn(page, 'analyst@demo.test');
    const [top] = await queryRows<{ region: string }>(
      demo.db.db,
      sql`select region from accounts where region is not null group by region order by count(*) desc limit 1`,
    );
    const region = top!.region;
    const runId = await startRun(page, { kind: 'realignment', regions: region });
    const { lines } = await checkRulesHold(page, runId, 'realignment');
    const moved = lines.filter((l) => !l.excluded && l.to_rep_id !== l.from_rep_id && l.to_rep_id);
    expect(moved.length).toBeGreaterThan(0);
    for (const l of moved) expect(l.account_region).toBe(region);
    for (const l of lines.filter((x) => x.protected))
      expect(l.to_rep_id, `protected ${l.account_id} moved in a realignment`).toBe(l.from_rep_id);
    expect(await page.textContent('#eligibility-rule')).toContain(`balances ${region} among its own reps`);
    await page.close();
  });

  it('new hire: the starter book stays within target plus tolerance, or the page names why', async () => {
    const page = await demo.newPage();
    await demo.signIn(page, 'analyst@demo.test');
    const [hire] = await queryRows<{ id: string; name: string }>(
      demo.db.db,
      sql`select id, name from reps where email like 'new.hire@%' limit 1`,
    );
    const runId = await startRun(page, { kind: 'new_hire', hireRepIds: hire!.id, rampTargetPct: '50' });
    await checkRulesHold(page, runId, 'new-hire');
    const [bound] = await queryRows<{ max_accounts: number; max_revenue: string; cause: string | null }>(
      demo.db.db,
      sql`select (b->>'maxAccounts')::int as max_accounts, b->>'maxRevenueCents' as max_revenue, b->>'cause' as cause
          from runs, jsonb_array_elements(metrics->'hireBounds') b where runs.id = ${runId}::uuid`,
    );
    const [load] = await queryRows<{ n: number; revenue: string }>(
      demo.db.db,
      sql`select count(*)::int as n, coalesce(sum(a.annual_revenue_cents), 0)::text as revenue
          from run_assignments ra join accounts a on a.id = ra.account_id
          where ra.run_id = ${runId}::uuid and ra.to_rep_id = ${hire!.id}::uuid and not ra.excluded`,
    );
    const within = load!.n <= bound!.max_accounts && Number(load!.revenue) <= Number(bound!.max_revenue);
    if (!within) expect(await page.textContent('#conflicts')).toContain('starter book would be');
    expect(within || bound!.cause !== null).toBe(true);
    expect(await page.textContent('#eligibility-rule')).toMatch(
      /starter book stays within its target plus \d+%/,
    );
    await page.close();
  });

  it('single account and single opportunity: the one change, to a rep of the account’s region', async () => {
    const page = await demo.newPage();
    await demo.signIn(page, 'analyst@demo.test');
    const [pick] = await queryRows<{
      account_crm: string;
      account_id: string;
      opp_crm: string;
      to_rep: string;
    }>(
      demo.db.db,
      sql`select a.crm_id as account_crm, a.id as account_id, o.crm_id as opp_crm, r.id as to_rep
          from accounts a
          join opportunities o on o.account_id = a.id and o.status = 'open'
          join reps r on r.org_id = a.org_id and r.region = a.region and r.kind = 'person' and r.active and r.may_receive
            and r.id <> a.owner_rep_id and r.end_date is null
          where coalesce(a.custom->>'protected', '') <> 'true'
            and a.org_id = (select m.org_id from memberships m join users u on u.id = m.user_id
                            where u.email = 'manager@demo.test' limit 1)
          order by a.crm_id, r.name limit 1`,
    );
    const accountRun = await startRun(page, {
      kind: 'account',
      accountCrmId: pick!.account_crm,
      newOwnerRepId: pick!.to_rep,
    });
    const { lines } = await checkRulesHold(page, accountRun, 'account');
    expect(
      lines.filter((l) => l.to_rep_id !== l.from_rep_id).map((l) => [l.account_id, l.to_rep_id]),
    ).toEqual([[pick!.account_id, pick!.to_rep]]);
    await demo.signIn(page, 'analyst@demo.test');
    const oppRun = await startRun(page, {
      kind: 'opportunity',
      // The one scope an opportunity run takes: that opportunity alone.
      scope: 'open_opportunities',
      opportunityCrmId: pick!.opp_crm,
      newOwnerRepId: pick!.to_rep,
      // The opportunity's split changes: the last day of the old one and the first of the new.
      commissionEndDate: inDays(30),
      reassignmentDate: inDays(31),
    });
    await checkRulesHold(page, oppRun, 'opportunity');
    const [change] = await queryRows<{ to_rep_id: string }>(
      demo.db.db,
      sql`select to_rep_id from run_opportunity_changes where run_id = ${oppRun}::uuid`,
    );
    expect(change!.to_rep_id).toBe(pick!.to_rep);
    expect(demo.problems).toEqual([]);
    await page.close();
  });
});
