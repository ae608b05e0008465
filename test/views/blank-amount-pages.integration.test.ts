/**
 * A Salesforce opportunity report whose "Initech pilot" has a blank Amount, imported through the pages: the preview
 * warns with the row and the column, the outcome names them again, and the account's and the opportunity's pages
 * show the amount as unknown, never as $0.
 */
import { readFileSync } from 'node:fs';
import { eq } from 'drizzle-orm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import * as s from '../../db/schema/index.ts';
import { type Browser, createHarness, createOrgWithUsers, type Harness, signedIn } from '../app/harness.ts';

let h: Harness;
let org: Awaited<ReturnType<typeof createOrgWithUsers>>;

const fixture = (name: string) => readFileSync(new URL(`../fixtures/import/${name}`, import.meta.url));

beforeAll(async () => {
  h = await createHarness();
  org = await createOrgWithUsers(h, 'Blank Amount Org');
});
afterAll(async () => {
  await h?.close();
});

const hidden = (html: string, name: string) => {
  const m = new RegExp(`name="${name}" value="([^"]*)"`).exec(html);
  return m ? m[1]!.replaceAll('&quot;', '"').replaceAll('&amp;', '&') : '';
};

/** Uploads a file to the preview, applies it all-or-nothing and waits for the outcome: both pages' HTML. */
async function importFile(b: Browser, name: string) {
  await b.page('/imports/new');
  const form = new FormData();
  form.set('_csrf', b.csrfToken);
  form.set('file', new File([fixture(name)], name, { type: 'text/csv' }));
  const preview = await (await b.request('/imports/preview', { method: 'POST', body: form })).text();
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
  expect(res.status, preview.match(/field-error[^<]*<|alert[^<]*</g)?.join(' ')).toBe(303);
  const progress = res.headers.get('location')!;
  for (let i = 0; i < 100; i += 1) {
    const poll = await b.request(progress, {
      headers: { 'hx-request': 'true', 'hx-target': 'div#import-progress' },
    });
    const outcome = await poll.text();
    if (outcome.includes('id="import-outcome"')) return { preview, outcome };
    await new Promise((r) => setTimeout(r, 100));
  }
  throw new Error(`the import of ${name} did not finish`);
}

describe('a blank opportunity amount on the pages', () => {
  it('is warned about by row and column, and shown as unknown, not $0', async () => {
    const b = await signedIn(h, org.users.manager);
    await importFile(b, 'salesforce-user-report.csv');
    await importFile(b, 'salesforce-account-report-footer.csv');
    const { preview, outcome } = await importFile(b, 'salesforce-opportunity-report-footer.csv');

    expect(preview).toContain('1 opportunity(ies) with a blank amount, imported as unknown');
    expect(preview).toMatch(/id="no-amount">Their amount is stored as unknown, not as \$0/);
    expect(preview).toMatch(
      /<table id="row-warnings">.*<td class="num">4<\/td><td>Amount<\/td><td><code><\/code><\/td><td>Amount is blank: the opportunity is imported with its amount unknown, not as \$0/s,
    );
    expect(preview).not.toContain('id="row-errors"');
    expect(outcome).toContain('Imported: 3 new');
    expect(outcome).toMatch(
      /id="import-warnings">Imported with a blank amount, stored as unknown \(not \$0\):\s*row 4 \(Amount\)\./,
    );

    const [pilot] = await h.db.db
      .select({
        id: s.opportunities.id,
        accountId: s.opportunities.accountId,
        amount: s.opportunities.amountCents,
      })
      .from(s.opportunities)
      .where(eq(s.opportunities.crmId, '006Dn00000PilOtIAJ'));
    expect(pilot!.amount).toBeNull();
    const account = await b.page(`/accounts/${pilot!.accountId}`);
    expect(account.html).toMatch(
      /Initech pilot <span class="muted">006Dn00000PilOtIAJ<\/span> · Prospecting · amount unknown/,
    );
    expect(account.html).not.toMatch(/Initech pilot[^<]*<span[^>]*>[^<]*<\/span> · Prospecting · \$0/);
    // The report carries no split: said so, not an empty table; the revenue reads as words.
    expect(account.html).toContain('No commission split recorded.');
    expect(account.html).not.toMatch(/<th scope="col">Participant<\/th>/);
    expect(account.html).toMatch(/\$5,000 annual revenue</);
    const opportunity = await b.page(`/opportunities/${pilot!.id}`);
    expect(opportunity.res.status).toBe(200);
    expect(opportunity.html).toMatch(/Amount<\/dt><dd[^>]*>unknown<\/dd>/);
  });
});
