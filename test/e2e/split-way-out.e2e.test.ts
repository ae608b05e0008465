/**
 * A split the commit cannot write offers only exclude or another type or share (issue 17), in Chromium on the demo
 * data. A departure (Terminate all commissions, type C at 100%) leaves House below 0 on every deal a subagent
 * shares: each such conflict card offers no "accept", only another type or share for its opportunity (or the
 * account's decision); choosing type B clears it in place, and the run approves and commits the splits the review
 * showed. An opportunity-level run offers the same choice and, instead of excluding an account, cancelling the run.
 */
import { and, eq, isNull, sql } from 'drizzle-orm';
import type { Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import * as s from '../../db/schema/index.ts';
import type { Principal } from '../../src/auth/principal.ts';
import { queryRows } from '../../src/db/query-rows.ts';
import { createApiKey } from '../../src/services/auth/api-keys.ts';
import type { TestDatabase } from '../support/db.ts';
import { ARTIFACTS, addDay, type DemoBrowser, pickLeaver, startDemoBrowser } from './demo-browser.ts';

let demo: DemoBrowser;
let db: TestDatabase;
let base: string;
let key: string;

beforeAll(async () => {
  demo = await startDemoBrowser('split-way-out');
  ({ db, base } = demo);
  const [org] = await db.db.select().from(s.orgs).where(eq(s.orgs.name, 'Acme Sales'));
  const principal: Principal = { kind: 'session', orgId: org!.id, orgName: org!.name, role: 'manager' };
  key = (
    await createApiKey({
      ctx: { db: db.db, clock: () => new Date(), principal },
      input: { name: 'split-way-out', role: 'manager' },
    })
  ).key;
});

const api = async (method: string, path: string, body?: unknown) => {
  const res = await fetch(`${base}/v1${path}`, {
    method,
    headers: { authorization: `Bearer ${key}`, 'content-type': 'application/json' },
    ...(body === undefined ? {} : { body: JSON.stringify(body) }),
  });
  const text = await res.text();
  return { status: res.status, body: text ? JSON.parse(text) : null };
};
afterAll(() => demo?.close());

const openSplit = async (opportunityId: string) =>
  (
    await db.db
      .select()
      .from(s.commissionSplits)
      .where(and(eq(s.commissionSplits.opportunityId, opportunityId), isNull(s.commissionSplits.effectiveTo)))
  )
    .map((r) => `${r.role}:${r.repId}:${r.bps}`)
    .sort();

/** Accepts what may be accepted, and gives type B to each opportunity whose split cannot be written. */
async function clearConflicts(page: Page, note: string) {
  const retyped: string[] = [];
  for (let round = 0; round < 80; round += 1) {
    const wayOut = page.locator('form.split-way-out').first();
    if ((await wayOut.count()) > 0) {
      const formId = (await wayOut.getAttribute('id'))!;
      const opportunity = await wayOut.locator('xpath=ancestor::article').getAttribute('data-account');
      expect(await wayOut.locator('xpath=ancestor::article').locator('option[value=accept]').count()).toBe(0);
      await wayOut.locator('select[name=commissionType]').selectOption('direct_transfer');
      await wayOut.locator('input[name=note]').fill(note);
      await wayOut.locator('button[type=submit]').click();
      await page.locator(`[id="${formId}"]`).waitFor({ state: 'detached' });
      expect(await page.locator('#conflicts-error').count(), opportunity ?? '').toBe(0);
      retyped.push(formId.replace('split-way-out-', ''));
      continue;
    }
    const open = page.locator('.conflict:has(select[name=resolution])');
    if ((await open.count()) === 0) break;
    const card = open.first();
    const cardId = await card.getAttribute('id');
    await card.locator('select[name=resolution]').selectOption('accept');
    await card.locator('input[name=note]').fill(note);
    await card.locator('button:has-text("Resolve")').click();
    await page.locator(`[id="${cardId}"]:not(:has(select[name=resolution]))`).waitFor();
  }
  return retyped;
}

describe('ways out of a split the commit cannot write, in a browser', () => {
  it('a departure: another type for each unwritable split, then approve and commit', async () => {
    const leaver = await pickLeaver(db.db);
    const shared = await queryRows<{ id: string }>(
      db.db,
      sql`select o.id from opportunities o join accounts a on a.id = o.account_id
           where a.owner_rep_id = ${leaver.id}::uuid and o.status = 'open'
             and exists (select 1 from commission_splits c where c.opportunity_id = o.id and c.effective_to is null
                           and c.role = 'subagent')
             and exists (select 1 from commission_splits c where c.opportunity_id = o.id and c.effective_to is null
                           and c.rep_id = ${leaver.id}::uuid)`,
    );
    expect(shared.length).toBeGreaterThan(0);
    const page = await demo.newPage();
    await demo.signIn(page, 'manager@demo.test');
    await page.goto(`${base}/reps/${leaver.id}/terminate-commissions`);
    await page.fill('#t-reassignmentDate', addDay(leaver.end_date));
    await page.fill('#t-reason', `${leaver.name} leaves; the new rep takes the whole share`);
    await page.selectOption('#t-commissionType', 'custom');
    await page.fill('#t-customPct', '100');
    await Promise.all([page.waitForURL(/\/runs\/[0-9a-f-]{36}$/), page.click('#terminate-submit')]);
    const runUrl = page.url();
    await page.waitForSelector('#rep-table', { timeout: 120_000 });
    await page.waitForSelector('form.split-way-out');
    const card = page.locator('article.conflict:has(form.split-way-out)').first();
    expect(await card.textContent()).toMatch(/House below 0/);
    expect(await card.locator('option[value=accept]').count()).toBe(0);
    await card.scrollIntoViewIfNeeded();
    await page.screenshot({ path: `${ARTIFACTS}/split-way-out-departure-before.png`, fullPage: false });
    // A type C share without the share is refused in place, with what to write.
    const form = card.locator('form.split-way-out').first();
    await form.locator('select[name=commissionType]').selectOption('custom');
    await form.locator('input[name=note]').fill('Try C');
    await form.locator('button[type=submit]').click();
    await page.waitForSelector('#conflicts-error');
    expect(await page.textContent('#conflicts-error')).toMatch(/as a percentage/);

    // Another owner for the whole account does not write the split either: the section says so and what
    // clears it, and the opportunity's way out stays on the card.
    const accountForm = card.locator('form[action*="/conflicts/account/"]');
    const cardId = (await card.getAttribute('id'))!;
    await accountForm.locator('select[name=resolution]').selectOption('override');
    const receivers = await accountForm
      .locator('select[name=repId] option')
      .evaluateAll((options) =>
        options.map((o) => (o as unknown as { value: string }).value).filter((v) => v !== ''),
      );
    expect(receivers.length).toBeGreaterThan(0);
    await accountForm.locator('select[name=repId]').selectOption(receivers[0]!);
    await accountForm.locator('input[name=note]').fill('Another owner for the whole account');
    await Promise.all([
      page.waitForResponse((r) => r.url().includes('/conflicts/account/') && r.request().method() === 'POST'),
      accountForm.locator('button[type=submit]').click(),
    ]);
    // The refusal above left its own message there: wait for the swap that replaces it.
    await page.locator('#conflicts-error', { hasText: 'still cannot be written' }).waitFor();
    const said = (await page.textContent('#conflicts-error')) ?? '';
    expect(said).toMatch(/now go to the rep you chose/);
    expect(said).toMatch(/commission split still cannot be written/);
    expect(said).toMatch(/choose another commission type or share for the opportunity on its card/);
    expect(await page.locator(`[id="${cardId}"] form.split-way-out`).count()).toBeGreaterThan(0);
    // The message is where the manager is looking: the page moves to it (the card was far below the section's top).
    await page.locator('#conflicts-error:focus').waitFor();
    const box = (await page.locator('#conflicts-error').boundingBox())!;
    const viewport = page.viewportSize()!;
    expect(box.y).toBeGreaterThanOrEqual(0);
    expect(box.y + box.height).toBeLessThanOrEqual(viewport.height);
    await page.screenshot({ path: `${ARTIFACTS}/split-way-out-account-decision.png`, fullPage: false });

    const retyped = await clearConflicts(page, 'Finance agreed: the new rep inherits the share');
    expect(retyped.length).toBeGreaterThanOrEqual(shared.length);
    expect(await page.textContent('#conflicts-open-blocking')).toBe('0');
    await page.screenshot({ path: `${ARTIFACTS}/split-way-out-departure-after.png`, fullPage: false });

    await page.goto(`${runUrl}/approve`);
    await page.click('#confirm-approve');
    await page.waitForSelector('#commit-run');
    await page.click('#commit-run');
    await page.waitForSelector('#committed', { timeout: 60_000 });
    // Each retyped deal: House 30, the new owner the leaver's 50 (type B), the subagent 20.
    for (const { id } of shared) {
      const split = await openSplit(id);
      expect(
        split.some((p) => p.startsWith('house:') && p.endsWith(':3000')),
        id,
      ).toBe(true);
      expect(
        split.some((p) => p.startsWith('subagent:') && p.endsWith(':2000')),
        id,
      ).toBe(true);
      expect(
        split.some((p) => p.includes(leaver.id)),
        id,
      ).toBe(false);
    }
    await page.close();
    expect(demo.problems).toEqual([]);
  }, 600_000);

  it('an opportunity-level run from the API: another share clears it; no account decision, a way to cancel instead', async () => {
    const [deal] = await queryRows<{ id: string; owner: string }>(
      db.db,
      sql`select o.id, o.owner_rep_id as owner from opportunities o join reps r on r.id = o.owner_rep_id
           where o.status = 'open' and r.kind = 'person' and r.end_date is null
             and exists (select 1 from commission_splits c where c.opportunity_id = o.id and c.effective_to is null
                           and c.role = 'subagent')
             and exists (select 1 from commission_splits c where c.opportunity_id = o.id and c.effective_to is null
                           and c.rep_id = o.owner_rep_id and c.bps = 5000)
           order by o.crm_id limit 1`,
    );
    const [receiver] = await queryRows<{ id: string }>(
      db.db,
      sql`select id from reps where kind = 'person' and active and may_receive and end_date is null
            and id <> ${deal!.owner}::uuid order by name limit 1`,
    );
    // The opportunity's page refuses this share as a field error; another system's API call is held at review.
    const created = await api('POST', '/runs', {
      kind: 'opportunity',
      scope: 'open_opportunities',
      reason: 'The new rep takes the whole deal',
      commissionEndDate: '2026-12-31',
      reassignmentDate: '2027-01-01',
      params: {
        opportunityId: deal!.id,
        newOwnerRepId: receiver!.id,
        commissionType: 'custom',
        customBps: 10_000,
      },
    });
    expect(created.status, JSON.stringify(created.body)).toBe(201);
    const page = await demo.newPage();
    await demo.signIn(page, 'manager@demo.test');
    const runUrl = `${base}/runs/${created.body.id}`;
    await page.goto(runUrl);
    await page.click('#solve-run');
    await page.waitForSelector('form.split-way-out', { timeout: 90_000 });
    const card = page.locator('article.conflict:has(form.split-way-out)');
    expect(await card.count()).toBe(1);
    expect(await card.locator('select[name=resolution]').count()).toBe(0);
    expect(await card.locator('a[href="#resolve-title"]').textContent()).toBe('cancel this run');
    await card.scrollIntoViewIfNeeded();
    await page.screenshot({ path: `${ARTIFACTS}/split-way-out-opportunity-before.png`, fullPage: false });
    // 90% still leaves House below 0: refused with the reason, the card stays.
    await card.locator('select[name=commissionType]').selectOption('custom');
    await card.locator('input[name=share]').fill('90');
    await card.locator('input[name=note]').fill('Try 90');
    await card.locator('button[type=submit]').click();
    await page.waitForSelector('#conflicts-error');
    expect(await page.textContent('#conflicts-error')).toMatch(
      /does not make the split writable.*House below 0/,
    );
    await page.locator('form.split-way-out select[name=commissionType]').selectOption('custom');
    await page.locator('form.split-way-out input[name=share]').fill('40');
    await page.locator('form.split-way-out input[name=note]').fill('Agreed: 40% for the new rep');
    await page.locator('form.split-way-out button[type=submit]').click();
    await page.locator('form.split-way-out').waitFor({ state: 'detached' });
    expect(await page.textContent('#conflicts-open-blocking')).toBe('0');
    expect(await page.textContent('#conflicts-notice')).toContain('now takes type C at 40%');
    await page.screenshot({ path: `${ARTIFACTS}/split-way-out-opportunity-after.png`, fullPage: false });

    await page.goto(`${runUrl}/approve`);
    await page.click('#confirm-approve');
    await page.waitForSelector('#commit-run');
    await page.click('#commit-run');
    await page.waitForSelector('#committed', { timeout: 60_000 });
    const split = await openSplit(deal!.id);
    expect(split.filter((p) => p.startsWith('rep:'))).toEqual([`rep:${receiver!.id}:4000`]);
    expect(split.some((p) => p.startsWith('house:') && p.endsWith(':4000'))).toBe(true);
    expect(split.some((p) => p.startsWith('subagent:') && p.endsWith(':2000'))).toBe(true);
    await page.close();
    expect(demo.problems).toEqual([]);
  }, 300_000);
});
