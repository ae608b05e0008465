/** Import pages: the form, a preview with the detected layout and every row error, mapping an unknown layout, apply with progress, role refusals. */
import { readFileSync } from 'node:fs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type Browser, createHarness, createOrgWithUsers, type Harness, signedIn } from '../app/harness.ts';

let h: Harness;
let org: Awaited<ReturnType<typeof createOrgWithUsers>>;

const fixture = (name: string) => readFileSync(new URL(`../fixtures/import/${name}`, import.meta.url));

beforeAll(async () => {
  h = await createHarness();
  org = await createOrgWithUsers(h, 'Imports Org');
});
afterAll(async () => {
  await h?.close();
});

async function upload(
  b: Browser,
  name: string,
  bytes: Uint8Array | string,
  fields: Record<string, string> = {},
) {
  const form = new FormData();
  form.set('_csrf', b.csrfToken);
  form.set('file', new File([bytes], name, { type: 'text/csv' }));
  for (const [k, v] of Object.entries(fields)) form.set(k, v);
  return b.request('/imports/preview', { method: 'POST', body: form });
}

function hidden(html: string, name: string) {
  const m = new RegExp(`name="${name}" value="([^"]*)"`).exec(html);
  return m ? m[1]!.replaceAll('&quot;', '"').replaceAll('&amp;', '&') : '';
}

async function waitForOutcome(b: Browser, path: string) {
  for (let i = 0; i < 100; i += 1) {
    const res = await b.request(path, {
      headers: { 'hx-request': 'true', 'hx-target': 'div#import-progress' },
    });
    const html = await res.text();
    if (html.includes('id="import-outcome"')) return html;
    await new Promise((r) => setTimeout(r, 100));
  }
  throw new Error('the import did not finish');
}

