/** Reading and locking a run, moving it through the status machine with an audit event, and the actor of a change. */
import { z } from '@hono/zod-openapi';
import { and, desc, eq, sql } from 'drizzle-orm';
import { jobs, runs } from '../../../db/schema/index.ts';
import type { Principal } from '../../auth/principal.ts';
import { type AuditEventInput, appendAudit } from '../../db/audit.ts';
import type { Database, Tx } from '../../db/client.ts';
import { notFound } from '../../lib/errors.ts';
import { parseJsonColumn } from '../../lib/json-column.ts';
import { nextStatus, type RunAction, type RunStatus } from '../../workflow/run-status.ts';
import type { ActorFields } from '../audit/actor.ts';
import { parseRunRow } from './run-columns.ts';

export type RunRow = typeof runs.$inferSelect;

/** What a service verb needs: the database, the clock, who is acting and the request (for the audit trail). */
export interface RunsContext {
  db: Database;
  clock: () => Date;
  principal: Principal;
  requestId?: string;
  /** Solver time limit for jobs enqueued by this request (env SOLVER_TIME_LIMIT_SECONDS). */
  solverTimeLimitMs?: number;
  /**
   * Runs of the org that may be queued or solving at once (env SOLVE_MAX_QUEUED_PER_ORG); a person's or a
   * system's solve request beyond it is refused with 429. Unset for the app's own follow-up solves.
   */
  solveQueueLimit?: number;
}

export function auditEvent(
  actor: ActorFields,
  fields: Omit<AuditEventInput, 'actorUserId' | 'actorApiKeyId' | 'actorLabel' | 'requestId'>,
): AuditEventInput {
  return { ...fields, ...actor };
}

/** The run, locked for the rest of the transaction (every change of a run goes through here). */
export async function lockRun(tx: Tx, runId: string): Promise<RunRow> {
  const [row] = await tx.select().from(runs).where(eq(runs.id, runId)).for('update');
  if (!row) throw notFound('The run');
  return parseRunRow(row);
}

export async function findRun(tx: Tx, runId: string): Promise<RunRow> {
  const [row] = await tx.select().from(runs).where(eq(runs.id, runId));
  if (!row) throw notFound('The run');
  return parseRunRow(row);
}

/**
 * Applies `action` through the status machine (a clear CONFLICT when it is not allowed), writes the new status
 * with `extra` fields, and audits the transition with before and after.
 */
export async function transitionRun(
  tx: Tx,
  run: RunRow,
  action: RunAction,
  actor: ActorFields,
  extra: Partial<typeof runs.$inferInsert> = {},
  at = new Date(),
): Promise<RunRow> {
  const to = nextStatus(run.status as RunStatus, action);
  const [updated] = await tx
    .update(runs)
    .set({ ...extra, status: to, updatedAt: at })
    .where(eq(runs.id, run.id))
    .returning();
  await appendAudit(
    tx,
    auditEvent(actor, {
      action: `run.${action}`,
      entityType: 'run',
      entityId: run.id,
      runId: run.id,
      before: { status: run.status, version: run.version, proposalHash: run.proposalHash },
      after: {
        status: to,
        version: updated!.version,
        proposalHash: updated!.proposalHash,
        ...(extra.failureReason ? { failureReason: extra.failureReason } : {}),
      },
      at,
    }),
  );
  return parseRunRow(updated!);
}

/** The run's latest solve job, for progress polling. */
export async function latestSolveJob(tx: Tx, runId: string) {
  const [job] = await tx
    .select({
      id: jobs.id,
      status: jobs.status,
      progress: jobs.progress,
      error: jobs.error,
      attempts: jobs.attempts,
      createdAt: jobs.createdAt,
      finishedAt: jobs.finishedAt,
      cancelRequestedAt: jobs.cancelRequestedAt,
    })
    .from(jobs)
    .where(and(eq(jobs.runId, runId), eq(jobs.kind, SOLVE_JOB_KIND)))
    .orderBy(desc(jobs.createdAt), desc(sql`${jobs.id}`))
    .limit(1);
  if (!job) return null;
  const at = { table: 'jobs', column: 'progress', rowId: job.id };
  return { ...job, progress: parseJsonColumn(solveJobProgress, job.progress, at) };
}

/** What a solve job reports as it goes (src/services/solve/solve-run-job.ts): its phase, and while solving its size and limit. */
const solveJobProgress = z
  .looseObject({
    phase: z.string().optional(),
    accounts: z.number().optional(),
    timeLimitMs: z.number().optional(),
    unassigned: z.number().optional(),
    waitingFor: z.string().optional(),
  })
  .nullable();
export type SolveJobProgress = z.infer<typeof solveJobProgress>;

export const SOLVE_JOB_KIND = 'solve_run';
