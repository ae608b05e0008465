/** The runs route group: handlers validate (by route), call a service verb, and parse the answer through the response schema. */
import type { Context } from 'hono';
import { principalOf } from '../../../auth/require-role.ts';
import { envSolveTimeLimitMs } from '../../../lib/solve-time-limit.ts';
import * as runsService from '../../../services/plan/create-run.ts';
import { diagnoseRun } from '../../../services/plan/diagnose-run.ts';
import * as changes from '../../../services/review/changes.ts';
import { compareRuns as compareRunsVerb } from '../../../services/review/compare.ts';
import * as review from '../../../services/review/review.ts';
import { listRuns } from '../../../services/run-records/run-list.ts';
import type { RunRow, RunsContext } from '../../../services/run-records/run-records.ts';
import { actorOf } from '../../../services/run-records/run-state.ts';
import { requestSolve } from '../../../services/solve/solve-run.ts';
import { actionsFrom, type RunStatus } from '../../../workflow/run-status.ts';
import type { AppBindings } from '../../context.ts';
import { createRouter } from '../../openapi.ts';
import { AssignmentSchema } from './changes.schemas.ts';
import { ConflictSchema } from './review.schemas.ts';
import * as routes from './runs.routes.ts';
import { RunSchema } from './runs.schemas.ts';

const iso = (d: Date | null | undefined) => (d ? d.toISOString() : null);

type Job = Awaited<ReturnType<typeof runsService.getRun>>['job'];

export function toRunJson(run: RunRow, job: Job = null) {
  // A user or an API key, named the same way.
  const approver = actorOf(run.approvedBy, run.approvedByApiKeyId);
  const committer = actorOf(run.committedBy, run.committedByApiKeyId);
  return RunSchema.parse({
    id: run.id,
    kind: run.kind,
    scope: run.scope,
    status: run.status,
    reason: run.reason,
    commissionEndDate: run.commissionEndDate,
    reassignmentDate: run.reassignmentDate,
    rulesetId: run.rulesetId,
    importId: run.importId,
    params: run.params,
    version: run.version,
    proposalHash: run.proposalHash,
    draftedBy: run.draftedBy,
    approvedBy: approver.id,
    approvedByType: approver.type,
    approvedAt: iso(run.approvedAt),
    approvedHash: run.approvedHash,
    committedBy: committer.id,
    committedByType: committer.type,
    committedAt: iso(run.committedAt),
    failureReason: run.failureReason,
    solver: {
      engine: run.solverEngine,
      status: run.solverStatus,
      objective: run.solverObjective,
      bound: run.solverBound,
      gap: run.solverGap,
      solveMs: run.solveMs,
    },
    metrics: run.metrics ?? null,
    job: job
      ? {
          id: job.id,
          status: job.status,
          progress: job.progress ?? null,
          error: job.error,
          attempts: job.attempts,
          createdAt: job.createdAt.toISOString(),
          finishedAt: iso(job.finishedAt),
        }
      : null,
    actions: actionsFrom(run.status as RunStatus),
    createdAt: run.createdAt.toISOString(),
    updatedAt: run.updatedAt.toISOString(),
  });
}

type ConflictRow = Awaited<ReturnType<typeof changes.listConflicts>>[number];

export function toConflictJson(c: Omit<ConflictRow, 'resolution'> & { resolution: string | null }) {
  const details = c.details ?? {};
  return ConflictSchema.parse({
    id: c.id,
    kind: c.kind,
    severity: c.severity,
    message: c.message,
    key: details.key ?? c.id,
    accountId: c.accountId,
    opportunityId: c.opportunityId,
    repId: c.repId,
    resolution: c.resolution,
    overrideRepId: c.overrideRepId,
    resolvedBy: c.resolvedBy,
    resolvedByLabel: details.resolvedByLabel ?? null,
    resolvedAt: iso(c.resolvedAt),
    note: c.note,
  });
}

function toAssignmentJson(a: {
  accountId: string;
  fromRepId: string | null;
  toRepId: string | null;
  pinned: boolean;
  excluded: boolean;
  reason: string | null;
}) {
  return AssignmentSchema.parse({
    accountId: a.accountId,
    fromRepId: a.fromRepId,
    toRepId: a.toRepId,
    pinned: a.pinned,
    excluded: a.excluded,
    reason: a.reason,
  });
}

export function runsCtx(c: Context<AppBindings>): RunsContext {
  const { db, clock, env } = c.get('deps');
  return {
    db,
    clock,
    principal: principalOf(c),
    requestId: c.get('requestId'),
    solverTimeLimitMs: envSolveTimeLimitMs(env),
    solveQueueLimit: env.SOLVE_MAX_QUEUED_PER_ORG,
  };
}

