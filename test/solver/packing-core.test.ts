/**
 * Packing infeasibility in pools of thousands of accounts that only a search proves (the counting argument
 * passes): the reason names the small set that cannot fit, not the pool, and says whether it is irreducible.
 * Planted: a few reps who alone may take some accounts (a tier), inside a pool of 2,500 accounts that fit.
 */
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import type { InfeasibleReason } from '../../src/solver/infeasibility.ts';
import { parseSolveInput } from '../../src/solver/input.ts';
import { provePackingInfeasible } from '../../src/solver/packing.ts';
import { exactPacking } from '../../src/solver/packing-check.ts';
import { countingProof } from '../../src/solver/packing-count.ts';
import { buildProblem, type Problem } from '../../src/solver/problem.ts';
import { solve } from '../../src/solver/solve.ts';
import { bruteForceOptimum } from './brute-force.ts';
import { account, rep } from './factories.ts';

/**
 * A departure in one pool: `smb` accounts of $10–$90 for 20 reps with no revenue cap (tiers smb and mid),
 * 30 mid accounts of $30 any rep may take (they join the pool), and `core` accounts of the enterprise tier
 * that only the `enterprise` reps (tiers enterprise and mid), with room for $100 each, may take.
 */
function plantedBook(core: number[], enterprise: number, smb = 2_500) {
  const reps = [rep('GONE', 'West', { departing: true })];
  for (let i = 1; i <= enterprise; i++)
    reps.push(rep(`E${i}`, 'West', { maxRevenueCents: 100_00, tiers: ['enterprise', 'mid'] }));
  for (let i = 1; i <= 20; i++) reps.push(rep(`S${i}`, 'West', { tiers: ['smb', 'mid'] }));
  const accounts = core.map((d, i) =>
    account(`ENT${i + 1}`, 'GONE', d * 100, 'West', { tier: 'enterprise' }),
  );
  for (let i = 1; i <= 30; i++) accounts.push(account(`MID${i}`, 'GONE', 30_00, 'West', { tier: 'mid' }));
  // Revenues spread deterministically over $10–$90, larger than the core's $40s too.
  for (let i = 1; i <= smb; i++)
    accounts.push(account(`SMB${i}`, 'GONE', 10_00 + ((i * 7919) % 8_001), 'West', { tier: 'smb' }));
  return { kind: 'departure' as const, accounts, reps, timeLimitMs: 20_000 };
}

function problemOf(raw: unknown): Problem {
  const parsed = parseSolveInput(raw);
  if (!parsed.ok) throw new Error('invalid input');
  const built = buildProblem(parsed.input);
  if (!built.ok) throw new Error('too big');
  return built.problem;
}

function packingReasonsOf(result: Awaited<ReturnType<typeof solve>>): InfeasibleReason[] | null {
  return result.status === 'infeasible' ? result.reasons : null;
}

function packingReason(result: Awaited<ReturnType<typeof solve>>): InfeasibleReason {
  expect(result.status).toBe('infeasible');
  if (result.status !== 'infeasible') throw new Error(result.status);
  const reason = result.reasons.find((r) => r.code === 'caps-conflict');
  if (!reason) throw new Error(JSON.stringify(result.reasons));
  return reason;
}

