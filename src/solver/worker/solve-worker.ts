/** Worker-thread entry: runs the pure solve, posting each incumbent so a hard kill still has the best answer. */
import { parentPort, workerData } from 'node:worker_threads';
import { solve } from '../solve.ts';

interface Start {
  input: unknown;
  /** Int32Array over a SharedArrayBuffer: [0] becomes 1 when the caller cancels. */
  stopFlag: SharedArrayBuffer;
}

const { input, stopFlag } = workerData as Start;
const flag = new Int32Array(stopFlag);

solve(input, {
  shouldStop: () => Atomics.load(flag, 0) === 1,
  onIncumbent: (_problem, assign, engine) => {
    parentPort!.postMessage({ type: 'incumbent', assign, engine });
  },
}).then(
  (result) => parentPort!.postMessage({ type: 'result', result }),
  (error: unknown) =>
    parentPort!.postMessage({ type: 'error', message: (error as Error)?.message ?? String(error) }),
);
