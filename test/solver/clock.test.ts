import { describe, expect, it } from 'vitest';
import { SolveClock, WALL_SAFETY_FACTOR, WORK_LIMIT_SHARE, wallSafetyMs } from '../../src/solver/clock.ts';
import { hardLimitMs } from '../../src/solver/worker/solve-in-worker.ts';

describe('the work clock and its wall-clock safety net (clock.ts)', () => {
  it('lets real time run at twice the work (load 2x the cores) without cutting: the work clock ends the solve', () => {
    const limit = 5_000;
    // A solve that has counted 90% of its limit in work while twice that passed in real time.
    const t0 = Date.now() - 2 * 0.9 * limit;
    const clock = new SolveClock(t0, limit);
    clock.spend(0.9 * limit);
    expect(clock.expired()).toBe(false);
    expect(clock.wallCut).toBe(false);
    clock.spend(WORK_LIMIT_SHARE * limit);
    expect(clock.expired()).toBe(true);
    expect(clock.wallCut).toBe(false);
    expect(WALL_SAFETY_FACTOR).toBeGreaterThanOrEqual(2.2);
    // The worker's hard kill comes after the safety net, never before it.
    expect(hardLimitMs(limit)).toBeGreaterThan(wallSafetyMs(limit));
  });

  it('still cuts a solve whose real time runs past the safety net, and says so', () => {
    const limit = 1_000;
    const clock = new SolveClock(Date.now() - wallSafetyMs(limit) - 1, limit);
    clock.spend(0.1 * limit);
    expect(clock.expired()).toBe(true);
    expect(clock.wallCut).toBe(true);
  });

  it('a plain wall clock (HiGHS alone) keeps the limit itself', () => {
    const clock = new SolveClock(Date.now() - 1_001, 1_000, () => false, 'wall');
    expect(clock.expired()).toBe(true);
  });
});
