/**
 * The `solve_run` job: loads the run's book as planned, builds the solver input (roster, ruleset, run params,
 * pins and exclusions), solves in a worker thread under a hard limit with the job's AbortSignal, and stores the
 * proposal, the solver's status/objective/bound/gap, the metrics, the conflicts and the proposal hash.
 */

import { eq, sql } from 'drizzle-orm';
import { runAssignments, runs } from '../../../db/schema/index.ts';
import type { Tx } from '../../db/client.ts';
import { DeferJobError, type JobHandler, PermanentJobError } from '../../jobs/runner.ts';
import { AppError } from '../../lib/errors.ts';
import { effectiveSolveTimeLimitMs } from '../../lib/solve-time-limit.ts';
import { type Proposal, type SolveResult, solveInWorker } from '../../solver/index.ts';
import { hardLimitMs } from '../../solver/worker/solve-in-worker.ts';
import { SYSTEM_ACTOR } from '../audit/actor.ts';
import { loadPlanningContext, type PlanningContext } from '../plan/planning-context.ts';
import { findRun, lockRun, type RunRow, transitionRun } from '../run-records/run-records.ts';
import { solveAcrossInstances } from './pool-jobs.ts';
import { proposalRows, type Solved, writeProposalRows } from './proposal-rows.ts';
import { refreshProposal } from './refresh-proposal.ts';
import { type PlannedSolve, solvePlan } from './solve-plan.ts';
import type { SolveSlots } from './solve-slots.ts';

interface Prepared {
  run: RunRow;
  plan: PlanningContext;
  pins: Map<string, string>;
  excluded: Set<string>;
}

export interface SolveRunJobOptions {
  /** Solve the pools as jobs any instance may claim (pool-jobs.ts) when the input splits. */
  poolJobs?: boolean;
  /** The solver slots of every instance, shared with what-ifs; without them a run solve takes no slot. */
  slots?: SolveSlots;
}

/** How soon a run solve that found no free slot looks again. */
export const SLOT_RETRY_MS = 1000;

export const createSolveRunJob =
  (options: SolveRunJobOptions = {}): JobHandler =>
  async (job, ctx) => {
    if (!options.slots) return solveRun(job, ctx, options);
    // A run solve takes a slot only when one is free now: otherwise its job waits in the queue (not in
    // this process's runner, which stays free for other orgs' jobs), and the run shows it is queued.
    const slot = await options.slots.tryAcquireRun(job.orgId);
    if (!slot) throw new DeferJobError(SLOT_RETRY_MS, { phase: 'queued', waitingFor: 'a solver slot' });
    try {
      // A lost lease stops the solve like a shutdown does: the run fails and says to solve it again.
      return await solveRun(job, { ...ctx, signal: AbortSignal.any([ctx.signal, slot.signal]) }, options);
    } finally {
      await slot.release();
    }
  };

export const solveRunJob: JobHandler = createSolveRunJob();

