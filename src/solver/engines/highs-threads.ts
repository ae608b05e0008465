/**
 * Several HiGHS runs at once on worker threads (HiGHS in WebAssembly is single-threaded and blocks its
 * thread): each job is `runHighs` on its own fresh wasm instance inside a worker, so the answers are the
 * ones `runHighs` gives on the same model one by one; they come back in the caller's job order.
 *
 * A pool of `threads` workers takes the jobs largest model first (by columns), each worker the next job when
 * it is done with one. A job's `shouldStop` cannot cross threads: the caller's function is polled here every
 * 20 ms and sets a shared flag that the worker's HiGHS callback reads. A worker that crashes or errors makes
 * its job `{ status: 'error' }` (never a rejection) and is replaced for the jobs left; every worker is
 * terminated before the call resolves.
 */
import { availableParallelism } from 'node:os';
import { Worker } from 'node:worker_threads';
import type { MipModel } from '../model.ts';
import { type HighsOptions, type HighsRun, runHighs } from './highs.ts';

export interface HighsJob {
  /**
   * The model, or a function that builds it when a worker is free for the job (the caller builds the next
   * models while the first run; then give `size`).
   */
  model: MipModel | (() => MipModel);
  options: HighsOptions;
  /** The job's order key (largest first) when `model` is a function; else the model's columns. */
  size?: number;
}

/** The job's model, built now when it is a function. */
function modelOf(job: HighsJob): MipModel {
  return typeof job.model === 'function' ? job.model() : job.model;
}

export interface HighsManyOptions {
  /** Workers at once; default one per job up to the machine's available parallelism. 1 runs in-process. */
  threads?: number;
}

/**
 * The part of a model HiGHS reads, as it crosses to a worker: the row arrays as typed arrays (built here and
 * transferred, not cloned element by element), without the blocks and the pool (large, and HiGHS needs
 * neither).
 */
export type WireModel = Omit<MipModel, 'blocks' | 'pool' | 'rowStart' | 'rowIndex' | 'rowValue'> & {
  rowStart: Int32Array;
  rowIndex: Int32Array;
  rowValue: Float64Array;
};

/** The options of a job without the function; `stopFlag` (an Int32 over a SharedArrayBuffer) replaces it. */
export type WireOptions = Omit<HighsOptions, 'shouldStop'>;

export interface JobMessage {
  type: 'job';
  id: number;
  model: WireModel;
  options: WireOptions;
  /** [0] becomes 1 when the caller's shouldStop returns true; absent when the caller gave none. */
  stopFlag?: SharedArrayBuffer;
}

export type ResultMessage = { type: 'result'; id: number; run: HighsRun };

/**
 * Workers started ahead of the next runHighsMany call in this thread (`prestartHighsThreads`), so that their
 * start-up (0.45-0.6 s from TypeScript sources) overlaps the caller's own work; taken first by the next call.
 */
const spare: Worker[] = [];
const exited = new WeakSet<Worker>();

/** Start up to `count` workers now for the next runHighsMany call (idle ones do not keep the process alive). */
export function prestartHighsThreads(count: number): void {
  while (spare.length < count) {
    let worker: Worker;
    try {
      worker = new Worker(workerUrl());
    } catch {
      return;
    }
    worker.unref();
    worker.on('error', () => exited.add(worker));
    worker.on('exit', () => exited.add(worker));
    spare.push(worker);
  }
}

/** Stop the started workers no call took. */
export async function releaseHighsThreads(): Promise<void> {
  await Promise.allSettled(spare.splice(0).map((w) => w.terminate()));
}

/** A started worker that is still alive, else a new one. */
function takeWorker(url: URL): Worker {
  while (spare.length > 0) {
    const worker = spare.shift()!;
    if (exited.has(worker)) continue;
    worker.ref();
    return worker;
  }
  return new Worker(url);
}

/** How often the callers' shouldStop functions are polled while their jobs run in workers. */
const STOP_POLL_MS = 20;

export async function runHighsMany(jobs: HighsJob[], options: HighsManyOptions = {}): Promise<HighsRun[]> {
  const wanted = options.threads ?? availableParallelism();
  const threads = Math.max(1, Math.min(jobs.length, Number.isFinite(wanted) ? Math.floor(wanted) : 1));
  if (jobs.length === 0) return [];
  if (threads === 1) {
    const runs: HighsRun[] = [];
    for (const job of jobs) runs.push(await runInProcess(job));
    return runs;
  }
  return runPooled(jobs, threads);
}

