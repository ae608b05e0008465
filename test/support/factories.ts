/**
 * Data factories for tests. They write as the owner connection (test setup, not app behaviour); read and
 * change data as the app would through withOrg / withoutOrg. Every factory takes overrides.
 */
import { randomUUID } from 'node:crypto';
import * as s from '../../db/schema/index.ts';
import type { Database } from '../../src/db/client.ts';
import type { Role } from '../../src/lib/roles.ts';

/** Unique suffix so factories never collide inside one database. */
let counter = 0;
export function uniq(prefix = ''): string {
  counter += 1;
  return `${prefix}${counter}-${randomUUID().slice(0, 8)}`;
}

/** A placeholder hash in the stored format; it verifies no password (use src/auth/password.ts for real ones). */
export const UNUSABLE_PASSWORD_HASH =
  'scrypt$16384$8$1$AAAAAAAAAAAAAAAAAAAAAA==$AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA=';

export async function createOrg(db: Database, values: Partial<typeof s.orgs.$inferInsert> = {}) {
  const slug = values.slug ?? uniq('org-');
  const [row] = await db
    .insert(s.orgs)
    .values({ name: `Org ${slug}`, slug, ...values })
    .returning();
  return row!;
}

export async function createUser(db: Database, values: Partial<typeof s.users.$inferInsert> = {}) {
  const [row] = await db
    .insert(s.users)
    .values({
      email: `${uniq('user-')}@example.test`,
      name: 'Test User',
      passwordHash: UNUSABLE_PASSWORD_HASH,
      ...values,
    })
    .returning();
  return row!;
}

export async function createMembership(
  db: Database,
  values: { orgId: string; userId: string; role?: Role; repId?: string | null },
) {
  const [row] = await db
    .insert(s.memberships)
    .values({ role: 'analyst', ...values })
    .returning();
  return row!;
}

/** A user who is a member of `orgId` with `role`. */
export async function createMember(
  db: Database,
  orgId: string,
  role: Role = 'analyst',
  values: Partial<typeof s.users.$inferInsert> = {},
) {
  const user = await createUser(db, values);
  const membership = await createMembership(db, { orgId, userId: user.id, role });
  return { user, membership };
}

export async function createRep(
  db: Database,
  orgId: string,
  values: Partial<typeof s.reps.$inferInsert> = {},
) {
  const id = uniq('rep-');
  const [row] = await db
    .insert(s.reps)
    .values({
      orgId,
      name: `Rep ${id}`,
      email: `${id}@example.test`,
      crmUserId: `U-${id}`,
      region: 'West',
      ...values,
    })
    .returning();
  return row!;
}

export async function createAccount(
  db: Database,
  orgId: string,
  values: Partial<typeof s.accounts.$inferInsert> = {},
) {
  const id = uniq('acc-');
  const [row] = await db
    .insert(s.accounts)
    .values({ orgId, crmId: `A-${id}`, name: `Account ${id}`, annualRevenueCents: 100_000_00, ...values })
    .returning();
  return row!;
}

export async function createOpportunity(
  db: Database,
  orgId: string,
  accountId: string,
  values: Partial<typeof s.opportunities.$inferInsert> = {},
) {
  const id = uniq('opp-');
  const [row] = await db
    .insert(s.opportunities)
    .values({
      orgId,
      accountId,
      crmId: `O-${id}`,
      name: `Deal ${id}`,
      stage: 'Negotiation',
      amountCents: 12_000_00,
      createdDate: '2026-01-15',
      closeDate: '2026-12-15',
      ...values,
    })
    .returning();
  return row!;
}

/** Split rows for an opportunity, e.g. [{ repId, role: 'house', bps: 4500 }, { repId, role: 'rep', bps: 5500 }]. */
export async function createSplits(
  db: Database,
  orgId: string,
  opportunityId: string,
  parts: { repId: string; role: 'house' | 'rep' | 'subagent'; bps: number }[],
  effectiveFrom = '2026-01-15',
) {
  return db
    .insert(s.commissionSplits)
    .values(parts.map((p) => ({ orgId, opportunityId, effectiveFrom, ...p })))
    .returning();
}

export async function createRuleset(
  db: Database,
  orgId: string,
  values: Partial<typeof s.rulesets.$inferInsert> = {},
) {
  const name = values.name ?? uniq('rules-');
  const [row] = await db
    .insert(s.rulesets)
    .values({ orgId, name, version: 1, body: { schemaVersion: 1, name }, ...values })
    .returning();
  return row!;
}

export async function createImport(
  db: Database,
  orgId: string,
  values: Partial<typeof s.imports.$inferInsert> = {},
) {
  const [row] = await db
    .insert(s.imports)
    .values({ orgId, kind: 'accounts', source: 'upload', fileHash: uniq('hash-'), ...values })
    .returning();
  return row!;
}

export async function createRun(
  db: Database,
  orgId: string,
  values: Partial<typeof s.runs.$inferInsert> = {},
) {
  const [row] = await db
    .insert(s.runs)
    .values({ orgId, kind: 'rep_departure', reason: 'Rep leaves the company', ...values })
    .returning();
  return row!;
}

/**
 * One org with one row in EVERY table that belongs to it (tenant tables and the global ones tied to it).
 * The isolation matrix uses it; `tables` names each table it wrote, so the test can tell when a new table
 * lacks a fixture here.
 */