const solveRun = async (
  job: Parameters<JobHandler>[0],
  ctx: Parameters<JobHandler>[1],
  options: SolveRunJobOptions,
) => {
  const runId = String(job.payload.runId ?? '');
  if (!/^[0-9a-f-]{36}$/i.test(runId)) throw new PermanentJobError('The solve job names no run.');
  const started = new Date();
  let prepared: Prepared | { skip: string };
  try {
    prepared = await ctx.inOrg(async (tx) => {
      const run = await findRun(tx, runId).catch(() => null);
      if (!run) throw new PermanentJobError(`Run ${runId} no longer exists.`);
      if (run.status !== 'solving') return { skip: `run is ${run.status}` };
      const plan = await loadPlanningContext(tx, run, started);
      const rows = await tx
        .select({
          accountId: runAssignments.accountId,
          toRepId: runAssignments.toRepId,
          pinned: runAssignments.pinned,
          excluded: runAssignments.excluded,
        })
        .from(runAssignments)
        .where(eq(runAssignments.runId, run.id));
      const pins = new Map(rows.filter((r) => r.pinned && r.toRepId).map((r) => [r.accountId, r.toRepId!]));
      const excluded = new Set(rows.filter((r) => r.excluded).map((r) => r.accountId));
      return { run, plan, pins, excluded };
    });
  } catch (error) {
    if (error instanceof AppError) {
      // A broken ruleset or a vanished reference: retrying cannot help; the run says why.
      await failRun(ctx.inOrg, runId, `${error.message}${detailText(error.details)}`);
      throw new PermanentJobError(error.message);
    }
    throw error;
  }
  if ('skip' in prepared) return { skipped: prepared.skip };
  const { plan, pins, excluded } = prepared;

  const timeLimitMs = effectiveSolveTimeLimitMs(Number(job.payload.timeLimitMs), plan.orgTimeLimitMs);
  await ctx.reportProgress({ phase: 'solving', accounts: plan.book.accounts.length, timeLimitMs });
  const limits = { signal: ctx.signal, hardLimitMs: hardLimitMs(timeLimitMs) };
  let solves = 0;
  const solveIt = async (input: unknown): Promise<SolveResult> => {
    solves += 1;
    const across = options.poolJobs
      ? await solveAcrossInstances(input, {
          db: ctx.db,
          orgId: job.orgId,
          key: `solve-pools:${job.id}:${job.attempts}:${solves}`,
          signal: ctx.signal,
        })
      : null;
    return across ?? solveInWorker(input, limits);
  };
  const { result, built, unassigned, hireBounds } = await solvePlan(
    plan,
    {
      reassignmentDate: prepared.run.reassignmentDate,
      timeLimitMs,
      pins,
      excluded,
      signal: ctx.signal,
      onRetry: (n) => ctx.reportProgress({ phase: 'solving', unassigned: n, timeLimitMs }),
    },
    solveIt,
  );
  await ctx.reportProgress({ phase: 'storing' });
  const { protections } = built;
  return ctx.inOrg((tx) =>
    store(tx, runId, plan, { result, unassigned, hireBounds }, protections, ctx.signal, started),
  );
};

function detailText(details: unknown): string {
  if (!Array.isArray(details)) return '';
  return ` (${details.map((d: { path?: string; message?: string }) => `${d.path}: ${d.message}`).join('; ')})`;
}

async function failRun(inOrg: <T>(w: (tx: Tx) => Promise<T>) => Promise<T>, runId: string, reason: string) {
  await inOrg(async (tx) => {
    const run = await lockRun(tx, runId);
    if (run.status === 'solving')
      await transitionRun(tx, run, 'solve_failed', SYSTEM_ACTOR, { failureReason: reason.slice(0, 4000) });
  });
}

type Answer = Pick<PlannedSolve, 'result' | 'unassigned' | 'hireBounds'>;
/** A solve that returned none: infeasible, invalid, or out of time before a first answer. */
type Unsolved = Exclude<SolveResult, Proposal>;

async function store(
  tx: Tx,
  runId: string,
  plan: PlanningContext,
  answer: Answer,
  /** Why each protected account of the solve input is kept (the ruleset's reasons, or not selected). */
  protections: ReadonlyMap<string, string[]>,
  signal: AbortSignal,
  started: Date,
) {
  const { result, unassigned: omitted, hireBounds } = answer;
  const run = await lockRun(tx, runId);
  // Cancelled (or otherwise moved on) while the solver worked: the answer is not wanted.
  if (run.status !== 'solving') return { discarded: `run is ${run.status}` };
  if (signal.aborted) return stopAborted(tx, run, signal);
  if (result.status === 'infeasible' || result.status === 'invalid' || result.assignments === null)
    return storeFailure(tx, run, plan, result);

  // The proposal: one row per account the run concerns, keeping pins and exclusions.
  const existing = await tx
    .select({
      accountId: runAssignments.accountId,
      pinned: runAssignments.pinned,
      excluded: runAssignments.excluded,
    })
    .from(runAssignments)
    .where(eq(runAssignments.runId, run.id));
  const keep = new Set(existing.filter((r) => r.pinned || r.excluded).map((r) => r.accountId));
  const now = new Date();
  const rows = proposalRows(run, plan, result, { omitted, protections, keep }, now);
  const wanted = new Set(rows.map((r) => r.accountId));
  const stale = existing
    .filter((r) => !wanted.has(r.accountId) && !r.pinned && !r.excluded)
    .map((r) => r.accountId);
  await writeProposalRows(tx, run.id, stale, rows);
  const solverStatus = result.status;
  await tx
    .update(runs)
    .set(solvedColumns(plan, result, { unassigned: omitted, hireBounds }, now, started))
    .where(eq(runs.id, run.id));
  const fresh = await findRun(tx, run.id);
  const refreshed = await refreshProposal(tx, fresh, plan, result.conflicts, now);
  const solved = await findRun(tx, run.id);
  await transitionRun(tx, solved, 'solve_succeeded', SYSTEM_ACTOR, {}, now);
  return {
    status: solverStatus,
    moved: result.moved,
    objective: result.objective,
    gap: result.gap,
    conflicts: refreshed.conflicts.length,
    unassigned: omitted.size,
  };
}

