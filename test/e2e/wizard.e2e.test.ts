/**
 * The run wizard in Chromium on the demo data (issue 17): every kind walks one step per screen, each screen is
 * photographed (artifacts/wizard-<kind>-<n>-<step>.png), every dropdown shows its chosen option whole, the labels
 * speak of the kind (no "departing rep" outside a departure), back and forward keep what was entered, and the
 * review creates the run. With the org's solve limit at one run, a second create-and-solve is refused on the
 * wizard itself: the draft is kept and linked, with the run that is solving. The solving page polls and then
 * becomes the review without one script error or CSP refusal in the console.
 */
import { join } from 'node:path';
import { sql } from 'drizzle-orm';
import type { Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { queryRows } from '../../src/db/query-rows.ts';
import { ARTIFACTS, addDay, type DemoBrowser, pickLeaver, startDemoBrowser } from './demo-browser.ts';

let demo: DemoBrowser;

beforeAll(async () => {
  // One run of the org may be queued or solving; nothing solves until the test says so.
  demo = await startDemoBrowser('wizard', { env: { SOLVE_MAX_QUEUED_PER_ORG: '1' }, solving: false });
  book = await readBook();
}, 240_000);
afterAll(() => demo?.close());

/** Every select whose chosen option is cut (its text wider than the box), as "id or name: text". */
async function cutSelects(page: Page): Promise<string[]> {
  return page.locator('select').evaluateAll((selects) => {
    type El = {
      id: string;
      name: string;
      offsetWidth: number;
      selectedIndex: number;
      options: { text: string }[];
    };
    type Doc = {
      createElement(tag: string): {
        getContext(kind: string): { font: string; measureText(t: string): { width: number } };
      };
    };
    type Win = {
      getComputedStyle(e: unknown): { font: string; paddingLeft: string; paddingRight: string };
    };
    const g = globalThis as unknown as { document: Doc; window: Win };
    const ctx = g.document.createElement('canvas').getContext('2d');
    const cut: string[] = [];
    for (const raw of selects) {
      const el = raw as unknown as El;
      if (el.offsetWidth === 0) continue;
      const style = g.window.getComputedStyle(raw);
      ctx.font = style.font;
      const text = el.options[el.selectedIndex]?.text ?? '';
      // The arrow takes about 20 px beside the padding.
      const room =
        el.offsetWidth - Number.parseFloat(style.paddingLeft) - Number.parseFloat(style.paddingRight) - 20;
      if (ctx.measureText(text).width > room) cut.push(`${el.id || el.name}: ${text}`);
    }
    return cut;
  });
}

async function shoot(page: Page, kind: string, n: number, step: string) {
  expect(await cutSelects(page), `${kind} ${step}`).toEqual([]);
  // Only a departure speaks of leavers.
  if (kind !== 'rep_departure')
    expect(await page.textContent('main'), `${kind} ${step}`).not.toMatch(/departing|who is leaving|leaver/i);
  await page.screenshot({ path: join(ARTIFACTS, `wizard-${kind}-${n}-${step}.png`), fullPage: true });
}

/** The next step, once the server has checked this one (the step's number changes). */
async function next(page: Page) {
  const at = await page.textContent('#step-title');
  await page.click('#wizard-next');
  await expect.poll(() => page.textContent('#step-title'), { timeout: 30_000 }).not.toBe(at);
}

interface Demo {
  leaver: { id: string; name: string; end_date: string };
  region: string;
  account: string;
  opportunity: string;
  hire: string;
}
let book: Demo;

async function readBook(): Promise<Demo> {
  const leaver = await pickLeaver(demo.db.db);
  const [row] = await queryRows<{ region: string; account: string; opportunity: string }>(
    demo.db.db,
    sql`select a.region, a.crm_id as account, o.crm_id as opportunity
        from accounts a join opportunities o on o.account_id = a.id
        join orgs g on g.id = a.org_id and g.name = 'Acme Sales'
        where o.status = 'open' and not a.is_house and a.region is not null
        order by a.crm_id limit 1`,
  );
  const [hire] = await queryRows<{ name: string }>(
    demo.db.db,
    sql`select r.name from reps r join orgs g on g.id = r.org_id and g.name = 'Acme Sales'
        where r.kind = 'person' and r.active and r.may_receive and r.end_date is null
        order by r.ramp_target_bps nulls last, r.name limit 1`,
  );
  return {
    leaver,
    region: row!.region,
    account: row!.account,
    opportunity: row!.opportunity,
    hire: hire!.name,
  };
}

describe('the wizard, one step per screen, for every kind', () => {
  const kinds = ['rep_departure', 'realignment', 'new_hire', 'account', 'opportunity'] as const;
  for (const kind of kinds) {
    it(`walks a ${kind} run from the kind to the review`, async () => {
      const page = await demo.newPage();
      await demo.signIn(page, 'manager@demo.test');
      await page.goto(`${demo.base}/runs/new`);
      expect(await page.textContent('#step-title')).toContain('Step 1');
      await page.check(`#kind-${kind}`);
      await shoot(page, kind, 1, 'kind');
      await next(page);
      expect(await page.textContent('#step-title')).toContain('Step 2');
      // The scope of each kind, as a person fills it.
      if (kind === 'rep_departure')
        await page.check(`input[name=departingRepIds][value="${book.leaver.id}"]`);
      if (kind === 'realignment') {
        // The account list follows the regions chosen (htmx), before any filter is pressed.
        const all = await page.textContent('#account-list caption');
        await page.check(`input[name=regions][value="${book.region}"]`);
        await expect.poll(() => page.textContent('#account-list caption')).not.toBe(all);
      }
      if (kind === 'new_hire') await page.check(`#hireRepIds label:has-text("${book.hire}") input`);
      if (kind === 'account') await page.fill('#f-accountCrmId', book.account);
      if (kind === 'opportunity') await page.fill('#f-opportunityCrmId', book.opportunity);
      if (kind === 'account' || kind === 'opportunity')
        await page.selectOption('#f-newOwnerRepId', { index: 1 });
      // Only the scopes that apply to the kind: a single opportunity has one, itself, already chosen.
      const scopes = await page
        .locator('input[name=scope]')
        .evaluateAll((els) =>
          els.map(
            (e) =>
              `${(e as unknown as { value: string }).value}${(e as unknown as { checked: boolean }).checked ? '*' : ''}`,
          ),
        );
      if (kind === 'opportunity') expect(scopes).toEqual(['open_opportunities*']);
      else expect(scopes).toEqual(['ownership', 'open_opportunities*', 'complete']);
      await page.fill('#f-reason', `Wizard ${kind}`);
      await page.fill('#f-commissionEndDate', book.leaver.end_date);
      await page.fill('#f-reassignmentDate', addDay(book.leaver.end_date));
      await shoot(page, kind, 2, 'scope');
      await next(page);
      expect(await page.textContent('#step-title')).toContain('Step 3');
      // A segment row filled in shows its choices whole.
      await page.check('input[name=commissionStrategy][value=segmented]');
      await page.selectOption('select[name="seg-0-commissionType"]', 'custom');
      await page.fill('input[name="seg-0-customPct"]', '35');
      await page.selectOption('select[name="seg-0-accountType"]', { index: 1 });
      // At a laptop's width the whole segment row fits: nothing to scroll sideways to.
      const wrap = await page.locator('#commission-segments .table-wrap').evaluate((w) => {
        const el = w as unknown as { scrollWidth: number; clientWidth: number };
        return { scrollWidth: el.scrollWidth, clientWidth: el.clientWidth };
      });
      expect(wrap.scrollWidth, 'segment table width').toBeLessThanOrEqual(wrap.clientWidth);
      await shoot(page, kind, 3, 'strategy');
      // Back to the scope and forward again: nothing entered is lost.
      // By keyboard, as a person tabbing through the form does.
      await page.focus('#wizard-back');
      await Promise.all([page.waitForURL(/\/runs\/new$/), page.keyboard.press('Enter')]);
      await page.waitForSelector('#step-title:has-text("Step 2")');
      expect(await page.inputValue('#f-reason')).toBe(`Wizard ${kind}`);
      await next(page);
      expect(await page.inputValue('input[name="seg-0-customPct"]')).toBe('35');
      await next(page);
      let n = 4;
      if (kind !== 'account' && kind !== 'opportunity') {
        expect(await page.textContent('#step-title')).toContain('Targets and caps');
        await shoot(page, kind, n++, 'assignment');
        await next(page);
      }
      expect(await page.textContent('#step-title')).toContain('Check your choices');
      const summary = (await page.textContent('#wizard-summary')) ?? '';
      expect(summary).toContain(`Wizard ${kind}`);
      expect(summary).toContain('Segmented');
      await page.waitForSelector('#impact-stats');
      await shoot(page, kind, n, 'review');
      await page.close();
    }, 120_000);
  }
});

describe('a solve the limits refuse, and the solving page', () => {
  let solvingUrl = '';

  it('creates and solves a run from the review; its page polls without a console error', async () => {
    const page = await demo.newPage();
    await demo.signIn(page, 'manager@demo.test');
    await page.goto(`${demo.base}/runs/new?kind=rep_departure&rep=${book.leaver.id}`);
    await page.fill('#f-reason', 'Departure through the wizard');
    await page.fill('#f-commissionEndDate', book.leaver.end_date);
    await page.fill('#f-reassignmentDate', addDay(book.leaver.end_date));
    for (let i = 0; i < 3; i += 1) await next(page);
    await Promise.all([page.waitForURL(/\/runs\/[0-9a-f-]{36}$/), page.click('#create-and-solve')]);
    solvingUrl = page.url();
    await page.waitForSelector('#solve-progress');
    // The box swaps itself every second; watch a few swaps while a person starts to write why they would cancel.
    await page.click('#solve-progress summary');
    await page.fill('#cancel-reason', 'Wrong rep');
    await page.waitForTimeout(3500);
    // The polls left what is being written alone.
    expect(await page.inputValue('#cancel-reason')).toBe('Wrong rep');
    expect(await page.locator('#solve-progress details[open]').count()).toBe(1);
    await page.screenshot({ path: join(ARTIFACTS, 'wizard-solving.png'), fullPage: true });
    expect(demo.problems).toEqual([]);
    await page.close();
  }, 120_000);

  it('says on the wizard that the draft is kept, links it and the solve running, and what to do', async () => {
    const page = await demo.newPage();
    await demo.signIn(page, 'analyst@demo.test');
    await page.goto(`${demo.base}/runs/new?kind=account&account=${book.account}`);
    await page.selectOption('#f-newOwnerRepId', { index: 1 });
    await page.fill('#f-reason', 'One account while another run solves');
    await page.fill('#f-commissionEndDate', book.leaver.end_date);
    await page.fill('#f-reassignmentDate', addDay(book.leaver.end_date));
    await next(page);
    await next(page);
    const [res] = await Promise.all([
      page.waitForResponse((r) => r.url().endsWith('/runs/new') && r.request().method() === 'POST'),
      page.click('#create-and-solve'),
    ]);
    expect(res.status()).toBe(429);
    await page.waitForSelector('#solve-refused');
    const said = (await page.textContent('#solve-refused')) ?? '';
    expect(said).toContain('saved as a draft but not solved');
    expect(said).toContain('try again when one has finished');
    expect(said).toContain('Departure through the wizard');
    expect(await page.locator('#create-and-solve').count()).toBe(0);
    await page.screenshot({ path: join(ARTIFACTS, 'wizard-refused.png'), fullPage: true });
    await Promise.all([page.waitForURL(/\/runs\/[0-9a-f-]{36}$/), page.click('#refused-draft')]);
    expect(await page.textContent('main')).toContain('One account while another run solves');
    await page.close();
  }, 120_000);

  it('the solving page becomes the review when the solve ends, with no console error', async () => {
    const page = await demo.newPage();
    await demo.signIn(page, 'manager@demo.test');
    await page.goto(solvingUrl);
    await page.waitForSelector('#solve-progress');
    demo.startSolving();
    await page.waitForSelector('#rep-table', { timeout: 90_000 });
    await page.close();
    expect(demo.problems).toEqual([]);
  }, 120_000);
});
