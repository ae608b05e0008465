/**
 * F12 / RELIABILITY 11 (property): "rollback restores exactly". fast-check generates a book (reps, accounts,
 * opportunities with commission splits) and a change set (ownership moves, a scope and a commission type),
 * commits it through the real approve and commit services, optionally changes some of the committed records
 * afterwards (someone else's later edit), and rolls back through the real rollback service. Then:
 * - every account and opportunity owner is what it was before the commit, except the records changed since,
 *   which are reported as conflicts (and only those) and left exactly as the later edit left them;
 * - every opportunity's split history equals the pre-commit history row for row (so the split in force on
 *   every day is the same), except the opportunities whose split changed since, left as they are;
 * - no split row's participant, role, share or start date is ever edited, through commit, later edit and
 *   rollback alike: the commit only ends rows and adds rows, the rollback only reopens what the commit ended
 *   and removes what the commit added.
 */
import { randomUUID } from 'node:crypto';
import { fc, test } from '@fast-check/vitest';
import { and, eq, inArray, isNull } from 'drizzle-orm';
import { afterAll, beforeAll, expect, it } from 'vitest';
import * as s from '../../../db/schema/index.ts';
import type { Principal } from '../../../src/auth/principal.ts';
import { planEdit, structureOn } from '../../../src/commission/history.ts';
import type { SplitRow } from '../../../src/commission/types.ts';
import { withOrg } from '../../../src/db/tenancy.ts';
import { AppError } from '../../../src/lib/errors.ts';
import { rollbackRun } from '../../../src/services/after/rollback-run.ts';
import { approveRun } from '../../../src/services/approve/approve-run.ts';
import { splitRowOf } from '../../../src/services/commission-splits/opportunity-inputs.ts';
import { commitRun } from '../../../src/services/commit/commit-run.ts';
import { loadPlanningContext } from '../../../src/services/plan/planning-context.ts';
import { refreshProposal } from '../../../src/services/solve/refresh-proposal.ts';
import { createTestDatabase, type TestDatabase } from '../../support/db.ts';
import {
  createAccount,
  createMember,
  createOpportunity,
  createOrg,
  createRep,
  createRun,
} from '../../support/factories.ts';

let t: TestDatabase;
beforeAll(async () => {
  t = await createTestDatabase();
});
afterAll(() => t.close());

const COMMITTED_AT = new Date('2026-07-01T10:00:00.000Z');
const ROLLED_BACK_AT = new Date(COMMITTED_AT.getTime() + 3_600_000);
/** Days on which the split in force is compared: before, at and after the end date, in a gap, much later. */
const PROBE_DAYS = [
  '2026-01-15',
  '2026-03-01',
  '2026-06-30',
  '2026-07-01',
  '2026-07-10',
  '2026-07-20',
  '2027-01-01',
];

// --- The generated world -------------------------------------------------------------------------------------

/** Who holds a share: the departing rep, a bystander rep, a subagent; House takes the rest. */
interface SplitSpec {
  holder: 'departing' | 'other';
  holderBps: number;
  subagentBps: number;
}
interface OppSpec {
  owner: 'departing' | 'other';
  status: 'open' | 'closed_won';
  stage: 'Negotiation' | 'Prospecting' | 'Billing';
  split: SplitSpec | null;
}
interface AccountSpec {
  owner: 'departing' | 'other';
  /** Receiver index, or null: the run leaves the account where it is (excluded from the change set). */
  moveTo: number | null;
  opportunities: OppSpec[];
}
interface Scenario {
  accounts: AccountSpec[];
  scope: 'ownership' | 'open_opportunities' | 'complete';
  commission: { type: 'house_absorbs' | 'direct_transfer' | 'custom'; customBps: number } | null;
  reassignmentDate: '2026-07-01' | '2026-07-15';
  /** Indices into the committed change-set items (modulo their count) that someone changes afterwards. */
  changedSince: number[];
}

const splitArb: fc.Arbitrary<SplitSpec> = fc
  .record({
    holder: fc.constantFrom('departing' as const, 'departing' as const, 'other' as const),
    holderBps: fc.integer({ min: 2000, max: 10_000 }),
    subagentShare: fc.integer({ min: 0, max: 100 }),
  })
  .map(({ holder, holderBps, subagentShare }) => ({
    holder,
    holderBps,
    // Part of what the holder leaves over (possibly nothing) goes to a subagent, the rest to House.
    subagentBps: Math.floor(((10_000 - holderBps) * subagentShare) / 100),
  }));

