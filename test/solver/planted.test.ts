/**
 * Planted books (bench/planted-books.ts): books that can be split perfectly, whose optimum is 0. The solve
 * must prove them optimal within the tolerance (solver/tolerance.ts), stop there rather than run out its
 * limit, and never report a gap of 100 % for such an answer (the relative gap means nothing at a bound of 0).
 */
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { plantedBook } from '../../bench/planted-books.ts';
import { INSTANCE_SIZES } from '../../bench/solver-instances.ts';
import { runSolveCommand } from '../../src/cli/solve-command.ts';
import { parseSolveInput } from '../../src/solver/input.ts';
import { solve } from '../../src/solver/solve.ts';
import { absoluteTolerance, reportedGap, withinTolerance } from '../../src/solver/tolerance.ts';
import { verifyAssignment } from '../../src/solver/verify.ts';
import { solveParallel } from '../../src/solver/worker/parallel-pools.ts';

const size = (name: string) => INSTANCE_SIZES.find((s) => s.name === name)!;

describe('planted books (known optimum 0)', () => {
  it('are what they claim: giving every staying rep its planted book scores 0', () => {
    for (const kind of ['departure', 'realignment'] as const) {
      const raw = plantedBook(size('300x12'), kind, 3);
      const parsed = parseSolveInput(raw);
      expect(parsed.ok).toBe(true);
      if (!parsed.ok) return;
      // Rebuild the planted answer: each account to the staying rep of its region whose book it completes.
      // The generator's books are not in the input, so check the claim through its consequence instead:
      // every region's total count and revenue split evenly in whole accounts and cents.
      const staying = parsed.input.reps.filter((r) => !r.departing);
      for (const region of new Set(staying.map((r) => r.region))) {
        const reps = staying.filter((r) => r.region === region).length;
        const inRegion = parsed.input.accounts.filter((a) => a.region === region);
        expect(inRegion.length % reps).toBe(0);
        expect(inRegion.reduce((s, a) => s + a.revenueCents, 0) % reps).toBe(0);
      }
      if (kind === 'departure')
        expect(
          parsed.input.accounts.some((a) => parsed.input.reps.find((r) => r.id === a.ownerId)?.departing),
        ).toBe(true);
      else expect(parsed.input.accounts.some((a) => a.ownerId === null)).toBe(true);
    }
  });

  for (const [name, kind] of [
    ['60x6', 'departure'],
    ['300x12', 'departure'],
    ['1000x20', 'departure'],
    ['5000x50', 'departure'],
    ['60x6', 'realignment'],
    ['300x12', 'realignment'],
  ] as const) {
    it(`${kind} ${name}: proven optimal within tolerance, stopped early, gap 0`, async () => {
      const raw = { ...plantedBook(size(name), kind, 1), timeLimitMs: 30_000 };
      const result = await solveParallel(raw);
      expect(result.status).toBe('optimal');
      if (result.status !== 'optimal') return;
      const reps = result.pools.reduce((s, p) => s + p.reps, 0);
      expect(result.objective).toBeLessThanOrEqual(absoluteTolerance(reps));
      expect(result.gap).toBe(0);
      // Stopped when proven, far from its limit: on the work clock (deterministic), not the machine's time.
      expect(result.workMillis).not.toBeNull();
      expect(result.workMillis!).toBeLessThan(raw.timeLimitMs / 2);
      const parsed = parseSolveInput(raw);
      if (!parsed.ok) throw new Error('planted book invalid');
      const owners = new Map(result.assignments.map((a) => [a.accountId, a.toRepId]));
      expect(verifyAssignment(parsed.input, owners, result.objective).ok).toBe(true);
    }, 60_000);
  }

  it('the single-thread solve proves a planted departure too and says which pools it proved', async () => {
    const result = await solve({ ...plantedBook(size('300x12'), 'departure', 2), timeLimitMs: 20_000 });
    expect(result.status).toBe('optimal');
    if (result.status !== 'optimal') return;
    expect(result.pools.every((p) => p.proven && p.lowerBound !== null)).toBe(true);
    expect(result.gap).toBe(0);
  }, 60_000);
});

describe('planted books through the CLI', () => {
  it('says optimal (within tolerance) with a gap of 0.00 %, never 100 %', async () => {
    const book = plantedBook(size('1000x20'), 'departure', 1);
    const dir = mkdtempSync(join(tmpdir(), 'bookshift-planted-'));
    try {
      const accounts = book.accounts.map(
        (a) => `${a.id},${a.name},${a.ownerId ?? ''},${(a.revenueCents / 100).toFixed(2)},${a.region}`,
      );
      writeFileSync(
        join(dir, 'accounts.csv'),
        ['account_id,account_name,owner_id,annual_revenue,region', ...accounts].join('\n'),
      );
      const reps = book.reps.map(
        (r) =>
          `${r.id},${r.name},,${r.region},${!r.departing},${Boolean(r.departing)},${r.maxAccounts ?? ''},${r.maxRevenueCents === undefined ? '' : (r.maxRevenueCents / 100).toFixed(2)}`,
      );
      writeFileSync(
        join(dir, 'reps.csv'),
        ['rep_id,name,email,region,may_receive,departing,max_accounts,max_revenue', ...reps].join('\n'),
      );
      const out: string[] = [];
      const code = await runSolveCommand(
        ['--accounts', join(dir, 'accounts.csv'), '--reps', join(dir, 'reps.csv'), '--kind', 'departure'],
        { stdout: (t) => out.push(t), stderr: () => {} },
      );
      expect(code).toBe(0);
      const text = out.join('');
      expect(text).toMatch(/status: optimal/);
      expect(text).toContain('gap: 0.00%');
      expect(text).not.toContain('100.00%');
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  }, 60_000);
});

describe('tolerance', () => {
  it('never reports a 100 % gap for an answer within tolerance, and keeps the relative gap above it', () => {
    expect(reportedGap(1e-9, 0, 6)).toBe(0);
    expect(reportedGap(absoluteTolerance(6), 0, 6)).toBe(0);
    expect(withinTolerance(absoluteTolerance(6) * 1.01, 0, 6)).toBe(false);
    expect(reportedGap(absoluteTolerance(6) * 2, 0, 6)).toBe(1);
    expect(reportedGap(10, 9, 6)).toBeCloseTo(0.1, 12);
    expect(reportedGap(10, 10 - 1e-4, 6)).toBe(0);
    expect(reportedGap(1, null, 6)).toBeNull();
  });
});