export async function createOrgGraph(db: Database, name = uniq('graph-')) {
  const org = await createOrg(db, { name, slug: name });
  const { user, membership } = await createMember(db, org.id, 'admin');
  const [session] = await db
    .insert(s.sessions)
    .values({
      userId: user.id,
      activeOrgId: org.id,
      tokenHash: uniq('token-'),
      csrfToken: uniq('csrf-'),
      expiresAt: new Date(Date.now() + 3600_000),
    })
    .returning();
  await db.insert(s.loginAttempts).values({ key: uniq('email:'), windowStart: new Date(), count: 1 });
  const [apiKey] = await db
    .insert(s.apiKeys)
    .values({
      orgId: org.id,
      name: 'CRM sync',
      prefix: 'bk_test',
      keyHash: uniq('keyhash-'),
      role: 'analyst',
    })
    .returning();
  const house = await createRep(db, org.id, { kind: 'house', name: 'House' });
  const rep = await createRep(db, org.id);
  const receiver = await createRep(db, org.id);
  const account = await createAccount(db, org.id, { ownerRepId: rep.id });
  await db.insert(s.accountTeamMembers).values({ orgId: org.id, accountId: account.id, repId: receiver.id });
  const opportunity = await createOpportunity(db, org.id, account.id, { ownerRepId: rep.id });
  await createSplits(db, org.id, opportunity.id, [
    { repId: house.id, role: 'house', bps: 4500 },
    { repId: rep.id, role: 'rep', bps: 5500 },
  ]);
  await db.insert(s.revenueSchedules).values({
    orgId: org.id,
    opportunityId: opportunity.id,
    periodStart: '2026-02-01',
    periodEnd: '2026-02-28',
    amountCents: 1000_00,
  });
  const imp = await createImport(db, org.id);
  await db
    .insert(s.importErrors)
    .values({ orgId: org.id, importId: imp.id, rowNumber: 3, reason: 'Owner unknown' });
  await db.insert(s.importSnapshotAccounts).values({
    orgId: org.id,
    importId: imp.id,
    crmId: account.crmId,
    accountId: account.id,
    ownerRepId: rep.id,
  });
  await db.insert(s.columnMappings).values({
    orgId: org.id,
    kind: 'accounts',
    name: 'My layout',
    mapping: { kind: 'accounts', columns: {} },
  });
  const ruleset = await createRuleset(db, org.id);
  const run = await createRun(db, org.id, { rulesetId: ruleset.id, importId: imp.id });
  await db
    .insert(s.runAssignments)
    .values({ orgId: org.id, runId: run.id, accountId: account.id, fromRepId: rep.id, toRepId: receiver.id });
  await db.insert(s.runOpportunityChanges).values({
    orgId: org.id,
    runId: run.id,
    opportunityId: opportunity.id,
    fromRepId: rep.id,
    toRepId: receiver.id,
    commissionType: 'direct_transfer',
  });
  await db.insert(s.conflicts).values({
    orgId: org.id,
    runId: run.id,
    accountId: account.id,
    kind: 'closing_soon',
    severity: 'warning',
    message: 'A deal closes within 30 days',
  });
  const [changeSet] = await db
    .insert(s.changeSets)
    .values({ orgId: org.id, runId: run.id, hash: uniq('cs-'), itemCount: 1 })
    .returning();
  await db.insert(s.changeSetItems).values({
    orgId: org.id,
    changeSetId: changeSet!.id,
    seq: 1,
    object: 'account',
    recordId: account.id,
    fromRepId: rep.id,
    toRepId: receiver.id,
  });
  await db.insert(s.commissionAdjustments).values({
    orgId: org.id,
    runId: run.id,
    opportunityId: opportunity.id,
    repId: rep.id,
    periodStart: '2026-02-01',
    periodEnd: '2026-02-28',
    amountCents: -500_00,
  });
  await db.insert(s.notices).values({
    orgId: org.id,
    runId: run.id,
    kind: 'receiver_digest',
    recipientEmail: 'rep@example.test',
    subject: 'New accounts',
    html: '<p>Hi</p>',
    text: 'Hi',
    idempotencyKey: uniq('notice-'),
  });
  await db.insert(s.auditEvents).values({
    orgId: org.id,
    seq: 1,
    at: new Date(),
    action: 'fixture.created',
    entityType: 'org',
    prevHash: '',
    hash: uniq('h-'),
  });
  await db.insert(s.idempotencyKeys).values({
    orgId: org.id,
    key: uniq('idem-'),
    method: 'POST',
    path: '/v1/runs',
    requestHash: 'x',
  });
  await db.insert(s.jobs).values({ orgId: org.id, kind: 'solve', runId: run.id });
  // Expired already: a row to isolate, which never holds a solver slot a test of the org might want.
  await db
    .insert(s.solveSlots)
    .values({ orgId: org.id, kind: 'run', holder: 'fixture', expiresAt: new Date(Date.now() - 1000) });
  return {
    org,
    user,
    membership,
    session: session!,
    apiKey: apiKey!,
    reps: { house, rep, receiver },
    account,
    opportunity,
    run,
    tables: [
      'orgs',
      'users',
      'memberships',
      'sessions',
      'login_attempts',
      'api_keys',
      'reps',
      'accounts',
      'account_team_members',
      'opportunities',
      'commission_splits',
      'revenue_schedules',
      'imports',
      'import_errors',
      'import_snapshot_accounts',
      'column_mappings',
      'rulesets',
      'runs',
      'run_assignments',
      'run_opportunity_changes',
      'conflicts',
      'change_sets',
      'change_set_items',
      'commission_adjustments',
      'notices',
      'audit_events',
      'idempotency_keys',
      'jobs',
      'solve_slots',
    ],
  };
}
