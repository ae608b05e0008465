/**
 * Demo data (`npm run db:seed`; `npm start` calls seedDemo on an empty database): "Acme Sales" with one user
 * per role, ~40 reps in 4 regions plus House and a Subagent, ~2,000 accounts with heavy-tailed revenue,
 * opportunities with splits and monthly revenue schedules, two departing reps and a new hire; and two smaller
 * orgs, "Globex" and "Initech", so isolation can be seen. Acme's book carries Salesforce ids, Globex's HubSpot
 * ids and Initech's Dynamics 365 GUIDs, so each CRM's export files have rows after a committed demo run.
 * Deterministic (seeded PRNG). Everything is written through withOrg as the app role, exactly as the app writes.
 */

import { createHash } from 'node:crypto';
import { fileURLToPath } from 'node:url';
import { eq, inArray } from 'drizzle-orm';
import { hashPassword } from '../src/auth/password.ts';
import { findUserForLogin } from '../src/db/auth-lookups.ts';
import type { Database, Tx } from '../src/db/client.ts';
import { openDatabase } from '../src/db/client.ts';
import { withOrg, withoutOrg } from '../src/db/tenancy.ts';
import { to18 } from '../src/exports/salesforce-id.ts';
import { DEMO_PASSWORD } from '../src/lib/demo.ts';
import { parseEnv } from '../src/lib/env.ts';
import type { Role } from '../src/lib/roles.ts';
import { rulesetSchema } from '../src/rules/ruleset-schema.ts';
import { migrate } from './migrate.ts';
import * as s from './schema/index.ts';

export { DEMO_PASSWORD };

export interface DemoUser {
  email: string;
  role: Role;
  org: string;
}

export interface SeedResult {
  /** False when the demo data was already there (nothing was written). */
  seeded: boolean;
  password: string;
  users: DemoUser[];
  orgs: { id: string; name: string; accounts: number }[];
  ms: number;
}

export interface SeedOptions {
  /** "Today" for close dates, end dates and schedules; defaults to the current date (UTC). */
  today?: string;
  /** Accounts of the main demo org (default 2000). */
  accounts?: number;
  /** PRNG seed (default 20260101). */
  seed?: number;
}

const ROLES: Role[] = ['admin', 'manager', 'analyst', 'rep', 'finance'];
const REGIONS = ['West', 'East', 'Central', 'South'] as const;

/** Writes the demo orgs unless admin@demo.test already exists. */
export async function seedDemo(db: Database, options: SeedOptions = {}): Promise<SeedResult> {
  const started = Date.now();
  const existing = await withoutOrg(db, {}, (tx) => findUserForLogin(tx, 'admin@demo.test'));
  const acmeUsers = ROLES.map((role) => ({ email: `${role}@demo.test`, role, org: 'Acme Sales' }));
  const globexUsers = (['admin', 'manager', 'rep'] as Role[]).map((role) => ({
    email: `${role}@globex.test`,
    role,
    org: 'Globex',
  }));
  const initechUsers = (['admin', 'manager', 'rep'] as Role[]).map((role) => ({
    email: `${role}@initech.test`,
    role,
    org: 'Initech',
  }));
  const users = [...acmeUsers, ...globexUsers, ...initechUsers];
  if (existing) return { seeded: false, password: DEMO_PASSWORD, users, orgs: [], ms: Date.now() - started };

  const today = options.today ?? new Date().toISOString().slice(0, 10);
  const rng = mulberry32(options.seed ?? 20260101);
  // One scrypt hash for every demo user (they share one published password anyway), computed on the thread
  // pool while the first org's book is written.
  const passwordHash = hashPassword(DEMO_PASSWORD);
  passwordHash.catch(() => {}); // awaited below; this only keeps an early failure from going unhandled
  const acme = await seedOrg(db, rng, {
    name: 'Acme Sales',
    slug: 'acme',
    users: acmeUsers,
    passwordHash,
    regions: [...REGIONS],
    sellersPerRegion: 10,
    accounts: options.accounts ?? 2000,
    departing: 2,
    today,
    domain: 'acme.example',
  });
  const globex = await seedOrg(db, rng, {
    name: 'Globex',
    slug: 'globex',
    users: globexUsers,
    passwordHash,
    regions: ['North', 'South'],
    sellersPerRegion: 4,
    accounts: 200,
    departing: 1,
    today,
    domain: 'globex.example',
    crm: 'hubspot',
  });
  const initech = await seedOrg(db, rng, {
    name: 'Initech',
    slug: 'initech',
    users: initechUsers,
    passwordHash,
    regions: ['East', 'West'],
    sellersPerRegion: 4,
    accounts: 150,
    departing: 1,
    today,
    domain: 'initech.example',
    crm: 'dynamics',
  });
  return {
    seeded: true,
    password: DEMO_PASSWORD,
    users,
    orgs: [acme, globex, initech],
    ms: Date.now() - started,
  };
}