const oppArb: fc.Arbitrary<OppSpec> = fc.record({
  owner: fc.constantFrom('departing' as const, 'departing' as const, 'other' as const),
  status: fc.constantFrom('open' as const, 'open' as const, 'open' as const, 'closed_won' as const),
  stage: fc.constantFrom('Negotiation' as const, 'Prospecting' as const, 'Billing' as const),
  split: fc.option(splitArb, { freq: 6 }),
});

const accountArb: fc.Arbitrary<AccountSpec> = fc.record({
  owner: fc.constantFrom('departing' as const, 'departing' as const, 'departing' as const, 'other' as const),
  moveTo: fc.option(fc.nat(2), { freq: 5 }),
  opportunities: fc.array(oppArb, { maxLength: 2 }),
});

const scenarioArb: fc.Arbitrary<Scenario> = fc.record({
  accounts: fc.array(accountArb, { minLength: 1, maxLength: 5 }),
  scope: fc.constantFrom(
    'ownership' as const,
    'open_opportunities' as const,
    'open_opportunities' as const,
    'complete' as const,
  ),
  commission: fc.option(
    fc.record({
      type: fc.constantFrom('house_absorbs' as const, 'direct_transfer' as const, 'custom' as const),
      customBps: fc.integer({ min: 1, max: 2000 }),
    }),
    { freq: 5 },
  ),
  reassignmentDate: fc.constantFrom('2026-07-01' as const, '2026-07-15' as const),
  changedSince: fc.array(fc.nat(40), { maxLength: 3 }),
});

// --- Reading the book ----------------------------------------------------------------------------------------

interface Book {
  accounts: Map<string, string | null>;
  opportunities: Map<string, string | null>;
  /** Split rows per opportunity, sorted by row id. */
  splits: Map<string, SplitRow[]>;
}

async function readBook(orgId: string, opportunityIds: readonly string[]): Promise<Book> {
  const accs = await t.db
    .select({ id: s.accounts.id, owner: s.accounts.ownerRepId })
    .from(s.accounts)
    .where(eq(s.accounts.orgId, orgId));
  const opps = await t.db
    .select({ id: s.opportunities.id, owner: s.opportunities.ownerRepId })
    .from(s.opportunities)
    .where(eq(s.opportunities.orgId, orgId));
  const rows = await t.db.select().from(s.commissionSplits).where(eq(s.commissionSplits.orgId, orgId));
  const splits = new Map<string, SplitRow[]>(opportunityIds.map((id) => [id, []]));
  for (const r of rows) splits.get(r.opportunityId)!.push(splitRowOf(r));
  for (const list of splits.values()) list.sort((a, b) => (a.rowId < b.rowId ? -1 : 1));
  return {
    accounts: new Map(accs.map((a) => [a.id, a.owner])),
    opportunities: new Map(opps.map((o) => [o.id, o.owner])),
    splits,
  };
}

/** What a split row may never change: everything but its end. */
const immutablePart = (r: SplitRow) => [r.opportunityId, r.participantId, r.role, r.bps, r.effectiveFrom];

/** Every row id seen in `later` that was in `earlier` keeps its immutable part. */
function expectNoRowEdited(earlier: Book, later: Book, when: string) {
  const before = new Map([...earlier.splits.values()].flat().map((r) => [r.rowId, r]));
  for (const row of [...later.splits.values()].flat()) {
    const was = before.get(row.rowId);
    if (was) expect(immutablePart(row), `split row ${row.rowId} edited ${when}`).toEqual(immutablePart(was));
  }
}

// --- Building one scenario -----------------------------------------------------------------------------------

