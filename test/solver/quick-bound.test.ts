/**
 * A solve whose time runs out before any pool has a bound (a short what-if) still carries a proven bound and a
 * gap: a few Lagrangian evaluations (solve.ts, QUICK_BOUND_EVALUATIONS), never `gap: null`.
 */
import { describe, expect, it } from 'vitest';
import { generateInstance } from '../../bench/solver-instances.ts';
import { solve } from '../../src/solver/index.ts';

describe('a solve cut short before any bound', () => {
  it('reports a bound at or below its objective and a gap between 0 and 1, for every pool', async () => {
    const input = {
      ...generateInstance({ accounts: 5000, reps: 50, regions: 4 }, 'realignment', 3),
      timeLimitMs: 100,
    };
    const result = await solve(input);
    expect(result.status).toBe('feasible');
    if (result.status !== 'feasible') return;
    expect(result.lowerBound).not.toBeNull();
    expect(result.lowerBound!).toBeGreaterThanOrEqual(0);
    expect(result.lowerBound!).toBeLessThanOrEqual(result.objective + 1e-9);
    expect(result.gap).not.toBeNull();
    expect(result.gap!).toBeGreaterThanOrEqual(0);
    expect(result.gap!).toBeLessThanOrEqual(1);
    for (const pool of result.pools) expect(pool.lowerBound).not.toBeNull();
  });
});
