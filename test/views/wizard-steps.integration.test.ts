/**
 * The run wizard as real steps (issue 17), at the HTML level: one step per screen, each step checked before the
 * next with the errors next to their fields, back and forward keeping every entry, labels in the words of the
 * run's kind, a review of every choice before the run is created, and a create-and-solve that the org's solve
 * limit refuses kept as a draft and explained on the wizard (429, with links to the draft and the solve running).
 */
import { eq } from 'drizzle-orm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import * as s from '../../db/schema/index.ts';
import { type Browser, createHarness, createOrgWithUsers, type Harness, signedIn } from '../app/harness.ts';
import { createAccount, createOpportunity, createRep } from '../support/factories.ts';

let h: Harness;
let analyst: Browser;
let book: Awaited<ReturnType<typeof seedBook>>;

const inDays = (n: number) => new Date(h.clock.now.getTime() + n * 86_400_000).toISOString().slice(0, 10);

/** Dana leaves West (12 accounts, one open deal); Ana and Ben stay; Eve sells in East. */
async function seedBook(orgId: string) {
  const db = h.db.db;
  await createRep(db, orgId, { kind: 'house', name: 'House', mayReceive: false });
  const dana = await createRep(db, orgId, { name: 'Dana Departing', region: 'West', endDate: inDays(20) });
  const ana = await createRep(db, orgId, { name: 'Ana Receiver', region: 'West' });
  const ben = await createRep(db, orgId, { name: 'Ben Receiver', region: 'West' });
  const eve = await createRep(db, orgId, { name: 'Eve East', region: 'East' });
  const accounts = [];
  for (let i = 0; i < 12; i++)
    accounts.push(
      await createAccount(db, orgId, {
        name: `West Client ${i}`,
        ownerRepId: i % 3 === 0 ? ana.id : dana.id,
        region: 'West',
        type: 'Customer',
        annualRevenueCents: (i + 1) * 10_000_00,
      }),
    );
  const east = await createAccount(db, orgId, { name: 'East Client', ownerRepId: eve.id, region: 'East' });
  const deal = await createOpportunity(db, orgId, accounts[1]!.id, {
    ownerRepId: dana.id,
    stage: 'Proposal',
    closeDate: inDays(120),
    amountCents: 30_000_00,
  });
  return { reps: { dana, ana, ben, eve }, accounts, east, deal };
}

beforeAll(async () => {
  // One run of the org may be queued or solving at a time: the second create-and-solve is refused.
  h = await createHarness({ SOLVE_MAX_QUEUED_PER_ORG: '1' });
  const org = await createOrgWithUsers(h, 'Wizard Steps Org');
  book = await seedBook(org.id);
  analyst = await signedIn(h, org.users.analyst);
  await analyst.page('/runs/new');
}, 60_000);
afterAll(() => h?.close());

async function post(fields: [string, string][]) {
  const res = await analyst.request('/runs/new', {
    method: 'POST',
    headers: { 'content-type': 'application/x-www-form-urlencoded' },
    body: new URLSearchParams([['_csrf', analyst.csrfToken], ...fields]).toString(),
  });
  return { res, html: await res.text() };
}

/** The hidden inputs a step carries (name → values). */
function hidden(html: string) {
  const out = new Map<string, string[]>();
  for (const m of html.matchAll(/<input type="hidden" name="([^"]+)" value="([^"]*)"\/>/g))
    out.set(m[1]!, [...(out.get(m[1]!) ?? []), m[2]!]);
  return out;
}

/** The form fields a step posts back: its hidden inputs plus what the person entered on it. */
const carry = (html: string, entered: [string, string][]): [string, string][] => [
  ...[...hidden(html).entries()]
    .filter(([k]) => k !== '_csrf')
    .flatMap(([k, vs]) => vs.map((v) => [k, v] as [string, string])),
  ...entered,
];

const departureScope = (): [string, string][] => [
  ['departingRepIds', book.reps.dana.id],
  ['scope', 'open_opportunities'],
  ['reason', 'Dana leaves West'],
  ['commissionEndDate', inDays(20)],
  ['reassignmentDate', inDays(21)],
];

