import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { generateInstance } from '../../bench/solver-instances.ts';
import { parseSolveInput } from '../../src/solver/input.ts';
import type { SolveResult } from '../../src/solver/result.ts';
import { ENGINE_LIMITS, poolBinaries, solve } from '../../src/solver/solve.ts';
import { verifyAssignment } from '../../src/solver/verify.ts';
import { poolGroups, solveParallel } from '../../src/solver/worker/parallel-pools.ts';
import { solveInWorker } from '../../src/solver/worker/solve-in-worker.ts';
import { problemOf } from './medium-book.ts';

const withoutMillis = (r: SolveResult) => JSON.stringify(r, (k, v) => (k === 'millis' ? undefined : v));

describe('independent pools on two threads', () => {
  it('deals every pool to exactly one group, largest first to the lighter group', () => {
    fc.assert(
      fc.property(
        fc.integer({ min: 1, max: 8 }),
        fc.integer({ min: 2, max: 6 }),
        fc.integer({ min: 1, max: 1000 }),
        (regions, repsPerRegion, seed) => {
          const problem = problemOf(
            generateInstance(
              { accounts: 40 * regions, reps: repsPerRegion * regions, regions },
              'realignment',
              seed,
            ),
          );
          if (!problem) return;
          const groups = poolGroups(problem);
          const dealt = groups.flat().sort((a, b) => a - b);
          expect(dealt).toEqual(problem.pools.map((p) => p.index));
          expect(groups.length).toBe(Math.min(2, problem.pools.length));
          // Greedy by size: the heavier group is at most the largest pool heavier than the lighter one.
          if (groups.length === 2) {
            const load = groups.map((g) =>
              g.reduce((s, i) => s + poolBinaries(problem, problem.pools[i]!), 0),
            );
            const largest = Math.max(...problem.pools.map((p) => poolBinaries(problem, p)));
            expect(Math.abs(load[0]! - load[1]!)).toBeLessThanOrEqual(largest);
          }
        },
      ),
      { numRuns: 40, seed: 11 },
    );
  });

  it('joins the groups into one verified answer, the same on every run', async () => {
    // A 1000x20 realignment: three pools, two threads, an answer still improving at the limit.
    const raw = {
      ...generateInstance({ accounts: 1000, reps: 20, regions: 3 }, 'realignment', 5),
      timeLimitMs: 2500,
    };
    const a = await solveParallel(raw, { wallClockSafety: false });
    const b = await solveParallel(raw, { wallClockSafety: false });
    if (a.status !== 'feasible' && a.status !== 'optimal') throw new Error(`unexpected ${a.status}`);
    expect(a.engine).toContain('pools on 2 threads');
    expect(a.pools.map((p) => p.label).sort()).toEqual(['East', 'North', 'West']);
    expect(a.reproducible).toBe(true);
    expect(withoutMillis(a)).toBe(withoutMillis(b));
    // Every account exactly once, every rule held, the objective recomputed: the independent checker.
    const input = parseSolveInput(raw);
    if (!input.ok) throw new Error('instance invalid');
    const owners = new Map(a.assignments.map((row) => [row.accountId, row.toRepId]));
    expect(owners.size).toBe(raw.accounts.length);
    expect(verifyAssignment(input.input, owners, a.objective).errors).toEqual([]);
    // The bound is the sum of the pools' bounds, each below its pool's objective.
    expect(a.lowerBound).toBeCloseTo(
      a.pools.reduce((s, p) => s + (p.lowerBound ?? Number.NaN), 0),
      9,
    );
    for (const p of a.pools) expect(p.lowerBound!).toBeLessThanOrEqual(p.objective + 1e-9);
  }, 60_000);

  it('runs a small solve, a departure and a single pool on one thread', async () => {
    for (const raw of [
      { ...generateInstance({ accounts: 60, reps: 6, regions: 2 }, 'realignment', 1), timeLimitMs: 3000 },
      { ...generateInstance({ accounts: 1000, reps: 20, regions: 3 }, 'departure', 1), timeLimitMs: 3000 },
      { ...generateInstance({ accounts: 1000, reps: 20, regions: 1 }, 'realignment', 1), timeLimitMs: 2000 },
    ]) {
      const result = await solveParallel(raw);
      if (result.status !== 'feasible' && result.status !== 'optimal')
        throw new Error(`unexpected ${result.status}`);
      expect(result.engine).not.toContain('threads');
    }
  }, 60_000);

  it("runs a large departure's pool LPs on two threads, with the answer and proof of one thread", async () => {
    // The threshold (100,000 binaries, 50,000 accounts) lowered so that a 5000x50 departure takes the path.
    const raw = {
      ...generateInstance({ accounts: 5000, reps: 50, regions: 4 }, 'departure', 1),
      timeLimitMs: 20_000,
    };
    const oneThread = await solve(raw);
    const saved = { ...ENGINE_LIMITS };
    Object.assign(ENGINE_LIMITS, { parallelLpMinBinaries: 100, parallelLpMinAccounts: 100 });
    try {
      const phases: string[] = [];
      const twoThreads = await solve(raw, { onPhase: (phase) => phases.push(phase) });
      // The pools with accounts to move (two of the four regions have a leaver).
      expect(phases, phases.join('; ')).toContain('LPs of 2 pools on 2 threads');
      expect(twoThreads.status).toBe('optimal');
      expect(withoutMillis(twoThreads)).toBe(withoutMillis(oneThread));
    } finally {
      Object.assign(ENGINE_LIMITS, saved);
    }
  }, 60_000);

  it('is what solveInWorker runs, and cancels both threads on an AbortSignal', async () => {
    const raw = {
      ...generateInstance({ accounts: 1000, reps: 20, regions: 3 }, 'realignment', 2),
      timeLimitMs: 30_000,
    };
    const controller = new AbortController();
    const t0 = Date.now();
    setTimeout(() => controller.abort(), 2500);
    const result = await solveInWorker(raw, { signal: controller.signal });
    expect(Date.now() - t0).toBeLessThan(8000);
    expect(result.status).toBe('timeout');
    if (result.status !== 'timeout' || result.assignments === null)
      throw new Error(`expected the best answer so far: ${JSON.stringify(result).slice(0, 300)}`);
    expect(result.reason).toContain('cancelled');
    expect(result.assignments).toHaveLength(raw.accounts.length);
  }, 30_000);
});