async function buildWorld(scenario: Scenario) {
  const org = await createOrg(t.db, { rollbackWindowHours: 48 });
  const manager = await createMember(t.db, org.id, 'manager', { name: 'Mona Manager' });
  await createMember(t.db, org.id, 'finance', { name: 'Fay Finance' });
  const house = await createRep(t.db, org.id, { kind: 'house', name: 'House' });
  const subagent = await createRep(t.db, org.id, { kind: 'subagent', name: 'Sub Agent' });
  const boss = await createRep(t.db, org.id, { name: 'Bea Boss' });
  const departing = await createRep(t.db, org.id, {
    name: 'Dan Departing',
    managerRepId: boss.id,
    endDate: '2026-06-30',
  });
  const other = await createRep(t.db, org.id, { name: 'Olga Other', managerRepId: boss.id });
  const receivers = [
    await createRep(t.db, org.id, { name: 'Ria Receiver', managerRepId: boss.id }),
    await createRep(t.db, org.id, { name: 'Sam Receiver', managerRepId: boss.id }),
    await createRep(t.db, org.id, { name: 'Tia Receiver', managerRepId: boss.id }),
  ];
  const later = await createRep(t.db, org.id, { name: 'Lou Later' });
  const rep = (who: 'departing' | 'other') => (who === 'departing' ? departing : other);

  // At least one account of the departing rep moves, or there is nothing to approve.
  const specs = scenario.accounts.map((a) => ({ ...a }));
  if (!specs.some((a) => a.owner === 'departing' && a.moveTo !== null)) {
    specs[0] = { ...specs[0]!, owner: 'departing', moveTo: specs[0]!.moveTo ?? 0 };
  }
  const accountIds: string[] = [];
  const opportunityIds: string[] = [];
  const assignments: (typeof s.runAssignments.$inferInsert)[] = [];
  const run = await createRun(t.db, org.id, {
    status: 'in_review',
    scope: scenario.scope,
    reason: 'Dan leaves the company',
    commissionEndDate: '2026-06-30',
    reassignmentDate: scenario.reassignmentDate,
    params: {
      departingRepIds: [departing.id],
      ...(scenario.commission
        ? {
            commissionType: scenario.commission.type,
            ...(scenario.commission.type === 'custom' ? { customBps: scenario.commission.customBps } : {}),
          }
        : {}),
    },
  });
  for (const [i, spec] of specs.entries()) {
    const owner = rep(spec.owner);
    const account = await createAccount(t.db, org.id, {
      ownerRepId: owner.id,
      annualRevenueCents: (i + 1) * 7_000_00,
    });
    accountIds.push(account.id);
    for (const o of spec.opportunities) {
      const opp = await createOpportunity(t.db, org.id, account.id, {
        ownerRepId: rep(o.owner).id,
        status: o.status,
        stage: o.status === 'open' ? o.stage : 'Closed Won',
        createdDate: '2026-01-15',
      });
      opportunityIds.push(opp.id);
      if (o.split) {
        const houseBps = 10_000 - o.split.holderBps - o.split.subagentBps;
        const parts = [
          { repId: rep(o.split.holder).id, role: 'rep' as const, bps: o.split.holderBps },
          { repId: subagent.id, role: 'subagent' as const, bps: o.split.subagentBps },
          { repId: house.id, role: 'house' as const, bps: houseBps },
        ].filter((p) => p.bps > 0);
        await t.db
          .insert(s.commissionSplits)
          .values(
            parts.map((p) => ({ orgId: org.id, opportunityId: opp.id, effectiveFrom: '2026-01-15', ...p })),
          );
      }
    }
    if (spec.owner === 'departing') {
      const to = spec.moveTo === null ? null : receivers[spec.moveTo]!;
      assignments.push({
        orgId: org.id,
        runId: run.id,
        accountId: account.id,
        fromRepId: departing.id,
        toRepId: to?.id ?? departing.id,
        excluded: to === null,
      });
    }
  }
  await t.db.insert(s.runAssignments).values(assignments);
  // What the runs service does after a solve: conflicts and the proposal hash that approval pins.
  await withOrg(t.db, { orgId: org.id }, async (tx) =>
    refreshProposal(tx, run, await loadPlanningContext(tx, run, COMMITTED_AT), [], COMMITTED_AT),
  );
  // A reviewer accepts every blocking conflict (a closed deal in scope, …) so the run can be approved.
  await t.db
    .update(s.conflicts)
    .set({
      resolution: 'accept',
      resolvedBy: manager.user.id,
      resolvedAt: COMMITTED_AT,
      note: 'accepted in test',
    })
    .where(and(eq(s.conflicts.runId, run.id), isNull(s.conflicts.resolution)));
  const principal: Principal = {
    kind: 'session',
    orgId: org.id,
    orgName: org.name,
    role: 'manager',
    userId: manager.user.id,
    email: manager.user.email,
  };
  return { org, run, principal, accountIds, opportunityIds, reps: { house, later } };
}

