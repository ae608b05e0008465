/**
 * What the review shows is what the commit writes (issue 17), in Chromium on the demo data: for each commission
 * level (one opportunity, one account) and type (A, B, C), a manager starts the change from the opportunity's or
 * the account's page, reads each opportunity's split after the change on the review page BEFORE approving, looks at
 * the approve page, approves, commits, and the split rows in the database are the ones the review showed.
 */
import { and, eq, isNull, sql } from 'drizzle-orm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import * as s from '../../db/schema/index.ts';
import { queryRows } from '../../src/db/query-rows.ts';
import { pct } from '../../src/views/shared/format.ts';
import type { TestDatabase } from '../support/db.ts';
import { type DemoBrowser, startDemoBrowser } from './demo-browser.ts';

const SHOTS = '/tmp/h17core';
let demo: DemoBrowser;
let db: TestDatabase;
let base: string;

beforeAll(async () => {
  demo = await startDemoBrowser('review-equals-commit');
  ({ db, base } = demo);
});
afterAll(() => demo?.close());

/** Open deals whose owner (a person) holds a rep share, one per account, on accounts with one open deal. */
async function deals(n: number) {
  return queryRows<{ opp_id: string; account_id: string; owner: string; region: string | null }>(
    db.db,
    sql`select o.id as opp_id, o.account_id, o.owner_rep_id as owner, a.region
          from opportunities o join accounts a on a.id = o.account_id join reps r on r.id = o.owner_rep_id
         where o.status = 'open' and r.kind = 'person'
           and exists (select 1 from commission_splits c where c.opportunity_id = o.id and c.effective_to is null
                         and c.rep_id = o.owner_rep_id and c.role = 'rep' and c.bps >= 2000)
           and (select count(*) from opportunities x where x.account_id = o.account_id and x.status = 'open') = 1
         order by o.crm_id limit ${n}`,
  );
}

async function receiverFor(owner: string) {
  const [rep] = await queryRows<{ id: string }>(
    db.db,
    sql`select id from reps where kind = 'person' and active and may_receive and end_date is null
          and id <> ${owner}::uuid order by name limit 1`,
  );
  return rep!.id;
}

const CASES = [
  ['opportunity', 'house_absorbs'],
  ['opportunity', 'direct_transfer'],
  ['opportunity', 'custom'],
  ['account', 'house_absorbs'],
  ['account', 'direct_transfer'],
  ['account', 'custom'],
] as const;

describe('the review page before approval shows the splits the commit writes', () => {
  it('for each level and type', async () => {
    const picked = await deals(CASES.length);
    expect(picked).toHaveLength(CASES.length);
    const names = new Map(
      (await db.db.select({ id: s.reps.id, name: s.reps.name }).from(s.reps)).map((r) => [r.id, r.name]),
    );
    const page = await demo.newPage();
    await demo.signIn(page, 'manager@demo.test');
    for (const [i, [level, type]] of CASES.entries()) {
      const deal = picked[i]!;
      await page.goto(
        level === 'opportunity'
          ? `${base}/opportunities/${deal.opp_id}`
          : `${base}/accounts/${deal.account_id}/reassign-opportunities`,
      );
      await page.selectOption('#f-newOwnerRepId', await receiverFor(deal.owner));
      await page.check(`input[name="commissionType"][value="${type}"]`);
      if (type === 'custom') await page.fill('#f-customPct', '15');
      await page.fill('#f-commissionEndDate', '2026-12-31');
      await page.fill('#f-reassignmentDate', '2027-01-01');
      await page.fill('#f-reason', `Review equals commit: ${level} ${type}`);
      await Promise.all([
        page.waitForURL(/\/runs\/[0-9a-f-]{36}$/, { timeout: 30_000 }),
        page.click(level === 'opportunity' ? '#create-opportunity-run' : '#create-account-run'),
      ]);
      const runUrl = page.url();
      const runId = runUrl.split('/').pop()!;
      await page.waitForSelector('#run-stats', { timeout: 90_000 });
      await page.waitForSelector('#commission-impact-opportunities', { timeout: 30_000 });

      // Read the review before approval: each opportunity's split after the change.
      const rows = page.locator('#commission-impact-opportunities tbody tr');
      const reviewed = new Map<string, string>();
      for (let k = 0; k < (await rows.count()); k += 1) {
        const row = rows.nth(k);
        const id = (await row.getAttribute('data-opportunity'))!;
        const after = (await row.locator('td').nth(3).textContent())!;
        reviewed.set(
          id,
          after
            .split(' · ')
            .map((p) => p.trim())
            .sort()
            .join(' | '),
        );
      }
      expect(reviewed.has(deal.opp_id), `${level} ${type}`).toBe(true);
      if (i === 2 || i === 5) {
        await page.locator('#commission-impact-opportunities summary').click();
        await page.screenshot({ path: `${SHOTS}/review-${level}-${type}.png`, fullPage: true });
      }

      // Resolve what blocks (accept where it may be accepted), approve what was reviewed, commit.
      for (let round = 0; round < 5; round += 1) {
        const open = page.locator('.conflict:has(form)');
        if ((await open.count()) === 0) break;
        const card = open.first();
        const cardId = await card.getAttribute('id');
        await card.locator('select[name=resolution]').selectOption('accept');
        await card.locator('input[name=note]').fill('Checked with the regional manager');
        await card.locator('button:has-text("Resolve")').click();
        await page.locator(`[id="${cardId}"]:not(:has(form))`).waitFor();
      }
      await page.goto(`${runUrl}/approve`);
      await page.waitForSelector('#approve-splits-list');
      if (i === 2 || i === 5)
        await page.screenshot({ path: `${SHOTS}/approve-${level}-${type}.png`, fullPage: true });
      await page.click('#confirm-approve');
      await page.waitForSelector('#commit-run');
      await page.click('#commit-run');
      await page.waitForSelector('#committed', { timeout: 60_000 });
      expect(await page.locator('#committed-title').count()).toBe(1);
      expect(await page.locator('#approve-panel').count()).toBe(0);

      // The committed splits are the reviewed ones.
      for (const [opportunityId, text] of reviewed) {
        const open = await db.db
          .select()
          .from(s.commissionSplits)
          .where(
            and(eq(s.commissionSplits.opportunityId, opportunityId), isNull(s.commissionSplits.effectiveTo)),
          );
        const written = open
          .map((r) => `${names.get(r.repId) ?? r.repId} ${pct(r.bps)}`)
          .sort()
          .join(' | ');
        expect(written, `${level} ${type} ${opportunityId}`).toBe(text);
        expect(open.every((r) => r.runId === runId)).toBe(true);
      }
    }
    await page.close();
    expect(demo.problems).toEqual([]);
  }, 600_000);
});
