/**
 * Every file offered after a commit loads into the CRM it is named for (issue 14): on the demo (Acme with
 * Salesforce ids, Globex with HubSpot ids, Initech with Dynamics GUIDs), for every run kind and every commission
 * type, a run is created, solved, its blocking conflicts accepted, approved and committed through the API; then
 * every export link is downloaded and parsed the way the CRM reads it (BOM, CRLF, quoting, id forms) and its rows
 * are compared with the committed change set: the owner changes and the new split rows each CRM can take, and
 * every change it cannot take named in its read-me.
 */
import { parse } from 'csv-parse/sync';
import { asc, eq } from 'drizzle-orm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import * as s from '../../../db/schema/index.ts';
import { seedDemo } from '../../../db/seed.ts';
import { isSalesforceId, to18 } from '../../../src/exports/salesforce-id.ts';
import { createJobRunner } from '../../../src/jobs/runner.ts';
import { solveRunJob } from '../../../src/services/solve/solve-run-job.ts';
import { parseChangeItem } from '../../../src/workflow/change-set-items.ts';
import { apiKeyFor, createHarness, type Harness, type Json, ORIGIN } from '../../app/harness.ts';

type Crm = 'salesforce' | 'hubspot' | 'dynamics';
interface DemoOrg {
  id: string;
  name: string;
  crm: Crm;
  keys: { analyst: string; manager: string; admin: string };
}

let h: Harness;
let runner: ReturnType<typeof createJobRunner>;
const orgs: DemoOrg[] = [];
/** The Salesforce user that holds House's share in Acme (set through the API, as an admin would). */
const ACME_HOUSE = '005Dm00000HoUSE';

beforeAll(async () => {
  h = await createHarness({ SOLVER_TIME_LIMIT_SECONDS: '3' });
  const seeded = await seedDemo(h.db.db, { accounts: 240, today: '2026-11-23' });
  const crmOf: Record<string, Crm> = { 'Acme Sales': 'salesforce', Globex: 'hubspot', Initech: 'dynamics' };
  for (const org of seeded.orgs) {
    const key = async (role: 'analyst' | 'manager' | 'admin') => (await apiKeyFor(h, org.id, role)).key;
    orgs.push({
      id: org.id,
      name: org.name,
      crm: crmOf[org.name]!,
      keys: { analyst: await key('analyst'), manager: await key('manager'), admin: await key('admin') },
    });
  }
  runner = createJobRunner({ db: h.db.db, handlers: { solve_run: solveRunJob } });
  // The app's clock starts after the seed's import, so each run after a commit plans on today's owners.
  h.clock.now = new Date(Date.now() + 60_000);
  const acme = orgs.find((o) => o.crm === 'salesforce')!;
  const house = await call(acme, 'admin', 'PUT', '/exports/house-users', { salesforce: ACME_HOUSE });
  expect(house.status, JSON.stringify(house.body)).toBe(200);
}, 240_000);
afterAll(() => h?.close());

async function call(org: DemoOrg, role: keyof DemoOrg['keys'], method: string, path: string, body?: unknown) {
  const res = await h.app.request(`${ORIGIN}/v1${path}`, {
    method,
    headers: {
      authorization: `Bearer ${org.keys[role]}`,
      ...(body !== undefined ? { 'content-type': 'application/json' } : {}),
    },
    ...(body !== undefined ? { body: JSON.stringify(body) } : {}),
  });
  const text = await res.text();
  const isJson = res.headers.get('content-type')?.startsWith('application/json');
  return { status: res.status, body: (isJson && text ? JSON.parse(text) : text) as Json, res };
}

// --- The demo book, read as the test's own oracle --------------------------------------------------------

type Rep = typeof s.reps.$inferSelect;
async function bookOf(org: DemoOrg) {
  const db = h.db.db;
  const reps = await db.select().from(s.reps).where(eq(s.reps.orgId, org.id));
  const accounts = await db
    .select()
    .from(s.accounts)
    .where(eq(s.accounts.orgId, org.id))
    .orderBy(asc(s.accounts.crmId));
  const opportunities = await db
    .select()
    .from(s.opportunities)
    .where(eq(s.opportunities.orgId, org.id))
    .orderBy(asc(s.opportunities.crmId));
  return { reps, accounts, opportunities };
}

// The new hire goes first: a departure or realignment in its region may already fill its starter book.
const KINDS = ['new_hire', 'rep_departure', 'realignment', 'account', 'opportunity'] as const;
const TYPES = [
  { commissionType: 'house_absorbs' },
  { commissionType: 'direct_transfer' },
  { commissionType: 'custom', customBps: 3000 },
] as const;

