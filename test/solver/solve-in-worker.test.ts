import { describe, expect, it } from 'vitest';
import { generateInstance, INSTANCE_SIZES } from '../../bench/solver-instances.ts';
import { solveInWorker } from '../../src/solver/worker/solve-in-worker.ts';

/** Counts timer ticks while a promise runs: a blocked event loop would starve them. */
async function ticksDuring<T>(p: Promise<T>): Promise<{ value: T; ticks: number; millis: number }> {
  let ticks = 0;
  const t0 = Date.now();
  const iv = setInterval(() => ticks++, 20);
  try {
    const value = await p;
    return { value, ticks, millis: Date.now() - t0 };
  } finally {
    clearInterval(iv);
  }
}

describe('solveInWorker', () => {
  it('solves off the main thread', async () => {
    const result = await solveInWorker({
      ...generateInstance(INSTANCE_SIZES[0]!, 'departure', 1),
      timeLimitMs: 20_000,
    });
    expect(result.status).toBe('optimal');
  });

  it('kills a long solve at the hard limit and returns the best answer so far, never blocking the event loop', async () => {
    // HiGHS alone on a 1000x20 realignment runs far past 3 s; the heuristic posts an incumbent first.
    const input = {
      ...generateInstance(INSTANCE_SIZES[2]!, 'realignment', 1),
      engine: 'highs' as const,
      timeLimitMs: 120_000,
    };
    const { value, ticks, millis } = await ticksDuring(solveInWorker(input, { hardLimitMs: 4_000 }));
    expect(millis).toBeLessThan(8_000);
    expect(value.status).toBe('timeout');
    if (value.status !== 'timeout') return;
    expect(value.reason).toContain('hard time limit');
    expect(value.assignments).not.toBeNull();
    // 20 ms ticks: at least half of them ran while the worker was busy.
    expect(ticks).toBeGreaterThan(millis / 20 / 2);
  });

  it('cancels on an AbortSignal', async () => {
    const input = {
      ...generateInstance(INSTANCE_SIZES[2]!, 'realignment', 1),
      engine: 'highs' as const,
      timeLimitMs: 120_000,
    };
    const ac = new AbortController();
    setTimeout(() => ac.abort(), 1_500);
    const { value, millis } = await ticksDuring(solveInWorker(input, { signal: ac.signal }));
    expect(millis).toBeLessThan(5_000);
    expect(value.status).toBe('timeout');
    if (value.status === 'timeout') expect(value.reason).toContain('cancelled');
  });
});
