/**
 * Shared pieces of the commission queue settlement tests: opportunity-level runs on the runs world, solve and
 * approve, item and run reads, and the queue invariant (every item's status matches its run's state).
 */
import { and, desc, eq, inArray } from 'drizzle-orm';
import { expect } from 'vitest';
import * as s from '../../../db/schema/index.ts';
import type { Principal } from '../../../src/auth/principal.ts';
import type { Role } from '../../../src/lib/roles.ts';
import { RETRIED_ACTION } from '../../../src/services/commission-queue/settle.ts';
import {
  createOpportunity,
  type RunsWorld,
  type seedBook,
  solveAndDrain,
} from '../../api/runs/run-fixture.ts';
import { createSplits } from '../../support/factories.ts';

export type Book = Awaited<ReturnType<typeof seedBook>>;
export type Item = typeof s.runOpportunityChanges.$inferSelect;

export const queueCtx = (w: RunsWorld, role: Role) => {
  const principal: Principal = {
    kind: 'api_key',
    orgId: w.orgId,
    orgName: 'Runs Org',
    role,
    apiKeyName: `queue test ${role}`,
  };
  return { db: w.h.db.db, clock: () => new Date(), principal };
};

export async function itemsOf(w: RunsWorld, runId: string): Promise<Item[]> {
  return w.h.db.db
    .select()
    .from(s.runOpportunityChanges)
    .where(eq(s.runOpportunityChanges.runId, runId))
    .orderBy(s.runOpportunityChanges.opportunityId);
}

export async function itemById(w: RunsWorld, id: string): Promise<Item> {
  const [row] = await w.h.db.db
    .select()
    .from(s.runOpportunityChanges)
    .where(eq(s.runOpportunityChanges.id, id));
  return row!;
}

/** Resolves the open blocking conflicts (accept) and approves the run; solves it first unless told not to. */
export async function solveAndApprove(w: RunsWorld, runId: string, solve = true) {
  if (solve) {
    const solved = await solveAndDrain(w, runId);
    expect(solved.status, solved.failureReason).toBe('solved');
  }
  const open = await w.call('manager', 'GET', `/runs/${runId}/conflicts`);
  for (const c of open.body.data as { id: string; severity: string; resolution: string | null }[]) {
    if (c.severity !== 'blocking' || c.resolution) continue;
    const res = await w.call('manager', 'POST', `/runs/${runId}/conflicts/${c.id}/resolve`, {
      resolution: 'accept',
      note: 'Reviewed',
    });
    expect(res.status, JSON.stringify(res.body)).toBe(200);
  }
  const approved = await w.call('manager', 'POST', `/runs/${runId}/approve`, {
    expectedHash: (await w.call('manager', 'GET', `/runs/${runId}`)).body.proposalHash,
  });
  expect(approved.status, JSON.stringify(approved.body)).toBe(200);
}

/** A new opportunity of one of Eve's accounts, owned by Eve (with a 45/55 House/Eve split unless told not to). */
export async function eveOpportunity(w: RunsWorld, book: Book, withSplit: boolean, name?: string) {
  const { eve } = book.reps;
  const account = book.others.find((a) => a.ownerRepId === eve.id)!;
  const opp = await createOpportunity(w.h.db.db, w.orgId, account.id, {
    ownerRepId: eve.id,
    ...(name ? { name } : {}),
  });
  if (withSplit) await addSplit(w, book, opp.id);
  return opp;
}

/** Gives the opportunity a current split naming Eve (the data fix before a retry). */
export async function addSplit(w: RunsWorld, book: Book, opportunityId: string) {
  await createSplits(w.h.db.db, w.orgId, opportunityId, [
    { repId: book.reps.house.id, role: 'house', bps: 4500 },
    { repId: book.reps.eve.id, role: 'rep', bps: 5500 },
  ]);
}