/** The run's params: the demo's departing rep, a region, the new hire, one account, one open opportunity. */
async function paramsFor(org: DemoOrg, kind: (typeof KINDS)[number]): Promise<Record<string, unknown>> {
  const book = await bookOf(org);
  const sellers = book.reps.filter((r) => r.kind === 'person' && r.mayReceive && r.endDate === null);
  const leaver = book.reps.find((r) => r.endDate !== null)!;
  const sameRegion = (rep: Rep, not: string | null) =>
    sellers.find((r) => r.region === rep.region && r.id !== not && r.rampTargetBps === null)!;
  // An account with an open deal, owned by a seller, so its split changes too.
  // ... that no earlier run of this file changed (its split history would already change on the same day).
  const changed = new Set(
    (await h.db.db.select().from(s.commissionSplits).where(eq(s.commissionSplits.orgId, org.id)))
      .filter((r) => r.runId !== null)
      .map((r) => r.opportunityId),
  );
  const touched = new Set(book.opportunities.filter((o) => changed.has(o.id)).map((o) => o.accountId));
  const open = book.opportunities.filter(
    (o) => o.status === 'open' && o.stage !== 'Negotiation' && !touched.has(o.accountId),
  );
  const withDeal = open.find((o) => sellers.some((r) => r.id === o.ownerRepId && r.rampTargetBps === null))!;
  const dealOwner = book.reps.find((r) => r.id === withDeal.ownerRepId)!;
  switch (kind) {
    case 'rep_departure':
      return { departingRepIds: [leaver.id] };
    case 'realignment': {
      // A region without the new hire, whose starter book is the new-hire run's.
      const hire = book.reps.find((r) => r.rampTargetBps !== null)!;
      return { regions: [sellers.find((r) => r.region !== hire.region)!.region!] };
    }
    case 'new_hire':
      return { hireRepIds: [book.reps.find((r) => r.rampTargetBps !== null)!.id] };
    case 'account':
      return { accountId: withDeal.accountId, newOwnerRepId: sameRegion(dealOwner, dealOwner.id).id };
    case 'opportunity':
      return { opportunityId: withDeal.id, newOwnerRepId: sameRegion(dealOwner, dealOwner.id).id };
  }
}

/** Created, solved, blocking conflicts accepted, approved, committed: the run id. */
async function commitRun(org: DemoOrg, kind: (typeof KINDS)[number], type: (typeof TYPES)[number]) {
  h.clock.advance(60_000);
  const created = await call(org, 'analyst', 'POST', '/runs', {
    kind,
    scope: 'open_opportunities',
    reason: `${kind} ${type.commissionType}`,
    commissionEndDate: '2026-12-31',
    reassignmentDate: '2027-01-01',
    params: { ...(await paramsFor(org, kind)), ...type },
  });
  expect(created.status, JSON.stringify(created.body)).toBe(201);
  const runId = created.body.id as string;
  const solve = await call(org, 'analyst', 'POST', `/runs/${runId}/solve`);
  expect(solve.status, JSON.stringify(solve.body)).toBe(202);
  await runner.drain();
  const solved = await call(org, 'analyst', 'GET', `/runs/${runId}`);
  expect(solved.body.status, solved.body.failureReason).toBe('solved');
  const conflicts = await call(org, 'manager', 'GET', `/runs/${runId}/conflicts`);
  for (const c of conflicts.body.data as { id: string; severity: string; resolution: string | null }[]) {
    if (c.severity !== 'blocking' || c.resolution) continue;
    const res = await call(org, 'manager', 'POST', `/runs/${runId}/conflicts/${c.id}/resolve`, {
      resolution: 'accept',
      note: 'Reviewed for the export test',
    });
    expect(res.status, JSON.stringify(res.body)).toBe(200);
  }
  const reviewed = await call(org, 'manager', 'GET', `/runs/${runId}`);
  const approved = await call(org, 'manager', 'POST', `/runs/${runId}/approve`, {
    expectedHash: reviewed.body.proposalHash,
    expectedVersion: reviewed.body.version,
  });
  expect(approved.status, JSON.stringify(approved.body)).toBe(200);
  const committed = await call(org, 'manager', 'POST', `/runs/${runId}/commit`, {});
  expect(committed.status, JSON.stringify(committed.body)).toBe(200);
  return runId;
}

// --- Reading a file as the CRM does -----------------------------------------------------------------------