async function runInProcess(job: HighsJob): Promise<HighsRun> {
  const t0 = Date.now();
  try {
    return await runHighs(modelOf(job), job.options);
  } catch (e) {
    return { status: 'error', message: messageOf(e), millis: Date.now() - t0 };
  }
}

/** A job as it is sent, or the error that preparing it raised (a malformed model). */
function prepare(
  job: HighsJob,
  id: number,
): { message: JobMessage; transfer: ArrayBuffer[] } | { error: string } {
  try {
    const { blocks: _blocks, pool: _pool, rowStart, rowIndex, rowValue, ...rest } = modelOf(job);
    const model: WireModel = {
      ...rest,
      // Own copies of the caller's typed arrays only when they are views into a larger buffer (a clone would
      // copy all of it); whole buffers are cloned by postMessage, never transferred (the caller keeps them).
      colCost: compact(rest.colCost),
      colLower: compact(rest.colLower),
      colUpper: compact(rest.colUpper),
      integer: compact(rest.integer),
      rowLower: compact(rest.rowLower),
      rowUpper: compact(rest.rowUpper),
      xBlock: compact(rest.xBlock),
      xRep: compact(rest.xRep),
      xEnd: compact(rest.xEnd),
      rowStart: Int32Array.from(rowStart),
      rowIndex: Int32Array.from(rowIndex),
      rowValue: Float64Array.from(rowValue),
    };
    const { shouldStop, start, ...plain } = job.options;
    const wireOptions: WireOptions = { ...plain, ...(start ? { start: compact(start) } : {}) };
    const message: JobMessage = {
      type: 'job',
      id,
      model,
      options: wireOptions,
      ...(shouldStop ? { stopFlag: new SharedArrayBuffer(4) } : {}),
    };
    // The row arrays were made here: they move to the worker without a copy.
    const transfer = [model.rowStart.buffer, model.rowIndex.buffer, model.rowValue.buffer] as ArrayBuffer[];
    return { message, transfer };
  } catch (e) {
    return { error: `the job could not be sent to a worker: ${messageOf(e)}` };
  }
}

function compact<T extends Float64Array | Int32Array | Uint8Array>(a: T): T {
  return a.byteOffset === 0 && a.byteLength === a.buffer.byteLength ? a : (a.slice() as T);
}

/** A throwing shouldStop stops its job (an exception in the HiGHS callback would end the run too). */
function stopRequested(shouldStop: () => boolean): boolean {
  try {
    return shouldStop();
  } catch {
    return true;
  }
}

function messageOf(e: unknown): string {
  return e instanceof Error ? e.message : String(e);
}

function workerUrl(): URL {
  // From .ts sources (app, CLI, vitest, bench under tsx) a bootstrap registers tsx inside the worker first
  // (a loader passed through execArgv is not applied to a worker's entry on Node 20).
  const fromTs = import.meta.url.endsWith('.ts');
  return new URL(
    fromTs ? './highs-thread-worker-bootstrap.mjs' : './highs-thread-worker.js',
    import.meta.url,
  );
}

function runPooled(jobs: HighsJob[], threads: number): Promise<HighsRun[]> {
  return new Promise<HighsRun[]>((resolve) => {
    const pool = new WorkerPool(jobs, resolve);
    for (let w = 0; w < threads && pool.hasJobsToSend(); w++) pool.start();
  });
}

/** Largest model first (ties in job order): the long jobs start at once and the short ones fill in. */
function largestFirst(jobs: HighsJob[]): number[] {
  return jobs
    .map((job, i) => ({
      i,
      cols: job.size ?? (typeof job.model === 'function' ? 0 : Number(job.model?.numCols) || 0),
    }))
    .sort((a, b) => b.cols - a.cols || a.i - b.i)
    .map((x) => x.i);
}

/** A worker's current job (-1 none) and when it was sent. */
interface Slot {
  job: number;
  t0: number;
}

/** One runPooled call: the jobs in the order they are sent, the ones running, the answers so far. */
class WorkerPool {
  private readonly jobs: HighsJob[];
  private readonly resolve: (runs: HighsRun[]) => void;
  private readonly runs: (HighsRun | undefined)[];
  private readonly queue: number[];
  private next = 0;
  private left: number;
  private readonly url = workerUrl();
  private readonly running = new Map<number, { flag: Int32Array | null; shouldStop?: () => boolean }>();
  private readonly terminations: Promise<unknown>[] = [];
  private readonly poll: ReturnType<typeof setInterval>;

