/**
 * Test setup for the run actions: a book (a departing rep with a manager, receivers, House, accounts, optional
 * open deals with splits) and a run with its proposal in run_assignments, written as the owner connection the way
 * the runs service (part A of issue 5) leaves them.
 */
import { and, count, eq } from 'drizzle-orm';
import * as s from '../../../db/schema/index.ts';
import type { Database } from '../../../src/db/client.ts';
import { withOrg } from '../../../src/db/tenancy.ts';
import { loadPlanningContext } from '../../../src/services/plan/planning-context.ts';
import { findRun } from '../../../src/services/run-records/run-records.ts';
import { liveProposalHash } from '../../../src/services/solve/refresh-proposal.ts';
import { hashChangeSet } from '../../../src/workflow/change-set.ts';
import {
  createAccount,
  createOpportunity,
  createRep,
  createRun,
  createSplits,
} from '../../support/factories.ts';

export interface RunFixtureOptions {
  accounts?: number;
  status?: (typeof s.runs.$inferInsert)['status'];
  scope?: (typeof s.runs.$inferInsert)['scope'];
  draftedBy?: string | null;
  /** One open deal per account, with a House 45 / departing rep 55 split. */
  deals?: boolean;
  params?: Record<string, unknown>;
  /** Pre-approve with the hash of the proposal as it stands. */
  approved?: boolean;
}

export async function createRunFixture(db: Database, orgId: string, options: RunFixtureOptions = {}) {
  const n = options.accounts ?? 4;
  const manager = await createRep(db, orgId, {
    name: 'Mona Manager',
    email: `mona-${orgId.slice(0, 8)}@example.test`,
  });
  const departing = await createRep(db, orgId, {
    name: 'Dan Departing',
    managerRepId: manager.id,
    endDate: '2026-06-30',
  });
  const receivers = [
    await createRep(db, orgId, { name: 'Ria Receiver', managerRepId: manager.id }),
    await createRep(db, orgId, { name: 'Sam Receiver', managerRepId: manager.id }),
  ];
  const house = await createRep(db, orgId, { name: 'House', kind: 'house', email: null });
  const accounts: (typeof s.accounts.$inferSelect)[] = [];
  for (let i = 0; i < n; i += 1) {
    accounts.push(
      await createAccount(db, orgId, { ownerRepId: departing.id, annualRevenueCents: (i + 1) * 10_000_00 }),
    );
  }
  const opportunities: (typeof s.opportunities.$inferSelect)[] = [];
  if (options.deals) {
    for (const account of accounts) {
      const opp = await createOpportunity(db, orgId, account.id, {
        ownerRepId: departing.id,
        createdDate: '2026-01-15',
      });
      await createSplits(db, orgId, opp.id, [
        { repId: house.id, role: 'house', bps: 4500 },
        { repId: departing.id, role: 'rep', bps: 5500 },
      ]);
      opportunities.push(opp);
    }
  }
  const run = await createRun(db, orgId, {
    status: options.status ?? 'in_review',
    scope: options.scope ?? 'ownership',
    draftedBy: options.draftedBy ?? null,
    params: { departingRepIds: [departing.id], ...(options.params ?? {}) },
    commissionEndDate: '2026-06-30',
    reassignmentDate: '2026-07-01',
  });
  await db.insert(s.runAssignments).values(
    accounts.map((a, i) => ({
      orgId,
      runId: run.id,
      accountId: a.id,
      fromRepId: departing.id,
      toRepId: receivers[i % 2]!.id,
    })),
  );
  const independent = proposalHash(
    run.id,
    accounts,
    departing.id,
    receivers.map((r) => r.id),
  );
  // The hash the service computes from what was written; without split changes it is the independent one.
  const hash = await withOrg(db, { orgId }, async (tx) => {
    const written = await findRun(tx, run.id);
    return liveProposalHash(tx, written, await loadPlanningContext(tx, written, new Date()));
  });
  const changesSplits = options.scope !== undefined && options.scope !== 'ownership' && options.params;
  if (!changesSplits && hash !== independent)
    throw new Error(
      'The proposal hash of an ownership-only run differs from the change-set hash of its moves.',
    );
  await db.update(s.runs).set({ proposalHash: hash }).where(eq(s.runs.id, run.id));
  if (options.approved) {
    await db
      .update(s.runs)
      .set({ status: 'approved', approvedHash: hash, approvedAt: new Date() })
      .where(eq(s.runs.id, run.id));
  }
  return {
    run: { ...run, proposalHash: hash },
    manager,
    departing,
    receivers,
    house,
    accounts,
    opportunities,
    hash,
  };
}

/** The hash approval pins, computed independently from what the fixture wrote. */
export function proposalHash(
  runId: string,
  accounts: { id: string; crmId: string }[],
  fromRepId: string,
  receiverIds: string[],
) {
  return hashChangeSet({
    runId,
    ownership: accounts.map((a, i) => ({
      accountId: a.id,
      accountCrmId: a.crmId,
      fromRepId,
      toRepId: receiverIds[i % receiverIds.length]!,
    })),
    splits: [],
  });
}

/** What a refused commit must leave untouched, in one comparable value. */
export async function commitFootprint(db: Database, runId: string, accountIds: string[]) {
  const owners = await db
    .select({ id: s.accounts.id, owner: s.accounts.ownerRepId })
    .from(s.accounts)
    .orderBy(s.accounts.id);
  const [sets] = await db.select({ n: count() }).from(s.changeSets).where(eq(s.changeSets.runId, runId));
  const [notes] = await db.select({ n: count() }).from(s.notices).where(eq(s.notices.runId, runId));
  const [splits] = await db.select({ n: count() }).from(s.commissionSplits);
  const [run] = await db.select({ status: s.runs.status }).from(s.runs).where(eq(s.runs.id, runId));
  const [events] = await db
    .select({ n: count() })
    .from(s.auditEvents)
    .where(and(eq(s.auditEvents.runId, runId), eq(s.auditEvents.action, 'run.committed')));
  const mine = new Set(accountIds);
  return {
    owners: owners.filter((o) => mine.has(o.id)),
    changeSets: sets!.n,
    notices: notes!.n,
    splits: splits!.n,
    status: run!.status,
    committedEvents: events!.n,
  };
}
