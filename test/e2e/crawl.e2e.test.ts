/**
 * No broken link, ever (issue 17): on the demo (a book of 150 accounts, so every page of it fits a CI run), with a
 * committed run of each kind (a departure with its commissions, a realignment, a new hire's starter book, one
 * account, one opportunity — made through the API as another system would), each demo role signs in and the
 * crawler (./crawler.ts) requests every link, htmx fragment and download offered on every page and fragment it
 * reaches from the nav, once per distinct URL, with the role's session, until nothing new is found. Every one
 * must answer 2xx/3xx (or a refusal listed in REFUSALS with its reason); every HTML answer is read for what the
 * Content-Security-Policy refuses; every page shape is opened in Chromium, and no page may log a browser error or
 * a CSP refusal. Complete, not sampled: each role reaches every account (a rep: every account of their book), rep
 * and run. Each role's coverage (URLs, pages, fragments, downloads, shapes opened, seconds) is printed.
 */
import { join } from 'node:path';
import { eq, sql } from 'drizzle-orm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import * as s from '../../db/schema/index.ts';
import type { Principal } from '../../src/auth/principal.ts';
import { queryRows } from '../../src/db/query-rows.ts';
import type { Role } from '../../src/lib/roles.ts';
import { createApiKey } from '../../src/services/auth/api-keys.ts';
import { crawlAs } from './crawler.ts';
import { ARTIFACTS, addDay, type DemoBrowser, startDemoBrowser } from './demo-browser.ts';

const ROLES: Role[] = ['admin', 'manager', 'analyst', 'finance', 'rep'];

/** Links that answer something other than 2xx/3xx on purpose, with why (none today). */
const REFUSALS: { role: Role; shape: RegExp; status: number; why: string }[] = [];

let demo: DemoBrowser;
let key = '';
let orgId = '';
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
  demo = await startDemoBrowser('crawl', { accounts: 150 });
  const db = demo.db.db;
  const [org] = await db.select().from(s.orgs).where(eq(s.orgs.name, 'Acme Sales'));
  orgId = org!.id;
  const principal: Principal = { kind: 'session', orgId: org!.id, orgName: org!.name, role: 'manager' };
  key = (
    await createApiKey({
      ctx: { db, clock: () => new Date(), principal },
      input: { name: 'crawl', role: 'manager' },
    })
  ).key;
  // Acme's leaver with the most open deals (pickLeaver wants deal sizes a book of 150 accounts may not have).
  const [leaver] = await queryRows<{ id: string; name: string; end_date: string }>(
    db,
    sql`select r.id, r.name, r.end_date::text as end_date from reps r
        where r.org_id = ${org!.id} and r.end_date is not null and r.kind = 'person'
        order by (select count(*) from opportunities o where o.owner_rep_id = r.id and o.status = 'open') desc, r.id
        limit 1`,
  );
  if (!leaver) throw new Error('The demo has no leaver in Acme Sales; the seed changed.');
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

/** How many rows a from-and-where clause has (say which org: the demo has three). */
async function countOf(from: ReturnType<typeof sql>): Promise<number> {
  const [row] = await queryRows<{ n: number }>(demo.db.db, sql`select count(*)::int as n from ${from}`);
  return row!.n;
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
    it(`as ${role}, every link, fragment and download offered on every page opens`, async () => {
      const page = await demo.newPage();
      await demo.signIn(page, `${role}@demo.test`);
      const { broken, coverage: c } = await crawlAs(page, {
        base: demo.base,
        refusals: REFUSALS.filter((r) => r.role === role),
      });
      await page.close();
      console.log(
        `crawl ${role}: ${c.requested} URLs requested (${c.pages} pages, ${c.fragments} fragments, ` +
          `${c.downloads} downloads, ${c.redirects} redirects, ${c.refusals} documented refusals, ` +
          `${c.sortedLists} lists in another order), ` +
          `${c.rendered} page shapes opened in Chromium, ${(c.ms / 1000).toFixed(1)} s (${(c.cpuMs / 1000).toFixed(1)} s of CPU)`,
      );
      expect(broken).toEqual([]);
      // Complete, not sampled: every account, rep and run the role may open was reached.
      const reached = (shape: string) => c.perShape.get(shape) ?? 0;
      if (role === 'rep') {
        expect(reached('/accounts/:id')).toBe(
          await countOf(sql`accounts a join memberships m on m.rep_id = a.owner_rep_id
            join users u on u.id = m.user_id where u.email = 'rep@demo.test' and a.org_id = ${orgId}`),
        );
      } else {
        expect(reached('/accounts/:id')).toBe(await countOf(sql`accounts where org_id = ${orgId}`));
        expect(reached('/reps/:id')).toBeGreaterThanOrEqual(
          await countOf(sql`reps where org_id = ${orgId} and kind = 'person'`),
        );
        expect(reached('/runs/:id')).toBeGreaterThanOrEqual(Object.keys(runs).length);
      }
    }, 600_000);
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
