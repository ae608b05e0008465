/**
 * A rep's own view (/me, issue 17): the rep opens every account of their book (and no other), and sees the
 * accounts that came to them or left them in committed runs, with the commission share each change gave or took.
 * The committed run comes from the change-set fixture (a departure: Dan's three accounts to Ria and Sam, each
 * with a House 45 / rep 55 split that follows the account).
 */
import { eq } from 'drizzle-orm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import * as s from '../../db/schema/index.ts';
import { commissionImpact } from '../../src/services/review/commission-impact.ts';
import { type Browser, createHarness, createUser, type Harness, signedIn } from '../app/harness.ts';
import { createCommittedRun } from '../services/after/committed-run.ts';
import { createAccount } from '../support/factories.ts';

let h: Harness;
let run: Awaited<ReturnType<typeof createCommittedRun>>;
let ria: Browser;
let dan: Browser;

async function repSession(repId: string) {
  const user = await createUser(h, run.org.id, 'rep');
  await h.db.db.update(s.memberships).set({ repId }).where(eq(s.memberships.userId, user.id));
  return signedIn(h, user);
}

const fromHtml = (html: string) =>
  html
    .replaceAll('&lt;', '<')
    .replaceAll('&gt;', '>')
    .replaceAll('&quot;', '"')
    .replaceAll('&#39;', "'")
    .replaceAll('&amp;', '&');
const hrefs = (html: string) =>
  [...html.matchAll(/href="([^"]+)"/g)].map((m) => m[1]!.replaceAll('&amp;', '&'));

beforeAll(async () => {
  h = await createHarness();
  run = await createCommittedRun(h.db.db, {
    accounts: 3,
    names: ['Orchard & Sons <Ltd>', 'Kestrel Logistics', 'Bluewater GmbH'],
  });
  // An account Ria owned before the run: her book is more than what the run gave her.
  await createAccount(h.db.db, run.org.id, { name: 'Ria Old Client', ownerRepId: run.reps.receivers[0]!.id });
  // Revenue schedules of uneven months (a quarter billed at once, a month with nothing), so the true months
  // differ from an average: July 2026 to March 2027, on each moved opportunity.
  const months = [
    '2026-07',
    '2026-08',
    '2026-09',
    '2026-10',
    '2026-11',
    '2026-12',
    '2027-01',
    '2027-02',
    '2027-03',
  ];
  const amounts = [120_000_00, 0, 33_333_33, 7_500_01, 0, 90_000_00, 1_00, 45_000_00, 12_345_67];
  for (const [n, m] of run.moved.entries()) {
    await h.db.db.insert(s.revenueSchedules).values(
      months.map((month, i) => ({
        orgId: run.org.id,
        opportunityId: m.opportunityId,
        periodStart: `${month}-01`,
        periodEnd: `${month}-${month.endsWith('-02') ? '28' : ['04', '06', '09', '11'].includes(month.slice(5)) ? '30' : '31'}`,
        amountCents: amounts[i]! + n,
      })),
    );
  }
  ria = await repSession(run.reps.receivers[0]!.id);
  dan = await repSession(run.reps.departing.id);
});
afterAll(async () => {
  await h?.close();
});