describe('packing infeasibility in large pools', () => {
  it('names the planted core of 4 accounts and 2 reps in a pool of 2,534 accounts, irreducible, the same on every run', async () => {
    // $70, $40, $40, $40 for two reps with room for $100: a rep with the $70 takes nothing else, and three
    // $40s do not fit in one. Counting passes (each rep could hold two), so only a search proves it.
    const raw = plantedBook([70, 40, 40, 40], 2);
    const problem = problemOf(raw);
    expect(problem.pools).toHaveLength(1);
    expect(problem.pools[0]!.movable.length).toBe(2_534);
    expect(countingProof(problem, problem.pools[0]!)).toBeNull();
    const result = await solve(raw);
    const reason = packingReason(result);
    expect([...reason.accountIds!].sort()).toEqual(['ENT1', 'ENT2', 'ENT3', 'ENT4']);
    expect([...reason.repIds!].sort()).toEqual(['E1', 'E2']);
    expect(reason.minimal).toBe(true);
    expect(reason.message).toMatch(
      /4 accounts \(ENT1 \$70\.00, ENT2 \$40\.00, ENT3 \$40\.00, ENT4 \$40\.00;/,
    );
    expect(reason.message).toMatch(/Each of these accounts is needed/);
    const again = await solve(raw);
    expect(again.status === 'infeasible' && again.reasons).toEqual(packingReasonsOf(result));
  }, 120_000);

  it('finds the core from the whole pool too (nothing hinted): a MIP proves the pool, the reps filter cuts it to the core', async () => {
    const raw = plantedBook([70, 40, 40, 40], 2);
    const problem = problemOf(raw);
    const outcome = await provePackingInfeasible(problem, problem.pools[0]!, { budgetMs: 10_000 });
    expect(outcome && 'reason' in outcome).toBe(true);
    if (!outcome || !('reason' in outcome)) return;
    expect([...outcome.reason.accountIds!].sort()).toEqual(['ENT1', 'ENT2', 'ENT3', 'ENT4']);
    expect([...outcome.reason.repIds!].sort()).toEqual(['E1', 'E2']);
    expect(outcome.reason.minimal).toBe(true);
  }, 120_000);

  it('a core of 13 accounts and 8 reps (four $70s and nine of twelve $40s), beyond what counting sees', async () => {
    // Eight reps with room for $100: four take a $70 and nothing else, four take two $40s each; nine $40s
    // are one too many. The ninth is any of the twelve: the smallest-last order names the first nine.
    const raw = plantedBook([70, 70, 70, 70, ...Array(12).fill(40)], 8);
    const reason = packingReason(await solve(raw));
    expect([...reason.accountIds!].sort()).toEqual(
      ['ENT1', 'ENT2', 'ENT3', 'ENT4', ...[5, 6, 7, 8, 9, 10, 11, 12, 13].map((i) => `ENT${i}`)].sort(),
    );
    expect([...reason.repIds!].sort()).toEqual(['E1', 'E2', 'E3', 'E4', 'E5', 'E6', 'E7', 'E8']);
    expect(reason.minimal).toBe(true);
  }, 120_000);

  it('out of budget: names a set that still cannot fit and says it is not shown to be the smallest', async () => {
    const raw = plantedBook([70, 40, 40, 40, 10, 10], 2);
    const problem = problemOf(raw);
    const pool = problem.pools[0]!;
    const smbReps = problem.reps.filter((r) => r.id.startsWith('S')).map((r) => problem.repIndex.get(r.id)!);
    // Hinted at the enterprise reps' accounts; a budget that covers the first checks and no shrinking.
    const hint = pool.movable.filter((k) => problem.accounts[problem.movable[k]!]!.id === 'ENT2');
    const outcome = await provePackingInfeasible(problem, pool, { budgetMs: 0.001, hint });
    expect(outcome && 'reason' in outcome).toBe(true);
    if (!outcome || !('reason' in outcome)) return;
    const reason = outcome.reason;
    expect(reason.minimal).toBe(false);
    expect(reason.message).toMatch(/Not shown to be the smallest such set/);
    // A superset of the core ($10s included), itself unable to fit: checked by exhaustive search.
    expect([...reason.accountIds!].sort()).toEqual(['ENT1', 'ENT2', 'ENT3', 'ENT4', 'ENT5', 'ENT6']);
    const named = pool.movable.filter((k) =>
      reason.accountIds!.includes(problem.accounts[problem.movable[k]!]!.id),
    );
    expect(exactPacking(problem, named).verdict).toBe('infeasible');
    expect(reason.repIds!.some((id) => smbReps.includes(problem.repIndex.get(id)!))).toBe(false);
  }, 120_000);
});

describe('every named set cannot fit (brute force on small books with tiers)', () => {
  it('whatever the budget and the hint: the named accounts alone have no assignment, and when said irreducible, each one is needed', async () => {
    // Reps take one or both tiers, so eligibility differs inside a pool and the reps filter has work to do.
    const book = fc.record({
      reps: fc.array(
        fc.record({
          tiers: fc.constantFrom(['a'], ['b'], ['a', 'b']),
          revenueCap: fc.option(fc.integer({ min: 80, max: 140 }), { freq: 8 }),
          countCap: fc.option(fc.integer({ min: 1, max: 3 }), { freq: 2 }),
        }),
        { minLength: 2, maxLength: 4 },
      ),
      accounts: fc.array(
        fc.record({ revenue: fc.integer({ min: 35, max: 75 }), tier: fc.constantFrom('a', 'b') }),
        {
          minLength: 2,
          maxLength: 6,
        },
      ),
      budgetMs: fc.constantFrom(0.001, 0.05, 1_000),
      hint: fc.array(fc.nat(5), { maxLength: 2 }),
    });
    let verdicts = 0;
    let reducedByBudget = 0;
    let searched = 0;
    await fc.assert(
      fc.asyncProperty(book, async (g) => {
        const reps = [
          rep('GONE', 'West', { departing: true }),
          ...g.reps.map((r, i) =>
            rep(`R${i}`, 'West', {
              tiers: r.tiers,
              ...(r.revenueCap !== null ? { maxRevenueCents: r.revenueCap * 100 } : {}),
              ...(r.countCap !== null ? { maxAccounts: r.countCap } : {}),
            }),
          ),
        ];
        const all = g.accounts.map((a, i) =>
          account(`A${i}`, 'GONE', a.revenue * 100, 'West', { tier: a.tier }),
        );
        const raw = (accounts: typeof all) => ({
          kind: 'departure' as const,
          accounts,
          reps,
          timeLimitMs: 2_000,
        });
        const parsed = parseSolveInput(raw(all));
        if (!parsed.ok) throw new Error('invalid');
        const built = buildProblem(parsed.input);
        if (!built.ok) throw new Error('too big');
        const problem = built.problem;
        for (const pool of problem.pools) {
          const hint = g.hint.filter((k) => k < problem.movable.length);
          const outcome = await provePackingInfeasible(problem, pool, { budgetMs: g.budgetMs, hint });
          const poolIds = new Set(pool.movable.map((k) => problem.accounts[problem.movable[k]!]!.id));
          const poolFits = bruteForceOptimum(raw(all.filter((a) => poolIds.has(a.id)))) !== null;
          if (!outcome || !('reason' in outcome)) {
            // A placement handed back holds: the pool does fit.
            if (outcome) expect(poolFits).toBe(true);
            continue;
          }
          verdicts += 1;
          if (countingProof(problem, pool) === null) searched += 1;
          const named = new Set(outcome.reason.accountIds);
          expect(bruteForceOptimum(raw(all.filter((a) => named.has(a.id))))).toBeNull();
          if (outcome.reason.minimal) {
            for (const id of named)
              expect(
                bruteForceOptimum(raw(all.filter((a) => named.has(a.id) && a.id !== id))),
              ).not.toBeNull();
          } else reducedByBudget += 1;
          expect(
            outcome.reason.minimal === true
              ? /Each of these accounts is needed/
              : /Not shown to be the smallest/,
          ).toSatisfy((re: RegExp) => re.test(outcome.reason.message));
        }
      }),
      { numRuns: 300, seed: 1919 },
    );
    // The books reach what this is about (when written: 105 pools proven, 8 of them only by the search, 8
    // named sets not shown irreducible for want of budget).
    expect(verdicts).toBeGreaterThanOrEqual(50);
    expect(searched).toBeGreaterThanOrEqual(4);
    expect(reducedByBudget).toBeGreaterThanOrEqual(3);
  }, 240_000);
});