describe('one step per screen', () => {
  it('opens on the kind of run alone, then shows one step at a time', async () => {
    const { res, html } = await analyst.page('/runs/new');
    expect(res.status).toBe(200);
    expect(html).toContain('id="step-kind"');
    expect(html).toContain('Step 1 of 5');
    for (const other of [
      'id="f-reason"',
      'type="radio" name="commissionType"',
      'type="radio" name="objective"',
      'id="create-and-solve"',
    ])
      expect(html).not.toContain(other);
    const scope = await post([
      ...carry(html, [['kind', 'rep_departure']]),
      ['step', 'kind'],
      ['go', 'scope'],
    ]);
    expect(scope.res.status).toBe(200);
    expect(scope.html).toContain('id="step-scope"');
    expect(scope.html).toContain('id="f-reason"');
    expect(scope.html).not.toContain('type="radio" name="commissionType"');
    expect(scope.html).toContain('name="kind" value="rep_departure"');
  });

  it('checks a step before the next: errors next to their fields, on the step that has them', async () => {
    const { res, html } = await post([
      ['kind', 'rep_departure'],
      ['step', 'scope'],
      ['go', 'strategy'],
    ]);
    expect(res.status).toBe(400);
    expect(html).toContain('id="step-scope"');
    expect(html).toContain('id="departingRepIds-error"');
    expect(html).toContain('id="f-reason-error"');
    expect(html).toContain('id="wizard-error"');
    // Jumping ahead from the first step lands on the first step that is not right yet.
    const jump = await post([
      ['kind', 'rep_departure'],
      ['step', 'kind'],
      ['go', 'review'],
    ]);
    expect(jump.res.status).toBe(400);
    expect(jump.html).toContain('id="step-scope"');
    // Type C without its share is refused on the strategy step.
    const strategy = await post([
      ['kind', 'rep_departure'],
      ...departureScope(),
      ['commissionType', 'custom'],
      ['step', 'strategy'],
      ['go', 'assignment'],
    ]);
    expect(strategy.res.status).toBe(400);
    expect(strategy.html).toContain('id="step-strategy"');
    expect(strategy.html).toContain('id="f-customPct-error"');
  });

  it('keeps every entry going back and forward, and reviews every choice before creating', async () => {
    const strategy = await post([
      ['kind', 'rep_departure'],
      ...departureScope(),
      ['step', 'scope'],
      ['go', 'strategy'],
    ]);
    expect(strategy.res.status).toBe(200);
    expect(hidden(strategy.html).get('reason')).toEqual(['Dana leaves West']);
    expect(hidden(strategy.html).get('departingRepIds')).toEqual([book.reps.dana.id]);
    // Type C at 35%, then back to the scope: both the scope and the strategy are still there.
    const back = await post([
      ...carry(strategy.html, [
        ['strategy', 'round-robin'],
        ['commissionStrategy', 'uniform'],
        ['commissionType', 'custom'],
        ['customPct', '35'],
      ]),
      ['go', 'scope'],
    ]);
    expect(back.res.status).toBe(200);
    expect(back.html).toContain('id="step-scope"');
    expect(back.html).toContain('value="Dana leaves West"');
    expect(back.html).toContain(`name="departingRepIds" value="${book.reps.dana.id}" checked`);
    expect(hidden(back.html).get('customPct')).toEqual(['35']);
    expect(hidden(back.html).get('strategy')).toEqual(['round-robin']);
    // Forward to the review: every choice in words, each with a way back.
    const review = await post([...carry(back.html, departureScope()), ['go', 'review']]);
    expect(review.res.status).toBe(200);
    expect(review.html).toContain('id="step-review"');
    const summary = review.html.slice(review.html.indexOf('id="wizard-summary"'));
    expect(summary).toContain('The book of Dana Departing');
    expect(summary).toContain('Type C');
    expect(summary).toContain('35% to the new rep');
    expect(summary).toContain('Round-robin');
    expect(summary).toContain('name="go" value="strategy"');
    expect(review.html).toContain('id="impact-stats"');
    // Save as draft from the review: the run carries what every step held.
    const draft = await post([...carry(review.html, []), ['intent', 'draft']]);
    expect(draft.res.status).toBe(303);
    const runId = /\/runs\/([0-9a-f-]{36})/.exec(draft.res.headers.get('location') ?? '')![1]!;
    const [run] = await h.db.db.select().from(s.runs).where(eq(s.runs.id, runId));
    expect(run!.reason).toBe('Dana leaves West');
    expect(run!.params).toMatchObject({
      departingRepIds: [book.reps.dana.id],
      strategy: 'round-robin',
      commissionType: 'custom',
      customBps: 3500,
    });
  });
});

describe('labels in the words of the kind', () => {
  const scopeOf = async (kind: string) =>
    (
      await post([
        ['kind', kind],
        ['step', 'kind'],
        ['go', 'scope'],
      ])
    ).html;

  it('speaks of leavers only in a departure, and each kind asks for what it moves', async () => {
    const departure = await scopeOf('rep_departure');
    expect(departure).toContain('Who is leaving');
    expect(departure).toContain('Any departing rep');
    const realignment = await scopeOf('realignment');
    expect(realignment).toContain('Which regions and segments are re-balanced');
    expect(realignment).toContain('Any owner in the chosen regions');
    expect(realignment).toContain('name="regions" value="West"');
    const hire = await scopeOf('new_hire');
    expect(hire).toContain('New hires who get a starter book');
    const account = await scopeOf('account');
    expect(account).toContain('Which account moves, and to whom');
    expect(account).toContain('id="f-newOwnerRepId"');
    const opportunity = await scopeOf('opportunity');
    expect(opportunity).toContain('Which opportunity moves, and to whom');
    for (const html of [realignment, hire, account, opportunity]) {
      expect(html).not.toMatch(/departing rep|who is leaving|leaves on/i);
      expect(html).not.toContain('name="departingRepIds"');
    }
    // A single account or opportunity names its new owner: no targets-and-caps step.
    expect(account).toContain('Step 2 of 4');
    expect(realignment).toContain('Step 2 of 5');
  });
});

