/**
 * CRM files in and out, in Chromium on the demo, as the roles that use them (issue 14):
 * - the analyst of Acme (Salesforce) imports a user report and an account report, each with its footer, as
 *   Salesforce writes them, then a Data Loader re-export of the same accounts with 18-character ids: no
 *   duplicate; the preview says what it skipped and how many accounts have no revenue;
 * - the admin of Globex (HubSpot) imports a HubSpot owners export and a companies export owned by full name;
 * - after a departure is committed in each demo org, the manager (and in Acme the finance user) downloads
 *   every file the run's page links: each answers 200 as an attachment and parses as the CRM reads it, with
 *   Salesforce ids in 18 characters with a valid checksum, HubSpot ids as numbers and Dynamics GUIDs bare.
 * Screenshots go to artifacts/.
 */
import { join } from 'node:path';
import { parse } from 'csv-parse/sync';
import { eq, sql } from 'drizzle-orm';
import type { Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import * as s from '../../db/schema/index.ts';
import type { Principal } from '../../src/auth/principal.ts';
import { queryRows } from '../../src/db/query-rows.ts';
import { isSalesforceId } from '../../src/exports/salesforce-id.ts';
import { createApiKey } from '../../src/services/auth/api-keys.ts';
import { ARTIFACTS, type DemoBrowser, startDemoBrowser } from './demo-browser.ts';

const FIXTURES = new URL('../fixtures/import/', import.meta.url).pathname;

let demo: DemoBrowser;
beforeAll(async () => {
  demo = await startDemoBrowser('crm-files');
}, 240_000);
afterAll(async () => {
  await demo?.close();
});

/** Uploads a fixture on the new-import page and waits for its preview. */
async function preview(page: Page, file: string) {
  await page.goto(`${demo.base}/imports/new`);
  await page.setInputFiles('#import-file', join(FIXTURES, file));
  await Promise.all([page.waitForURL(/\/imports\/preview/), page.click('button:has-text("Preview")')]);
  await page.waitForSelector('#preview-title');
}

/** Applies the previewed file and reads the import's rows line ("3 read · 3 new · …"). */
async function applyPreviewed(page: Page): Promise<string> {
  await page.click('#apply-button');
  await page.waitForSelector('#import-outcome', { timeout: 60_000 });
  const outcome = (await page.textContent('#import-outcome')) ?? '';
  await Promise.all([page.waitForURL(/\/imports\/[0-9a-f-]{36}$/), page.click('#import-result-link')]);
  const facts = (await page.textContent('dl.facts')) ?? '';
  expect(outcome + facts).toContain('applied');
  return /\d+ read · \d+ new · \d+ updated · \d+ unchanged · \d+ rejected/.exec(facts)?.[0] ?? facts;
}

describe('importing CRM files as the CRMs write them', () => {
  it('Acme analyst: a Salesforce user report and account report with footers, then a Data Loader re-export', async () => {
    const page = await demo.newPage();
    await demo.signIn(page, 'analyst@demo.test');

    await preview(page, 'salesforce-user-report.csv');
    expect(await page.textContent('#detected-preset')).toBe('Salesforce user report');
    expect(await page.textContent('#footer-skipped')).toContain('5 footer line(s) skipped');
    expect(await page.locator('#row-errors').count()).toBe(0);
    expect((await page.textContent('#apply-button'))?.trim()).toBe('Apply 3 row(s)');
    expect(await applyPreviewed(page)).toBe('3 read · 3 new · 0 updated · 0 unchanged · 0 rejected');

    await preview(page, 'salesforce-account-report-footer.csv');
    expect(await page.textContent('#detected-preset')).toBe('Salesforce account report');
    expect(await page.textContent('#footer-skipped')).toContain('5 footer line(s) skipped');
    expect(await page.textContent('#no-revenue')).toContain('1 account(s) have no revenue');
    expect(await page.textContent('#no-revenue')).toContain('as its rules say');
    expect(await page.locator('#row-errors').count()).toBe(0);
    expect((await page.textContent('#apply-button'))?.trim()).toBe('Apply 3 row(s)');
    await page.screenshot({ path: join(ARTIFACTS, 'crm-import-salesforce-report.png'), fullPage: true });
    expect(await applyPreviewed(page)).toBe('3 read · 3 new · 0 updated · 0 unchanged · 0 rejected');

    // The same accounts from Data Loader, 18-character ids: updated in place, none new.
    await preview(page, 'salesforce-account-dataloader-18.csv');
    expect(await page.textContent('#detected-preset')).toBe('Salesforce Data Loader export (Account)');
    expect(await page.locator('#footer-skipped').count()).toBe(0);
    const rows = await applyPreviewed(page);
    expect(rows).toMatch(/^3 read · 0 new · \d+ updated · \d+ unchanged · 0 rejected$/);
    await page.screenshot({ path: join(ARTIFACTS, 'crm-import-dataloader-result.png'), fullPage: true });
    const [acme] = await queryRows<{ n: number }>(
      demo.db.db,
      sql`select count(*)::int as n from accounts a join orgs o on o.id = a.org_id
          where o.name = 'Acme Sales' and a.crm_id in ('001Dn00000AbCdEIAV', '001Dn00000BcDeFIAV', '001Dn00000CdEfGIAV')`,
    );
    expect(acme!.n).toBe(3);

    // Their opportunities, from a report: 15-character ids of the opportunities and their accounts.
    await preview(page, 'salesforce-opportunity-report-footer.csv');
    expect(await page.textContent('#detected-preset')).toBe('Salesforce opportunity report');
    expect(await page.textContent('#footer-skipped')).toContain('6 footer line(s) skipped');
    expect(await applyPreviewed(page)).toBe('3 read · 3 new · 0 updated · 0 unchanged · 0 rejected');

    // The book says how many accounts have no revenue.
    await page.goto(`${demo.base}/accounts?q=Globex`);
    expect(await page.textContent('main')).toContain('have no revenue');
    await page.close();
  }, 120_000);

  it('Globex admin: a HubSpot owners export, then companies owned by full name and by e-mail', async () => {
    const page = await demo.newPage();
    await demo.signIn(page, 'admin@globex.test');
    await preview(page, 'hubspot-owners-export.csv');
    expect(await page.textContent('#detected-preset')).toBe('HubSpot owners (users) export');
    expect(await page.locator('#row-errors').count()).toBe(0);
    await page.screenshot({ path: join(ARTIFACTS, 'crm-import-hubspot-owners.png'), fullPage: true });
    expect(await applyPreviewed(page)).toBe('3 read · 3 new · 0 updated · 0 unchanged · 0 rejected');

    await preview(page, 'hubspot-company-export.csv');
    expect(await page.textContent('#detected-preset')).toBe('HubSpot company export');
    expect(await page.locator('#row-errors').count()).toBe(0);
    expect(await applyPreviewed(page)).toBe('2 read · 2 new · 0 updated · 0 unchanged · 0 rejected');
    const owners = await queryRows<{ crm_id: string; owner: string }>(
      demo.db.db,
      sql`select a.crm_id, r.crm_user_id as owner from accounts a join reps r on r.id = a.owner_rep_id
          where a.crm_id in ('5012345678', '5012345679') order by a.crm_id`,
    );
    expect(owners.map((o) => o.owner)).toEqual(['41234567', '41234568']);
    await page.close();
  }, 120_000);
});

describe('round trip: records imported from CRM files go back under the ids the CRM gave them', () => {
  it('Salesforce: an account imported from a report (15 characters) goes out in 18, with its open deal', async () => {
    const runId = await commitAccountMove('Acme Sales', '001Dn00000AbCdEIAV', '005Dn00000JohnSIAR');
    const page = await demo.newPage();
    await demo.signIn(page, 'manager@demo.test');
    expect(await download(page, runId, 'salesforce', 'accounts')).toEqual([
      ['001Dn00000AbCdEIAV', '005Dn00000JohnSIAR'],
    ]);
    expect(await download(page, runId, 'salesforce', 'opportunities')).toEqual([
      ['006Dn00000RenWlIAJ', '005Dn00000JohnSIAR'],
    ]);
    await page.close();
  }, 120_000);

  it('HubSpot: a company imported from its export goes back under its record id, to its owner by e-mail', async () => {
    const runId = await commitAccountMove('Globex', '5012345678', '41234568');
    const page = await demo.newPage();
    await demo.signIn(page, 'manager@globex.test');
    expect(await download(page, runId, 'hubspot', 'companies')).toEqual([
      ['5012345678', 'Acme, Inc.', 'john.smith@example.com'],
    ]);
    await page.close();
  }, 120_000);

  it('Dynamics 365: users and accounts imported by the Initech admin go back under their GUIDs', async () => {
    const page = await demo.newPage();
    await demo.signIn(page, 'admin@initech.test');
    await preview(page, 'dynamics-user-export.csv');
    expect(await page.textContent('#detected-preset')).toBe('Dynamics 365 user export');
    expect(await applyPreviewed(page)).toBe('2 read · 2 new · 0 updated · 0 unchanged · 0 rejected');
    await preview(page, 'dynamics-account-export.csv');
    expect(await page.textContent('#detected-preset')).toBe('Dynamics 365 account export');
    expect(await page.locator('#row-errors').count()).toBe(0);
    await page.screenshot({ path: join(ARTIFACTS, 'crm-import-dynamics-accounts.png'), fullPage: true });
    expect(await applyPreviewed(page)).toMatch(/^\d+ read · \d+ new · 0 updated · 0 unchanged · 0 rejected$/);
    const runId = await commitAccountMove(
      'Initech',
      'a1b2c3d4-0000-4000-8000-000000000001',
      '8f3c2b1a-0000-4000-8000-00000000aa02',
    );
    await demo.signIn(page, 'manager@initech.test');
    expect(await download(page, runId, 'dynamics', 'accounts')).toEqual([
      ['a1b2c3d4-0000-4000-8000-000000000001', '8f3c2b1a-0000-4000-8000-00000000aa02', 'systemuser'],
    ]);
    await page.close();
  }, 120_000);
});

// --- A committed departure in each demo org, and every file its page links --------------------------------

async function keyFor(orgName: string): Promise<{ orgId: string; key: string }> {
  const db = demo.db.db;
  const [org] = await db.select().from(s.orgs).where(eq(s.orgs.name, orgName));
  const principal: Principal = { kind: 'session', orgId: org!.id, orgName: org!.name, role: 'manager' };
  const { key } = await createApiKey({
    ctx: { db, clock: () => new Date(), principal },
    input: { name: 'crm files e2e', role: 'manager' },
  });
  return { orgId: org!.id, key };
}

/** The manager's API of a demo org. */
async function apiOf(orgName: string) {
  const { orgId, key } = await keyFor(orgName);
  const api = async (method: string, path: string, body?: unknown) => {
    const res = await fetch(`${demo.base}/v1${path}`, {
      method,
      headers: { authorization: `Bearer ${key}`, 'content-type': 'application/json' },
      ...(body === undefined ? {} : { body: JSON.stringify(body) }),
    });
    const text = await res.text();
    return { status: res.status, body: text ? JSON.parse(text) : null };
  };
  return { orgId, api };
}

/** A run created, solved, its blocking conflicts accepted, approved and committed through the API. */
async function commitRun(orgName: string, body: Record<string, unknown>): Promise<string> {
  const { api } = await apiOf(orgName);
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
  const conflicts = (await api('GET', `/runs/${id}/conflicts?limit=500`)).body.data as {
    id: string;
    severity: string;
    resolution: string | null;
  }[];
  for (const c of conflicts.filter((x) => x.severity === 'blocking' && !x.resolution)) {
    const res = await api('POST', `/runs/${id}/conflicts/${c.id}/resolve`, {
      resolution: 'accept',
      note: 'Checked with the team (CRM files e2e)',
    });
    expect(res.status, JSON.stringify(res.body)).toBe(200);
  }
  const reviewed = (await api('GET', `/runs/${id}`)).body;
  const approved = await api('POST', `/runs/${id}/approve`, {
    expectedHash: reviewed.proposalHash,
    expectedVersion: reviewed.version,
  });
  expect(approved.status, JSON.stringify(approved.body)).toBe(200);
  const committed = await api('POST', `/runs/${id}/commit`, {});
  expect(committed.status, JSON.stringify(committed.body)).toBe(200);
  return id;
}

/** A departure of the org's leaver. */
async function commitDeparture(orgName: string): Promise<string> {
  const { orgId } = await apiOf(orgName);
  const [leaver] = await queryRows<{ id: string; name: string; end_date: string }>(
    demo.db.db,
    sql`select id, name, end_date::text as end_date from reps
        where org_id = ${orgId}::uuid and end_date is not null and kind = 'person' order by name limit 1`,
  );
  const next = new Date(`${leaver!.end_date}T00:00:00Z`);
  next.setUTCDate(next.getUTCDate() + 1);
  return commitRun(orgName, {
    kind: 'rep_departure',
    scope: 'open_opportunities',
    reason: `${leaver!.name} leaves (CRM files)`,
    commissionEndDate: leaver!.end_date,
    reassignmentDate: next.toISOString().slice(0, 10),
    params: { departingRepIds: [leaver!.id] },
  });
}

/** One imported account handed to another imported rep, by their CRM ids. */
async function commitAccountMove(orgName: string, accountCrmId: string, toCrmUserId: string) {
  const { orgId } = await apiOf(orgName);
  const [ids] = await queryRows<{ account: string; rep: string }>(
    demo.db.db,
    sql`select (select id from accounts where org_id = ${orgId}::uuid and crm_id = ${accountCrmId}) as account,
               (select id from reps where org_id = ${orgId}::uuid and crm_user_id = ${toCrmUserId}) as rep`,
  );
  return commitRun(orgName, {
    kind: 'account',
    scope: 'open_opportunities',
    reason: 'Round trip of imported CRM records',
    commissionEndDate: '2026-12-31',
    reassignmentDate: '2027-01-01',
    params: { accountId: ids!.account, newOwnerRepId: ids!.rep },
  });
}

/** A CRM file of a committed run as the signed-in user downloads it: its rows after the header. */
async function download(page: Page, runId: string, format: string, file: string) {
  const res = await page.request.get(`${demo.base}/runs/${runId}/exports/${format}?file=${file}`);
  expect(res.status()).toBe(200);
  return (parse((await res.text()).replace(/^\uFEFF/, ''), { record_delimiter: '\r\n' }) as string[][]).slice(
    1,
  );
}

const GUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/;
/** The id columns of each CRM file and the form each CRM reads. */
const ID_COLUMNS: Record<string, { columns: string[]; valid: (id: string) => boolean }> = {
  salesforce: {
    columns: ['Id', 'OwnerId', 'OpportunityId', 'SplitOwnerId'],
    valid: (id) => id.length === 18 && isSalesforceId(id),
  },
  hubspot: { columns: ['Record ID'], valid: (id) => /^\d+$/.test(id) },
  dynamics: { columns: ['accountid', 'ownerid', 'opportunityid'], valid: (id) => GUID.test(id) },
};

/** Downloads every file the committed run's page links, as the signed-in user; the rows of each CSV. */
async function downloadEveryLink(page: Page, runId: string, shot: string) {
  await page.goto(`${demo.base}/runs/${runId}`);
  await page.waitForSelector('#export-links');
  // The page loads its commission impact after it shows: the shot waits for it.
  await page.waitForLoadState('networkidle');
  await page.screenshot({ path: join(ARTIFACTS, shot), fullPage: true });
  const links = await page.locator('#export-links a').evaluateAll((as) =>
    as.map((a) => {
      const link = a as unknown as { href: string; nextElementSibling: { textContent: string } | null };
      return { href: link.href, says: link.nextElementSibling?.textContent ?? '' };
    }),
  );
  const files: Record<string, string[][]> = {};
  for (const { href, says } of links) {
    const res = await page.request.get(href);
    expect(res.status(), href).toBe(200);
    expect(res.headers()['content-disposition'], href).toMatch(/^attachment; filename="bookshift-run-/);
    const body = await res.text();
    const url = new URL(href);
    const format = url.pathname.split('/').pop()!;
    const name = `${format}/${url.searchParams.get('file') ?? 'default'}`;
    if (!(res.headers()['content-type'] ?? '').includes('text/csv')) {
      expect(body.length, href).toBeGreaterThan(0);
      continue;
    }
    // As a CRM's import reads it: CRLF records, strict quoting, one header.
    expect(body.endsWith('\r\n'), href).toBe(true);
    const rows = parse(body.replace(/^\uFEFF/, ''), { record_delimiter: '\r\n' }) as string[][];
    files[name] = rows;
    // The page says how many rows each CRM file holds, and it is what the file holds.
    if (format !== 'neutral' && format !== 'inverse') {
      const n = rows.length - 1;
      expect(says, href).toBe(` (${n} row${n === 1 ? '' : 's'})`);
    }
    const ids = ID_COLUMNS[format];
    if (!ids) continue;
    const header = rows[0]!;
    for (const row of rows.slice(1)) {
      for (const [i, column] of header.entries()) {
        if (ids.columns.includes(column))
          expect(ids.valid(row[i]!), `${href}: ${column} ${row[i]}`).toBe(true);
      }
    }
  }
  return files;
}

describe('every file a committed run offers', () => {
  const cases = [
    { org: 'Acme Sales', roles: ['manager@demo.test', 'finance@demo.test'], own: 'salesforce/default' },
    { org: 'Globex', roles: ['manager@globex.test'], own: 'hubspot/default' },
    { org: 'Initech', roles: ['manager@initech.test'], own: 'dynamics/default' },
  ];
  for (const c of cases) {
    it(`${c.org}: ${c.roles.join(', ')} download every link`, async () => {
      const runId = await commitDeparture(c.org);
      const page = await demo.newPage();
      for (const email of c.roles) {
        await demo.signIn(page, email);
        const files = await downloadEveryLink(page, runId, `crm-exports-${email.replace(/\W/g, '-')}.png`);
        // The run's rules in force count the accounts without revenue (Acme's one came from the report above).
        if (c.org === 'Acme Sales')
          expect(await page.textContent('#unknown-revenue-rule')).toMatch(
            /^1 account\(s\) have no revenue; unknown revenue counts as \$0/,
          );
        expect(Object.keys(files).length, email).toBeGreaterThanOrEqual(8);
        // The org's own CRM file carries the run's account moves, and its read-me lists no left-out owner.
        expect(files[c.own]!.length, `${c.org}: ${c.own}`).toBeGreaterThan(1);
        // Another CRM's files take none of them: the page says so beside that CRM's read-me.
        const other = c.own.startsWith('salesforce') ? 'hubspot' : 'salesforce';
        expect(await page.textContent(`#export-${other}`)).toMatch(
          /read me \(lists \d+ change\(s\) \w+ cannot take/,
        );
      }
      await page.close();
    }, 180_000);
  }

  it('logged no browser error and no CSP violation', () => {
    expect(demo.problems).toEqual([]);
  });
});