describe('import pages', () => {
  it('offers an upload form with labelled fields; a rep is refused', async () => {
    const b = await signedIn(h, org.users.analyst);
    const { res, html } = await b.page('/imports/new');
    expect(res.status).toBe(200);
    expect(html).toContain('enctype="multipart/form-data"');
    expect(html).toContain('<label for="import-file">CSV file</label>');
    expect(html).toContain('<label for="sheet-url">');
    const rep = await signedIn(h, org.users.rep);
    expect((await rep.request('/imports/new')).status).toBe(403);
    expect((await rep.request('/imports')).status).toBe(403);
  });

  it('asks for a file when none was chosen, next to the field', async () => {
    const b = await signedIn(h, org.users.analyst);
    await b.page('/imports/new');
    const form = new FormData();
    form.set('_csrf', b.csrfToken);
    const res = await b.request('/imports/preview', { method: 'POST', body: form });
    expect(res.status).toBe(400);
    const html = await res.text();
    expect(html).toContain('id="import-file-error"');
    expect(html).toContain('aria-invalid="true"');
  });

  it('previews a generic accounts file: detected layout, every row error with row and column, nothing written', async () => {
    const b = await signedIn(h, org.users.analyst);
    await b.page('/imports/new');
    const res = await upload(b, 'accounts.csv', fixture('generic-accounts.csv'));
    expect(res.status).toBe(200);
    const html = await res.text();
    expect(html).toContain('id="detected-preset"');
    expect(html).toMatch(/id="detected-preset">[^<]*Generic/i);
    expect(html).toContain('id="row-errors"');
    // The owners are not in this org's roster: each row says so, with its row number.
    expect(html).toMatch(/<td class="num">2<\/td><td>owner_id<\/td>/);
    expect(html).toContain('Nothing has been written yet.');
    expect(html).toContain('id="apply-blocked"');
    const list = await b.page('/imports');
    expect(list.html).not.toContain('accounts.csv');
  });

  it('previews a Salesforce report unedited: its footer is skipped and said so, not row errors', async () => {
    const b = await signedIn(h, org.users.analyst);
    await b.page('/imports/new');
    const html = await (await upload(b, 'users.csv', fixture('salesforce-user-report.csv'))).text();
    expect(html).toMatch(/id="detected-preset">Salesforce user report/);
    expect(html).toMatch(/id="footer-skipped">5 footer line\(s\) skipped/);
    expect(html).not.toContain('id="row-errors"');
    expect(html).toMatch(/id="apply-button"[^>]*>Apply 3 row\(s\)</);
  });

  it('the apply button counts what each mode applies: the valid rows, or nothing', async () => {
    const b = await signedIn(h, org.users.analyst);
    await b.page('/imports/new');
    const csv = 'rep_id,name\nR-1,Ann Lee\n,No Id\nR-3,\nR-4,Dee\n';
    const html = await (await upload(b, 'roster.csv', csv, { kind: 'reps' })).text();
    expect(html).toContain('<span class="when-valid-rows">Apply the 2 valid row(s)</span>');
    expect(html).toMatch(/class="when-all-or-nothing">\s*Apply nothing \(2 row\(s\) have errors\)/);
    expect(html).not.toMatch(/Apply 4 row/);
  });

  it('shows a mapping form for an unknown layout, and previews again with the mapping a person chose', async () => {
    const b = await signedIn(h, org.users.manager);
    await b.page('/imports/new');
    const csv = 'Person,Full name,Mail\nU-1,Ann Lee,ann@example.com\nU-2,Bob Ray,bob@example.com\n';
    const first = await upload(b, 'people.csv', csv, { kind: 'reps' });
    expect(first.status).toBe(422);
    const html = await first.text();
    expect(html).toContain('id="file-problem"');
    expect(html).toContain('id="mapping-form"');
    expect(html).toContain('<option value="Full name">Full name</option>');
    const token = hidden(html, 'token');
    expect(token).toMatch(/^[A-Za-z0-9_-]{32}$/);
    const again = await b.request('/imports/preview', {
      method: 'POST',
      form: {
        _csrf: b.csrfToken,
        token,
        kind: 'reps',
        mode: 'all-or-nothing',
        options: '{}',
        dateFormat: 'iso',
        col_rep_id: 'Person',
        col_name: 'Full name',
        col_email: 'Mail',
      },
    });
    const second = await again.text();
    expect(again.status).toBe(200);
    expect(second).toContain('id="preview-summary"');
    expect(second).toContain('id="apply-form"');
    expect(second).not.toContain('id="row-errors"');
  });

  it('applies a roster file in the background with progress, then shows the import', async () => {
    const b = await signedIn(h, org.users.manager);
    await b.page('/imports/new');
    const csv = 'rep_id,name,email\nR-1,Ann Lee,ann@example.com\nR-2,Bob Ray,bob@example.com\n';
    const preview = await (await upload(b, 'roster.csv', csv, { kind: 'reps' })).text();
    const res = await b.request('/imports/apply', {
      method: 'POST',
      form: {
        _csrf: b.csrfToken,
        token: hidden(preview, 'token'),
        sha256: hidden(preview, 'sha256'),
        mapping: hidden(preview, 'mapping'),
        header: hidden(preview, 'header'),
        mode: 'all-or-nothing',
      },
    });
    expect(res.status).toBe(303);
    const progressPath = res.headers.get('location')!;
    expect(progressPath).toMatch(/^\/imports\/progress\//);
    const full = await b.page(progressPath);
    expect(full.html).toContain('id="import-progress"');
    const outcome = await waitForOutcome(b, progressPath);
    expect(outcome).toContain('Imported: 2 new');
    const link = /href="(\/imports\/[0-9a-f-]{36})"/.exec(outcome)![1]!;
    const detail = await b.page(link);
    expect(detail.html).toContain('roster.csv');
    expect(detail.html).toContain('applied');
    // Another user of the same org cannot follow someone else's progress link.
    const other = await signedIn(h, org.users.analyst);
    expect((await other.request(progressPath)).status).toBe(404);
  });
});