/** The job was stopped while the solver worked: a cancel request cancels the run, anything else fails it. */
async function stopAborted(tx: Tx, run: RunRow, signal: AbortSignal) {
  const why = signal.reason instanceof Error ? signal.reason.message : String(signal.reason ?? 'aborted');
  if (why === 'cancelled') {
    await transitionRun(tx, run, 'cancel', SYSTEM_ACTOR, {
      cancelledAt: new Date(),
      failureReason: 'The solve was cancelled on request.',
    });
    return { cancelled: true };
  }
  await transitionRun(tx, run, 'solve_failed', SYSTEM_ACTOR, {
    failureReason: `The solve was interrupted (${why}); solve the run again.`,
  });
  return { interrupted: why };
}

/** No assignment came back: the run keeps the solver's status and reasons, and its solve fails saying why. */
async function storeFailure(tx: Tx, run: RunRow, plan: PlanningContext, result: Unsolved) {
  const millis = 'millis' in result ? result.millis : 0;
  const reasons =
    result.status === 'infeasible'
      ? result.reasons.map((r) => r.message)
      : result.status === 'invalid'
        ? result.issues.map((i) => `${i.path.join('.') || '(input)'}: ${i.message}`)
        : [result.reason];
  await tx
    .update(runs)
    .set({
      solverStatus: result.status,
      solveMs: millis,
      solverObjective: null,
      solverBound: null,
      solverGap: null,
      metrics: {
        asOfDate: plan.asOfDate,
        failure: result.status === 'infeasible' ? result.reasons : reasons,
      },
    })
    .where(eq(runs.id, run.id));
  const reread = await findRun(tx, run.id);
  const label =
    result.status === 'infeasible'
      ? 'No assignment satisfies the rules'
      : result.status === 'invalid'
        ? 'The solver input is not valid'
        : 'The solver found no answer';
  await transitionRun(tx, reread, 'solve_failed', SYSTEM_ACTOR, {
    failureReason: `${label}: ${reasons.join(' ')}`.slice(0, 4000),
  });
  return { status: result.status, reasons };
}

/** The run's solver columns and metrics after a solve that returned assignments. */
function solvedColumns(
  plan: PlanningContext,
  result: Solved,
  left: Pick<Answer, 'unassigned' | 'hireBounds'>,
  now: Date,
  started: Date,
) {
  const { unassigned: omitted, hireBounds } = left;
  return {
    solverEngine: result.engine,
    solverStatus: result.status,
    solverObjective: result.objective,
    solverBound: result.lowerBound,
    solverGap: result.gap,
    solveMs: result.millis,
    failureReason: null,
    version: sql`${runs.version} + 1`,
    metrics: {
      asOfDate: plan.asOfDate,
      moved: result.moved,
      balance: result.balance,
      pools: result.pools,
      // Each balanced rep's target, for the per-rep review (the solver's weighted share of its pool).
      targets: Object.fromEntries(
        result.reps
          .filter((r) => r.targetCount !== null)
          .map((r) => [r.repId, { count: r.targetCount, revenueCents: r.targetRevenueCents }]),
      ),
      solverConflicts: result.conflicts,
      unassigned: [...omitted.keys()],
      ...(hireBounds.length > 0 ? { hireBounds } : {}),
      ...(result.status === 'timeout' ? { timeoutReason: result.reason } : {}),
      solvedAt: now.toISOString(),
      solveStartedAt: started.toISOString(),
    },
  };
}
