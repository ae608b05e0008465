/**
 * A realignment's independent pools as separate jobs in the Postgres queue, so that any app instance can
 * claim them and one large realignment uses every instance of a deployment. The split is solveParallel's
 * (planGroups: the same groups, the same group input and time limit), each job runs its group as a thread
 * of solveParallel would, and the parts are joined and checked the same way: with the work clock the
 * answer is the single-process one.
 *
 * The coordinator (the solve_run job, or any caller) enqueues one `solve_pools` job per group and polls the
 * queue until every part is back; a cancellation is passed on to the parts.
 */

import { hostname } from 'node:os';
import { z } from '@hono/zod-openapi';
import type { Database } from '../../db/client.ts';
import { withOrg } from '../../db/tenancy.ts';
import { enqueueJob, getJob, requestCancel } from '../../jobs/queue.ts';
import { type JobHandler, PermanentJobError } from '../../jobs/runner.ts';
import { parseJsonColumn } from '../../lib/json-column.ts';
import { wallSafetyMs } from '../../solver/clock.ts';
import type { SolveResult } from '../../solver/index.ts';
import { parseSolveInput } from '../../solver/input.ts';
import { buildProblem } from '../../solver/problem.ts';
import {
  finishReserveMs,
  type GroupPart,
  joinParts,
  planGroups,
  solveGroupPart,
} from '../../solver/worker/parallel-pools.ts';
import { WORKER_START_MS } from '../../solver/worker/solve-in-worker.ts';

export const POOL_JOB_KIND = 'solve_pools';

const isObject = (v: unknown) => typeof v === 'object' && v !== null;
/**
 * What a pool job returns (its job's `result`, as solveGroupPart made it): the group's part, a result without an
 * answer, or an error. The part and the result are the solver's own objects: joinParts checks what they hold.
 */
const poolJobResult = z.union([
  z.object({ error: z.string() }),
  z.object({ result: z.custom<SolveResult>(isObject) }),
  z.object({ part: z.custom<GroupPart>(isObject) }),
]);

/** The `solve_pools` job: one group of pools of a solve (payload: the group input, the pools). */
export const solvePoolsJob: JobHandler = async (job, ctx) => {
  const { input, pools, wallClockSafety } = job.payload;
  if (!Array.isArray(pools) || !pools.every((p) => Number.isInteger(p) && p >= 0))
    throw new PermanentJobError('The pool job names no pools.');
  const parsed = parseSolveInput(input);
  if (!parsed.ok) return { result: { status: 'invalid', issues: parsed.issues, millis: 0 } };
  const built = buildProblem(parsed.input);
  if (!built.ok) return { result: { status: 'invalid', issues: built.issues, millis: 0 } };
  if (pools.some((p) => p >= built.problem.pools.length))
    throw new PermanentJobError('The pool job names a pool the input does not have.');
  // As solveParallel's threads: the group's limit from its start, with the join's reserve after it.
  const reserve = finishReserveMs(parsed.input.accounts.length);
  const wallDeadline =
    Date.now() + wallSafetyMs(parsed.input.timeLimitMs + WORKER_START_MS + reserve) - reserve;
  const out = await solveGroupPart(
    { input, pools: pools as number[], wallDeadline, wallClockSafety: wallClockSafety !== false },
    built.problem,
    ctx.signal,
  );
  // Which instance solved the part (operations, and the test that two instances share a solve).
  return { ...out, instance: { host: hostname(), pid: process.pid } };
};

export interface AcrossInstancesOptions {
  db: Database;
  orgId: string;
  /** Names the parts' jobs (`<key>:<group>`), e.g. the coordinating job's id. */
  key: string;
  signal?: AbortSignal;
  /** False: the parts count time in work alone (tests of determinism on a busy machine). */
  wallClockSafety?: boolean;
  pollMs?: number;
}

/**
 * Solves `raw` with its pools as jobs any instance may claim; null when the input does not split (one
 * pool, a departure, a short limit: solve it in one process). The parts may run one after another when
 * few runners are free, so the coordinator waits up to one limit per part.
 */
export async function solveAcrossInstances(
  raw: unknown,
  options: AcrossInstancesOptions,
): Promise<SolveResult | null> {
  const t0 = Date.now();
  const plan = planGroups(raw);
  if (!plan) return null;
  const { db, orgId } = options;
  const ids = await withOrg(db, { orgId }, async (tx) => {
    const out: string[] = [];
    for (const [g, pools] of plan.groups.entries()) {
      const job = await enqueueJob(tx, {
        orgId,
        kind: POOL_JOB_KIND,
        payload: {
          input: plan.groupInput,
          pools,
          ...(options.wallClockSafety === false ? { wallClockSafety: false } : {}),
        },
        dedupeKey: `${options.key}:${g}`,
        maxAttempts: 1,
      });
      out.push(job.id);
    }
    return out;
  });
  const cancelAll = () =>
    withOrg(db, { orgId }, async (tx) => {
      for (const id of ids) await requestCancel(tx, id);
    });
  const giveUpAt = t0 + plan.timeLimitMs * plan.groups.length + 30_000;
  const pollMs = options.pollMs ?? 200;
  for (;;) {
    if (options.signal?.aborted) {
      await cancelAll();
      return { status: 'timeout', reason: 'cancelled', millis: Date.now() - t0, assignments: null };
    }
    const rows = await withOrg(db, { orgId }, async (tx) => Promise.all(ids.map((id) => getJob(tx, id))));
    const broken = rows.find((r) => !r || r.status === 'failed' || r.status === 'cancelled');
    if (broken || Date.now() > giveUpAt) {
      await cancelAll();
      const why = broken ? (broken.error ?? broken.status) : 'the pool jobs did not finish in time';
      return {
        status: 'timeout',
        reason: `a pool job failed: ${why}`,
        millis: Date.now() - t0,
        assignments: null,
      };
    }
    if (rows.every((r) => r?.status === 'succeeded')) {
      const results = rows.map((r) =>
        parseJsonColumn(poolJobResult, r!.result, { table: 'jobs', column: 'result', rowId: r!.id }),
      );
      const failed = results.find((r) => 'error' in r);
      if (failed && 'error' in failed)
        return { status: 'timeout', reason: failed.error, millis: Date.now() - t0, assignments: null };
      const whole = results.find((r) => 'result' in r);
      if (whole && 'result' in whole) return { ...whole.result, millis: Date.now() - t0 } as SolveResult;
      const parts = results.flatMap((r) => ('part' in r ? [r.part] : []));
      return joinParts(plan.problem, plan.groups, parts, t0, `pools as ${plan.groups.length} jobs`);
    }
    await new Promise((resolve) => setTimeout(resolve, pollMs));
  }
}
