/**
 * The commission queue (seed 003, issue 8): every planned opportunity-level change of the org's runs
 * (run_opportunity_changes) with its status — pending while the run is planned and reviewed, complete or error
 * (with the reason) once the commit ran, rolled_back after a rollback, cancelled with a cancelled run, processing
 * while a retry run is open. The list and its counts; history.ts, retry.ts and settle.ts hold the rest.
 */
import { and, count, desc, eq, inArray, or, type SQL } from 'drizzle-orm';
import { alias } from 'drizzle-orm/pg-core';
import { opportunities, reps, runOpportunityChanges, runs } from '../../../db/schema/index.ts';
import { orgScope } from '../../auth/principal.ts';
import type { Tx } from '../../db/client.ts';
import { withOrg } from '../../db/tenancy.ts';
import { forbidden } from '../../lib/errors.ts';
import type { Role } from '../../lib/roles.ts';
import type { OrgContext } from '../auth/context.ts';
import { QUEUE_STATUSES, type QueueStatus, retryRunsOf } from './settle.ts';

export const QUEUE_READERS = ['manager', 'analyst', 'finance', 'admin'] as const satisfies readonly Role[];
/** Runs whose items wait for a person: solved or being solved again, in review, approved or failed; not committed. */
const AWAITING = ['solving', 'solved', 'in_review', 'approved', 'failed'] as const;

export interface QueueFilter {
  status?: QueueStatus | undefined;
  runId?: string | undefined;
  /** Items handing over from or to this rep. */
  repId?: string | undefined;
  opportunityId?: string | undefined;
  page: number;
  pageSize: number;
}

export interface QueueItem {
  id: string;
  status: QueueStatus;
  error: string | null;
  attempts: number;
  opportunityId: string;
  opportunityName: string;
  opportunityCrmId: string;
  runId: string;
  runKind: string;
  runStatus: string;
  runReason: string;
  fromRepId: string | null;
  fromRepName: string | null;
  toRepId: string | null;
  toRepName: string | null;
  commissionType: string | null;
  customBps: number | null;
  updatedAt: string;
  /** A processing item: the run retrying it and that run's status (solve it, review, approve and commit, or cancel it). */
  retryRunId: string | null;
  retryRunStatus: string | null;
}

export interface PendingReassignment {
  runId: string;
  kind: string;
  status: string;
  reason: string;
  items: number;
}

export interface QueuePage {
  items: QueueItem[];
  total: number;
  page: number;
  pageSize: number;
  counts: Record<QueueStatus, number>;
  pendingReassignments: PendingReassignment[];
}

export function assertReader(ctx: OrgContext) {
  if (!(QUEUE_READERS as readonly string[]).includes(ctx.principal.role)) {
    throw forbidden('Only a manager, analyst, finance or admin can see the commission queue.');
  }
}

const fromRep = alias(reps, 'queue_from_rep');
const toRep = alias(reps, 'queue_to_rep');

/** The queue's item rows with their opportunity, run and reps (callers add where, order and paging). */
export function selectItems(tx: Tx) {
  return tx
    .select({
      id: runOpportunityChanges.id,
      status: runOpportunityChanges.status,
      error: runOpportunityChanges.error,
      attempts: runOpportunityChanges.attempts,
      opportunityId: runOpportunityChanges.opportunityId,
      opportunityName: opportunities.name,
      opportunityCrmId: opportunities.crmId,
      runId: runOpportunityChanges.runId,
      runKind: runs.kind,
      runStatus: runs.status,
      runReason: runs.reason,
      fromRepId: runOpportunityChanges.fromRepId,
      fromRepName: fromRep.name,
      toRepId: runOpportunityChanges.toRepId,
      toRepName: toRep.name,
      commissionType: runOpportunityChanges.commissionType,
      customBps: runOpportunityChanges.customBps,
      createdAt: runOpportunityChanges.createdAt,
      updatedAt: runOpportunityChanges.updatedAt,
    })
    .from(runOpportunityChanges)
    .innerJoin(opportunities, eq(opportunities.id, runOpportunityChanges.opportunityId))
    .innerJoin(runs, eq(runs.id, runOpportunityChanges.runId))
    .leftJoin(fromRep, eq(fromRep.id, runOpportunityChanges.fromRepId))
    .leftJoin(toRep, eq(toRep.id, runOpportunityChanges.toRepId));
}

type ItemRow = Awaited<ReturnType<ReturnType<typeof selectItems>['where']>>[number];

export function toItem(r: ItemRow, retry: { runId: string; status: string } | undefined): QueueItem {
  const { createdAt: _created, ...rest } = r;
  return {
    ...rest,
    updatedAt: r.updatedAt.toISOString(),
    retryRunId: retry?.runId ?? null,
    retryRunStatus: retry?.status ?? null,
  };
}

export async function listQueue({ ctx, input }: { ctx: OrgContext; input: QueueFilter }): Promise<QueuePage> {
  assertReader(ctx);
  return withOrg(ctx.db, orgScope(ctx.principal), async (tx) => {
    const where: SQL[] = [];
    if (input.status) where.push(eq(runOpportunityChanges.status, input.status));
    if (input.runId) where.push(eq(runOpportunityChanges.runId, input.runId));
    if (input.opportunityId) where.push(eq(runOpportunityChanges.opportunityId, input.opportunityId));
    if (input.repId) {
      where.push(
        or(eq(runOpportunityChanges.fromRepId, input.repId), eq(runOpportunityChanges.toRepId, input.repId))!,
      );
    }
    const cond = where.length > 0 ? and(...where) : undefined;
    const rows = await selectItems(tx)
      .where(cond)
      .orderBy(desc(runOpportunityChanges.updatedAt), desc(runOpportunityChanges.id))
      .limit(input.pageSize)
      .offset((input.page - 1) * input.pageSize);
    const [total] = await tx.select({ n: count() }).from(runOpportunityChanges).where(cond);
    const byStatus = await tx
      .select({ status: runOpportunityChanges.status, n: count() })
      .from(runOpportunityChanges)
      .groupBy(runOpportunityChanges.status);
    const counts = Object.fromEntries(QUEUE_STATUSES.map((s) => [s, 0])) as Record<QueueStatus, number>;
    for (const r of byStatus) counts[r.status] = Number(r.n);
    const awaiting = await tx
      .select({
        runId: runs.id,
        kind: runs.kind,
        status: runs.status,
        reason: runs.reason,
        items: count(runOpportunityChanges.id),
      })
      .from(runs)
      .innerJoin(runOpportunityChanges, eq(runOpportunityChanges.runId, runs.id))
      .where(inArray(runs.status, [...AWAITING]))
      .groupBy(runs.id)
      .orderBy(desc(runs.updatedAt), desc(runs.id))
      .limit(100);
    const retries = await retryRunsOf(
      tx,
      rows.filter((r) => r.status === 'processing').map((r) => r.id),
    );
    return {
      items: rows.map((r) => toItem(r, retries.get(r.id))),
      total: Number(total?.n ?? 0),
      page: input.page,
      pageSize: input.pageSize,
      counts,
      pendingReassignments: awaiting.map((a) => ({ ...a, items: Number(a.items) })),
    };
  });
}