describe('a create-and-solve the solve limit refuses', () => {
  it('keeps the draft and says on the wizard what happened and what to do', async () => {
    const first = await post([['kind', 'rep_departure'], ...departureScope(), ['intent', 'solve']]);
    expect(first.res.status).toBe(303);
    const solvingId = /\/runs\/([0-9a-f-]{36})/.exec(first.res.headers.get('location') ?? '')![1]!;
    const before = (await h.db.db.select().from(s.runs)).length;

    const refused = await post([
      ['kind', 'account'],
      ['accountCrmId', book.east.crmId],
      ['newOwnerRepId', book.reps.ana.id],
      ['scope', 'open_opportunities'],
      ['reason', 'East client to Ana'],
      ['commissionEndDate', inDays(20)],
      ['reassignmentDate', inDays(21)],
      ['intent', 'solve'],
    ]);
    expect(refused.res.status, refused.html.match(/field-error[^<]*<|alert[^<]*</g)?.join(' ')).toBe(429);
    expect(refused.res.headers.get('retry-after')).toBe('30');
    const runs = await h.db.db.select().from(s.runs);
    expect(runs.length).toBe(before + 1);
    const draft = runs.find((r) => r.reason === 'East client to Ana')!;
    expect(draft.status).toBe('draft');
    expect(refused.html).toContain('id="solve-refused"');
    expect(refused.html).toContain('saved as a draft but not solved');
    expect(refused.html).toContain(`href="/runs/${draft.id}" id="refused-draft"`);
    expect(refused.html).toContain(`href="/runs/${solvingId}"`);
    expect(refused.html).toContain('try again when one has finished');
    // The wizard stays (its review), without a second create button that would make a duplicate.
    expect(refused.html).toContain('id="step-review"');
    expect(refused.html).not.toContain('id="create-and-solve"');
    const summary = refused.html.slice(refused.html.indexOf('id="wizard-summary"'));
    expect(summary.slice(0, summary.indexOf('</dl>'))).not.toContain('name="go"');

    // The draft's own Solve button, pressed while the other run still solves: refused the same way, on the run's
    // page (not a generic error page), and the run stays a draft.
    const again = await analyst.request(`/runs/${draft.id}/solve`, {
      method: 'POST',
      headers: { 'content-type': 'application/x-www-form-urlencoded' },
      body: new URLSearchParams([['_csrf', analyst.csrfToken]]).toString(),
    });
    const page = await again.text();
    expect(again.status).toBe(429);
    expect(again.headers.get('retry-after')).toBe('30');
    expect(page).toContain('id="solve-refused"');
    expect(page).toContain('try again when one has finished');
    expect(page).toContain('href="/?status=solving"');
    expect(page).toContain('id="solve-run"');
    const [still] = await h.db.db.select().from(s.runs).where(eq(s.runs.id, draft.id));
    expect(still!.status).toBe('draft');
  });
});

describe('the scopes each kind takes', () => {
  /** The scope radios of a page: value, and whether it is checked. */
  const scopeRadios = (html: string) =>
    [...html.matchAll(/<input type="radio" name="scope" value="([^"]+)"([^>]*)\/>/g)].map(
      (m) => `${m[1]}${/checked/.test(m[2]!) ? ' (checked)' : ''}`,
    );
  const scopeStep = async (kind: string, scope: string) =>
    (
      await post([
        ['kind', kind],
        ['scope', scope],
        ['step', 'kind'],
        ['go', 'scope'],
      ])
    ).html;

  it('a single opportunity offers only itself; the other kinds all three scopes', async () => {
    // Even when a scope chosen for another kind travels with the form, the opportunity's one scope is the choice.
    const opportunity = await scopeStep('opportunity', 'ownership');
    expect(scopeRadios(opportunity)).toEqual(['open_opportunities (checked)']);
    expect(opportunity).toContain('This opportunity alone: its commission split and owner');
    expect(opportunity).not.toContain('Account ownership only');
    for (const kind of ['rep_departure', 'realignment', 'new_hire', 'account'])
      expect(scopeRadios(await scopeStep(kind, 'ownership'))).toEqual([
        'ownership (checked)',
        'open_opportunities',
        'complete',
      ]);
  });

  it('refuses a scope the kind does not take, next to the scope, naming the one it takes', async () => {
    const { res, html } = await post([
      ['kind', 'opportunity'],
      ['opportunityCrmId', book.deal.crmId],
      ['newOwnerRepId', book.reps.ana.id],
      ['scope', 'ownership'],
      ['reason', 'Ana takes the deal'],
      ['commissionEndDate', inDays(20)],
      ['reassignmentDate', inDays(21)],
      ['intent', 'draft'],
    ]);
    expect(res.status).toBe(400);
    expect(html).toContain('id="step-scope"');
    expect(html).toMatch(
      /id="f-scope-error">The scope &quot;ownership&quot; does not apply to a run of kind opportunity; choose &quot;open_opportunities&quot;/,
    );
    const runs = await h.db.db.select().from(s.runs).where(eq(s.runs.reason, 'Ana takes the deal'));
    expect(runs).toEqual([]);
  });
});
