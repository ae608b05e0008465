/**
 * Caps infeasible only by packing: the totals fit, the accounts do not. Proven (status infeasible, CLI exit 2)
 * with an irreducible set of accounts and the reps who may take them named in the reason.
 */
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { runSolveCommand } from '../../src/cli/solve-command.ts';
import { parseSolveInput } from '../../src/solver/input.ts';
import { exactPacking } from '../../src/solver/packing.ts';
import { buildProblem } from '../../src/solver/problem.ts';
import { solve } from '../../src/solver/solve.ts';
import { account, rep } from './factories.ts';

describe('packing infeasibility', () => {
  it('CLI: three $60 accounts into two reps capped at $100 exit 2, naming the three accounts and both reps', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'bookshift-packing-'));
    try {
      writeFileSync(
        join(dir, 'accounts.csv'),
        'account_id,account_name,owner_id,annual_revenue,region\nA1,One,GONE,60,West\nA2,Two,GONE,$60.00,West\nA3,Three,GONE,60,West\nA4,Small,GONE,1,West\n',
      );
      writeFileSync(
        join(dir, 'reps.csv'),
        'rep_id,name,email,region,may_receive,departing,max_revenue\nGONE,Gone,,West,false,true,\nR1,Ann,,West,true,false,100\nR2,Bob,,West,true,false,$100\n',
      );
      const out: string[] = [];
      const err: string[] = [];
      const code = await runSolveCommand(
        [
          '--accounts',
          join(dir, 'accounts.csv'),
          '--reps',
          join(dir, 'reps.csv'),
          '--kind',
          'departure',
          '--json',
        ],
        { stdout: (s) => out.push(s), stderr: (s) => err.push(s) },
      );
      expect(code).toBe(2);
      const json = JSON.parse(out.join(''));
      expect(json.status).toBe('infeasible');
      const reason = json.reasons[0];
      expect(reason.code).toBe('caps-conflict');
      expect([...reason.accountIds].sort()).toEqual(['A1', 'A2', 'A3']);
      expect([...reason.repIds].sort()).toEqual(['R1', 'R2']);
      expect(err.join('')).toMatch(/A1.*A2.*A3.*R1.*R2/s);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  it('proves a packing too large for the exact search with the MIP and shrinks it to the accounts that do not fit', async () => {
    // 16 accounts of $60 for 15 reps with room for $110 each (one $60 account each): $960 against $1,650 of
    // room. Ten $1 accounts fit anywhere and must not be named.
    const reps = [rep('GONE', 'West', { departing: true })];
    for (let i = 1; i <= 15; i++) reps.push(rep(`R${i}`, 'West', { maxRevenueCents: 110_00 }));
    const accounts = [];
    for (let i = 1; i <= 16; i++) accounts.push(account(`BIG${i}`, 'GONE', 60_00, 'West'));
    for (let i = 1; i <= 10; i++) accounts.push(account(`SMALL${i}`, 'GONE', 1_00, 'West'));
    const result = await solve({ kind: 'departure', accounts, reps, timeLimitMs: 20_000 });
    expect(result.status).toBe('infeasible');
    if (result.status !== 'infeasible') return;
    const reason = result.reasons.find((r) => r.code === 'caps-conflict')!;
    expect(reason.accountIds).toHaveLength(16);
    expect(reason.accountIds!.every((id) => id.startsWith('BIG'))).toBe(true);
    expect(reason.repIds).toHaveLength(15);
    expect(reason.message).toMatch(/raise one of these caps/);
  }, 60_000);

  it('on tiny books: "infeasible" only when no assignment exists, and the named set is irreducible', async () => {
    await fc.assert(
      fc.asyncProperty(
        fc.array(fc.integer({ min: 1, max: 100 }), { minLength: 2, maxLength: 6 }),
        fc.array(fc.integer({ min: 50, max: 150 }), { minLength: 2, maxLength: 3 }),
        async (revenues, caps) => {
          const raw = {
            kind: 'departure' as const,
            accounts: revenues.map((v, i) => account(`A${i}`, 'GONE', v * 100, 'West')),
            reps: [
              rep('GONE', 'West', { departing: true }),
              ...caps.map((c, i) => rep(`R${i}`, 'West', { maxRevenueCents: c * 100 })),
            ],
            timeLimitMs: 5_000,
          };
          const result = await solve(raw);
          // Every way to hand the accounts to the staying reps, by brute force.
          let exists = false;
          for (let code = 0; code < caps.length ** revenues.length && !exists; code++) {
            const load = caps.map(() => 0);
            let c = code;
            for (const v of revenues) {
              load[c % caps.length]! += v;
              c = Math.floor(c / caps.length);
            }
            exists = load.every((l, i) => l <= caps[i]!);
          }
          if (result.status === 'infeasible') {
            expect(exists).toBe(false);
            const packing = result.reasons.find((r) => r.code === 'caps-conflict');
            if (!packing) return;
            const parsed = parseSolveInput(raw);
            if (!parsed.ok) throw new Error('invalid');
            const built = buildProblem(parsed.input);
            if (!built.ok) throw new Error('invalid');
            const problem = built.problem;
            const pos = (id: string) => problem.movable.findIndex((a) => problem.accounts[a]!.id === id);
            const set = packing.accountIds!.map(pos);
            expect(exactPacking(problem, set)).toBe('infeasible');
            for (let i = 0; i < set.length; i++)
              expect(
                exactPacking(
                  problem,
                  set.filter((_, j) => j !== i),
                ),
              ).toBe('feasible');
          } else {
            expect(exists).toBe(true);
          }
        },
      ),
      { numRuns: 40 },
    );
  }, 120_000);
});
