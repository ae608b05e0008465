import fc from 'fast-check';
import { describe, expect, it, vi } from 'vitest';
import { generateInstance, INSTANCE_SIZES } from '../../bench/solver-instances.ts';
import { type HighsOptions, type HighsRun, runHighs } from '../../src/solver/engines/highs.ts';
import { type HighsJob, runHighsMany } from '../../src/solver/engines/highs-threads.ts';
import { buildPoolModel, type MipModel, singleBlocks } from '../../src/solver/model.ts';
import type { Problem } from '../../src/solver/problem.ts';
import { mediumBook, problemOf } from './medium-book.ts';

// Every worker runHighsMany starts, to check that none is left running when a call resolves; the next
// `crash.next` workers started are ones that die at once instead (a crash).
const { started, crash } = vi.hoisted(() => ({ started: [] as { threadId: number }[], crash: { next: 0 } }));
vi.mock('node:worker_threads', async (importOriginal) => {
  const original = await importOriginal<typeof import('node:worker_threads')>();
  class RecordedWorker extends original.Worker {
    constructor(...args: ConstructorParameters<typeof original.Worker>) {
      if (crash.next > 0) {
        crash.next--;
        super('process.exit(3)', { eval: true });
      } else super(...args);
      started.push(this);
    }
  }
  return { ...original, Worker: RecordedWorker };
});

function poolModels(problem: Problem): MipModel[] {
  return problem.pools.map((pool) => buildPoolModel(problem, pool, singleBlocks(problem, pool)));
}

/** Pool models of a few generated medium books (several regions, caps, pins): small MIPs HiGHS proves. */
function mediumModels(): MipModel[] {
  const models: MipModel[] = [];
  for (const raw of fc.sample(mediumBook, { seed: 20240611, numRuns: 40 })) {
    const problem = problemOf(raw);
    if (!problem) continue;
    for (const m of poolModels(problem)) if (m.xCols >= 20) models.push(m);
    if (models.length >= 6) break;
  }
  return models;
}

/** A run without its wall time, for comparing answers. */
const answer = ({ millis: _millis, ...rest }: HighsRun) => rest;

/** No worker this test started is still running (a terminated worker's threadId is -1). */
function expectNoLiveWorkers() {
  expect(started.filter((w) => w.threadId !== -1)).toEqual([]);
}

