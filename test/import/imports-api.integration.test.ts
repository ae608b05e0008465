import { readFileSync } from 'node:fs';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { importsRouter } from '../../src/api/routes/imports/imports.index.ts';
import { uploadFetchOptions } from '../../src/api/routes/imports/read-upload.ts';
import { rulesetsRouter } from '../../src/api/routes/rulesets/rulesets.index.ts';
import { createJobRunner } from '../../src/jobs/runner.ts';
import { IMPORT_JOB_KIND, importApplyJob } from '../../src/services/imports/import-job.ts';
import {
  apiKeyFor,
  bearer,
  createHarness,
  createOrgWithUsers,
  type Harness,
  jsonOf,
} from '../app/harness.ts';

const fixture = (name: string) => readFileSync(new URL(`../fixtures/import/${name}`, import.meta.url));

let h: Harness;
let auth: Record<string, string>;
let sheetServer: Server;

beforeAll(async () => {
  h = await createHarness({ UPLOAD_MAX_BYTES: '20000' });
  // Mounted here as src/app.ts will mount them (see the report): after authentication, under /v1.
  h.app.route('/v1', importsRouter);
  h.app.route('/v1', rulesetsRouter);
  sheetServer = createServer((req, res) => {
    if (req.url?.startsWith('/spreadsheets/d/roster0123456789/export?format=csv')) {
      res.writeHead(200, { 'content-type': 'text/csv' }).end(fixture('roster-generic.csv'));
    } else res.writeHead(404).end();
  });
  await new Promise<void>((resolve) => sheetServer.listen(0, '127.0.0.1', resolve));
  uploadFetchOptions.sheetOrigin = `http://127.0.0.1:${(sheetServer.address() as AddressInfo).port}`;
});
afterAll(async () => {
  await new Promise<void>((resolve) => sheetServer?.close(() => resolve()));
  await h?.close();
});

/** A new org whose analyst key is `auth`, with the roster already imported unless asked otherwise. */
async function freshOrg(withRoster = true) {
  const org = await createOrgWithUsers(h);
  auth = bearer((await apiKeyFor(h, org.id, 'analyst')).key);
  if (withRoster) {
    const res = await csvPost('/v1/imports?kind=reps', fixture('roster-generic.csv'));
    if (res.status !== 201) throw new Error(`roster import failed: ${res.status}`);
  }
}

const csvPost = (path: string, body: Uint8Array | string, headers: Record<string, string> = auth) =>
  h.app.request(path, { method: 'POST', headers: { ...headers, 'content-type': 'text/csv' }, body });

function multipart(path: string, file: Uint8Array, fields: Record<string, string> = {}) {
  const form = new FormData();
  form.set('file', new File([file], 'export.csv', { type: 'text/csv' }));
  for (const [k, v] of Object.entries(fields)) form.set(k, v);
  return h.app.request(path, { method: 'POST', headers: auth, body: form });
}

