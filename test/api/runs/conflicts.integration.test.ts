/** Every conflict kind of MISSION.md F5 surfaced through the API, and the three resolutions with who and why. */
import { randomUUID } from 'node:crypto';
import { eq } from 'drizzle-orm';
import { afterAll, beforeAll, expect, it } from 'vitest';
import * as s from '../../../db/schema/index.ts';
import { CONFLICT_KINDS } from '../../../src/workflow/conflicts.ts';
import { createImport, createRuleset } from '../../support/factories.ts';
import {
  createAccount,
  createOpportunity,
  createRep,
  createRunsWorld,
  type RunsWorld,
  solveAndDrain,
} from './run-fixture.ts';

let w: RunsWorld;
beforeAll(async () => {
  w = await createRunsWorld();
});
afterAll(() => w.close());

const inDays = (n: number) => new Date(Date.now() + n * 86_400_000).toISOString().slice(0, 10);

it('surfaces every conflict kind, and resolves them with a note and who', async () => {
  const db = w.h.db.db;
  const org = w.orgId;
  const house = await createRep(db, org, { kind: 'house', name: 'House', mayReceive: false });
  const dana = await createRep(db, org, { name: 'Dana', region: 'West' });
  const ana = await createRep(db, org, { name: 'Ana', region: 'West' });
  const ben = await createRep(db, org, { name: 'Ben', region: 'West' });
  const cal = await createRep(db, org, { name: 'Cal', region: 'West' });
  const leo = await createRep(db, org, { name: 'Leo', region: 'West', endDate: '2026-02-01' });
  const ivy = await createRep(db, org, { name: 'Ivy', region: 'West', mayReceive: false });
  const ina = await createRep(db, org, { name: 'Ina', region: 'West', active: false });
  const acc = (name: string, values: Partial<typeof s.accounts.$inferInsert> = {}) =>
    createAccount(db, org, { name, ownerRepId: dana.id, region: 'West', ...values });
  const north = await acc('North Co', { region: 'North' });
  const closing = await acc('Closing Co');
  await createOpportunity(db, org, closing.id, {
    name: 'Renewal',
    closeDate: inDays(10),
    ownerRepId: dana.id,
  });
  const kept = await acc('Kept Co');
  const houseAcc = await acc('House Co', { isHouse: true });
  const coOwned = await acc('Team Co', { isCoOwned: true });
  const badSplit = await acc('Split Co');
  const opp = await createOpportunity(db, org, badSplit.id, { name: 'Expansion', ownerRepId: dana.id });
  await db.insert(s.commissionSplits).values([
    {
      orgId: org,
      opportunityId: opp.id,
      repId: house.id,
      role: 'house',
      bps: 4000,
      effectiveFrom: '2026-01-15',
    },
    {
      orgId: org,
      opportunityId: opp.id,
      repId: dana.id,
      role: 'rep',
      bps: 5000,
      effectiveFrom: '2026-01-15',
    },
  ]);
  const closed = await acc('Closed Co');
  await createOpportunity(db, org, closed.id, {
    name: 'Old deal',
    status: 'closed_won',
    ownerRepId: dana.id,
  });
  const stale = await acc('Stale Co', { ownerRepId: ben.id });
  const orphan = await acc('Orphan Co');
  const leftBehind = await acc('Left Co');
  const inactiveOwned = await createAccount(db, org, { name: 'Ina Co', ownerRepId: ina.id, region: 'West' });
  // The book as imported: Stale Co was Dana's; Orphan Co's owner is nobody in today's roster.
  const imp = await createImport(db, org, { status: 'applied', finishedAt: new Date() });
  const all = await db.select().from(s.accounts).where(eq(s.accounts.orgId, org));
  await db.insert(s.importSnapshotAccounts).values(
    all.map((a) => ({
      orgId: org,
      importId: imp.id,
      crmId: a.crmId,
      accountId: a.id,
      ownerRepId: a.id === stale.id ? dana.id : a.id === orphan.id ? randomUUID() : a.ownerRepId,
    })),
  );
  const rules = await createRuleset(db, org, {
    body: {
      schemaVersion: 1,
      name: 'Same region',
      eligibility: { sameRegion: true },
      protections: { keepWithOwner: [kept.crmId] },
    },
  });

  const created = await w.call('analyst', 'POST', '/runs', {
    kind: 'rep_departure',
    scope: 'open_opportunities',
    reason: 'Dana leaves',
    commissionEndDate: '2025-12-31',
    reassignmentDate: '2026-04-01',
    rulesetId: rules.id,
    params: { departingRepIds: [dana.id] },
  });
  expect(created.status, JSON.stringify(created.body)).toBe(201);
  expect(created.body.importId).toBe(imp.id);
  const runId = created.body.id;
  const solved = await solveAndDrain(w, runId);
  expect(solved.status, solved.failureReason).toBe('solved');
  expect(solved.metrics.unassigned).toEqual([north.id]);

  // Caps tightened after the solve, then overrides that break them and pick receivers who may not receive.
  await db.update(s.reps).set({ maxAccounts: 0 }).where(eq(s.reps.id, ana.id));
  await db.update(s.reps).set({ maxRevenueCents: 1 }).where(eq(s.reps.id, ben.id));
  const pin = async (accountId: string, repId: string) => {
    const res = await w.call('analyst', 'PUT', `/runs/${runId}/accounts/${accountId}/pin`, {
      repId,
      note: 'test',
    });
    expect(res.status, JSON.stringify(res.body)).toBe(200);
  };
  await pin(inactiveOwned.id, ana.id);
  await pin(closing.id, ben.id);
  await pin(kept.id, leo.id);
  await pin(houseAcc.id, ivy.id);
  // Excluding an account of the rep who leaves would leave it with her: blocking until it has an owner who stays.
  const excl = await w.call('manager', 'PUT', `/runs/${runId}/accounts/${leftBehind.id}/exclusion`, {
    note: 'Dana keeps it',
  });
  expect(excl.status, JSON.stringify(excl.body)).toBe(200);
  const list = await w.call('finance', 'GET', `/runs/${runId}/conflicts`);
  expect(list.status).toBe(200);
  const kinds = new Set(list.body.data.map((c: { kind: string }) => c.kind));
  // Every kind a departure can meet (a new hire's starter book has its own test).
  expect([...kinds].sort()).toEqual(
    Object.keys(CONFLICT_KINDS)
      .filter((k) => k !== 'hire_over_target')
      .sort(),
  );
  expect(list.body.openBlocking).toBeGreaterThan(0);
  expect(list.body.data[0].severity).toBe('blocking');
  type C = { kind: string; accountId: string | null };
  const byKind = (k: string, accountId?: string) =>
    list.body.data.find((c: C) => c.kind === k && (accountId === undefined || c.accountId === accountId));
  expect(byKind('stale_owner', stale.id)).toBeDefined();
  expect(byKind('unassigned').accountId).toBe(north.id);
  expect(byKind('owner_not_in_roster').accountId).toBe(orphan.id);
  expect(byKind('co_owned_account').accountId).toBe(coOwned.id);
  expect(byKind('closed_opportunity_in_scope').accountId).toBe(closed.id);
  expect(byKind('owner_inactive').severity).toBe('warning');
  const leaving = byKind('owner_leaving');
  expect(leaving).toMatchObject({ accountId: leftBehind.id, severity: 'blocking' });
  expect(leaving.message).toMatch(/Left Co is excluded from the run but its owner Dana leaves in this run/);
  // It cannot be accepted as it is: only an owner who stays resolves it.
  const acceptLeaving = await w.call('manager', 'POST', `/runs/${runId}/conflicts/${leaving.id}/resolve`, {
    resolution: 'accept',
    note: 'fine',
  });
  expect(acceptLeaving.status).toBe(409);
  const unassignedAccept = await w.call(
    'manager',
    'POST',
    `/runs/${runId}/conflicts/${byKind('unassigned').id}/resolve`,
    { resolution: 'accept', note: 'fine' },
  );
  expect(unassignedAccept.status).toBe(409);
  expect(byKind('unassigned').message).toMatch(
    /No rep of North may receive it: the roster has no rep in North/,
  );

  // A note is required.
  const unassigned = byKind('unassigned');
  const noNote = await w.call('analyst', 'POST', `/runs/${runId}/conflicts/${unassigned.id}/resolve`, {
    resolution: 'override',
    repId: cal.id,
  });
  expect(noNote.status).toBe(400);
  // Override: the account gets an owner, the conflict no longer occurs.
  const over = await w.call('analyst', 'POST', `/runs/${runId}/conflicts/${unassigned.id}/resolve`, {
    resolution: 'override',
    repId: cal.id,
    note: 'Cal covers the North for now',
  });
  expect(over.status, JSON.stringify(over.body)).toBe(200);
  expect(over.body.conflict).toMatchObject({ resolution: 'override', note: 'Cal covers the North for now' });
  expect(over.body.conflict.resolvedByLabel).toBeTruthy();
  // Accept: kept across a refresh (same key).
  const co = byKind('co_owned_account');
  const accepted = await w.call('manager', 'POST', `/runs/${runId}/conflicts/${co.id}/resolve`, {
    resolution: 'accept',
    note: 'The team agreed',
  });
  expect(accepted.status).toBe(200);
  // Exclude: the account leaves the change and its conflicts go with it.
  const st = byKind('stale_owner', stale.id);
  expect(
    (
      await w.call('manager', 'POST', `/runs/${runId}/conflicts/${st.id}/resolve`, {
        resolution: 'exclude',
        note: 'Ben owns it now',
      })
    ).status,
  ).toBe(200);
  // A rep-level conflict needs the account to override.
  const cap = byKind('over_count_cap');
  const needAccount = await w.call('analyst', 'POST', `/runs/${runId}/conflicts/${cap.id}/resolve`, {
    resolution: 'exclude',
    note: 'x',
  });
  expect(needAccount.status).toBe(400);
  expect(needAccount.body.details[0].path).toBe('accountId');

  const after = await w.call('analyst', 'GET', `/runs/${runId}/conflicts`);
  const kindsAfter = after.body.data.map((c: { kind: string }) => c.kind);
  expect(kindsAfter).not.toContain('unassigned');
  // Given an owner who stays, the left-behind account's conflict is gone.
  const give = await w.call('manager', 'POST', `/runs/${runId}/conflicts/${leaving.id}/resolve`, {
    resolution: 'override',
    repId: cal.id,
    note: 'Cal takes it',
  });
  expect(give.status, JSON.stringify(give.body)).toBe(200);
  const afterGive = await w.call('analyst', 'GET', `/runs/${runId}/conflicts`);
  expect(afterGive.body.data.map((c: { kind: string }) => c.kind)).not.toContain('owner_leaving');
  expect(after.body.data.some((c: C) => c.kind === 'stale_owner' && c.accountId === stale.id)).toBe(false);
  const coAfter = after.body.data.find((c: { kind: string }) => c.kind === 'co_owned_account');
  expect(coAfter).toMatchObject({ id: co.id, resolution: 'accept', note: 'The team agreed' });
  const resolvedAudit = await db
    .select()
    .from(s.auditEvents)
    .where(eq(s.auditEvents.action, 'conflict.resolved'));
  expect(resolvedAudit).toHaveLength(4);
});
