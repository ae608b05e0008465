/**
 * Worker-thread entry: runs the pure solve, posting each incumbent so a hard kill still has the best answer.
 * Started by solveInWorker (the whole solve: pools split over threads when that pays, parallel-pools.ts)
 * and by parallel-pools for one group of pools (`pools` set).
 */
import { parentPort, workerData } from 'node:worker_threads';
import { warmHighs } from '../engines/highs.ts';
import { solve } from '../solve.ts';
import { solveParallel } from './parallel-pools.ts';

interface Start {
  input: unknown;
  /** Int32Array over a SharedArrayBuffer: [0] becomes 1 when the caller cancels. */
  stopFlag: SharedArrayBuffer;
  /** One group of a parallel solve: these pools only, with the coordinator's wall-clock deadline. */
  pools?: number[];
  wallDeadline?: number;
  wallClockSafety?: boolean;
}

const { input, stopFlag, pools, wallDeadline, wallClockSafety } = workerData as Start;
// HiGHS compiles while the construction runs (its first use in a fresh thread waited 0.5-1 s otherwise).
warmHighs();
const flag = new Int32Array(stopFlag);
const hooks = {
  shouldStop: () => Atomics.load(flag, 0) === 1,
  onIncumbent: (_problem: unknown, assign: Int32Array, engine: string) => {
    parentPort!.postMessage({ type: 'incumbent', assign, engine });
  },
};

(pools
  ? solve(input, {
      ...hooks,
      pools,
      ...(wallDeadline !== undefined ? { wallDeadline } : {}),
      ...(wallClockSafety !== undefined ? { wallClockSafety } : {}),
    })
  : solveParallel(input, { ...hooks, stopFlag })
).then(
  (result) => parentPort!.postMessage({ type: 'result', result }),
  (error: unknown) =>
    parentPort!.postMessage({ type: 'error', message: (error as Error)?.message ?? String(error) }),
);
