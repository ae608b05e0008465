/**
 * The solve time limit's one home: one unit (milliseconds) and one default. The deployment sets it in
 * seconds (SOLVER_TIME_LIMIT_SECONDS, env.ts); an org may set a lower one in its settings
 * (`solverTimeLimitSeconds`); everything else reads it from here, in milliseconds.
 */

import type { Env } from './env.ts';

/** The limit when nothing sets one (SOLVER_TIME_LIMIT_SECONDS defaults to the same 60 s). */
export const DEFAULT_SOLVE_TIME_LIMIT_MS = 60_000;

/** The shortest solve the job runs, whatever is asked. */
const MIN_SOLVE_TIME_LIMIT_MS = 100;

/** The deployment's limit (SOLVER_TIME_LIMIT_SECONDS), in milliseconds. */
export function envSolveTimeLimitMs(env: Pick<Env, 'SOLVER_TIME_LIMIT_SECONDS'>): number {
  return Math.round(env.SOLVER_TIME_LIMIT_SECONDS * 1000);
}

/** The org's own limit from its settings (`solverTimeLimitSeconds`, a positive number), in ms; else null. */
export function orgSolveTimeLimitMs(
  settings: { solverTimeLimitSeconds?: unknown } | undefined,
): number | null {
  const seconds = Number(settings?.solverTimeLimitSeconds);
  return Number.isFinite(seconds) && seconds > 0 ? Math.round(seconds * 1000) : null;
}

/** The limit a solve runs with: the one asked for (or the default), never above the org's, at least 100 ms. */
export function effectiveSolveTimeLimitMs(requestedMs: number | undefined, orgMs: number | null): number {
  const requested = requestedMs || DEFAULT_SOLVE_TIME_LIMIT_MS;
  return Math.max(MIN_SOLVE_TIME_LIMIT_MS, Math.min(requested, orgMs ?? requested));
}
