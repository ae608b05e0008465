/**
 * Every background job kind the app runs, and its handler. src/index.ts starts one runner with these; tests
 * start their own with the handlers they need. Add a kind here when a service gains a job. It lives with the
 * app's assembly so that src/jobs (the queue and the runner) imports no service.
 */

import type { JobHandler } from '../jobs/runner.ts';
import { createSendNoticesHandler } from '../services/after/sender.ts';
import { IMPORT_JOB_KIND, importApplyJob } from '../services/imports/import-job.ts';
import { POOL_JOB_KIND, solvePoolsJob } from '../services/solve/pool-jobs.ts';
import { createSolveRunJob } from '../services/solve/solve-run-job.ts';
import type { SolveSlots } from '../services/solve/solve-slots.ts';

export interface JobHandlerOptions {
  /** Solve a realignment's pools as separate jobs any instance may claim (SOLVE_POOL_JOBS). */
  solvePoolsAsJobs?: boolean;
  /** The solver slots (shared with what-ifs and every instance): run solves beyond them wait queued. */
  solveSlots?: SolveSlots;
}

/** The handlers; every instance runs pool jobs, whether or not its own solves split into them. */
export function createJobHandlers(options: JobHandlerOptions = {}): Record<string, JobHandler> {
  return {
    [IMPORT_JOB_KIND]: importApplyJob,
    send_notices: createSendNoticesHandler(),
    solve_run: createSolveRunJob({
      poolJobs: options.solvePoolsAsJobs ?? false,
      ...(options.solveSlots ? { slots: options.solveSlots } : {}),
    }),
    [POOL_JOB_KIND]: solvePoolsJob,
  };
}