/** Someone else changes a committed record afterwards: a new owner, or a later split change (end + add). */
async function changeSince(
  item: typeof s.changeSetItems.$inferSelect,
  world: Awaited<ReturnType<typeof buildWorld>>,
) {
  if (item.object === 'account') {
    await t.db
      .update(s.accounts)
      .set({ ownerRepId: world.reps.later.id })
      .where(eq(s.accounts.id, item.recordId));
    return;
  }
  if (item.object === 'opportunity') {
    await t.db
      .update(s.opportunities)
      .set({ ownerRepId: world.reps.later.id })
      .where(eq(s.opportunities.id, item.recordId));
    return;
  }
  const stored = await t.db
    .select()
    .from(s.commissionSplits)
    .where(eq(s.commissionSplits.opportunityId, item.recordId));
  const rows = stored.map(splitRowOf);
  const houseOnly = {
    participants: [{ participantId: world.reps.house.id, role: 'house' as const, bps: 10_000 }],
  };
  const planned = planEdit(rows, item.recordId, '2026-09-30', '2026-10-01', houseOnly, houseOnly, () =>
    randomUUID(),
  );
  if (!planned.ok) throw new Error(planned.refusal.message);
  for (const end of planned.value.rowsToEnd) {
    await t.db
      .update(s.commissionSplits)
      .set({ effectiveTo: end.effectiveToAfter })
      .where(and(eq(s.commissionSplits.id, end.rowId), isNull(s.commissionSplits.effectiveTo)));
  }
  await t.db.insert(s.commissionSplits).values(
    planned.value.rowsToAdd.map((r) => ({
      id: r.rowId,
      orgId: world.org.id,
      opportunityId: r.opportunityId,
      repId: r.participantId,
      role: r.role,
      bps: r.bps,
      effectiveFrom: r.effectiveFrom,
      effectiveTo: r.effectiveTo,
    })),
  );
}

// --- The property --------------------------------------------------------------------------------------------

const tally = { runs: 0, committed: 0, refused: 0, withSplits: 0, withConflicts: 0 };

/** Always run (fast-check `examples`): commits with split changes and records changed since, whatever the seed. */
const splitExample = (
  type: 'house_absorbs' | 'direct_transfer' | 'custom',
  changed: number[],
): [Scenario] => [
  {
    accounts: [
      {
        owner: 'departing',
        moveTo: 0,
        opportunities: [
          {
            owner: 'departing',
            status: 'open',
            stage: 'Negotiation',
            split: { holder: 'departing', holderBps: 5500, subagentBps: 1000 },
          },
        ],
      },
      { owner: 'departing', moveTo: 1, opportunities: [] },
    ],
    scope: 'open_opportunities',
    commission: { type, customBps: 1500 },
    reassignmentDate: '2026-07-15',
    changedSince: changed,
  },
];

