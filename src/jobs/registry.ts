/**
 * Every background job kind the app runs, and its handler. src/index.ts starts one runner with these; tests
 * start their own with the handlers they need. Add a kind here when a service gains a job.
 */
import { IMPORT_JOB_KIND, importApplyJob } from '../services/imports/import-job.ts';
import { createSendNoticesHandler } from '../services/notices/sender.ts';
import { solveRunJob } from '../services/solving/solve-run-job.ts';
import type { JobHandler } from './runner.ts';

export const jobHandlers: Record<string, JobHandler> = {
  [IMPORT_JOB_KIND]: importApplyJob,
  send_notices: createSendNoticesHandler(),
  solve_run: solveRunJob,
};