/** A CSV as a CRM import reads it: optional BOM, CRLF records, RFC 4180 quoting (strict), one header row. */
function readCsv(body: string, header: string[]): string[][] {
  const text = body.replace(/^\uFEFF/, '');
  expect(text.endsWith('\r\n'), 'the file ends with CRLF').toBe(true);
  const records = parse(text, { record_delimiter: '\r\n', relax_quotes: false, relax_column_count: false });
  expect(records[0]).toEqual(header);
  return (records as string[][]).slice(1);
}

const NEUTRAL_HEADER = [
  'batch_id',
  'change_id',
  'object',
  'record_id',
  'record_name',
  'old_owner_id',
  'old_owner_email',
  'new_owner_id',
  'new_owner_email',
  'effective_date',
  'reason',
  'strategy',
  'conflicts',
  'approved_by',
  'approved_at',
];
const GUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/;
const HUBSPOT = /^\d{1,20}$/;
const sf18 = (id: string | null | undefined) => (id && isSalesforceId(id) ? to18(id) : null);
const guid = (id: string | null | undefined) => (id && GUID.test(id.toLowerCase()) ? id.toLowerCase() : null);
const pct = (bps: number) => `${Math.trunc(bps / 100)}.${String(bps % 100).padStart(2, '0')}`;

async function changeSetOf(org: DemoOrg, runId: string) {
  const [cs] = await h.db.db.select().from(s.changeSets).where(eq(s.changeSets.runId, runId));
  const rows = await h.db.db
    .select()
    .from(s.changeSetItems)
    .where(eq(s.changeSetItems.changeSetId, cs!.id))
    .orderBy(asc(s.changeSetItems.seq));
  const reps = new Map((await bookOf(org)).reps.map((r) => [r.id, r]));
  return rows.map((row) => ({ row, payload: parseChangeItem(row), reps }));
}

type Item = Awaited<ReturnType<typeof changeSetOf>>[number];
const owners = (items: Item[], object: 'account' | 'opportunity') =>
  items.flatMap(({ row, payload }) =>
    payload.object === object ? [{ crmId: row.crmId!, name: row.recordName!, after: payload.after }] : [],
  );

/** What each CRM file should hold for these changes, and the record ids its read-me must list instead. */
function expected(items: Item[], houseSf: string | null) {
  const sfSkipped: string[] = [];
  const sfOwners = (object: 'account' | 'opportunity') =>
    owners(items, object).flatMap((o) => {
      const row = [sf18(o.crmId), sf18(o.after.crmUserId)];
      if (row.includes(null)) sfSkipped.push(o.crmId);
      return row.includes(null) ? [] : [row as string[]];
    });
  const inserts: string[][] = [];
  for (const { row, payload, reps } of items) {
    if (payload.object !== 'split') continue;
    const opp = sf18(row.crmId);
    const parts = payload.after.participants
      .filter((p) => p.bps > 0)
      .map((p) => {
        const rep = reps.get(p.participantId)!;
        const id = rep.kind === 'house' && houseSf ? houseSf : rep.crmUserId;
        return { id: sf18(id), house: rep.kind === 'house', bps: p.bps };
      });
    if (!opp || parts.some((p) => p.id === null && !p.house)) {
      sfSkipped.push(row.crmId!);
      continue;
    }
    for (const p of parts) if (p.id) inserts.push([opp, p.id, pct(p.bps)]);
  }
  const hsSkipped: string[] = [];
  const hubspot = (object: 'account' | 'opportunity') =>
    owners(items, object).flatMap((o) => {
      if (HUBSPOT.test(o.crmId) && o.after.email) return [[o.crmId, o.name, o.after.email]];
      hsSkipped.push(o.crmId);
      return [];
    });
  const dySkipped: string[] = [];
  const dynamics = (object: 'account' | 'opportunity') =>
    owners(items, object).flatMap((o) => {
      const row = [guid(o.crmId), guid(o.after.crmUserId)];
      if (row.includes(null)) dySkipped.push(o.crmId);
      return row.includes(null) ? [] : [[...(row as string[]), 'systemuser']];
    });
  return {
    salesforce: {
      accounts: sfOwners('account'),
      opportunities: sfOwners('opportunity'),
      inserts,
      skipped: sfSkipped,
    },
    hubspot: { companies: hubspot('account'), deals: hubspot('opportunity'), skipped: hsSkipped },
    dynamics: { accounts: dynamics('account'), opportunities: dynamics('opportunity'), skipped: dySkipped },
  };
}

async function download(org: DemoOrg, runId: string, format: string, file?: string) {
  const res = await call(
    org,
    'analyst',
    'GET',
    `/runs/${runId}/exports/${format}${file ? `?file=${file}` : ''}`,
  );
  expect(res.status, `${format} ${file ?? ''}: ${JSON.stringify(res.body)}`).toBe(200);
  return res.body as string;
}

