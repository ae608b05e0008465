/** What the run pages' route groups share: roles, the run of the path, the service context, form lists. */
import type { Context } from 'hono';
import type { AppBindings } from '../../api/context.ts';
import { requireRole } from '../../auth/require-role.ts';
import { AppError } from '../../lib/errors.ts';
import { envSolveTimeLimitMs } from '../../lib/solve-time-limit.ts';
import type { OrgContext } from '../../services/auth/context.ts';
import { listRepChoices } from '../../services/book/rep-list.ts';
import { getRun } from '../../services/plan/create-run.ts';
import type { AccountTableFilter } from '../../services/review/review.ts';
import type { RunsContext } from '../../services/run-records/run-records.ts';
import { orgCtx } from '../shared/context.ts';
import type { RunRecord, SolveJob } from './run-page.tsx';

export const VIEW_ROLES = ['admin', 'manager', 'analyst', 'finance'] as const;
export const DRAFT_ROLES = ['manager', 'analyst'] as const;
export const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;
export const ACCOUNT_PAGE = 50;

/** The guards of the run pages: who may look, and who may draft and change a run. */
export const viewers = requireRole(...VIEW_ROLES);
export const drafters = requireRole(...DRAFT_ROLES);

export function runsCtx(c: Context<AppBindings>): RunsContext {
  const ctx = orgCtx(c);
  return {
    ...ctx,
    requestId: ctx.requestId ?? '',
    solverTimeLimitMs: envSolveTimeLimitMs(c.get('deps').env),
    solveQueueLimit: c.get('deps').env.SOLVE_MAX_QUEUED_PER_ORG,
  };
}

/** The reps a person may pick as an account's new owner: active people who may receive and have no end date. */
export async function receiverChoices(ctx: OrgContext) {
  return (await listRepChoices(ctx)).filter(
    (r) => r.kind === 'person' && r.active && r.mayReceive && !r.endDate,
  );
}

export function runId(c: Context<AppBindings>): string {
  const id = c.req.param('id') ?? '';
  if (!UUID.test(id)) throw new AppError('NOT_FOUND', 'That run does not exist.');
  return id;
}

export function list(form: Record<string, unknown>, key: string): string[] {
  const v = form[key] ?? form[`${key}[]`];
  const arr = Array.isArray(v) ? v : v === undefined ? [] : [v];
  return arr.filter((x): x is string => typeof x === 'string' && x !== '');
}

/** The account table's filter as the service reads it, from the query (the table) or the form (all matching). */
export function accountFilterOf(get: (key: string) => string | undefined): AccountTableFilter {
  const rep = get('rep');
  const moved = get('moved');
  return {
    ...(rep && UUID.test(rep) ? { repId: rep } : {}),
    ...(get('region') ? { region: get('region') } : {}),
    ...(moved === '1' || moved === '0' ? { moved: moved === '1' } : {}),
    ...(get('conflict') ? { conflict: true } : {}),
  };
}

/** The run named in the path with its latest solve job; a 404 for an id that is not a run of the org. */
export const loadRun = async (c: Context<AppBindings>) => {
  const { run, job } = await getRun({ ctx: runsCtx(c), input: { runId: runId(c) } });
  return { run: run as RunRecord, job: job as SolveJob | null };
};
