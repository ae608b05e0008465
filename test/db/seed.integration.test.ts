/** The demo seed: the expected shape, written through the app role, isolated per org, and idempotent. */
import { sql } from 'drizzle-orm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import * as s from '../../db/schema/index.ts';
import { DEMO_PASSWORD, type SeedResult, seedDemo } from '../../db/seed.ts';
import { verifyPassword } from '../../src/auth/password.ts';
import { findUserForLogin } from '../../src/db/auth-lookups.ts';
import { queryRows } from '../../src/db/query-rows.ts';
import { withOrg, withoutOrg } from '../../src/db/tenancy.ts';
import { createTestDatabase, type TestDatabase } from '../support/db.ts';

let t: TestDatabase;
let result: SeedResult;
let acme: string;
let globex: string;

beforeAll(async () => {
  t = await createTestDatabase();
  result = await seedDemo(t.db, { today: '2026-11-23' });
  acme = result.orgs.find((o) => o.name === 'Acme Sales')!.id;
  globex = result.orgs.find((o) => o.name === 'Globex')!.id;
});

afterAll(async () => {
  await t?.close();
});

const inAcme = <T extends Record<string, unknown>>(query: ReturnType<typeof sql>) =>
  withOrg(t.db, { orgId: acme }, (tx) => queryRows<T>(tx, query));

