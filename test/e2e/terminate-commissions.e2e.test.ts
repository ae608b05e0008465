/**
 * Level 3 in Chromium on the demo data (seed 003, issue 8): a manager opens a departing rep's page, clicks
 * "Terminate all commissions", fills the dates, the reason and two segments (Prospect accounts → type C 35%,
 * deals from $50,000 → type A; the rest type B), is told what is wrong next to the field, submits, watches the
 * solve, reads the commission impact per person, resolves the conflicts, approves and commits. The split rows in
 * the database then match the segments opportunity by opportunity.
 */

import { and, eq, isNull, sql } from 'drizzle-orm';
import type { Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import * as s from '../../db/schema/index.ts';
import { queryRows } from '../../src/db/query-rows.ts';
import type { TestDatabase } from '../support/db.ts';
import {
  addDay,
  BIG_DEAL_CENTS,
  type DemoBrowser,
  type Leaver,
  pickLeaver,
  startDemoBrowser,
} from './demo-browser.ts';

let demo: DemoBrowser;
let db: TestDatabase;
let base: string;
let problems: string[];
let leaver: Leaver;

beforeAll(async () => {
  demo = await startDemoBrowser('terminate-commissions');
  ({ db, base, problems } = demo);
  leaver = await pickLeaver(db.db);
});
afterAll(() => demo?.close());

const newPage = () => demo.newPage();
const signIn = (page: Page, email: string) => demo.signIn(page, email);

describe('terminate all commissions in a browser (level 3, segmented)', () => {
  it('a manager terminates a leaver’s commissions by segment, reviews the impact, approves, commits; the splits follow the segments', async () => {
    const page = await newPage();
    await signIn(page, 'manager@demo.test');
    await page.goto(`${base}/reps/${leaver.id}`);
    await Promise.all([page.waitForURL(/\/terminate-commissions$/), page.click('#terminate-commissions')]);
    // The rep's last day is the default commission end date.
    expect(await page.inputValue('#t-commissionEndDate')).toBe(leaver.end_date);
    const reassignmentDate = addDay(leaver.end_date);
    await page.fill('#t-reassignmentDate', reassignmentDate);
    await page.fill('#t-reason', `${leaver.name} leaves (end-to-end termination)`);
    await page.selectOption('select[name="seg-0-accountType"]', 'Prospect');
    await page.selectOption('select[name="seg-0-commissionType"]', 'custom');
    await page.fill('input[name="seg-1-minAmount"]', '50,000');
    await page.selectOption('select[name="seg-1-commissionType"]', 'house_absorbs');
    // Type C without its share is refused next to the segment, the rest kept.
    await Promise.all([page.waitForLoadState('load'), page.click('#terminate-submit')]);
    await page.waitForSelector('#t-seg-0-error');
    expect(await page.textContent('#t-seg-0-error')).toContain('type C needs the new rep’s share');
    expect(await page.inputValue('#t-reassignmentDate')).toBe(reassignmentDate);
    await page.fill('input[name="seg-0-customPct"]', '35');
    await Promise.all([page.waitForURL(/\/runs\/[0-9a-f-]{36}$/), page.click('#terminate-submit')]);
    const runUrl = page.url();
    const runId = runUrl.split('/').pop()!;

    // The solve runs, the review shows, and the commission impact panel loads in place.
    await page.waitForSelector('#run-stats', { timeout: 90_000 });
    expect(await page.textContent('#run-commission-strategy')).toContain(
      'account type Prospect → type C (custom) 35%',
    );
    await page.waitForSelector('#commission-impact-people', { timeout: 30_000 });
    const leaverRow = page.locator(`#commission-impact-people tr[data-participant="${leaver.id}"]`);
    expect(await leaverRow.textContent()).toContain('departing rep');
    expect(await page.locator('#commission-impact-people tbody tr').count()).toBeGreaterThan(1);

    // Conflicts resolved inline, as in the workflow test.
    const open = page.locator('.conflict:has(form)');
    for (let round = 0; round < 10; round += 1) {
      const count = await open.count();
      if (count === 0) break;
      for (let i = 0; i < count; i += 1) {
        const card = open.first();
        const id = await card.getAttribute('id');
        await card.locator('select[name=resolution]').selectOption('accept');
        await card.locator('input[name=note]').fill('Checked with the regional manager');
        await card.locator('button:has-text("Resolve")').click();
        // The card comes back without its form (one card per account resolves every reason at once).
        // A selector wait (Playwright's own isolated world): a string predicate would be eval, which the CSP refuses.
        await page.locator(`[id="${id}"]:not(:has(form))`).waitFor();
      }
      await page.reload();
    }
    expect(await page.textContent('#open-blocking')).toBe('0');
    await Promise.all([page.waitForURL(/\/approve$/), page.click('#approve-link')]);
    await page.click('#confirm-approve');
    await page.waitForLoadState('load');
    expect(page.url()).toBe(runUrl);
    await page.waitForSelector('#commit-run');
    await page.click('#commit-run');
    await page.waitForSelector('#committed', { timeout: 60_000 });
    await page.goto(runUrl);
    await page.waitForSelector('#commission-impact-people', { timeout: 30_000 });
    expect(await page.textContent('#commission-impact')).toContain('as committed');
    await page.close();

    // The database: every reviewed change was written, with the type its segment gives, to the cent of a bps.
    const reviewed = await queryRows<{
      opportunity_id: string;
      commission_type: string;
      to_rep_id: string;
      before_splits: { repId: string; role: string; bps: number }[];
      account_type: string | null;
      amount_cents: string | number;
    }>(
      db.db,
      sql`select c.opportunity_id, c.commission_type::text as commission_type, c.to_rep_id, c.before_splits,
                 a.type as account_type, o.amount_cents
          from run_opportunity_changes c
          join opportunities o on o.id = c.opportunity_id join accounts a on a.id = o.account_id
          where c.run_id = ${runId}::uuid and c.error is null`,
    );
    expect(reviewed.length).toBeGreaterThan(0);
    const seen = new Set<string>();
    const [houseRep] = await db.db.select({ id: s.reps.id }).from(s.reps).where(eq(s.reps.kind, 'house'));
    for (const c of reviewed) {
      const expectedType =
        c.account_type === 'Prospect'
          ? 'custom'
          : Number(c.amount_cents) >= BIG_DEAL_CENTS
            ? 'house_absorbs'
            : 'direct_transfer';
      expect(c.commission_type, c.opportunity_id).toBe(expectedType);
      seen.add(expectedType);
      const departing = c.before_splits
        .filter((p) => p.role === 'rep' && p.repId === leaver.id)
        .reduce((sum, p) => sum + p.bps, 0);
      if (departing === 0) continue;
      const rows = await db.db
        .select()
        .from(s.commissionSplits)
        .where(
          and(eq(s.commissionSplits.opportunityId, c.opportunity_id), isNull(s.commissionSplits.effectiveTo)),
        );
      expect(rows.reduce((sum, r) => sum + r.bps, 0)).toBe(10_000);
      expect(rows.every((r) => r.runId === runId && r.effectiveFrom === reassignmentDate)).toBe(true);
      expect(rows.some((r) => r.repId === leaver.id)).toBe(false);
      const bpsOf = (id: string, role: string) =>
        rows.filter((r) => r.repId === id && r.role === role).reduce((sum, r) => sum + r.bps, 0);
      const houseBefore = c.before_splits
        .filter((p) => p.role === 'house')
        .reduce((sum, p) => sum + p.bps, 0);
      const receiverBefore = c.before_splits
        .filter((p) => p.role === 'rep' && p.repId === c.to_rep_id)
        .reduce((sum, p) => sum + p.bps, 0);
      if (expectedType === 'house_absorbs') {
        expect(bpsOf(houseRep!.id, 'house')).toBe(houseBefore + departing);
      } else if (expectedType === 'direct_transfer') {
        expect(bpsOf(c.to_rep_id, 'rep')).toBe(receiverBefore + departing);
        expect(bpsOf(houseRep!.id, 'house')).toBe(houseBefore);
      } else {
        expect(bpsOf(c.to_rep_id, 'rep')).toBe(receiverBefore + 3500);
        expect(bpsOf(houseRep!.id, 'house')).toBe(houseBefore + departing - 3500);
      }
      // Subagent shares never change.
      for (const p of c.before_splits.filter((x) => x.role === 'subagent'))
        expect(bpsOf(p.repId, 'subagent')).toBe(p.bps);
    }
    expect(seen.has('custom')).toBe(true);
    expect(seen.has('house_absorbs')).toBe(true);
  });

  it('logged no browser error and no CSP violation', () => {
    expect(problems).toEqual([]);
  });
});