interface OrgPlan {
  name: string;
  slug: string;
  users: DemoUser[];
  passwordHash: Promise<string>;
  regions: string[];
  sellersPerRegion: number;
  accounts: number;
  departing: number;
  today: string;
  domain: string;
  /** Whose ids the book carries (Salesforce by default), so each CRM's export files have rows on the demo. */
  crm?: DemoCrm;
}

async function seedOrg(db: Database, rng: Rng, plan: OrgPlan) {
  const ids = crmIds(plan.crm ?? 'salesforce', plan.slug);
  const orgId = uuid(rng);
  const firstUserId = uuid(rng);
  await withOrg(db, { orgId, userId: firstUserId }, async (tx) => {
    await tx.insert(s.orgs).values({ id: orgId, name: plan.name, slug: plan.slug });

    // Roster: House, a Subagent, a manager and sellers per region, one new hire.
    type RepRow = typeof s.reps.$inferInsert & { id: string };
    const reps: RepRow[] = [];
    const house: RepRow = {
      id: uuid(rng),
      orgId,
      kind: 'house',
      name: 'House',
      crmUserId: 'HOUSE',
      mayReceive: false,
    };
    const subagent: RepRow = {
      id: uuid(rng),
      orgId,
      kind: 'subagent',
      name: 'Northwind Partners',
      email: `partners@northwind.example`,
      crmUserId: 'SUB-001',
      mayReceive: false,
    };
    reps.push(house, subagent);
    const sellersByRegion = new Map<string, RepRow[]>();
    // Display names are unique within the org: a rep is picked and charted by name.
    const usedNames = new Set<string>();
    const personName = () => {
      for (;;) {
        const first = pick(rng, FIRST);
        const last = pick(rng, LAST);
        const name = `${first} ${last}`;
        if (usedNames.has(name)) continue;
        usedNames.add(name);
        return { first, last, name };
      }
    };
    let n = 0;
    const nextRepNo = () => {
      n += 1;
      return n;
    };
    for (const region of plan.regions) {
      const manager: RepRow = {
        id: uuid(rng),
        orgId,
        name: personName().name,
        email: `${region.toLowerCase()}.manager@${plan.domain}`,
        crmUserId: ids.user(nextRepNo()),
        region,
        segment: 'Management',
        mayReceive: false,
        seniority: 5,
      };
      reps.push(manager);
      const sellers: RepRow[] = [];
      for (let i = 0; i < plan.sellersPerRegion; i += 1) {
        const seniority = 1 + Math.floor(rng() * 5);
        const { first, last, name } = personName();
        sellers.push({
          id: uuid(rng),
          orgId,
          name,
          email: `${first}.${last}.${n + 1}@${plan.domain}`.toLowerCase(),
          crmUserId: ids.user(nextRepNo()),
          region,
          segment: i % 3 === 0 ? 'Enterprise' : 'Commercial',
          seniority,
          weightBps: 8000 + seniority * 1000,
          maxAccounts: 120,
          managerRepId: manager.id,
          startDate: addDays(plan.today, -365 * seniority),
        });
      }
      sellersByRegion.set(region, sellers);
      reps.push(...sellers);
    }
    // The demo "rep" user sees the book of the first seller.
    const firstSeller = sellersByRegion.get(plan.regions[0]!)![0]!;
    const allSellers = [...sellersByRegion.values()].flat();
    for (let i = 0; i < plan.departing; i += 1) {
      const leaver = allSellers[3 + i * 11];
      if (leaver) leaver.endDate = addDays(plan.today, 14 + i * 7);
    }
    const newHire: RepRow = {
      id: uuid(rng),
      orgId,
      name: personName().name,
      email: `new.hire@${plan.domain}`,
      crmUserId: ids.user(nextRepNo()),
      region: plan.regions[0]!,
      segment: 'Commercial',
      seniority: 1,
      weightBps: 9000,
      rampTargetBps: 5000,
      maxAccounts: 120,
      startDate: addDays(plan.today, -7),
      managerRepId: reps.find((r) => r.region === plan.regions[0] && r.segment === 'Management')?.id,
    };
    reps.push(newHire);
    await insertChunks(tx, s.reps, reps);

    // Accounts: lognormal revenue (median about $4M), owners within the account's region.
    const accounts: (typeof s.accounts.$inferInsert & { id: string })[] = [];
    const teams: (typeof s.accountTeamMembers.$inferInsert)[] = [];
    for (let i = 0; i < plan.accounts; i += 1) {
      const region = plan.regions[i % plan.regions.length]!;
      const sellers = sellersByRegion.get(region)!;
      const revenueDollars = Math.round(Math.exp(15.2 + 1.4 * gaussian(rng)));
      const isHouse = rng() < 0.02;
      const isCoOwned = !isHouse && rng() < 0.02;
      const owner = isHouse ? house : sellers[Math.floor(rng() * sellers.length)]!;
      const account = {
        id: uuid(rng),
        orgId,
        crmId: ids.account(i + 1),
        name: `${pick(rng, ADJECTIVES)} ${pick(rng, NOUNS)} ${pick(rng, SUFFIXES)}`,
        ownerRepId: owner.id,
        annualRevenueCents: revenueDollars * 100,
        region,
        country: 'US',
        tier:
          revenueDollars >= 50_000_000 ? 'Enterprise' : revenueDollars >= 5_000_000 ? 'Mid-Market' : 'SMB',
        type: rng() < 0.8 ? 'Customer' : 'Prospect',
        industry: pick(rng, INDUSTRIES),
        segment: owner.segment ?? 'Commercial',
        isHouse,
        isCoOwned,
        custom: { state: pick(rng, STATES[region] ?? ['NY']) },
      };
      accounts.push(account);
      if (isCoOwned) {
        const partner = sellers.find((r) => r.id !== owner.id);
        if (partner) teams.push({ orgId, accountId: account.id, repId: partner.id, teamRole: 'Co-owner' });
      }
    }
    await insertChunks(tx, s.accounts, accounts);
    await insertChunks(tx, s.accountTeamMembers, teams);
    // Caps an ops team would set: every seller (and the new hire) has room above the largest book today, rounded
    // up to $100M, so every rep is within its caps before any run and each region's targets sit under them.
    const books = new Map<string, number>();
    for (const a of accounts)
      books.set(a.ownerRepId!, (books.get(a.ownerRepId!) ?? 0) + (a.annualRevenueCents ?? 0));
    const largest = Math.max(0, ...allSellers.map((r) => books.get(r.id) ?? 0));
    const step = 100_000_000 * 100;
    const revenueCap = Math.ceil((largest * 1.2) / step) * step;
    for (const r of [...allSellers, newHire]) r.maxRevenueCents = revenueCap;
    await tx
      .update(s.reps)
      .set({ maxRevenueCents: revenueCap })
      .where(
        inArray(
          s.reps.id,
          [...allSellers, newHire].map((r) => r.id),
        ),
      );

    // Opportunities with splits (House / Rep / Subagent, 10000 bps) and monthly schedules for won deals and for
    // most open ones (their commission impact is what a reassignment preview shows).
    const opps: (typeof s.opportunities.$inferInsert & { id: string })[] = [];
    const splits: (typeof s.commissionSplits.$inferInsert)[] = [];
    const schedules: (typeof s.revenueSchedules.$inferInsert)[] = [];
    let oppNo = 0;
    for (const account of accounts) {
      const count = rng() < 0.35 ? 0 : rng() < 0.75 ? 1 : 2;
      for (let k = 0; k < count; k += 1) {
        oppNo += 1;
        const roll = rng();
        const status = roll < 0.6 ? 'open' : roll < 0.85 ? 'closed_won' : 'closed_lost';
        const createdDate = addDays(plan.today, -Math.floor(30 + rng() * 400));
        const closeDate =
          status === 'open'
            ? addDays(plan.today, Math.floor(rng() * 180) + 1)
            : addDays(createdDate, 20 + Math.floor(rng() * 120));
        const billing = status === 'closed_won' && rng() < 0.5;
        const stage =
          status === 'open'
            ? pick(rng, OPEN_STAGES)
            : status === 'closed_lost'
              ? 'Closed Lost'
              : billing
                ? 'Billing'
                : 'Closed Won';
        const amountCents = Math.round(Math.exp(10.8 + 0.9 * gaussian(rng))) * 100;
        const opp = {
          id: uuid(rng),
          orgId,
          crmId: ids.opportunity(oppNo),
          accountId: account.id,
          name: `${account.name} — ${pick(rng, DEAL_KINDS)}`,
          ownerRepId: account.ownerRepId,
          stage,
          isBillingStage: billing,
          status: status as 'open' | 'closed_won' | 'closed_lost',
          amountCents,
          closeDate,
          createdDate,
        };
        opps.push(opp);
        const owner = account.ownerRepId!;
        const shape = rng();
        const parts: { repId: string; role: 'house' | 'rep' | 'subagent'; bps: number }[] =
          owner === house.id
            ? [{ repId: house.id, role: 'house', bps: 10000 }]
            : shape < 0.4
              ? [
                  { repId: house.id, role: 'house', bps: 4500 },
                  { repId: owner, role: 'rep', bps: 5500 },
                ]
              : shape < 0.8
                ? [
                    { repId: house.id, role: 'house', bps: 3000 },
                    { repId: owner, role: 'rep', bps: 5000 },
                    { repId: subagent.id, role: 'subagent', bps: 2000 },
                  ]
                : [{ repId: owner, role: 'rep', bps: 10000 }];
        for (const p of parts)
          splits.push({ orgId, opportunityId: opp.id, effectiveFrom: createdDate, ...p });
        if (status === 'closed_won' || (status === 'open' && rng() < 0.8)) {
          const first = firstOfMonth(addDays(opp.closeDate, 1));
          const monthly = Math.floor(amountCents / 12);
          for (let m = 0; m < 12; m += 1) {
            const start = addMonths(first, m);
            const periodEnd = addDays(addMonths(first, m + 1), -1);
            schedules.push({
              orgId,
              opportunityId: opp.id,
              periodStart: start,
              periodEnd,
              // The last month takes the remainder, so the periods sum to the amount to the cent.
              amountCents: m === 11 ? amountCents - monthly * 11 : monthly,
              paid: periodEnd < plan.today,
              reconciled: false,
            });
          }
        }
      }
    }
    await insertChunks(tx, s.opportunities, opps);
    await insertChunks(tx, s.commissionSplits, splits);
    await insertChunks(tx, s.revenueSchedules, schedules);

    // Users and memberships; ids are made here because a new user is not readable until it is a member.
    const passwordHash = await plan.passwordHash;
    const userRows = plan.users.map((u, i) => ({
      id: i === 0 ? firstUserId : uuid(rng),
      email: u.email,
      name: `${u.role[0]!.toUpperCase()}${u.role.slice(1)} ${plan.name.split(' ')[0]}`,
      passwordHash,
    }));
    await tx.insert(s.users).values(userRows);
    await tx.insert(s.memberships).values(
      plan.users.map((u, i) => ({
        orgId,
        userId: userRows[i]!.id,
        role: u.role,
        repId: u.role === 'rep' ? firstSeller.id : null,
      })),
    );
    firstSeller.email = plan.users.find((u) => u.role === 'rep')?.email ?? firstSeller.email;
    await tx.update(s.reps).set({ email: firstSeller.email }).where(eq(s.reps.id, firstSeller.id));

    // The book as imported, so a run can name the snapshot it was planned on.
    const importId = uuid(rng);
    await tx.insert(s.imports).values({
      id: importId,
      orgId,
      kind: 'accounts',
      source: 'api',
      sourceName: 'demo seed',
      fileHash: `demo-seed-${plan.slug}`,
      preset: 'generic',
      status: 'applied',
      rowsRead: accounts.length,
      rowsInserted: accounts.length,
      createdBy: firstUserId,
      finishedAt: new Date(),
    });
    await insertChunks(
      tx,
      s.importSnapshotAccounts,
      accounts.map((a) => ({
        orgId,
        importId,
        crmId: a.crmId,
        accountId: a.id,
        ownerRepId: a.ownerRepId,
        ownerCrmRef: reps.find((r) => r.id === a.ownerRepId)?.crmUserId ?? null,
        annualRevenueCents: a.annualRevenueCents ?? 0,
      })),
    );
    await tx.insert(s.rulesets).values({
      orgId,
      name: 'Default',
      version: 1,
      body: rulesetSchema.parse({
        schemaVersion: 1,
        name: 'Default',
        description: 'Receivers from the roster, same region, default protections and equal targets.',
        eligibility: { receivers: 'roster', sameRegion: true },
        caps: { default: { maxAccounts: 120 } },
      }),
      createdBy: firstUserId,
    });
  });
  return { id: orgId, name: plan.name, accounts: plan.accounts };
}

