import fc from 'fast-check';
import { describe, expect, it, vi } from 'vitest';
import { type HighsOptions, type HighsRun, runHighs } from '../../src/solver/engines/highs.ts';
import { buildPoolModel, type MipModel, singleBlocks } from '../../src/solver/model.ts';
import { mediumBook, problemOf } from './medium-book.ts';

// The project's libs declare no WebAssembly API; the spies need only these two functions.
const wasm = (
  globalThis as unknown as { WebAssembly: { compile: () => unknown; instantiate: () => unknown } }
).WebAssembly;

/** Pool models of a few generated medium books: small MIPs HiGHS proves. */
function mediumModels(count: number): MipModel[] {
  const models: MipModel[] = [];
  for (const raw of fc.sample(mediumBook, { seed: 20240611, numRuns: 40 })) {
    const problem = problemOf(raw);
    if (!problem) continue;
    for (const pool of problem.pools) {
      const m = buildPoolModel(problem, pool, singleBlocks(problem, pool));
      if (m.xCols >= 20) models.push(m);
    }
    if (models.length >= count) break;
  }
  return models.slice(0, count);
}

/** A run without its wall time, for comparing answers. */
const answer = ({ millis: _millis, ...rest }: HighsRun) => rest;

describe('runHighs loading', () => {
  it('compiles the wasm once and gives every call a fresh instance with the same answers', async () => {
    // Spies set before this file's first runHighs, which is the one that compiles.
    const compile = vi.spyOn(wasm, 'compile');
    const instantiate = vi.spyOn(wasm, 'instantiate');
    const models = mediumModels(3);
    expect(models.length).toBe(3);
    const options: HighsOptions[] = [
      { timeLimitSec: 20 },
      { timeLimitSec: 20, relax: true, lpSolver: 'simplex' },
      { timeLimitSec: 20, relax: true, lpSolver: 'ipm' },
    ];
    const runs = models.flatMap((model) => options.map((o) => ({ model, o })));
    const firsts: HighsRun[] = [];
    for (const { model, o } of runs) firsts.push(await runHighs(model, o));
    expect(firsts.every((r) => r.status === 'optimal')).toBe(true);
    for (const r of firsts) expect(r.bound).toBeLessThanOrEqual(r.objective! + 1e-9);
    // The same runs again in the reverse order: each instance starts from scratch.
    const seconds: HighsRun[] = [];
    for (let i = runs.length - 1; i >= 0; i--) seconds[i] = await runHighs(runs[i]!.model, runs[i]!.o);
    expect(seconds.map(answer)).toEqual(firsts.map(answer));
    expect(compile).toHaveBeenCalledTimes(1);
    expect(instantiate).not.toHaveBeenCalled();
    compile.mockRestore();
    instantiate.mockRestore();
  });

  it('runs normally after a run that errored', async () => {
    const [model] = mediumModels(1);
    const before = await runHighs(model!, { timeLimitSec: 20 });
    expect(before.status).toBe('optimal');
    const thrown = await runHighs(model!, {
      timeLimitSec: 20,
      shouldStop: () => {
        throw new Error('stop failed');
      },
    });
    expect(thrown).toMatchObject({ status: 'error', message: 'stop failed' });
    const invalid = await runHighs(
      { ...model!, colLower: new Float64Array(model!.numCols).fill(Number.NaN) },
      {
        timeLimitSec: 20,
      },
    );
    expect(invalid.status).toBe('error');
    const after = await runHighs(model!, { timeLimitSec: 20 });
    expect(answer(after)).toEqual(answer(before));
  });
});