test.prop([scenarioArb], {
  numRuns: 15,
  endOnFailure: true,
  examples: [
    splitExample('direct_transfer', [0]),
    splitExample('house_absorbs', [1, 2]),
    splitExample('custom', [3]),
  ],
})(
  'rollback restores exactly what the change set changed, and leaves records changed since alone',
  async (scenario) => {
    tally.runs += 1;
    const world = await buildWorld(scenario);
    const ctx = { db: t.db, clock: () => COMMITTED_AT, principal: world.principal };
    const before = await readBook(world.org.id, world.opportunityIds);

    const [reviewed] = await t.db.select().from(s.runs).where(eq(s.runs.id, world.run.id));
    await approveRun({ ctx, input: { runId: world.run.id, expectedHash: reviewed!.proposalHash ?? '' } });
    try {
      await commitRun({ ctx, input: { runId: world.run.id, appBaseUrl: 'http://bookshift.test' } });
    } catch (error) {
      // A commit the commission rules refuse (e.g. a custom share larger than the departing rep's) writes nothing.
      if (!(error instanceof AppError)) throw error;
      tally.refused += 1;
      expect(await readBook(world.org.id, world.opportunityIds)).toEqual(before);
      return;
    }
    tally.committed += 1;
    const committed = await readBook(world.org.id, world.opportunityIds);
    expectNoRowEdited(before, committed, 'by the commit');
    // The commit ends open rows (only those) and adds rows; nothing else happens to the history.
    for (const [oppId, rows] of before.splits) {
      const now = new Map(committed.splits.get(oppId)!.map((r) => [r.rowId, r]));
      for (const r of rows) {
        const after = now.get(r.rowId);
        expect(after, `split row ${r.rowId} removed by the commit`).toBeDefined();
        if (after!.effectiveTo !== r.effectiveTo) expect(r.effectiveTo).toBeNull();
      }
    }

    const [changeSet] = await t.db.select().from(s.changeSets).where(eq(s.changeSets.runId, world.run.id));
    const items = await t.db
      .select()
      .from(s.changeSetItems)
      .where(eq(s.changeSetItems.changeSetId, changeSet!.id));
    if (items.some((i) => i.object === 'split')) tally.withSplits += 1;
    const changed = new Map<string, typeof s.changeSetItems.$inferSelect>();
    for (const pick of scenario.changedSince) {
      const item = items[pick % items.length]!;
      if (changed.has(item.id)) continue;
      changed.set(item.id, item);
      await changeSince(item, world);
    }
    if (changed.size > 0) tally.withConflicts += 1;
    const edited = await readBook(world.org.id, world.opportunityIds);
    expectNoRowEdited(committed, edited, 'by the later change');

    const { result } = await rollbackRun({
      ctx: { ...ctx, clock: () => ROLLED_BACK_AT, appBaseUrl: 'http://bookshift.test' },
      input: { runId: world.run.id },
    });
    const after = await readBook(world.org.id, world.opportunityIds);
    expectNoRowEdited(before, after, 'across commit and rollback');
    expectNoRowEdited(edited, after, 'by the rollback');

    // Exactly the records changed since are conflicts, each with the reason that fits it.
    const expectedConflicts = [...changed.values()]
      .map((i) => [i.object, i.recordId, i.object === 'split' ? 'history_stale' : 'changed_since'])
      .sort();
    expect(result.conflicts.map((c) => [c.object, c.recordId, c.reason]).sort()).toEqual(expectedConflicts);
    const count = (object: string) => items.filter((i) => i.object === object && !changed.has(i.id)).length;
    expect(result.restored).toEqual({
      accounts: count('account'),
      opportunities: count('opportunity'),
      splits: count('split'),
    });

    const changedRecords = (object: string) =>
      new Set([...changed.values()].filter((i) => i.object === object).map((i) => i.recordId));
    const changedAccounts = changedRecords('account');
    for (const [id, owner] of after.accounts) {
      const want = changedAccounts.has(id) ? edited.accounts.get(id) : before.accounts.get(id);
      expect(owner, `owner of account ${id}`).toBe(want);
    }
    const changedOpps = changedRecords('opportunity');
    for (const [id, owner] of after.opportunities) {
      const want = changedOpps.has(id) ? edited.opportunities.get(id) : before.opportunities.get(id);
      expect(owner, `owner of opportunity ${id}`).toBe(want);
    }
    const changedSplits = changedRecords('split');
    for (const [oppId, rows] of after.splits) {
      if (changedSplits.has(oppId)) {
        expect(rows, `split of ${oppId}, changed since, left alone`).toEqual(edited.splits.get(oppId));
        continue;
      }
      expect(rows, `split history of ${oppId}`).toEqual(before.splits.get(oppId));
      for (const day of PROBE_DAYS) {
        expect(structureOn(rows, day), `split of ${oppId} in force on ${day}`).toEqual(
          structureOn(before.splits.get(oppId)!, day),
        );
      }
    }

    // Nothing of the run is still waiting to be sent.
    const pending = await t.db
      .select({ id: s.notices.id })
      .from(s.notices)
      .where(and(eq(s.notices.runId, world.run.id), inArray(s.notices.status, ['pending', 'sending'])));
    expect(pending).toEqual([]);
    const [run] = await t.db.select().from(s.runs).where(eq(s.runs.id, world.run.id));
    expect(run!.status).toBe('rolled_back');
  },
  120_000,
);

it('the property exercised commits with split changes and with records changed since', () => {
  // Guards against a generator that only ever produces refused commits or no split changes.
  expect(tally.runs).toBe(15);
  expect(tally.committed).toBeGreaterThanOrEqual(10);
  expect(tally.withSplits).toBeGreaterThanOrEqual(3);
  expect(tally.withConflicts).toBeGreaterThanOrEqual(3);
});
