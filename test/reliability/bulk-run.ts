/** A large approved run for the fault tests: N accounts of one departing rep planned to three receivers, written in bulk as the owner. */
import { randomUUID } from 'node:crypto';
import { and, count, eq } from 'drizzle-orm';
import * as s from '../../db/schema/index.ts';
import type { Database } from '../../src/db/client.ts';
import { hashChangeSet } from '../../src/workflow/change-set.ts';
import { createOrg, createRep } from '../support/factories.ts';

export async function createBulkRun(db: Database, accountCount: number) {
  const org = await createOrg(db);
  const departing = await createRep(db, org.id, { name: 'Dan Departing' });
  const receivers = [
    await createRep(db, org.id, { name: 'Ria' }),
    await createRep(db, org.id, { name: 'Sam' }),
    await createRep(db, org.id, { name: 'Kim' }),
  ];
  const accounts = Array.from({ length: accountCount }, (_, i) => ({
    id: randomUUID(),
    orgId: org.id,
    crmId: `A-${String(i).padStart(6, '0')}`,
    name: `Account ${i}`,
    ownerRepId: departing.id,
    annualRevenueCents: 1_000_00 * ((i % 97) + 1),
  }));
  for (let i = 0; i < accounts.length; i += 2000)
    await db.insert(s.accounts).values(accounts.slice(i, i + 2000));
  const [run] = await db
    .insert(s.runs)
    .values({
      orgId: org.id,
      kind: 'rep_departure',
      reason: 'Dan leaves',
      status: 'approved',
      params: { departingRepIds: [departing.id] },
    })
    .returning();
  const toOf = (i: number) => receivers[i % receivers.length]!.id;
  const assignments = accounts.map((a, i) => ({
    orgId: org.id,
    runId: run!.id,
    accountId: a.id,
    fromRepId: departing.id,
    toRepId: toOf(i),
  }));
  for (let i = 0; i < assignments.length; i += 2000) {
    await db.insert(s.runAssignments).values(assignments.slice(i, i + 2000));
  }
  const hash = hashChangeSet({
    runId: run!.id,
    ownership: accounts.map((a, i) => ({
      accountId: a.id,
      accountCrmId: a.crmId,
      fromRepId: departing.id,
      toRepId: toOf(i),
    })),
    splits: [],
  });
  await db
    .update(s.runs)
    .set({ approvedHash: hash, proposalHash: hash, approvedAt: new Date() })
    .where(eq(s.runs.id, run!.id));
  return {
    org,
    run: run!,
    departing,
    receivers,
    accounts,
    hash,
    expectedOwner: new Map<string, string>(accounts.map((a, i) => [a.id, toOf(i)])),
  };
}

/** The state of a bulk run: "none" (nothing applied), "all" (fully committed once) or a description of a mix. */
export async function commitState(db: Database, bulk: Awaited<ReturnType<typeof createBulkRun>>) {
  const owners = await db
    .select({ id: s.accounts.id, owner: s.accounts.ownerRepId })
    .from(s.accounts)
    .where(eq(s.accounts.orgId, bulk.org.id));
  const moved = owners.filter((o) => o.owner === bulk.expectedOwner.get(o.id)).length;
  const untouched = owners.filter((o) => o.owner === bulk.departing.id).length;
  const [run] = await db.select({ status: s.runs.status }).from(s.runs).where(eq(s.runs.id, bulk.run.id));
  const [sets] = await db
    .select({ n: count() })
    .from(s.changeSets)
    .where(eq(s.changeSets.runId, bulk.run.id));
  const [items] = await db
    .select({ n: count() })
    .from(s.changeSetItems)
    .where(eq(s.changeSetItems.orgId, bulk.org.id));
  const [committed] = await db
    .select({ n: count() })
    .from(s.auditEvents)
    .where(and(eq(s.auditEvents.runId, bulk.run.id), eq(s.auditEvents.action, 'run.committed')));
  const n = bulk.accounts.length;
  if (run!.status === 'approved' && untouched === n && sets!.n === 0 && items!.n === 0 && committed!.n === 0)
    return 'none';
  if (run!.status === 'committed' && moved === n && sets!.n === 1 && items!.n === n && committed!.n === 1)
    return 'all';
  return `mixed: status ${run!.status}, moved ${moved}, untouched ${untouched}, change sets ${sets!.n}, items ${items!.n}, committed events ${committed!.n}`;
}
