/** Worker-thread entry of runHighsMany: runs each job it is sent through runHighs, one at a time. */
import { parentPort } from 'node:worker_threads';
import type { MipModel } from '../model.ts';
import { type HighsRun, runHighs, warmHighs } from './highs.ts';
import type { JobMessage, ResultMessage } from './highs-threads.ts';

// Compiled while the worker waits for its first job.
warmHighs();

parentPort!.on('message', async (msg: JobMessage) => {
  if (msg?.type !== 'job') return;
  const t0 = Date.now();
  const flag = msg.stopFlag ? new Int32Array(msg.stopFlag) : null;
  let run: HighsRun;
  try {
    // runHighs reads the sizes and the column, row and matrix arrays only; the row arrays arrive as typed
    // arrays (indexed the same way) and the blocks and pool stay with the caller.
    run = await runHighs(msg.model as unknown as MipModel, {
      ...msg.options,
      ...(flag ? { shouldStop: () => Atomics.load(flag, 0) === 1 } : {}),
    });
  } catch (e) {
    run = { status: 'error', message: e instanceof Error ? e.message : String(e), millis: Date.now() - t0 };
  }
  const reply: ResultMessage = { type: 'result', id: msg.id, run };
  // The column values were made in this thread: they move to the caller without a copy (a copy when their
  // buffer cannot be moved, e.g. a view into the wasm memory).
  try {
    parentPort!.postMessage(reply, run.colValue ? [run.colValue.buffer as ArrayBuffer] : []);
  } catch {
    parentPort!.postMessage(reply);
  }
});