describe('imports API', () => {
  it('refuses anonymous callers and roles that may not import, before reading the body', async () => {
    await freshOrg(false);
    expect((await csvPost('/v1/imports/preview', 'a,b\n1,2\n', {})).status).toBe(401);
    const org = await createOrgWithUsers(h);
    const rep = bearer((await apiKeyFor(h, org.id, 'rep')).key);
    expect((await csvPost('/v1/imports', 'a,b\n1,2\n', rep)).status).toBe(403);
  });

  it('answers 413 for an upload over the limit, before parsing', async () => {
    await freshOrg(false);
    const res = await csvPost('/v1/imports/preview', 'x'.repeat(25_000));
    expect(res.status).toBe(413);
    expect(await jsonOf(res)).toMatchObject({ code: 'PAYLOAD_TOO_LARGE' });
  });

  it('imports a roster from a Google Sheet link, previews and applies a Salesforce report, and re-imports as a no-op', async () => {
    await freshOrg(false);
    const sheet = await h.app.request(
      `/v1/imports?kind=reps&sheetUrl=${encodeURIComponent('https://docs.google.com/spreadsheets/d/roster0123456789/edit#gid=0')}`,
      { method: 'POST', headers: auth },
    );
    expect(sheet.status).toBe(201);
    expect(await jsonOf(sheet)).toMatchObject({ status: 'applied', kind: 'reps', counts: { inserted: 6 } });

    const preview = await multipart('/v1/imports/preview', fixture('salesforce-account-report.csv'));
    expect(preview.status).toBe(200);
    const p = await jsonOf(preview);
    expect(p).toMatchObject({
      kind: 'accounts',
      presetId: 'salesforce-account-report',
      errors: [],
      summary: { valid: 3 },
    });
    expect(p.preview[0]).toMatchObject({ crmId: '0015g00000AbCdEAAV', annualRevenueCents: 120000050 });

    const applied = await multipart('/v1/imports', fixture('salesforce-account-report.csv'), {
      kind: 'accounts',
      expectedSha256: p.file.sha256,
    });
    expect(applied.status).toBe(201);
    expect((await jsonOf(applied)).counts).toEqual({
      rowsRead: 3,
      inserted: 3,
      updated: 0,
      unchanged: 0,
      rejected: 0,
    });

    const again = await csvPost('/v1/imports?kind=accounts', fixture('salesforce-account-report.csv'));
    expect((await jsonOf(again)).counts).toEqual({
      rowsRead: 3,
      inserted: 0,
      updated: 0,
      unchanged: 3,
      rejected: 0,
    });

    const list = await jsonOf(await h.app.request('/v1/imports?limit=10', { headers: auth }));
    expect(list.data.map((i: { kind: string; status: string }) => `${i.kind}:${i.status}`)).toEqual([
      'accounts:applied',
      'accounts:applied',
      'reps:applied',
    ]);
  });

  it('records a failed all-or-nothing import with its row errors and a downloadable error file', async () => {
    await freshOrg();
    const res = await csvPost(
      '/v1/imports?kind=accounts',
      'account_id,account_name,owner_id,annual_revenue\nB1,Fine,Jane Doe,1\nB2,Bad,Jane Doe,-3\nB3,Date,Nobody,1\n',
    );
    expect(res.status).toBe(201);
    const outcome = await jsonOf(res);
    expect(outcome).toMatchObject({ status: 'failed', counts: { rejected: 2, inserted: 0 } });
    expect(outcome.errors.map((e: { row: number; column: string }) => [e.row, e.column])).toEqual([
      [3, 'annual_revenue'],
      [4, 'owner_id'],
    ]);
    const errors = await jsonOf(
      await h.app.request(`/v1/imports/${outcome.importId}/errors`, { headers: auth }),
    );
    expect(errors.total).toBe(2);
    const file = await h.app.request(`/v1/imports/${outcome.importId}/errors.csv`, { headers: auth });
    expect(file.headers.get('content-type')).toMatch(/text\/csv/);
    expect(await file.text()).toContain("B2,Bad,Jane Doe,'-3,3,annual_revenue");
  });

  it('explains whole-file problems with 422 and what to do', async () => {
    await freshOrg();
    const unknown = await csvPost('/v1/imports/preview?kind=accounts', 'Kunde,Betreuer\nK1,Jane\n');
    expect(unknown.status).toBe(422);
    const body = await jsonOf(unknown);
    expect(body.details).toMatchObject({
      problem: 'UNKNOWN_LAYOUT',
      data: { suggestedMapping: { kind: 'accounts' } },
    });
    const quotes = await csvPost('/v1/imports/preview', 'account_id,account_name\nA1,"open\nA2,x\n');
    expect(quotes.status).toBe(422);
    expect(await jsonOf(quotes)).toMatchObject({ details: { problem: 'UNBALANCED_QUOTES', row: 2 } });
    expect((await csvPost('/v1/imports/preview', '')).status).toBe(422);
  });

  it('applies large files as a background job with progress and the outcome', async () => {
    await freshOrg();
    const runner = createJobRunner({
      db: h.db.db,
      handlers: { [IMPORT_JOB_KIND]: importApplyJob },
      pollMs: 50,
    });
    runner.start();
    try {
      const queued = await csvPost('/v1/imports?kind=accounts&async=true', fixture('generic-accounts.csv'));
      expect(queued.status).toBe(202);
      const { progressUrl } = await jsonOf(queued);
      let job = await jsonOf(await h.app.request(progressUrl, { headers: auth }));
      for (let i = 0; i < 200 && (job.status === 'queued' || job.status === 'running'); i += 1) {
        await new Promise((r) => setTimeout(r, 50));
        job = await jsonOf(await h.app.request(progressUrl, { headers: auth }));
      }
      expect(job).toMatchObject({
        status: 'succeeded',
        outcome: { status: 'applied', counts: { inserted: 3 } },
      });
    } finally {
      await runner.stop();
    }
  });

  it('saves a column mapping that later files with the same header use by themselves', async () => {
    await freshOrg();
    const header = ['Kunden-Nr', 'Firma', 'Betreuer-Mail', 'Umsatz'];
    const text = `${header.join(',')}\nK1,Acme GmbH,jane.doe@example.com,"1.234,50"\n`;
    const saved = await h.app.request('/v1/column-mappings', {
      method: 'POST',
      headers: { ...auth, 'content-type': 'application/json' },
      body: JSON.stringify({
        name: 'German CRM',
        header,
        mapping: {
          kind: 'accounts',
          columns: {
            account_id: 'Kunden-Nr',
            account_name: 'Firma',
            owner_id: 'Betreuer-Mail',
            annual_revenue: 'Umsatz',
          },
          options: { decimalComma: true },
        },
      }),
    });
    expect(saved.status).toBe(200);
    const preview = await jsonOf(await csvPost('/v1/imports/preview?kind=accounts', text));
    expect(preview.errors).toEqual([]);
    expect(preview.preview[0]).toMatchObject({ crmId: 'K1', annualRevenueCents: 123450 });
  });
});

