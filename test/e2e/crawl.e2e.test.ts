/**
 * No broken link, ever (issue 17): on the demo, with a committed run of each kind (a departure with its
 * commissions, a realignment, a new hire's starter book, one account, one opportunity — made through the API as
 * another system would), each demo role signs in and the crawler follows every link, htmx fragment and download
 * offered on every page reachable from the nav. Every one must answer 2xx/3xx (or a refusal listed in REFUSALS
 * with its reason), and no page may log a browser error or a CSP refusal. Pages of one shape (same path with the
 * ids taken out) are opened in Chromium a few times each; every distinct link is still requested.
 */
import { join } from 'node:path';
import { eq, sql } from 'drizzle-orm';
import type { Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import * as s from '../../db/schema/index.ts';
import type { Principal } from '../../src/auth/principal.ts';
import { queryRows } from '../../src/db/query-rows.ts';
import type { Role } from '../../src/lib/roles.ts';
import { createApiKey } from '../../src/services/auth/api-keys.ts';
import { ARTIFACTS, addDay, type DemoBrowser, pickLeaver, startDemoBrowser } from './demo-browser.ts';

const ROLES: Role[] = ['admin', 'manager', 'analyst', 'finance', 'rep'];
/** Pages of one shape opened in the browser per role (the rest of that shape are requested, not rendered). */
const RENDER_PER_SHAPE = 2;
/** How far from the nav the crawler goes (nav page = 1). */
const MAX_DEPTH = 3;
/** Distinct links requested per shape and role: a page's worth of accounts, not all 600 of the demo. */
const REQUEST_PER_SHAPE = 25;

/** Links that answer something other than 2xx/3xx on purpose, with why (none today). */
const REFUSALS: { role: Role; shape: RegExp; status: number; why: string }[] = [];

let demo: DemoBrowser;
let key = '';
const runs: Record<string, string> = {};

const api = async (method: string, path: string, body?: unknown) => {
  const res = await fetch(`${demo.base}/v1${path}`, {
    method,
    headers: { authorization: `Bearer ${key}`, 'content-type': 'application/json' },
    ...(body === undefined ? {} : { body: JSON.stringify(body) }),
  });
  const text = await res.text();
  return { status: res.status, body: text ? JSON.parse(text) : null };
};

/** Creates, solves, clears the blocking conflicts of, approves and commits a run through the API. */
async function commitRun(body: Record<string, unknown>): Promise<string> {
  const created = await api('POST', '/runs', body);
  expect(created.status, JSON.stringify(created.body)).toBe(201);
  const id = created.body.id as string;
  expect((await api('POST', `/runs/${id}/solve`)).status).toBe(202);
  let run = created.body;
  for (let i = 0; i < 600 && !['solved', 'failed', 'cancelled'].includes(run.status); i += 1) {
    await new Promise((r) => setTimeout(r, 200));
    run = (await api('GET', `/runs/${id}`)).body;
  }
  expect(run.status, JSON.stringify(run)).toBe('solved');
  await api('POST', `/runs/${id}/accounts/bulk`, {
    action: 'accept',
    matching: { conflict: true },
    note: 'Checked with the team (crawl test)',
  });
  const conflicts = (await api('GET', `/runs/${id}/conflicts?limit=500`)).body.data as {
    id: string;
    severity: string;
    resolution: string | null;
  }[];
  for (const c of conflicts.filter((x) => x.severity === 'blocking' && !x.resolution)) {
    const res = await api('POST', `/runs/${id}/conflicts/${c.id}/resolve`, {
      resolution: 'accept',
      note: 'Checked with the team (crawl test)',
    });
    expect(res.status, JSON.stringify(res.body)).toBe(200);
  }
  const reviewed = (await api('GET', `/runs/${id}`)).body;
  const approved = await api('POST', `/runs/${id}/approve`, {
    expectedHash: reviewed.proposalHash,
    expectedVersion: reviewed.version,
  });
  expect(approved.status, `${body.kind}: ${JSON.stringify(approved.body)}`).toBe(200);
  const committed = await api('POST', `/runs/${id}/commit`, {});
  expect(committed.status, JSON.stringify(committed.body)).toBe(200);
  return id;
}

beforeAll(async () => {
  demo = await startDemoBrowser('crawl');
  const db = demo.db.db;
  const [org] = await db.select().from(s.orgs).where(eq(s.orgs.name, 'Acme Sales'));
  const principal: Principal = { kind: 'session', orgId: org!.id, orgName: org!.name, role: 'manager' };
  key = (
    await createApiKey({
      ctx: { db, clock: () => new Date(), principal },
      input: { name: 'crawl', role: 'manager' },
    })
  ).key;
  const leaver = await pickLeaver(db);
  const dates = { commissionEndDate: leaver.end_date, reassignmentDate: addDay(leaver.end_date) };
  runs.departure = await commitRun({
    kind: 'rep_departure',
    scope: 'open_opportunities',
    reason: `${leaver.name} leaves (crawl)`,
    ...dates,
    params: { departingRepIds: [leaver.id] },
  });
  // A realignment of the largest region (as an ops person starts it): it balances the region among its reps.
  const [top] = await queryRows<{ region: string }>(
    db,
    sql`select region from accounts where org_id = ${org!.id} and region is not null
        group by region order by count(*) desc, region limit 1`,
  );
  runs.realignment = await commitRun({
    kind: 'realignment',
    reason: `${top!.region} re-balance (crawl)`,
    params: { regions: [top!.region] },
  });
  const [hire] = await queryRows<{ id: string }>(
    db,
    sql`select id from reps where org_id = ${org!.id} and email like 'new.hire@%' limit 1`,
  );
  runs.newHire = await commitRun({
    kind: 'new_hire',
    reason: 'Starter book (crawl)',
    params: { hireRepIds: [hire!.id] },
  });
  const [deal] = await queryRows<{ id: string; account_id: string; owner: string; other: string }>(
    db,
    sql`select o.id, o.account_id, o.owner_rep_id as owner,
               (select r2.id from reps r2 join reps r1 on r1.id = o.owner_rep_id
                 where r2.org_id = o.org_id and r2.kind = 'person' and r2.id <> r1.id and r2.end_date is null
                   and r2.region = r1.region order by r2.id limit 1) as other
          from opportunities o join accounts a on a.id = o.account_id
         where o.org_id = ${org!.id} and o.status = 'open' and not a.is_house
           and exists (select 1 from commission_splits cs where cs.opportunity_id = o.id and cs.role = 'rep')
           and o.owner_rep_id not in (select id from reps where end_date is not null)
         order by o.amount_cents desc, o.id limit 1`,
  );
  runs.opportunity = await commitRun({
    kind: 'opportunity',
    scope: 'open_opportunities',
    reason: 'Deal handover (crawl)',
    ...dates,
    params: { opportunityId: deal!.id, newOwnerRepId: deal!.other, commissionType: 'direct_transfer' },
  });
  const [account] = await queryRows<{ id: string; other: string }>(
    db,
    sql`select a.id, (select r2.id from reps r2 where r2.org_id = a.org_id and r2.kind = 'person'
                        and r2.id <> a.owner_rep_id and r2.end_date is null and r2.region = a.region
                      order by r2.id limit 1) as other
          from accounts a join reps r on r.id = a.owner_rep_id
         where a.org_id = ${org!.id} and not a.is_house and r.end_date is null and r.kind = 'person'
           and a.id <> ${deal!.account_id}
         order by a.annual_revenue_cents desc nulls last, a.id limit 1`,
  );
  runs.account = await commitRun({
    kind: 'account',
    scope: 'open_opportunities',
    reason: 'Account handover (crawl)',
    ...dates,
    params: { accountId: account!.id, newOwnerRepId: account!.other },
  });
}, 600_000);
afterAll(() => demo?.close());

/** The path with its ids taken out: pages of one shape. */
const shapeOf = (url: URL) =>
  url.pathname
    .replace(/[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}/gi, ':id')
    .replace(/\/\d+$/, '/:n') + (url.searchParams.has('page') ? '?page' : '');

interface Found {
  url: string;
  from: string;
  fragment: boolean;
}

/** Links (a[href]) and htmx GETs (hx-get) of the page; same-origin only, no in-page anchors. */
async function linksOf(page: Page): Promise<Found[]> {
  const from = page.url();
  const raw = await page.locator('a[href], [hx-get]').evaluateAll((els) =>
    els.map((e) => {
      const el = e as unknown as { getAttribute(n: string): string | null; href?: string };
      const hx = el.getAttribute('hx-get');
      return { href: hx ?? el.getAttribute('href') ?? '', fragment: hx !== null };
    }),
  );
  const out: Found[] = [];
  for (const { href, fragment } of raw) {
    if (!href || href.startsWith('#') || href.startsWith('mailto:')) continue;
    const url = new URL(href, from);
    if (url.origin !== demo.base) continue;
    url.hash = '';
    out.push({ url: url.toString(), from, fragment });
  }
  return out;
}

async function crawl(role: Role) {
  const page = await demo.newPage();
  await demo.signIn(page, `${role}@demo.test`);
  const navLinks = await page
    .locator('nav.site-nav a')
    .evaluateAll((els) => els.map((e) => (e as unknown as { href: string }).href));
  const broken: string[] = [];
  const requested = new Set<string>();
  const requestedPerShape = new Map<string, number>();
  const renderedPerShape = new Map<string, number>();
  const queue: { url: string; depth: number }[] = navLinks.map((url) => ({ url, depth: 1 }));
  let rendered = 0;
  while (queue.length > 0) {
    const { url, depth } = queue.shift()!;
    const shape = shapeOf(new URL(url));
    const count = renderedPerShape.get(shape) ?? 0;
    if (count >= RENDER_PER_SHAPE) continue;
    renderedPerShape.set(shape, count + 1);
    const res = await page.goto(url).catch((error: Error) => {
      broken.push(`${role}: page ${url} did not load: ${error.message}`);
      return null;
    });
    if (!res) continue;
    rendered += 1;
    const status = res?.status() ?? 0;
    if (status >= 400) {
      broken.push(`${role}: page ${url} answered ${status}`);
      continue;
    }
    if (!(res?.headers()['content-type'] ?? '').includes('text/html')) continue;
    for (const link of await linksOf(page)) {
      const linkShape = shapeOf(new URL(link.url));
      const key = `${link.fragment ? 'hx ' : ''}${link.url}`;
      if (requested.has(key) || (requestedPerShape.get(linkShape) ?? 0) >= REQUEST_PER_SHAPE) continue;
      requested.add(key);
      requestedPerShape.set(linkShape, (requestedPerShape.get(linkShape) ?? 0) + 1);
      const r = await page.request.get(link.url, {
        maxRedirects: 0,
        headers: link.fragment ? { 'hx-request': 'true' } : {},
      });
      const code = r.status();
      const html = (r.headers()['content-type'] ?? '').includes('text/html');
      await r.dispose();
      const refused = REFUSALS.some((x) => x.role === role && x.shape.test(linkShape) && x.status === code);
      if (code >= 400 && !refused) {
        broken.push(
          `${role}: ${link.fragment ? 'fragment' : 'link'} ${link.url} on ${link.from} answered ${code}`,
        );
        continue;
      }
      // Pages (not downloads, fragments or redirects) are opened in the browser too, a few of each shape.
      if (!link.fragment && html && code < 300 && depth < MAX_DEPTH)
        queue.push({ url: link.url, depth: depth + 1 });
    }
  }
  await page.close();
  return { broken, rendered, requested: requested.size };
}

describe('no broken link, ever', () => {
  it('made a committed run of each kind', () => {
    expect(Object.keys(runs).sort()).toEqual([
      'account',
      'departure',
      'newHire',
      'opportunity',
      'realignment',
    ]);
  });

  for (const role of ROLES) {
    it(`as ${role}, every link, fragment and download offered from the nav opens`, async () => {
      const { broken, rendered, requested } = await crawl(role);
      console.log(`crawl ${role}: ${rendered} pages rendered, ${requested} links requested`);
      expect(rendered).toBeGreaterThan(role === 'rep' ? 1 : 5);
      expect(broken).toEqual([]);
    }, 300_000);
  }

  it('shows a rep their book and its changes, the outbox and the what-if in names (screenshots)', async () => {
    const page = await demo.newPage();
    await demo.signIn(page, 'rep@demo.test');
    await page.goto(`${demo.base}/me`);
    await page.waitForSelector('#changes-title');
    await page.screenshot({ path: join(ARTIFACTS, 'me.png'), fullPage: true });
    await demo.signIn(page, 'manager@demo.test');
    await page.goto(`${demo.base}/notices`);
    expect(await page.textContent('#outbox-not-configured')).toContain('RESEND_API_KEY');
    await page.screenshot({ path: join(ARTIFACTS, 'outbox.png'), fullPage: true });
    await page.click('#outbox-table a');
    await page.waitForSelector('iframe.notice-preview');
    await page.screenshot({ path: join(ARTIFACTS, 'notice.png'), fullPage: true });
    await demo.signIn(page, 'analyst@demo.test');
    await page.goto(`${demo.base}/what-if`);
    await page.fill('#f-timeLimitSeconds', '3');
    await Promise.all([page.waitForURL(`${demo.base}/what-if`), page.click('#run-what-if')]);
    await page.waitForSelector('#what-if-result', { timeout: 60_000 });
    const text = (await page.textContent('#what-if-reps')) ?? '';
    expect(text).not.toMatch(/[0-9a-f]{8}-[0-9a-f]{4}-/);
    await page.screenshot({ path: join(ARTIFACTS, 'what-if.png'), fullPage: true });
    await page.close();
  }, 120_000);

  it('logged no browser error and no CSP violation on any page', () => {
    expect(demo.problems).toEqual([]);
  });
});