describe('/me', () => {
  it('every link on a rep’s own page opens, the accounts of their book included', async () => {
    const { res, html } = await ria.page('/me');
    expect(res.status).toBe(200);
    const links = hrefs(html).filter((href) => href.startsWith('/') && !href.startsWith('/static/'));
    const accountLinks = links.filter((l) => l.startsWith('/accounts/'));
    // Her old client and the two accounts the run gave her (accounts 1 and 3 go to Ria, 2 to Sam).
    expect(accountLinks.length).toBeGreaterThanOrEqual(3);
    for (const link of links) {
      const opened = await ria.request(link);
      expect(opened.status, link).toBeLessThan(400);
    }
    const account = await ria.page(accountLinks[0]!);
    expect(account.html).toContain('Opportunities and commission structure');
    // Nothing on the rep's account page leads where a rep may not go.
    for (const link of hrefs(account.html).filter((l) => l.startsWith('/') && !l.startsWith('/static/'))) {
      expect((await ria.request(link)).status, `${accountLinks[0]} → ${link}`).toBeLessThan(400);
    }
  });

  it('a rep opens only their own accounts', async () => {
    const sams = run.moved.find((m) => m.to.id === run.reps.receivers[1]!.id)!;
    expect((await ria.request(`/accounts/${sams.accountId}`)).status).toBe(403);
    const own = run.moved.find((m) => m.to.id === run.reps.receivers[0]!.id)!;
    expect((await ria.request(`/accounts/${own.accountId}`)).status).toBe(200);
    // Dan's former accounts are no longer his.
    expect((await dan.request(`/accounts/${own.accountId}`)).status).toBe(403);
  });

  it('shows the accounts a committed run brought, with their commission changes', async () => {
    const { html } = await ria.page('/me');
    expect(html).toContain('id="incoming-accounts"');
    const incoming = html.slice(html.indexOf('id="incoming-accounts"'));
    expect(incoming).toContain('Orchard &amp; Sons &lt;Ltd&gt;');
    expect(incoming).toContain('Bluewater GmbH');
    expect(incoming).toContain('Dan Departing');
    expect(incoming).toContain('Dan leaves the company');
    const commissions = html.slice(html.indexOf('id="commission-changes"'));
    expect(html).toContain('id="commission-changes"');
    // Her share on each opportunity that came with an account: none before, 55% from the reassignment date.
    expect(commissions).toMatch(/0%[\s\S]*?55%/);
    expect(commissions).toContain('2026-07-01');
  });

  it('shows each rep their commission in money per true month and per year, as the run’s commission impact computes it', async () => {
    const impact = await commissionImpact({
      ctx: { db: h.db.db, clock: () => new Date(), principal: run.principal },
      input: { runId: run.run.id },
    });
    const cents = (cell: string) => Math.round(Number(cell.replace(/[$,+]/g, '').replace('−', '-')) * 100);
    for (const [who, rep] of [
      [ria, run.reps.receivers[0]!],
      [dan, run.reps.departing],
    ] as const) {
      const { html } = await who.page('/me');
      const section = html.slice(html.indexOf('id="my-commission-money"'));
      expect(html, rep.name).toContain('id="my-commission-money"');
      const table = section.slice(section.indexOf(`data-run="${run.run.id}"`), section.indexOf('</table>'));
      const rows = [
        ...table.matchAll(/<tr><th scope="row">([^<]+)<\/th>((?:<td class="num">[^<]*<\/td>)+)<\/tr>/g),
      ].map((r) => ({
        label: r[1]!,
        cells: [...r[2]!.matchAll(/<td class="num">([^<]*)<\/td>/g)].map((c) => c[1]!),
      }));
      const mine = impact.people.find((p) => p.participantId === rep.id)!;
      expect(mine, rep.name).toBeDefined();
      // Every month of the window, by name, with the impact's own before and after (not an average).
      expect(rows.slice(0, mine.months.length).map((r) => r.label)).toEqual(
        mine.months.map((m) =>
          new Date(`${m.month}-01T00:00:00Z`).toLocaleString('en-US', {
            month: 'long',
            year: 'numeric',
            timeZone: 'UTC',
          }),
        ),
      );
      for (const [i, m] of mine.months.entries()) {
        const [before, after, change] = rows[i]!.cells.map(cents);
        expect([before, after, change], `${rep.name} ${m.month}`).toEqual([
          m.beforeCents,
          m.afterCents,
          m.afterCents - m.beforeCents,
        ]);
      }
      // A row per calendar year, then the window's twelve months.
      const totals = rows.slice(mine.months.length);
      for (const year of ['2026', '2027']) {
        const row = totals.find((r) => r.label.startsWith(`Year ${year}`))!;
        const sum = (k: 'beforeCents' | 'afterCents') =>
          mine.months.filter((m) => m.month.startsWith(year)).reduce((a, m) => a + m[k], 0);
        expect(row.cells.slice(0, 2).map(cents), `${rep.name} ${year}`).toEqual([
          sum('beforeCents'),
          sum('afterCents'),
        ]);
      }
      const window = totals.at(-1)!;
      expect(window.label).toContain('12 months');
      expect(window.cells.map(cents)).toEqual([
        mine.annualBeforeCents,
        mine.annualAfterCents,
        mine.annualDeltaCents,
      ]);
    }
    // The schedules make it real money: Ria gains, Dan loses, the same months.
    const ria2 = impact.people.find((p) => p.participantId === run.reps.receivers[0]!.id)!;
    const dan2 = impact.people.find((p) => p.participantId === run.reps.departing.id)!;
    expect(ria2.annualDeltaCents).toBeGreaterThan(0);
    expect(dan2.annualDeltaCents).toBeLessThan(0);
    // Ria's page shows her money only: Dan's and Sam's figures are not on it.
    const { html } = await ria.page('/me');
    const sam = impact.people.find((p) => p.participantId === run.reps.receivers[1]!.id)!;
    expect(sam.annualAfterCents).not.toBe(ria2.annualAfterCents);
    const section = html.slice(html.indexOf('id="my-commission-money"'));
    expect(section).not.toContain(
      new Intl.NumberFormat('en-US', { style: 'currency', currency: 'USD' }).format(
        sam.annualAfterCents / 100,
      ),
    );
  });

  it('shows a losing rep what left them and the commission share they no longer earn', async () => {
    const { res, html } = await dan.page('/me');
    expect(res.status).toBe(200);
    expect(html).toContain('id="outgoing-accounts"');
    const outgoing = html.slice(html.indexOf('id="outgoing-accounts"'));
    for (const name of ['Orchard &amp; Sons &lt;Ltd&gt;', 'Kestrel Logistics', 'Bluewater GmbH'])
      expect(outgoing).toContain(name);
    expect(outgoing).toContain('Ria Receiver');
    expect(outgoing).toContain('Sam Receiver');
    const commissions = html.slice(html.indexOf('id="commission-changes"'));
    expect(commissions).toMatch(/55%[\s\S]*?0%/);
    // An account that left is not a link any more: he could not open it.
    for (const m of run.moved) expect(html).not.toContain(`href="/accounts/${m.accountId}"`);
  });

  it('a rep reads each of their notices, exactly as sent, and no one else’s', async () => {
    const { html } = await dan.page('/me');
    const links = hrefs(html).filter((l) => l.startsWith('/me/notices/'));
    expect(links).toHaveLength(1);
    const notice = await dan.page(links[0]!);
    expect(notice.res.status).toBe(200);
    const [row] = await h.db.db
      .select()
      .from(s.notices)
      .where(eq(s.notices.id, links[0]!.split('/').pop()!));
    expect(row!.recipientRepId).toBe(run.reps.departing.id);
    expect(fromHtml(notice.html)).toContain(row!.text);
    // Ria may not read Dan's notice.
    expect((await ria.request(links[0]!)).status).toBe(404);
  });
});