async function checkExports(org: DemoOrg, runId: string) {
  const items = await changeSetOf(org, runId);
  expect(items.length, 'the run changed something').toBeGreaterThan(0);
  const want = expected(items, org.crm === 'salesforce' ? to18(ACME_HOUSE) : null);
  const sortRows = (rows: string[][]) => [...rows].sort((a, b) => a.join().localeCompare(b.join()));

  const neutral = readCsv(await download(org, runId, 'neutral'), NEUTRAL_HEADER);
  expect(neutral.map((r) => r[1])).toEqual(items.map((i) => i.row.id));

  const sf = {
    accounts: readCsv(await download(org, runId, 'salesforce', 'accounts'), ['Id', 'OwnerId']),
    opportunities: readCsv(await download(org, runId, 'salesforce', 'opportunities'), ['Id', 'OwnerId']),
    inserts: readCsv(await download(org, runId, 'salesforce', 'splits-insert'), [
      'OpportunityId',
      'SplitOwnerId',
      'SplitPercentage',
    ]),
  };
  readCsv(await download(org, runId, 'salesforce', 'splits-delete'), ['Id']);
  expect(sf.accounts).toEqual(want.salesforce.accounts);
  expect(sf.opportunities).toEqual(want.salesforce.opportunities);
  expect(sortRows(sf.inserts)).toEqual(sortRows(want.salesforce.inserts));
  for (const id of [...sf.accounts, ...sf.opportunities, ...sf.inserts].flatMap((r) => r.slice(0, 2)))
    expect(isSalesforceId(id) && id.length === 18, `${id} is an 18-character Salesforce id`).toBe(true);
  const sfReadme = await download(org, runId, 'salesforce', 'readme');
  for (const id of want.salesforce.skipped) expect(sfReadme).toContain(id);

  const hs = {
    companies: readCsv(await download(org, runId, 'hubspot', 'companies'), [
      'Record ID',
      'Company name',
      'Company owner',
    ]),
    deals: readCsv(await download(org, runId, 'hubspot', 'deals'), ['Record ID', 'Deal name', 'Deal owner']),
  };
  expect(hs.companies).toEqual(want.hubspot.companies);
  expect(hs.deals).toEqual(want.hubspot.deals);
  const hsReadme = await download(org, runId, 'hubspot', 'readme');
  for (const id of want.hubspot.skipped) expect(hsReadme).toContain(id);

  const dy = {
    accounts: readCsv(await download(org, runId, 'dynamics', 'accounts'), [
      'accountid',
      'ownerid',
      'owneridtype',
    ]),
    opportunities: readCsv(await download(org, runId, 'dynamics', 'opportunities'), [
      'opportunityid',
      'ownerid',
      'owneridtype',
    ]),
  };
  expect(dy.accounts).toEqual(want.dynamics.accounts);
  expect(dy.opportunities).toEqual(want.dynamics.opportunities);
  const dyReadme = await download(org, runId, 'dynamics', 'readme');
  for (const id of want.dynamics.skipped) expect(dyReadme).toContain(id);
  // The inverse file (to undo in the CRM): one row per owner change that had an owner before.
  expect(readCsv(await download(org, runId, 'inverse'), NEUTRAL_HEADER).length).toBeLessThanOrEqual(
    items.length,
  );

  // The org's own CRM takes every owner change of the run: its files have every account and opportunity.
  const moved = {
    account: owners(items, 'account').length,
    opportunity: owners(items, 'opportunity').length,
  };
  const own =
    org.crm === 'salesforce'
      ? [sf.accounts.length, sf.opportunities.length]
      : org.crm === 'hubspot'
        ? [hs.companies.length, hs.deals.length]
        : [dy.accounts.length, dy.opportunities.length];
  expect(own, `${org.name}'s ${org.crm} files carry every owner change`).toEqual([
    moved.account,
    moved.opportunity,
  ]);
  expect(moved.account + moved.opportunity, 'the run moved an account or an opportunity').toBeGreaterThan(0);
}

describe('exports of a committed demo run, for every run kind and commission type', () => {
  for (const [k, kind] of KINDS.entries()) {
    for (const [t, type] of TYPES.entries()) {
      // Each kind runs once in each demo org (one per commission type), so every CRM's files are read.
      const pick = (k + t) % 3;
      it(`${kind}, ${type.commissionType}`, async () => {
        const org = orgs[pick]!;
        const runId = await commitRun(org, kind, type);
        await checkExports(org, runId);
      }, 120_000);
    }
  }
});
