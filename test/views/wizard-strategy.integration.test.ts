/**
 * The run wizard's strategy step and accounts-in-scope multi-select (issue 6, seed 003 "Scope → Strategy →
 * Assignment → Review → Execute"), at the HTML level: a uniform or segmented commission strategy with the level-3
 * form's fields and errors next to them, the impact preview reflecting the strategy and the selection, the
 * filtered and paginated account list keeping ticks across pages, and a run created from a selection whose solve
 * (the real job runner) moves only the selected accounts.
 */
import { eq } from 'drizzle-orm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import * as s from '../../db/schema/index.ts';
import { createJobRunner } from '../../src/jobs/runner.ts';
import { solveRunJob } from '../../src/services/solve/solve-run-job.ts';
import { type Browser, createHarness, createOrgWithUsers, type Harness, signedIn } from '../app/harness.ts';
import { createAccount, createOpportunity, createRep } from '../support/factories.ts';

const UUID_IN = /\/runs\/([0-9a-f-]{36})/;

let h: Harness;
let runner: ReturnType<typeof createJobRunner>;
let analyst: Browser;
let book: Awaited<ReturnType<typeof seedBook>>;

const inDays = (n: number) => new Date(h.clock.now.getTime() + n * 86_400_000).toISOString().slice(0, 10);

/**
 * Dana leaves: 30 West accounts ("Dana Acct 00" … "29"; 00–09 Enterprise, the rest SMB). Open deals: two on
 * Enterprise accounts ($20,000 each), one large SMB deal ($80,000), one small SMB deal ($10,000). Ana and Ben
 * receive; Ana has an account of her own.
 */
async function seedBook(orgId: string) {
  const db = h.db.db;
  await createRep(db, orgId, { kind: 'house', name: 'House', mayReceive: false });
  const dana = await createRep(db, orgId, { name: 'Dana Departing', region: 'West', endDate: inDays(20) });
  const ana = await createRep(db, orgId, { name: 'Ana Receiver', region: 'West' });
  const ben = await createRep(db, orgId, { name: 'Ben Receiver', region: 'West' });
  const accounts: (typeof s.accounts.$inferSelect)[] = [];
  for (let i = 0; i < 30; i++) {
    accounts.push(
      await createAccount(db, orgId, {
        name: `Dana Acct ${String(i).padStart(2, '0')}`,
        ownerRepId: dana.id,
        region: 'West',
        type: i < 10 ? 'Enterprise' : 'SMB',
        annualRevenueCents: (i + 1) * 1_000_00,
      }),
    );
  }
  const deal = (i: number, amountCents: number) =>
    createOpportunity(db, orgId, accounts[i]!.id, {
      ownerRepId: dana.id,
      stage: 'Negotiation',
      closeDate: inDays(90),
      amountCents,
    });
  await deal(0, 20_000_00);
  await deal(1, 20_000_00);
  await deal(12, 80_000_00);
  await deal(13, 10_000_00);
  const anaOwn = await createAccount(db, orgId, {
    name: 'Ana Own Client',
    ownerRepId: ana.id,
    region: 'West',
  });
  return { reps: { dana, ana, ben }, accounts, anaOwn };
}

/** A form post with repeated fields (checkbox lists), as a browser sends it. */
async function post(
  b: Browser,
  path: string,
  fields: [string, string][],
  headers: Record<string, string> = {},
) {
  const res = await b.request(path, {
    method: 'POST',
    headers: { 'content-type': 'application/x-www-form-urlencoded', ...headers },
    body: new URLSearchParams([['_csrf', b.csrfToken], ...fields]).toString(),
  });
  return { res, html: await res.text() };
}

const departure = (extra: [string, string][] = []): [string, string][] => [
  ['kind', 'rep_departure'],
  ['departingRepIds', book.reps.dana.id],
  ['scope', 'open_opportunities'],
  ['reason', 'Dana leaves at the end of the month'],
  ['commissionEndDate', '2026-03-31'],
  ['reassignmentDate', '2026-04-01'],
  ['strategy', 'optimal'],
  ['objective', 'l1'],
  ...extra,
];