  constructor(jobs: HighsJob[], resolve: (runs: HighsRun[]) => void) {
    this.jobs = jobs;
    this.resolve = resolve;
    this.runs = new Array(jobs.length);
    this.queue = largestFirst(jobs);
    this.left = jobs.length;
    this.poll = setInterval(() => this.pollStops(), STOP_POLL_MS);
  }

  hasJobsToSend(): boolean {
    return this.next < this.queue.length;
  }

  /** Raises the flag of each running job whose caller's shouldStop now says stop. */
  private pollStops(): void {
    for (const r of this.running.values()) {
      if (!r.flag || !r.shouldStop || Atomics.load(r.flag, 0) === 1) continue;
      if (stopRequested(r.shouldStop)) Atomics.store(r.flag, 0, 1);
    }
  }

  private settle(i: number, run: HighsRun): void {
    if (this.runs[i]) return;
    this.runs[i] = run;
    this.running.delete(i);
    this.left--;
    if (this.left === 0) {
      clearInterval(this.poll);
      // After the handler that settled the last job has stopped its worker too.
      setImmediate(
        () => void Promise.allSettled(this.terminations).then(() => this.resolve(this.runs as HighsRun[])),
      );
    }
  }

  /** Sends the next job that can be sent to `worker`; returns false when none is left. */
  private feed(worker: Worker, slot: Slot): boolean {
    while (this.next < this.queue.length) {
      const i = this.queue[this.next++]!;
      const t0 = Date.now();
      const prepared = prepare(this.jobs[i]!, i);
      if ('error' in prepared) {
        this.settle(i, { status: 'error', message: prepared.error, millis: Date.now() - t0 });
        continue;
      }
      const { message, transfer } = prepared;
      const shouldStop = this.jobs[i]!.options.shouldStop;
      const flag = message.stopFlag ? new Int32Array(message.stopFlag) : null;
      this.running.set(i, { flag, ...(shouldStop ? { shouldStop } : {}) });
      // A job whose caller has already stopped starts with the flag up, not one poll later.
      if (flag && stopRequested(shouldStop!)) Atomics.store(flag, 0, 1);
      slot.job = i;
      slot.t0 = t0;
      try {
        worker.postMessage(message, transfer);
      } catch (e) {
        this.settle(i, {
          status: 'error',
          message: `the job could not be sent to a worker: ${messageOf(e)}`,
          millis: Date.now() - t0,
        });
        slot.job = -1;
        continue;
      }
      return true;
    }
    return false;
  }

  /** Starts a worker that takes jobs until none is left; a worker that fails hands the rest to a fresh one. */
  start(): void {
    let worker: Worker;
    try {
      worker = takeWorker(this.url);
    } catch (e) {
      // No worker can be started: the jobs not yet sent fail (running ones on other workers finish).
      const why = `a HiGHS worker could not be started (${messageOf(e)})`;
      while (this.next < this.queue.length)
        this.settle(this.queue[this.next++]!, { status: 'error', message: why, millis: 0 });
      return;
    }
    const slot: Slot = { job: -1, t0: 0 };
    let dead = false;
    const stop = () => {
      if (dead) return;
      dead = true;
      this.terminations.push(worker.terminate());
    };
    const fail = (why: string) => {
      if (dead) return;
      const i = slot.job;
      stop();
      if (i >= 0) this.settle(i, { status: 'error', message: why, millis: Date.now() - slot.t0 });
      // The jobs not yet sent go to a fresh worker.
      if (this.next < this.queue.length) this.start();
    };
    worker.on('message', (msg: ResultMessage) => {
      if (dead || msg?.type !== 'result' || msg.id !== slot.job) return;
      slot.job = -1;
      this.settle(msg.id, msg.run);
      if (!this.feed(worker, slot)) stop();
    });
    worker.on('messageerror', (e) => fail(`a HiGHS worker's answer could not be read (${messageOf(e)})`));
    worker.on('error', (e) => fail(`the HiGHS worker crashed (${messageOf(e)})`));
    worker.on('exit', (code) => fail(`the HiGHS worker exited (code ${code})`));
    if (!this.feed(worker, slot)) stop();
  }
}
