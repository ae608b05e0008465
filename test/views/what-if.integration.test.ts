/**
 * The what-if page (issue 17): analysts and managers solve a scenario on today's book — nothing is written — and
 * read the answer in names (reps, accounts), never raw ids; the solve honours the org's time limit and the
 * process's solver slots (a full queue is refused with 429, said in words).
 */
import { count, eq } from 'drizzle-orm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import * as s from '../../db/schema/index.ts';
import { solveSlotLimits, solveSlotsFor } from '../../src/services/solve/solve-slots.ts';
import { type Browser, createHarness, createOrgWithUsers, type Harness, signedIn } from '../app/harness.ts';
import { createAccount, createRep } from '../support/factories.ts';

let h: Harness;
let org: Awaited<ReturnType<typeof createOrgWithUsers>>;
let analyst: Browser;
let dana: typeof s.reps.$inferSelect;
const accountIds: string[] = [];
const NAMES = [
  'Orchard & Sons <Ltd>',
  'Kestrel Logistics',
  'Bluewater GmbH',
  'Zeta "Quoted" Co',
  'Polar Foods',
  'Umbra AG',
];

beforeAll(async () => {
  // One slot, no waiting: a second what-if while one solves is refused at once.
  h = await createHarness({ SOLVE_MAX_CONCURRENT: '1', SOLVE_MAX_PER_ORG: '1', WHAT_IF_MAX_WAITING: '0' });
  org = await createOrgWithUsers(h, 'What-if Org');
  const db = h.db.db;
  await createRep(db, org.id, { kind: 'house', name: 'House', mayReceive: false, region: 'West' });
  dana = await createRep(db, org.id, { name: 'Dana Departing', region: 'West', endDate: '2026-06-30' });
  await createRep(db, org.id, { name: 'Ana Receiver', region: 'West' });
  await createRep(db, org.id, { name: 'Ben Receiver', region: 'West' });
  for (const [i, name] of NAMES.entries()) {
    const a = await createAccount(db, org.id, {
      name,
      ownerRepId: dana.id,
      region: 'West',
      annualRevenueCents: (i + 1) * 10_000_00,
    });
    accountIds.push(a.id);
  }
  analyst = await signedIn(h, org.users.analyst);
});
afterAll(async () => {
  await h?.close();
});

const scenario = (over: Record<string, string> = {}) => ({
  _csrf: analyst.csrfToken,
  kind: 'rep_departure',
  departingRepIds: dana.id,
  timeLimitSeconds: '5',
  'variant1.name': 'Balanced',
  'variant1.strategy': 'optimal',
  'variant2.name': 'Round robin',
  'variant2.strategy': 'round-robin',
  ...over,
});

describe('the what-if page', () => {
  it('offers the scenario form to analysts and managers only', async () => {
    const { res, html } = await analyst.page('/what-if');
    expect(res.status).toBe(200);
    expect(html).toContain('Dana Departing');
    expect(html).toContain('id="what-if-form"');
    const manager = await signedIn(h, org.users.manager);
    expect((await manager.request('/what-if')).status).toBe(200);
    for (const role of ['rep', 'finance', 'admin'] as const) {
      const b = await signedIn(h, org.users[role]);
      expect((await b.request('/what-if')).status, role).toBe(403);
    }
  });

  it('solves the variants side by side and answers in names, writing nothing', async () => {
    const before = await h.db.db.select({ n: count() }).from(s.auditEvents);
    const res = await analyst.request('/what-if', { method: 'POST', form: scenario() });
    const html = await res.text();
    expect(res.status, html.slice(0, 2000)).toBe(200);
    expect(html).toContain('id="what-if-result"');
    for (const name of ['Ana Receiver', 'Ben Receiver', 'Dana Departing', 'Balanced', 'Round robin'])
      expect(html).toContain(name);
    expect(html).toContain('Orchard &amp; Sons &lt;Ltd&gt;');
    expect(html).toContain('Umbra AG');
    // No raw id is shown as text (links may carry ids; what a person reads never does).
    const text = html.replace(/<[^>]*>/g, ' ');
    for (const id of [...accountIds, dana.id]) expect(text).not.toContain(id);
    // Nothing written: owners unchanged, no audit event.
    const owners = await h.db.db.select().from(s.accounts).where(eq(s.accounts.orgId, org.id));
    expect(owners.every((a) => a.ownerRepId === dana.id)).toBe(true);
    const after = await h.db.db.select({ n: count() }).from(s.auditEvents);
    expect(after[0]!.n).toBe(before[0]!.n);
  });

  it('honours the org’s solve time limit', async () => {
    await h.db.db
      .update(s.orgs)
      .set({ settings: { solverTimeLimitSeconds: 1 } })
      .where(eq(s.orgs.id, org.id));
    try {
      const form = await analyst.page('/what-if');
      expect(form.html).toMatch(/At most 1 s/);
      const res = await analyst.request('/what-if', {
        method: 'POST',
        form: scenario({ timeLimitSeconds: '30' }),
      });
      const html = await res.text();
      expect(res.status).toBe(200);
      expect(html).toMatch(/id="what-if-limit"[^>]*>[^<]*1 s/);
    } finally {
      await h.db.db.update(s.orgs).set({ settings: {} }).where(eq(s.orgs.id, org.id));
    }
  });

  it('waits for the solver slots: refused with 429 in words when none is free and no one may wait', async () => {
    const held = await solveSlotsFor(h.db.db, solveSlotLimits(h.env)).acquire(org.id);
    try {
      const res = await analyst.request('/what-if', { method: 'POST', form: scenario() });
      expect(res.status).toBe(429);
      expect(res.headers.get('retry-after')).toBe('5');
      expect(await res.text()).toContain('Too many what-if solves');
    } finally {
      await held.release();
    }
  });

  it('says which field is wrong instead of solving nothing', async () => {
    const res = await analyst.request('/what-if', {
      method: 'POST',
      form: scenario({ departingRepIds: '' }),
    });
    expect(res.status).toBe(400);
    const html = await res.text();
    expect(html).toContain('id="f-departingRepIds-error"');
    expect(html).toContain('Dana Departing');
  });
});