const segmented: [string, string][] = [
  ['commissionStrategy', 'segmented'],
  ['commissionType', 'direct_transfer'],
  ['seg-0-accountType', 'Enterprise'],
  ['seg-0-commissionType', 'custom'],
  ['seg-0-customPct', '35'],
  ['seg-1-minAmount', '50,000'],
  ['seg-1-commissionType', 'house_absorbs'],
];

async function runOf(res: Response) {
  expect(res.status).toBe(303);
  const id = UUID_IN.exec(res.headers.get('location') ?? '')?.[1];
  if (!id) throw new Error(`no run id in ${res.headers.get('location')}`);
  const [run] = await h.db.db.select().from(s.runs).where(eq(s.runs.id, id));
  return run!;
}

beforeAll(async () => {
  h = await createHarness({ SOLVER_TIME_LIMIT_SECONDS: '5' });
  runner = createJobRunner({ db: h.db.db, handlers: { solve_run: solveRunJob } });
  const org = await createOrgWithUsers(h, 'Wizard Strategy Org');
  book = await seedBook(org.id);
  analyst = await signedIn(h, org.users.analyst);
  await analyst.page('/runs/new');
});
afterAll(async () => {
  await h?.close();
});

describe('strategy step', () => {
  it('offers uniform or segmented with the level-3 segment rows and the org’s choices', async () => {
    // The scope step done, the next screen is the strategy step.
    const { res, html } = await post(analyst, '/runs/new', [
      ...departure(),
      ['step', 'scope'],
      ['go', 'strategy'],
    ]);
    expect(res.status).toBe(200);
    expect(html).toContain('id="step-strategy"');
    expect(html).toContain('name="commissionStrategy" value="uniform" checked');
    expect(html).toContain('name="commissionStrategy" value="segmented"');
    expect(html).toContain('id="segments"');
    for (let i = 0; i < 4; i++) expect(html).toContain(`name="seg-${i}-commissionType"`);
    expect(html).toContain('<option value="Enterprise">Enterprise</option>');
    expect(html).toContain('<option value="Negotiation">Negotiation</option>');
    expect(html).toContain('name="commissionStrategy" value="manual"');
    expect(html).toMatch(/Manual queue/);
  });

  it('creates a run with the segmented strategy’s params', async () => {
    const { res } = await post(analyst, '/runs/new', [...departure(segmented), ['intent', 'draft']]);
    const run = await runOf(res);
    expect(run.status).toBe('draft');
    expect(run.params).toEqual({
      departingRepIds: [book.reps.dana.id],
      strategy: 'optimal',
      objective: 'l1',
      commissionType: 'direct_transfer',
      commissionSegments: [
        { match: { accountType: 'Enterprise' }, commissionType: 'custom', customBps: 3500 },
        { match: { minAmountCents: 50_000_00 }, commissionType: 'house_absorbs' },
      ],
    });
  });

  it('creates a run with the manual queue: the type of each opportunity is left to the review page', async () => {
    const { res } = await post(analyst, '/runs/new', [
      ...departure(segmented.filter(([k]) => k.startsWith('seg-'))),
      ['commissionStrategy', 'manual'],
      ['commissionType', 'direct_transfer'],
      ['intent', 'draft'],
    ]);
    const run = await runOf(res);
    expect(run.params).toMatchObject({ commissionStrategy: 'manual' });
    expect(run.params).not.toHaveProperty('commissionSegments');
    const preview = await post(
      analyst,
      '/runs/new/impact',
      departure([
        ['commissionStrategy', 'manual'],
        ['commissionType', 'direct_transfer'],
      ]),
      { 'hx-request': 'true' },
    );
    expect(preview.res.status).toBe(200);
    expect(preview.html).toContain('id="impact-commission"');
    expect(preview.html).toMatch(/manual queue/i);
    expect(preview.html).not.toContain('data-segment="1"');
  });

  it('records the run’s targets and caps, and says what is wrong with them next to each field', async () => {
    const { res } = await post(analyst, '/runs/new', [
      ...departure([
        ['targetMode', 'seniority'],
        ['maxAccountsPerRep', '60'],
        ['maxRevenuePerRep', '$5,000,000'],
      ]),
      ['intent', 'draft'],
    ]);
    const run = await runOf(res);
    expect(run.params).toMatchObject({
      targetMode: 'seniority',
      maxAccountsPerRep: 60,
      maxRevenueCentsPerRep: 5_000_000_00,
    });
    const page = await analyst.page(`/runs/${run.id}`);
    expect(page.html).toContain(
      'Balancing for this run: targets weighted by seniority; at most 60 accounts per rep; at most $5,000,000 revenue per rep.',
    );

    const bad = await post(analyst, '/runs/new', [
      ...departure([
        ['targetMode', 'loudest'],
        ['maxAccountsPerRep', '2.5'],
        ['maxRevenuePerRep', 'a lot'],
      ]),
      ['intent', 'draft'],
    ]);
    expect(bad.res.status).toBe(400);
    expect(bad.html).toContain('id="f-targetMode-error">Choose how targets are weighted');
    expect(bad.html).toContain('id="f-maxAccountsPerRep-error">Write a whole number of accounts');
    expect(bad.html).toContain('id="f-maxRevenuePerRep-error">Write an amount in dollars');
  });

  it('uniform ignores the segment rows; type C takes the custom share', async () => {
    const { res } = await post(analyst, '/runs/new', [
      ...departure(segmented.filter(([k]) => k.startsWith('seg-'))),
      ['commissionStrategy', 'uniform'],
      ['commissionType', 'custom'],
      ['customPct', '40.5'],
      ['intent', 'draft'],
    ]);
    const run = await runOf(res);
    expect(run.params).toMatchObject({ commissionType: 'custom', customBps: 4050 });
    expect(run.params).not.toHaveProperty('commissionSegments');
  });

  it('puts each error next to its field, as the level-3 form does, and creates nothing', async () => {
    const before = (await h.db.db.select().from(s.runs)).length;
    const bad = await post(analyst, '/runs/new', [
      ...departure([
        ['commissionStrategy', 'segmented'],
        ['commissionType', 'custom'],
        ['customPct', 'lots'],
        ['seg-0-commissionType', 'house_absorbs'],
        ['seg-1-stage', 'Negotiation'],
        ['seg-2-region', 'West'],
        ['seg-2-minAmount', 'ten'],
        ['seg-2-commissionType', 'direct_transfer'],
        ['seg-3-minAmount', '500'],
        ['seg-3-maxAmount', '100'],
        ['seg-3-commissionType', 'direct_transfer'],
      ]),
      ['intent', 'solve'],
    ]);
    expect(bad.res.status).toBe(400);
    expect(bad.html).toContain(
      'id="f-customPct-error">Type C needs the new rep’s share: a percentage from 0.01 to 100, e.g. 35.',
    );
    expect(bad.html).toContain(
      'id="f-seg-0-error">Segment 1 has no condition, so it would match every opportunity',
    );
    expect(bad.html).toContain('id="f-seg-1-error">Segment 2: choose its type (A, B or C)');
    expect(bad.html).toContain('id="f-seg-2-error">Segment 3: write the deal sizes in dollars');
    expect(bad.html).toContain('id="f-seg-3-error">The deal size range is empty');
    expect(bad.html).toContain('aria-describedby="f-seg-3-error" aria-invalid="true"');
    // What was typed is kept.
    expect(bad.html).toContain('name="seg-2-minAmount" inputmode="decimal" value="ten"');

    const empty = await post(analyst, '/runs/new', [
      ...departure([['commissionStrategy', 'segmented']]),
      ['intent', 'solve'],
    ]);
    expect(empty.res.status).toBe(400);
    expect(empty.html).toContain('id="f-seg-0-error">A segmented strategy needs at least one segment');

    // A scope with opportunities needs both commission dates now, not at commit.
    const undated = await post(analyst, '/runs/new', [
      ...departure().filter(([k]) => k !== 'commissionEndDate' && k !== 'reassignmentDate'),
      ['intent', 'solve'],
    ]);
    expect(undated.res.status).toBe(400);
    expect(undated.html).toContain('id="f-commissionEndDate-error">Set the commission end date');
    expect(undated.html).toContain('id="f-reassignmentDate-error">Set the reassignment date');
    expect((await h.db.db.select().from(s.runs)).length).toBe(before);
  });

  it('the impact preview shows how the strategy treats the open opportunities in scope', async () => {
    const seg = await post(analyst, '/runs/new/impact', departure(segmented), { 'hx-request': 'true' });
    expect(seg.res.status).toBe(200);
    expect(seg.html).not.toContain('<html');
    expect(seg.html).toContain('id="impact-commission"');
    expect(seg.html).toContain('segmented strategy');
    const row = (segment: string) =>
      new RegExp(
        `data-segment="${segment}"><td>[^<]*</td><td>([^<]*)</td><td>(\\d+)</td><td>([^<]*)</td>`,
      ).exec(seg.html);
    expect(row('1')?.slice(1)).toEqual(['Type C (new rep 35%)', '2', '$40,000']);
    expect(row('2')?.slice(1)).toEqual(['Type A', '1', '$80,000']);
    expect(row('default')?.slice(1)).toEqual(['Type B', '1', '$10,000']);

    const uniform = await post(
      analyst,
      '/runs/new/impact',
      departure([
        ['commissionStrategy', 'uniform'],
        ['commissionType', 'house_absorbs'],
      ]),
      { 'hx-request': 'true' },
    );
    expect(uniform.html).toContain('uniform strategy');
    expect(uniform.html).toContain('data-segment="default"><td>Default type</td><td>Type A</td><td>4</td>');
    expect(uniform.html).not.toContain('data-segment="1"');
  });

  it('an open deal of unknown amount is not a $0 deal: no deal-size segment takes it, and the preview says so', async () => {
    // A fifth deal, on an SMB account, whose amount the CRM export left blank.
    const pilot = await createOpportunity(h.db.db, book.reps.dana.orgId, book.accounts[14]!.id, {
      ownerRepId: book.reps.dana.id,
      stage: 'Prospecting',
      closeDate: inDays(90),
      amountCents: null,
    });
    try {
      // Segment 2 takes deals of $50,000 or more; "under $20,000" would have taken a $0 deal.
      const small: [string, string][] = [
        ['seg-2-maxAmount', '20,000'],
        ['seg-2-commissionType', 'custom'],
        ['seg-2-customPct', '10'],
      ];
      const seg = await post(analyst, '/runs/new/impact', departure([...segmented, ...small]), {
        'hx-request': 'true',
      });
      const row = (segment: string) =>
        new RegExp(
          `data-segment="${segment}"><td>[^<]*</td><td>([^<]*)</td><td>(\\d+)</td><td>(.*?)</td>`,
        ).exec(seg.html);
      expect(row('3')?.slice(1)).toEqual(['Type C (new rep 10%)', '1', '$10,000']);
      expect(row('default')?.slice(1)).toEqual(['Type B', '1', 'unknown']);
      expect(seg.html).toMatch(
        /id="impact-unknown-amounts">1 open opportunity\(ies\) have an unknown amount/,
      );
      expect(seg.html).toMatch(/id="unknown-amounts">\s*\(\+1 of unknown amount, not counted as \$0\)/);
    } finally {
      await h.db.db.delete(s.opportunities).where(eq(s.opportunities.id, pilot.id));
    }
  });
});

