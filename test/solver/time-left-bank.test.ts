/**
 * The banked share (pool-after.ts, time-left.ts): a pool large enough for the rep-subset search stops its own
 * turn with part of its share left, and the time left after the pool loop goes back to such pools, in
 * proportion to their distance from their bound. What must hold: the banked time is spent (not lost), on
 * those pools' rep subsets after every pool's own turn, and the answer stays valid and bounded.
 */
import { describe, expect, it } from 'vitest';
import { generateInstance } from '../../bench/solver-instances.ts';
import { repSubsetsApply } from '../../src/solver/engine-choice.ts';
import { ENGINE_LIMITS } from '../../src/solver/engine-limits.ts';
import { parseSolveInput } from '../../src/solver/input.ts';
import { buildProblem } from '../../src/solver/problem.ts';
import { solve } from '../../src/solver/solve.ts';
import { verifyAssignment } from '../../src/solver/verify.ts';

describe('the banked share of rep-subset pools', () => {
  it('goes back to those pools after the pool loop, and the whole limit is spent', async () => {
    // Two regions of about 1,700 accounts each: both pools get the rep-subset search.
    const raw = {
      ...generateInstance({ accounts: 3400, reps: 20, regions: 2 }, 'realignment', 3, 'l1'),
      engine: 'auto' as const,
      timeLimitMs: 4000,
    };
    const parsed = parseSolveInput(raw);
    expect(parsed.ok).toBe(true);
    if (!parsed.ok) return;
    const built = buildProblem(parsed.input);
    expect(built.ok).toBe(true);
    if (!built.ok) return;
    const labels = built.problem.pools.map((pool) => pool.label);
    expect(built.problem.pools.every((pool) => repSubsetsApply(pool))).toBe(true);
    expect(ENGINE_LIMITS.repLnsBank).toBeGreaterThan(0);

    const phases: { label: string; workMs: number }[] = [];
    const result = await solve(raw, {
      wallClockSafety: false,
      onPhase: (label, workMs) => phases.push({ label, workMs }),
    });
    expect(result.status === 'feasible' || result.status === 'optimal').toBe(true);
    if (!('pools' in result) || result.assignments === null) return;

    // Each pool's own turn (its rep subsets among them), then the banked turns once the last pool's is over.
    const order = phases.map((p) => p.label);
    const lastOwn = Math.max(...labels.map((l) => order.lastIndexOf(`${l}: rep subsets`)));
    const firstBanked = order.findIndex((l) => l.endsWith(': rep subsets, time left'));
    for (const l of labels) expect(order).toContain(`${l}: rep subsets`);
    expect(firstBanked).toBeGreaterThan(lastOwn);
    // Every pool still short of its bound had its banked turn.
    for (const pool of result.pools.filter((p) => !p.proven))
      expect(order).toContain(`${pool.label}: rep subsets, time left`);
    // Not lost: the solve runs to its limit (less the finishing reserve), as it did before any bank.
    expect(result.workMillis!).toBeGreaterThan(0.9 * raw.timeLimitMs);

    const owners = new Map(result.assignments.map((a) => [a.accountId, a.toRepId]));
    expect(verifyAssignment(parsed.input, owners, result.objective).errors).toEqual([]);
    expect(result.lowerBound).not.toBeNull();
    expect(result.lowerBound!).toBeLessThanOrEqual(result.objective + 1e-9);
    for (const pool of result.pools) expect(pool.engine).toContain('rep subsets');
  }, 60_000);
});
