/** Service verb: ask for a run to be solved. The solve runs as a job (never on the request); the run shows its progress. */
import { orgScope } from '../../auth/principal.ts';
import { withOrg } from '../../db/tenancy.ts';
import { enqueueJob } from '../../jobs/queue.ts';
import {
  actorOf,
  lockRun,
  type RunRow,
  type RunsContext,
  SOLVE_JOB_KIND,
  transitionRun,
} from '../run-records/run-records.ts';

export const DEFAULT_SOLVER_TIME_LIMIT_MS = 60_000;

export async function requestSolve({
  ctx,
  input,
}: {
  ctx: RunsContext;
  input: { runId: string };
}): Promise<{ run: RunRow; jobId: string }> {
  const actor = actorOf(ctx);
  return withOrg(ctx.db, orgScope(ctx.principal), async (tx) => {
    const run = await lockRun(tx, input.runId);
    // solve from solved / in review / approved is a re-solve: it voids an approval like any other change.
    const solving = await transitionRun(tx, run, 'solve', actor, {}, ctx.clock());
    const job = await enqueueJob(tx, {
      orgId: run.orgId,
      kind: SOLVE_JOB_KIND,
      runId: run.id,
      dedupeKey: `solve:${run.id}`,
      // A solve that failed for want of a worker is retried; the job itself is deterministic.
      maxAttempts: 2,
      payload: {
        runId: run.id,
        timeLimitMs: ctx.solverTimeLimitMs ?? DEFAULT_SOLVER_TIME_LIMIT_MS,
        requestedBy: actor.label,
      },
    });
    return { run: solving, jobId: job.id };
  });
}