describe('runHighsMany', () => {
  it('gives the answers of runHighs one by one, in job order', async () => {
    const models = mediumModels();
    expect(models.length).toBeGreaterThanOrEqual(4);
    const jobs = models.flatMap((model) => [
      { model, options: { timeLimitSec: 20 } },
      { model, options: { timeLimitSec: 20, relax: true, lpSolver: 'simplex' } as HighsOptions },
    ]) satisfies HighsJob[];
    const one: HighsRun[] = [];
    for (const job of jobs) one.push(await runHighs(job.model, job.options));
    expect(one.every((r) => r.status === 'optimal')).toBe(true);
    const before = started.length;
    const many = await runHighsMany(jobs, { threads: 2 });
    expect(started.length - before).toBe(2);
    expect(many.map(answer)).toEqual(one.map(answer));
    // The caller's models are untouched (their buffers were cloned, not moved).
    for (const m of models) expect(m.colCost.length).toBe(m.numCols);
    expectNoLiveWorkers();
  });

  it('passes a warm start across', async () => {
    const [model] = mediumModels();
    const first = await runHighs(model!, { timeLimitSec: 20 });
    const options = { timeLimitSec: 20, start: first.colValue! };
    const one = await runHighs(model!, options);
    const [a, b] = await runHighsMany(
      [
        { model: model!, options },
        { model: model!, options: { timeLimitSec: 20 } },
      ],
      { threads: 2 },
    );
    expect(answer(a!)).toEqual(answer(one));
    expect(answer(b!)).toEqual(answer(first));
    expect(options.start.length).toBe(model!.numCols);
    expectNoLiveWorkers();
  });

  it('builds a model given as a function when a thread is free for it, largest size first', async () => {
    const models = mediumModels().slice(0, 3);
    const plain = await Promise.all(
      models.map((model) => runHighs(model, { timeLimitSec: 20, relax: true })),
    );
    const built: number[] = [];
    const runs = await runHighsMany(
      models.map((model, i) => ({
        size: i,
        model: () => {
          built.push(i);
          return model;
        },
        options: { timeLimitSec: 20, relax: true },
      })),
      { threads: 2 },
    );
    expect(runs.map(answer)).toEqual(plain.map(answer));
    // Largest size first: the jobs are taken (and their models built) in decreasing size.
    expect(built).toEqual([2, 1, 0]);
    expectNoLiveWorkers();
  });

  it('runs in-process with one thread or one job', async () => {
    const [model] = mediumModels();
    const before = started.length;
    const one = await runHighs(model!, { timeLimitSec: 20 });
    const [alone] = await runHighsMany([{ model: model!, options: { timeLimitSec: 20 } }]);
    const single = await runHighsMany(
      [
        { model: model!, options: { timeLimitSec: 20 } },
        { model: model!, options: { timeLimitSec: 20 } },
      ],
      { threads: 1 },
    );
    expect(started.length).toBe(before);
    expect(answer(alone!)).toEqual(answer(one));
    expect(single.map(answer)).toEqual([answer(one), answer(one)]);
    expect(await runHighsMany([])).toEqual([]);
  });

  it('stops long MIPs when their shouldStop says so, and returns', async () => {
    // Each pool MIP of a 1000x20 realignment runs on to HiGHS's time limit (8 s of 8 s when tried).
    const problem = problemOf(generateInstance(INSTANCE_SIZES[2]!, 'realignment', 1))!;
    const models = poolModels(problem).slice(0, 2);
    const t0 = Date.now();
    let stopAt = Number.POSITIVE_INFINITY;
    setTimeout(() => {
      stopAt = Date.now();
    }, 1_500);
    const runs = await runHighsMany(
      models.map((model) => ({
        model,
        options: { timeLimitSec: 120, shouldStop: () => Date.now() >= stopAt },
      })),
      { threads: 2 },
    );
    expect(Date.now() - t0).toBeLessThan(8_000);
    for (const run of runs) {
      expect(['feasible', 'no-solution']).toContain(run.status);
      expect(run.millis).toBeLessThan(8_000);
    }
    expectNoLiveWorkers();
  });

  it('makes a bad job an error result, never a rejection, and still runs the others', async () => {
    const [model] = mediumModels();
    const one = await runHighs(model!, { timeLimitSec: 20 });
    const broken = { ...model!, rowIndex: model!.rowIndex.map((c) => c + model!.numCols) };
    const jobs: HighsJob[] = [
      { model: model!, options: { timeLimitSec: 20 } },
      { model: null as unknown as MipModel, options: { timeLimitSec: 20 } },
      { model: broken, options: { timeLimitSec: 20 } },
      { model: model!, options: { timeLimitSec: 20 } },
    ];
    for (const threads of [1, 2]) {
      const runs = await runHighsMany(jobs, { threads });
      expect(runs.map((r) => r.status)).toEqual(['optimal', 'error', 'error', 'optimal']);
      expect(answer(runs[3]!)).toEqual(answer(one));
      expect(runs[1]!.message).toBeTruthy();
      expect(runs[2]!.message).toBeTruthy();
    }
    expectNoLiveWorkers();
  });

  it('makes a crashed worker an error result for its job and goes on with a fresh worker', async () => {
    const models = mediumModels().slice(0, 3);
    const one: HighsRun[] = [];
    for (const model of models) one.push(await runHighs(model, { timeLimitSec: 20 }));
    crash.next = 1;
    const before = started.length;
    const runs = await runHighsMany(
      models.map((model) => ({ model, options: { timeLimitSec: 20 } })),
      { threads: 2 },
    );
    // The crashed worker had taken the largest model; the two others were answered.
    const largest = models.reduce((b, m, i) => (m.numCols > models[b]!.numCols ? i : b), 0);
    expect(runs[largest]!.status).toBe('error');
    expect(runs[largest]!.message).toContain('exited (code 3)');
    runs.forEach((run, i) => {
      if (i !== largest) expect(answer(run)).toEqual(answer(one[i]!));
    });
    expect(started.length - before).toBe(3);
    expectNoLiveWorkers();
  });
});