/** Multi-row inserts in chunks that stay under the bind-parameter limit. */
// biome-ignore lint/suspicious/noExplicitAny: drizzle's insert() is generic over every table.
async function insertChunks(tx: Tx, table: any, rows: readonly object[], size = 1000): Promise<void> {
  for (let i = 0; i < rows.length; i += size) await tx.insert(table).values(rows.slice(i, i + size));
}

// --- Deterministic randomness -------------------------------------------------------------------

type Rng = () => number;

function mulberry32(seed: number): Rng {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

function gaussian(rng: Rng): number {
  const u = Math.max(rng(), 1e-12);
  return Math.sqrt(-2 * Math.log(u)) * Math.cos(2 * Math.PI * rng());
}

function pick<T>(rng: Rng, items: readonly T[]): T {
  return items[Math.floor(rng() * items.length)]!;
}

/** A version-4 shaped UUID from the PRNG, so the same seed gives the same ids. */
function uuid(rng: Rng): string {
  const bytes = Array.from({ length: 16 }, () => Math.floor(rng() * 256));
  bytes[6] = (bytes[6]! & 0x0f) | 0x40;
  bytes[8] = (bytes[8]! & 0x3f) | 0x80;
  const hex = bytes.map((b) => b.toString(16).padStart(2, '0')).join('');
  return `${hex.slice(0, 8)}-${hex.slice(8, 12)}-${hex.slice(12, 16)}-${hex.slice(16, 20)}-${hex.slice(20)}`;
}

/** A 15-character Salesforce-style id: key prefix + instance + zero-padded number. */
/** A Salesforce id as Bookshift stores it: 18 characters with its checksum (src/import/crm-id.ts). */
function sfId(prefix: string, n: number): string {
  return to18(`${prefix}Dm${String(n).padStart(10, '0')}`);
}

type DemoCrm = 'salesforce' | 'hubspot' | 'dynamics';

/** A GUID that is the same on every seed (Dynamics record and systemuser ids), lower case as stored. */
function demoGuid(...parts: (string | number)[]): string {
  const h = createHash('sha256').update(parts.join(':')).digest('hex');
  return `${h.slice(0, 8)}-${h.slice(8, 12)}-4${h.slice(13, 16)}-a${h.slice(17, 20)}-${h.slice(20, 32)}`;
}

/**
 * Ids as each CRM writes them: Salesforce 18-character ids (005 users, 001 accounts, 006 opportunities), HubSpot
 * numbers (owner ids of 8 digits, company and deal record ids of 10), Dynamics GUIDs.
 */
function crmIds(crm: DemoCrm, org: string) {
  switch (crm) {
    case 'salesforce':
      return {
        user: (n: number) => sfId('005', n),
        account: (n: number) => sfId('001', n),
        opportunity: (n: number) => sfId('006', n),
      };
    case 'hubspot':
      return {
        user: (n: number) => String(41_234_500 + n),
        account: (n: number) => String(5_012_340_000 + n),
        opportunity: (n: number) => String(9_870_650_000 + n),
      };
    case 'dynamics':
      return {
        user: (n: number) => demoGuid(org, 'systemuser', n),
        account: (n: number) => demoGuid(org, 'account', n),
        opportunity: (n: number) => demoGuid(org, 'opportunity', n),
      };
  }
}

// --- Dates (ISO strings, UTC) -------------------------------------------------------------------

function addDays(date: string, days: number): string {
  const d = new Date(`${date}T00:00:00Z`);
  d.setUTCDate(d.getUTCDate() + days);
  return d.toISOString().slice(0, 10);
}

function addMonths(date: string, months: number): string {
  const d = new Date(`${date}T00:00:00Z`);
  d.setUTCMonth(d.getUTCMonth() + months);
  return d.toISOString().slice(0, 10);
}

function firstOfMonth(date: string): string {
  return `${date.slice(0, 7)}-01`;
}

// --- Word lists ---------------------------------------------------------------------------------

const FIRST = [
  'Ava',
  'Ben',
  'Chloe',
  'Dev',
  'Elena',
  'Farah',
  'Gus',
  'Hana',
  'Ivan',
  'Jada',
  'Kofi',
  'Lena',
  'Mateo',
  'Nina',
  'Omar',
  'Priya',
  'Quinn',
  'Rosa',
  'Sam',
  'Tariq',
  'Uma',
  'Viktor',
  'Wen',
  'Yara',
  'Zane',
];
const LAST = [
  'Adams',
  'Brooks',
  'Chen',
  'Diaz',
  'Evans',
  'Fischer',
  'Garcia',
  'Hughes',
  'Ito',
  'Jensen',
  'Kim',
  'Lopez',
  'Murphy',
  'Novak',
  'Okafor',
  'Patel',
  'Quist',
  'Reyes',
  'Singh',
  'Tanaka',
  'Usman',
  'Varga',
  'Wright',
  'Young',
  'Zhou',
];
const ADJECTIVES = [
  'Blue',
  'Bright',
  'Cedar',
  'Delta',
  'Evergreen',
  'First',
  'Golden',
  'Harbor',
  'Iron',
  'Juniper',
  'Keystone',
  'Lakeside',
  'Maple',
  'North',
  'Oak',
  'Pioneer',
  'Quarry',
  'River',
  'Summit',
  'Tri-County',
  'Union',
  'Valley',
  'West',
  'Yellowstone',
];
const NOUNS = [
  'Analytics',
  'Bakery',
  'Logistics',
  'Dental',
  'Energy',
  'Foods',
  'Robotics',
  'Health',
  'Insurance',
  'Labs',
  'Machining',
  'Media',
  'Outfitters',
  'Pharma',
  'Realty',
  'Software',
  'Textiles',
  'Utilities',
  'Ventures',
  'Wireless',
];
const SUFFIXES = ['Inc', 'LLC', 'Co', 'Group', 'Holdings', 'Partners', 'Corp', 'Ltd'];
const INDUSTRIES = [
  'Manufacturing',
  'Healthcare',
  'Retail',
  'Financial Services',
  'Technology',
  'Energy',
  'Logistics',
  'Education',
  'Media',
];
const OPEN_STAGES = ['Prospecting', 'Qualification', 'Proposal', 'Negotiation'];
const DEAL_KINDS = ['Renewal', 'Expansion', 'New Business', 'Upsell', 'Pilot'];
const STATES: Record<string, string[]> = {
  West: ['CA', 'WA', 'OR', 'NV', 'AZ'],
  East: ['NY', 'MA', 'NJ', 'PA', 'CT'],
  Central: ['IL', 'OH', 'MI', 'MN', 'MO'],
  South: ['TX', 'FL', 'GA', 'NC', 'TN'],
  North: ['ND', 'MT', 'WI'],
};

async function main(): Promise<void> {
  const env = parseEnv();
  const url = env.MIGRATION_DATABASE_URL ?? env.DATABASE_URL;
  const handle = await openDatabase(env, url ? { url, applicationName: 'bookshift-seed' } : {});
  try {
    await migrate(handle);
    const result = await seedDemo(handle.db);
    if (!result.seeded) console.log('Demo data already present; nothing written.');
    else
      console.log(
        `Seeded ${result.orgs.map((o) => `${o.name} (${o.accounts} accounts)`).join(', ')} in ${result.ms} ms`,
      );
    console.log(
      `Demo users (password "${result.password}"): ${result.users.map((u) => `${u.email} [${u.role}]`).join(', ')}`,
    );
  } finally {
    await handle.close();
  }
}

if (process.argv[1] && fileURLToPath(import.meta.url) === process.argv[1]) {
  main().catch((error: unknown) => {
    console.error(error instanceof Error ? error.message : error);
    process.exit(1);
  });
}
