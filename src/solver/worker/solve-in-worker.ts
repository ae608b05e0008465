/**
 * Runs a solve in a worker thread with a hard wall-clock limit (worker.terminate()) and cancellation, so a
 * solve never blocks the event loop. After a kill the last incumbent the worker posted is verified and
 * returned as `timeout` with the best answer so far.
 */
import { Worker } from 'node:worker_threads';
import { wallSafetyMs } from '../clock.ts';
import { parseSolveInput } from '../input.ts';
import { buildProblem } from '../problem.ts';
import type { SolveResult } from '../result.ts';
import { finish, poolBinaries } from '../solve.ts';
import { poolScore, stateFrom } from '../state.ts';

export interface WorkerSolveOptions {
  /** Hard limit; defaults to the input's timeLimitMs plus a grace for the worker to hand back its answer. */
  hardLimitMs?: number;
  signal?: AbortSignal;
}

/** Extra time after the solve's wall-clock safety before the worker is killed (HiGHS overruns its limit). */
export const HARD_LIMIT_GRACE_MS = 1500;

/**
 * Starting a worker thread (measured 0.45-0.9 s from TypeScript sources: tsx's loader, HiGHS), before its solve's
 * clocks start.
 */
export const WORKER_START_MS = 1500;

/**
 * When a worker solving with this time limit is killed: after its start and the work clock's wall-clock safety
 * (clock.ts, WALL_SAFETY_FACTOR times both, so a loaded machine still gets the reproducible answer) and a grace.
 * The start counts because the hard limit runs from the thread's creation: without it a 0.1 s solve was killed
 * after 1.75 s while its thread was still loading on a busy machine, and a packing proof became a timeout.
 */
export function hardLimitMs(timeLimitMs: number): number {
  return wallSafetyMs(timeLimitMs + WORKER_START_MS) + HARD_LIMIT_GRACE_MS;
}
/** After cancellation, the worker gets this long to return its best answer before it is killed. */
const CANCEL_GRACE_MS = 300;

/** What a solve worker (solve-worker.ts) posts. */
export type SolveWorkerMessage =
  | { type: 'incumbent'; assign: Int32Array; engine: string }
  | { type: 'result'; result: SolveResult }
  | { type: 'error'; message: string };

/**
 * A worker running solve-worker.ts with `workerData`. The app, the CLI, vitest and the bench all run
 * TypeScript sources: from .ts, a bootstrap registers tsx inside the worker first (a loader passed through
 * execArgv is not applied to a worker's entry on Node 20).
 */
export function startSolveWorker(workerData: unknown): Worker {
  const fromTs = import.meta.url.endsWith('.ts');
  const url = new URL(fromTs ? './solve-worker-bootstrap.mjs' : './solve-worker.js', import.meta.url);
  return new Worker(url, { workerData });
}

export function solveInWorker(input: unknown, options: WorkerSolveOptions = {}): Promise<SolveResult> {
  const t0 = Date.now();
  const hardLimit = options.hardLimitMs ?? hardLimitMs(requestedLimitMs(input));
  const stopFlag = new SharedArrayBuffer(4);
  const flag = new Int32Array(stopFlag);
  const worker = startSolveWorker({ input, stopFlag });

  return new Promise<SolveResult>((resolve) => {
    let best: Incumbent | null = null;
    let settled = false;
    const timers: NodeJS.Timeout[] = [];
    const done = (result: SolveResult) => {
      if (settled) return;
      settled = true;
      for (const t of timers) clearTimeout(t);
      options.signal?.removeEventListener('abort', onAbort);
      void worker.terminate();
      resolve(result);
    };
    const fromIncumbent = (reason: string) => resultFromIncumbent(input, best, reason, t0);
    const onAbort = () => {
      Atomics.store(flag, 0, 1);
      timers.push(setTimeout(() => done(fromIncumbent('cancelled: best answer so far')), CANCEL_GRACE_MS));
    };
    if (options.signal?.aborted) onAbort();
    else options.signal?.addEventListener('abort', onAbort, { once: true });
    timers.push(
      setTimeout(
        () =>
          done(
            fromIncumbent(
              `stopped at the hard time limit of ${Math.round(hardLimit)} ms: best answer so far`,
            ),
          ),
        hardLimit,
      ),
    );
    worker.on('message', (msg: SolveWorkerMessage) => {
      if (msg.type === 'incumbent') best = { assign: msg.assign, engine: msg.engine };
      else if (msg.type === 'result') {
        const result = msg.result;
        done(
          options.signal?.aborted && result.status === 'feasible'
            ? { ...result, status: 'timeout', reason: 'cancelled: best answer so far' }
            : result,
        );
      } else if (msg.type === 'error') done(fromIncumbent(`the solver failed (${msg.message})`));
    });
    worker.on('error', (e) => done(fromIncumbent(`the solver worker crashed (${e.message})`)));
    worker.on('exit', (code) => {
      if (!settled) done(fromIncumbent(`the solver worker exited (code ${code})`));
    });
  });
}

/** The input's time limit when it gives one (the worker checks the rest), else 60 s. */
function requestedLimitMs(input: unknown): number {
  return typeof input === 'object' &&
    input !== null &&
    typeof (input as { timeLimitMs?: unknown }).timeLimitMs === 'number'
    ? (input as { timeLimitMs: number }).timeLimitMs
    : 60_000;
}

/** The last assignment a worker posted, and the engine that found it. */
type Incumbent = { assign: Int32Array; engine: string };

/** The answer after the worker stopped without its result: the incumbent, checked and reported, as a timeout. */
function resultFromIncumbent(
  input: unknown,
  best: Incumbent | null,
  reason: string,
  t0: number,
): SolveResult {
  if (!best)
    return {
      status: 'timeout',
      reason: `${reason}; no answer had been found yet`,
      millis: Date.now() - t0,
      assignments: null,
    };
  const parsed = parseSolveInput(input);
  if (!parsed.ok) return { status: 'invalid', issues: parsed.issues, millis: Date.now() - t0 };
  const built = buildProblem(parsed.input);
  if (!built.ok) return { status: 'invalid', issues: built.issues, millis: Date.now() - t0 };
  const problem = built.problem;
  const state = stateFrom(problem, best.assign);
  const pools = problem.pools.map((pool) => ({
    label: pool.label,
    reps: pool.reps.length,
    movable: pool.movable.length,
    binaries: poolBinaries(problem, pool),
    engine: best.engine,
    objective: poolScore(state, pool).objective,
    lowerBound: null,
    proven: false,
  }));
  const result = finish(problem, state, pools, best.engine, t0, null, undefined, false);
  if (result.status === 'feasible') return { ...result, status: 'timeout', reason };
  return result;
}