export const runsRouter = createRouter()
  .openapi(routes.createRun, async (c) => {
    const run = await runsService.createRun({ ctx: runsCtx(c), input: c.req.valid('json') });
    return c.json(toRunJson(run), 201);
  })
  .openapi(routes.listRuns, async (c) => {
    const q = c.req.valid('query');
    const { rows, total } = await listRuns({
      ctx: runsCtx(c),
      input: {
        statuses: q.status ? [q.status] : undefined,
        kind: q.kind,
        limit: q.pageSize,
        offset: (q.page - 1) * q.pageSize,
      },
    });
    return c.json({ data: rows.map((r) => toRunJson(r)), page: q.page, pageSize: q.pageSize, total }, 200);
  })
  .openapi(routes.getRun, async (c) => {
    const { run, job } = await runsService.getRun({
      ctx: runsCtx(c),
      input: { runId: c.req.valid('param').id },
    });
    return c.json(toRunJson(run, job), 200);
  })
  .openapi(routes.solveRun, async (c) => {
    const { run, jobId, solvesAhead } = await requestSolve({
      ctx: runsCtx(c),
      input: { runId: c.req.valid('param').id },
    });
    return c.json({ run: toRunJson(run), jobId, solvesAhead }, 202);
  })
  .openapi(routes.getRunSummary, async (c) => {
    const summary = await review.getRunSummary({
      ctx: runsCtx(c),
      input: { runId: c.req.valid('param').id },
    });
    return c.json(summary, 200);
  })
  .openapi(routes.getRunDiagnosis, async (c) => {
    const diagnosis = await diagnoseRun({ ctx: runsCtx(c), input: { runId: c.req.valid('param').id } });
    return c.json(diagnosis, 200);
  })
  .openapi(routes.listRunAccounts, async (c) => {
    const q = c.req.valid('query');
    const { rows, total } = await review.listRunAccounts({
      ctx: runsCtx(c),
      input: { runId: c.req.valid('param').id, ...q },
    });
    return c.json({ data: rows, page: q.page, pageSize: q.pageSize, total }, 200);
  })
  .openapi(routes.getRunAccount, async (c) => {
    const { id, accountId } = c.req.valid('param');
    const out = await review.explainAccount({ ctx: runsCtx(c), input: { runId: id, accountId } });
    return c.json(
      {
        ...out,
        explanation: out.explanation,
        conflicts: out.conflicts.map(toConflictJson),
        opportunityChanges: out.opportunityChanges.map((o) => ({
          ...o,
          beforeSplits: o.beforeSplits ?? null,
          afterSplits: o.afterSplits ?? null,
        })),
      },
      200,
    );
  })
  .openapi(routes.pinRunAccount, async (c) => {
    const { id, accountId } = c.req.valid('param');
    const body = c.req.valid('json');
    const { run, result } = await changes.pinAccount({
      ctx: runsCtx(c),
      input: { runId: id, accountId, repId: body.repId, note: body.note },
    });
    return c.json({ run: toRunJson(run), assignment: toAssignmentJson(result) }, 200);
  })
  .openapi(routes.unpinRunAccount, async (c) => {
    const { id, accountId } = c.req.valid('param');
    const { run, result } = await changes.unpinAccount({ ctx: runsCtx(c), input: { runId: id, accountId } });
    return c.json({ run: toRunJson(run), assignment: toAssignmentJson(result) }, 200);
  })
  .openapi(routes.excludeRunAccount, async (c) => {
    const { id, accountId } = c.req.valid('param');
    const { run, result } = await changes.excludeAccount({
      ctx: runsCtx(c),
      input: { runId: id, accountId, note: c.req.valid('json').note },
    });
    return c.json({ run: toRunJson(run), assignment: toAssignmentJson(result) }, 200);
  })
  .openapi(routes.includeRunAccount, async (c) => {
    const { id, accountId } = c.req.valid('param');
    const { run, result } = await changes.includeAccount({
      ctx: runsCtx(c),
      input: { runId: id, accountId },
    });
    return c.json({ run: toRunJson(run), assignment: toAssignmentJson(result) }, 200);
  })
  .openapi(routes.bulkChangeRunAccounts, async (c) => {
    const { id } = c.req.valid('param');
    const body = c.req.valid('json');
    const { expected, ...filter } = body.matching ?? {};
    const out = await changes.bulkChange({
      ctx: runsCtx(c),
      input: {
        runId: id,
        action: body.action,
        ...(body.accountIds ? { accountIds: body.accountIds } : {}),
        ...(body.matching ? { matching: { filter, ...(expected !== undefined ? { expected } : {}) } } : {}),
        ...(body.note !== undefined ? { note: body.note } : {}),
        ...(body.repId !== undefined ? { repId: body.repId } : {}),
      },
    });
    return c.json(
      { run: toRunJson(out.run), selected: out.selected, applied: out.applied, skipped: out.skipped },
      200,
    );
  })
  .openapi(routes.listRunConflicts, async (c) => {
    const q = c.req.valid('query');
    const rows = await changes.listConflicts({
      ctx: runsCtx(c),
      input: { runId: c.req.valid('param').id, ...q },
    });
    const all =
      q.open === undefined && !q.severity && !q.kind
        ? rows
        : await changes.listConflicts({ ctx: runsCtx(c), input: { runId: c.req.valid('param').id } });
    const openBlocking = all.filter((r) => r.severity === 'blocking' && r.resolution === null).length;
    return c.json({ data: rows.map(toConflictJson), openBlocking }, 200);
  })
  .openapi(routes.resolveRunConflict, async (c) => {
    const { id, conflictId } = c.req.valid('param');
    const { run, result } = await changes.resolveConflict({
      ctx: runsCtx(c),
      input: { runId: id, conflictId, ...c.req.valid('json') },
    });
    return c.json({ run: toRunJson(run), conflict: toConflictJson(result) }, 200);
  })
  .openapi(routes.compareRuns, async (c) => {
    const out = await compareRunsVerb({
      ctx: runsCtx(c),
      input: { leftRunId: c.req.valid('param').id, rightRunId: c.req.valid('query').with },
    });
    return c.json(out, 200);
  });