/** An opportunity-level run handing the opportunity to Ben, or another rep (created, not solved). */
export async function createOpportunityRun(
  w: RunsWorld,
  book: Book,
  opportunityId: string,
  toRepId: string = book.reps.ben.id,
) {
  const created = await w.call('analyst', 'POST', '/runs', {
    kind: 'opportunity',
    reason: 'Hand the deal over',
    commissionEndDate: '2026-03-31',
    reassignmentDate: '2026-04-01',
    params: { opportunityId, newOwnerRepId: toRepId },
  });
  expect(created.status, JSON.stringify(created.body)).toBe(201);
  return created.body.id as string;
}

/** The run that retries each item last (the latest commission_queue.retried link), by item id. */
export async function latestRetryRuns(w: RunsWorld, itemIds: readonly string[]) {
  if (itemIds.length === 0) return new Map<string, string>();
  const links = await w.h.db.db
    .select({ itemId: s.auditEvents.entityId, runId: s.auditEvents.runId })
    .from(s.auditEvents)
    .where(and(eq(s.auditEvents.action, RETRIED_ACTION), inArray(s.auditEvents.entityId, [...itemIds])))
    .orderBy(desc(s.auditEvents.seq));
  const latest = new Map<string, string>();
  for (const l of links) if (l.itemId && l.runId && !latest.has(l.itemId)) latest.set(l.itemId, l.runId);
  return latest;
}

const OPEN = new Set(['draft', 'solving', 'solved', 'in_review', 'approved', 'committing', 'failed']);

/**
 * The queue invariant: every item's status matches its run — pending while the run is open, cancelled with a
 * cancelled run, rolled_back with a rolled-back run, complete or error after the commit; processing only while
 * the item's latest retry run is still open. Returns the violations (empty when it holds).
 */
export async function queueViolations(w: RunsWorld): Promise<string[]> {
  const db = w.h.db.db;
  const rows = await db
    .select({
      id: s.runOpportunityChanges.id,
      status: s.runOpportunityChanges.status,
      error: s.runOpportunityChanges.error,
      runId: s.runOpportunityChanges.runId,
      runStatus: s.runs.status,
    })
    .from(s.runOpportunityChanges)
    .innerJoin(s.runs, eq(s.runs.id, s.runOpportunityChanges.runId))
    .where(eq(s.runOpportunityChanges.orgId, w.orgId));
  const retries = await latestRetryRuns(
    w,
    rows.filter((r) => r.status === 'processing').map((r) => r.id),
  );
  const retryRunIds = [...new Set(retries.values())];
  const retryStatus = new Map(
    retryRunIds.length === 0
      ? []
      : (
          await db
            .select({ id: s.runs.id, status: s.runs.status })
            .from(s.runs)
            .where(inArray(s.runs.id, retryRunIds))
        ).map((r) => [r.id, r.status]),
  );
  const violations: string[] = [];
  for (const r of rows) {
    const where = `item ${r.id} (${r.status}) of run ${r.runId} (${r.runStatus})`;
    if (r.status === 'error' && !r.error) violations.push(`${where}: error without a reason`);
    if (r.status === 'cancelled' && !r.error) violations.push(`${where}: cancelled without a reason`);
    if (r.status === 'processing') {
      const retry = retries.get(r.id);
      const status = retry ? retryStatus.get(retry) : undefined;
      if (!retry || !status || !OPEN.has(status)) {
        violations.push(
          `${where}: processing but its retry run ${retry ?? '(none)'} is ${status ?? 'missing'}`,
        );
      }
      if (r.runStatus !== 'committed') violations.push(`${where}: processing in a run that never committed`);
      continue;
    }
    const expected = OPEN.has(r.runStatus)
      ? ['pending']
      : r.runStatus === 'cancelled'
        ? ['cancelled']
        : r.runStatus === 'rolled_back'
          ? ['rolled_back']
          : ['complete', 'error'];
    if (!expected.includes(r.status)) violations.push(`${where}: expected ${expected.join(' or ')}`);
  }
  return violations;
}