describe('rulesets API', () => {
  const yaml = (name: string, reps: string) =>
    `schemaVersion: 1\nname: ${name}\nsegments:\n  - id: ent\n    name: Enterprise\n    match: { accountTypes: [Customer] }\n    receivingReps: [${reps}]\n`;
  const post = (body: string, type = 'application/yaml', path = '/v1/rulesets') =>
    h.app.request(path, { method: 'POST', headers: { ...auth, 'content-type': type }, body });

  it('saves versions, refuses unknown reps with a path, and validates without saving', async () => {
    await freshOrg();
    const first = await post(yaml('West', '0055g00000JaneDAAR'));
    expect(first.status).toBe(201);
    const v1 = await jsonOf(first);
    expect(v1).toMatchObject({ name: 'West', version: 1, body: { protections: { closingWithinDays: 30 } } });
    const second = await jsonOf(
      await post(JSON.stringify({ schemaVersion: 1, name: 'West' }), 'application/json'),
    );
    expect(second.version).toBe(2);

    const bad = await post(yaml('East', 'r-77'));
    expect(bad.status).toBe(400);
    expect((await jsonOf(bad)).details).toEqual([
      {
        path: 'segments[0].receivingReps[0]',
        message: 'unknown rep "r-77" — add the rep to the roster or remove it',
        severity: 'error',
      },
    ]);
    const check = await jsonOf(await post(yaml('East', 'r-77'), 'application/yaml', '/v1/rulesets/validate'));
    expect(check.ok).toBe(false);

    const renamed = await h.app.request(`/v1/rulesets/${v1.id}`, {
      method: 'PUT',
      headers: { ...auth, 'content-type': 'application/yaml' },
      body: yaml('Other', '0055g00000JaneDAAR'),
    });
    expect(renamed.status).toBe(400);
    const revised = await h.app.request(`/v1/rulesets/${v1.id}`, {
      method: 'PUT',
      headers: { ...auth, 'content-type': 'application/yaml' },
      body: yaml('West', '0055g00000JaneDAAR'),
    });
    expect((await jsonOf(revised)).version).toBe(3);
    const versions = await jsonOf(await h.app.request(`/v1/rulesets/${v1.id}/versions`, { headers: auth }));
    expect(versions.data.map((v: { version: number }) => v.version)).toEqual([3, 2, 1]);
    const list = await jsonOf(await h.app.request('/v1/rulesets', { headers: auth }));
    expect(list.data).toEqual([expect.objectContaining({ name: 'West', version: 3, versions: 3 })]);
  });
});
