/** Service verb: ask for a run to be solved. The solve runs as a job (never on the request); the run shows its progress. */

import { and, count, eq, ne } from 'drizzle-orm';
import { runs } from '../../../db/schema/index.ts';
import { orgScope } from '../../auth/principal.ts';
import type { Tx } from '../../db/client.ts';
import { withOrg } from '../../db/tenancy.ts';
import { enqueueJob } from '../../jobs/queue.ts';
import { AppError } from '../../lib/errors.ts';
import { DEFAULT_SOLVE_TIME_LIMIT_MS } from '../../lib/solve-time-limit.ts';
import { actorFields } from '../audit/actor.ts';
import {
  lockRun,
  type RunRow,
  type RunsContext,
  SOLVE_JOB_KIND,
  transitionRun,
} from '../run-records/run-records.ts';

export async function requestSolve({
  ctx,
  input,
}: {
  ctx: RunsContext;
  input: { runId: string };
}): Promise<{ run: RunRow; jobId: string; solvesAhead: number }> {
  const actor = actorFields(ctx);
  return withOrg(ctx.db, orgScope(ctx.principal), async (tx) => {
    const run = await lockRun(tx, input.runId);
    const solvesAhead = await otherRunsSolving(tx, run.id);
    if (ctx.solveQueueLimit !== undefined && run.status !== 'solving' && solvesAhead >= ctx.solveQueueLimit) {
      throw new AppError(
        'TOO_MANY_REQUESTS',
        `${solvesAhead} runs of your org are already queued or solving (at most ${ctx.solveQueueLimit}); ` +
          'try again when one has finished, or cancel one you no longer need.',
        { headers: { 'Retry-After': '30' } },
      );
    }
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
        timeLimitMs: ctx.solverTimeLimitMs ?? DEFAULT_SOLVE_TIME_LIMIT_MS,
        requestedBy: actor.actorLabel,
      },
    });
    return { run: solving, jobId: job.id, solvesAhead };
  });
}

/** The org's other runs queued or solving now (RLS keeps this to the caller's org). */
async function otherRunsSolving(tx: Tx, runId: string): Promise<number> {
  const [row] = await tx
    .select({ n: count() })
    .from(runs)
    .where(and(eq(runs.status, 'solving'), ne(runs.id, runId)));
  return row?.n ?? 0;
}