describe('accounts in scope', () => {
  const ids = () => book.accounts.map((a) => a.id);

  it('lists the departing rep’s accounts 25 to a page, keeps ticks from other pages as hidden inputs', async () => {
    const [a0, a3, a27] = [ids()[0]!, ids()[3]!, ids()[27]!];
    const page2 = await post(
      analyst,
      '/runs/new/accounts',
      departure([
        ['accountMode', 'selected'],
        ['accountIds', a0],
        ['accountIds', a3],
        ['accountIds', a27],
        ['acctPage', '2'],
      ]),
      { 'hx-request': 'true' },
    );
    expect(page2.res.status).toBe(200);
    expect(page2.html).not.toContain('<html');
    expect(page2.html).toContain('Page 2 of 2 — 30 matching account(s)');
    expect(page2.html).toContain('Dana Acct 29');
    expect(page2.html).not.toContain('Dana Acct 00');
    expect(page2.html).not.toContain('Ana Own Client');
    expect(page2.html).toContain(`name="accountIds" value="${a27}" id="acct-${a27}" checked`);
    expect(page2.html).toContain(`<input type="hidden" name="accountIds" value="${a0}"/>`);
    expect(page2.html).toContain(`<input type="hidden" name="accountIds" value="${a3}"/>`);
    expect(page2.html).not.toContain(`<input type="hidden" name="accountIds" value="${a27}"/>`);
    expect(page2.html).toContain('id="account-prev"');
    expect(page2.html).not.toContain('id="account-next"');

    // Without JavaScript the same buttons post the whole form: the wizard comes back on that page, nothing created.
    const before = (await h.db.db.select().from(s.runs)).length;
    const noJs = await post(
      analyst,
      '/runs/new',
      departure([
        ['acctQ', 'Acct 1'],
        ['acctPage', '1'],
      ]),
    );
    expect(noJs.res.status).toBe(200);
    expect(noJs.html).toContain('Page 1 of 1 — 10 matching account(s)');
    expect(noJs.html).toContain('Dana Acct 19');
    expect(noJs.html).not.toContain('Dana Acct 20');
    expect((await h.db.db.select().from(s.runs)).length).toBe(before);
  });

  it('the impact preview counts only the selected accounts', async () => {
    const res = await post(
      analyst,
      '/runs/new/impact',
      departure([
        ['accountMode', 'selected'],
        ['accountIds', ids()[0]!],
        ['accountIds', ids()[12]!],
      ]),
      { 'hx-request': 'true' },
    );
    expect(res.html).toMatch(/Accounts in scope<\/dt><dd class="stat-value">2</);
    expect(res.html).toMatch(/Open opportunities<\/dt><dd class="stat-value">2</);
    expect(res.html).toContain('data-segment="default"><td>Default type</td><td>Type B</td><td>2</td>');
  });

  it('a run from ticked accounts records them and its solve moves only those accounts', async () => {
    const chosen = [ids()[2]!, ids()[5]!, ids()[26]!];
    const { res } = await post(analyst, '/runs/new', [
      ...departure([
        ['accountMode', 'selected'],
        ...chosen.map((id): [string, string] => ['accountIds', id]),
      ]),
      ['intent', 'solve'],
    ]);
    const run = await runOf(res);
    expect((run.params as { accountIds: string[] }).accountIds).toEqual(chosen);
    await runner.drain();
    const [solved] = await h.db.db.select().from(s.runs).where(eq(s.runs.id, run.id));
    expect(solved!.status, solved!.failureReason ?? '').toBe('solved');
    const rows = await h.db.db.select().from(s.runAssignments).where(eq(s.runAssignments.runId, run.id));
    const moved = rows.filter((r) => r.toRepId !== r.fromRepId).map((r) => r.accountId);
    expect(moved.sort()).toEqual([...chosen].sort());
    for (const r of rows) expect([book.reps.ana.id, book.reps.ben.id]).toContain(r.toRepId);
    const page = await analyst.page(`/runs/${run.id}`);
    expect(page.html).toMatch(/Accounts moving<\/dt><dd class="stat-value">3</);
  });

  it('“all matching” with a filter takes every account the filter matches', async () => {
    const { res } = await post(analyst, '/runs/new', [
      ...departure([['acctQ', 'Acct 2']]),
      ['intent', 'draft'],
    ]);
    const run = await runOf(res);
    expect([...(run.params as { accountIds: string[] }).accountIds].sort()).toEqual(
      ids().slice(20, 30).sort(),
    );

    const all = await runOf((await post(analyst, '/runs/new', [...departure(), ['intent', 'draft']])).res);
    expect(all.params).not.toHaveProperty('accountIds');
  });

  it('says what is wrong with a selection next to the list', async () => {
    const none = await post(analyst, '/runs/new', [
      ...departure([['accountMode', 'selected']]),
      ['intent', 'solve'],
    ]);
    expect(none.res.status).toBe(400);
    expect(none.html).toContain('id="account-picker-error">Tick at least one account');

    const nothing = await post(analyst, '/runs/new', [
      ...departure([['acctQ', 'no such account']]),
      ['intent', 'solve'],
    ]);
    expect(nothing.res.status).toBe(400);
    expect(nothing.html).toContain('id="account-picker-error">No account matches the filter');

    // A forged id of another rep's account: the service refuses it and the message lands next to the list.
    const forged = await post(analyst, '/runs/new', [
      ...departure([
        ['accountMode', 'selected'],
        ['accountIds', book.anaOwn.id],
      ]),
      ['intent', 'solve'],
    ]);
    expect(forged.res.status).toBe(400);
    expect(forged.html).toContain(
      `id="account-picker-error">Account ${book.anaOwn.id} does not belong to a departing rep`,
    );
  });
});