describe('demo seed', () => {
  it('creates Acme Sales with one user per role, who can sign in with the demo password', async () => {
    expect(result.seeded).toBe(true);
    const members = await withOrg(t.db, { orgId: acme }, (tx) => tx.select().from(s.memberships));
    expect(members.map((m) => m.role).sort()).toEqual(['admin', 'analyst', 'finance', 'manager', 'rep']);
    expect(members.find((m) => m.role === 'rep')?.repId).toBeTruthy();
    const admin = await withoutOrg(t.db, {}, (tx) => findUserForLogin(tx, 'admin@demo.test'));
    expect(await verifyPassword(DEMO_PASSWORD, admin!.passwordHash)).toBe(true);
  });

  it('has about 40 sellers in 4 regions, House, a Subagent, two departing reps and a new hire', async () => {
    const reps = await withOrg(t.db, { orgId: acme }, (tx) => tx.select().from(s.reps));
    const sellers = reps.filter((r) => r.kind === 'person' && r.mayReceive);
    expect(sellers.length).toBeGreaterThanOrEqual(40);
    expect(new Set(sellers.map((r) => r.region))).toEqual(new Set(['West', 'East', 'Central', 'South']));
    expect(reps.filter((r) => r.kind === 'house')).toHaveLength(1);
    expect(reps.filter((r) => r.kind === 'subagent')).toHaveLength(1);
    expect(reps.filter((r) => r.endDate !== null)).toHaveLength(2);
    expect(reps.filter((r) => r.rampTargetBps !== null)).toHaveLength(1);
  });

  it('has 2,000 owned accounts with heavy-tailed revenue', async () => {
    const [row] = await inAcme<{
      n: number | string;
      unowned: number | string;
      median: number | string;
      max: number | string;
    }>(
      sql`select count(*) as n, count(*) filter (where owner_rep_id is null) as unowned,
                 percentile_cont(0.5) within group (order by annual_revenue_cents) as median,
                 max(annual_revenue_cents) as max
          from accounts`,
    );
    expect(Number(row!.n)).toBe(2000);
    expect(Number(row!.unowned)).toBe(0);
    expect(Number(row!.max) / Number(row!.median)).toBeGreaterThan(20);
  });

  it('has open and closed opportunities whose splits total 10000 bps and whose schedules sum to the amount', async () => {
    const statuses = await inAcme<{ status: string; n: number | string }>(
      sql`select status, count(*) as n from opportunities group by status order by status`,
    );
    expect(statuses.map((r) => r.status)).toEqual(['open', 'closed_won', 'closed_lost']);
    const badSplits = await inAcme(
      sql`select opportunity_id from commission_splits group by opportunity_id having sum(bps) <> 10000`,
    );
    expect(badSplits).toEqual([]);
    const unsplit = await inAcme(
      sql`select o.id from opportunities o where not exists (select 1 from commission_splits c where c.opportunity_id = o.id)`,
    );
    expect(unsplit).toEqual([]);
    const roles = await inAcme<{ role: string }>(
      sql`select distinct role::text as role from commission_splits order by 1`,
    );
    expect(roles.map((r) => r.role)).toEqual(['house', 'rep', 'subagent']);
    const badSchedules = await inAcme(
      sql`select o.id from opportunities o join revenue_schedules r on r.opportunity_id = o.id
          group by o.id, o.amount_cents having sum(r.amount_cents) <> o.amount_cents or count(*) <> 12`,
    );
    expect(badSchedules).toEqual([]);
    const [scheduled] = await inAcme<{ n: number | string }>(
      sql`select count(*) as n from revenue_schedules`,
    );
    expect(Number(scheduled!.n)).toBeGreaterThan(1000);
  });

  it('keeps Globex separate: its own users, reps and accounts, none of Acme’s', async () => {
    const accounts = await withOrg(t.db, { orgId: globex }, (tx) =>
      tx.select({ orgId: s.accounts.orgId }).from(s.accounts),
    );
    expect(accounts).toHaveLength(200);
    expect(new Set(accounts.map((a) => a.orgId))).toEqual(new Set([globex]));
    const members = await withOrg(t.db, { orgId: globex }, (tx) => tx.select().from(s.memberships));
    expect(members.map((m) => m.role).sort()).toEqual(['admin', 'manager', 'rep']);
  });

  it('carries real-looking ids of one CRM per org: Salesforce (Acme), HubSpot (Globex), Dynamics 365 (Initech)', async () => {
    const SALESFORCE = (prefix: string) => new RegExp(`^${prefix}[A-Za-z0-9]{12}[A-Z0-5]{3}$`);
    const GUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/;
    const expected: Record<string, { user: RegExp; account: RegExp; opportunity: RegExp }> = {
      'Acme Sales': { user: SALESFORCE('005'), account: SALESFORCE('001'), opportunity: SALESFORCE('006') },
      Globex: { user: /^\d{8}$/, account: /^\d{10}$/, opportunity: /^\d{10}$/ },
      Initech: { user: GUID, account: GUID, opportunity: GUID },
    };
    expect(result.orgs.map((o) => o.name)).toEqual(Object.keys(expected));
    for (const org of result.orgs) {
      const ids = expected[org.name]!;
      const book = await withOrg(t.db, { orgId: org.id }, async (tx) => ({
        people: await tx.select().from(s.reps),
        accounts: await tx.select({ crmId: s.accounts.crmId }).from(s.accounts),
        opportunities: await tx.select({ crmId: s.opportunities.crmId }).from(s.opportunities),
      }));
      const sellers = book.people.filter((r) => r.kind === 'person');
      expect(
        sellers.every((r) => ids.user.test(r.crmUserId ?? '') && r.email),
        org.name,
      ).toBe(true);
      expect(
        book.accounts.every((a) => ids.account.test(a.crmId)),
        org.name,
      ).toBe(true);
      expect(book.opportunities.length, org.name).toBeGreaterThan(0);
      expect(
        book.opportunities.every((o) => ids.opportunity.test(o.crmId)),
        org.name,
      ).toBe(true);
      expect(
        book.people.filter((r) => r.endDate !== null).length,
        `${org.name} has a departing rep`,
      ).toBeGreaterThan(0);
    }
  });

  it('gives each org a ruleset and an import snapshot of its book', async () => {
    const [snap] = await inAcme<{ n: number | string }>(
      sql`select count(*) as n from import_snapshot_accounts`,
    );
    expect(Number(snap!.n)).toBe(2000);
    const rulesets = await withOrg(t.db, { orgId: acme }, (tx) => tx.select().from(s.rulesets));
    expect(rulesets.map((r) => [r.name, r.version])).toEqual([['Default', 1]]);
  });

  it('writes nothing the second time', async () => {
    const again = await seedDemo(t.db);
    expect(again.seeded).toBe(false);
    const [row] = await inAcme<{ n: number | string }>(sql`select count(*) as n from accounts`);
    expect(Number(row!.n)).toBe(2000);
  });

  it('is believable: unique names, every rep within its caps before any run, each region’s targets under the caps', async () => {
    const reps = await withOrg(t.db, { orgId: acme }, (tx) => tx.select().from(s.reps));
    const people = reps.filter((r) => r.kind === 'person');
    expect(new Set(people.map((r) => r.name)).size).toBe(people.length);
    const books = await inAcme<{ owner: string; n: number | string; revenue: number | string }>(
      sql`select owner_rep_id as owner, count(*) as n, sum(annual_revenue_cents) as revenue
          from accounts where owner_rep_id is not null group by owner_rep_id`,
    );
    const byRep = new Map(books.map((b) => [b.owner, { n: Number(b.n), revenue: Number(b.revenue) }]));
    const receivers = people.filter((r) => r.mayReceive);
    for (const r of receivers) {
      expect(r.maxRevenueCents, `${r.name} has a revenue cap`).not.toBeNull();
      const book = byRep.get(r.id) ?? { n: 0, revenue: 0 };
      expect(book.revenue, `${r.name}'s book`).toBeLessThanOrEqual(r.maxRevenueCents!);
      expect(book.n, `${r.name}'s accounts`).toBeLessThanOrEqual(r.maxAccounts ?? Number.POSITIVE_INFINITY);
    }
    for (const region of ['West', 'East', 'Central', 'South']) {
      const inRegion = receivers.filter((r) => r.region === region);
      const total = inRegion.reduce((sum, r) => sum + (byRep.get(r.id)?.revenue ?? 0), 0);
      // Equal targets among the region's receivers sit well under each one's cap.
      expect(total / inRegion.length).toBeLessThan(
        Math.min(...inRegion.map((r) => r.maxRevenueCents!)) * 0.8,
      );
    }
  });
});
