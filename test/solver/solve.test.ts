import { describe, expect, it } from 'vitest';
import { generateInstance, INSTANCE_SIZES } from '../../bench/solver-instances.ts';
import { solve } from '../../src/solver/solve.ts';
import { account, rep } from './factories.ts';

describe('solve', () => {
  it("hands a departing rep's book to the staying reps of the same region and proves it optimal", async () => {
    const result = await solve({
      kind: 'departure',
      accounts: [
        account('A1', 'GONE', 100_00, 'West'),
        account('A2', 'GONE', 100_00, 'West'),
        account('A3', 'R1', 100_00, 'West'),
        account('A4', 'R3', 100_00, 'East'),
      ],
      reps: [
        rep('GONE', 'West', { departing: true }),
        rep('R1', 'West'),
        rep('R2', 'West'),
        rep('R3', 'East'),
      ],
    });
    expect(result.status).toBe('optimal');
    if (result.status !== 'optimal') return;
    const to = Object.fromEntries(result.assignments.map((a) => [a.accountId, a.toRepId]));
    // R1 already has one account: balance gives R2 both or one each; either way nobody goes East.
    expect(['R1', 'R2']).toContain(to['A1']);
    expect(to['A4']).toBe('R3');
    expect(result.reps.find((r) => r.repId === 'GONE')?.countAfter).toBe(0);
    expect(result.assignments.find((a) => a.accountId === 'A1')?.rule).toBe('departure');
    expect(result.gap).toBeLessThanOrEqual(1e-4);
  });

  it('lets a pinned override win over balance and eligibility, and flags it', async () => {
    const result = await solve({
      kind: 'departure',
      accounts: [
        account('A1', 'GONE', 5_000_00, 'West', { pinnedOwnerId: 'E1' }),
        account('A2', 'GONE', 10_00, 'West'),
      ],
      reps: [rep('GONE', 'West', { departing: true }), rep('R1', 'West'), rep('E1', 'East')],
    });
    if (result.status !== 'optimal') throw new Error(result.status);
    expect(result.assignments.find((a) => a.accountId === 'A1')).toMatchObject({
      toRepId: 'E1',
      rule: 'pinned',
    });
    expect(result.conflicts.some((c) => c.code === 'pin-ineligible' && c.accountId === 'A1')).toBe(true);
  });

  it('names the region and the shortfall when revenue caps are too small', async () => {
    const result = await solve({
      kind: 'departure',
      accounts: [account('A1', 'GONE', 1_000_000_00, 'West'), account('A2', 'GONE', 500_000_00, 'West')],
      reps: [rep('GONE', 'West', { departing: true }), rep('R1', 'West', { maxRevenueCents: 300_000_00 })],
    });
    expect(result.status).toBe('infeasible');
    if (result.status !== 'infeasible') return;
    const reason = result.reasons.find((r) => r.code === 'revenue-capacity')!;
    expect(reason.message).toContain('West needs 1.2M more revenue capacity');
    expect(reason.shortfall).toBe(1_200_000_00);
  });

  it('reports an account no rep may receive', async () => {
    const result = await solve({
      kind: 'departure',
      accounts: [account('A1', 'GONE', 100, 'North')],
      reps: [rep('GONE', 'North', { departing: true }), rep('R1', 'West')],
    });
    expect(result.status).toBe('infeasible');
    if (result.status === 'infeasible') expect(result.reasons[0]!.code).toBe('no-eligible-rep');
  });

  it('rejects bad input before solving, with paths', async () => {
    const result = await solve({
      kind: 'realignment',
      accounts: [
        { id: 'A1', ownerId: 'NOBODY', revenueCents: -5, region: 'West' },
        { id: 'A1', ownerId: null, revenueCents: Number.NaN, region: 'West' },
      ],
      reps: [rep('R1', 'West')],
    });
    expect(result.status).toBe('invalid');
    if (result.status !== 'invalid') return;
    const paths = result.issues.map((i) => i.path.join('.'));
    expect(paths).toContain('accounts.0.revenueCents');
    expect(paths).toContain('accounts.1.revenueCents');
    const cross = await solve({
      kind: 'realignment',
      accounts: [account('A1', 'NOBODY', 5, 'West')],
      reps: [rep('R1', 'West')],
    });
    expect(cross.status === 'invalid' && cross.issues[0]!.path.join('.')).toBe('accounts.0.ownerId');
  });

  it('flags a moved account with a deal closing within the window', async () => {
    const result = await solve({
      kind: 'departure',
      asOfDate: '2025-01-15',
      closingWithinDays: 30,
      accounts: [
        account('A1', 'GONE', 100, 'West', { hasOpenDeal: true, nextCloseDate: '2025-02-01' }),
        account('A2', 'GONE', 100, 'West', { hasOpenDeal: true, nextCloseDate: '2025-06-01' }),
      ],
      reps: [rep('GONE', 'West', { departing: true }), rep('R1', 'West')],
    });
    if (result.status !== 'optimal') throw new Error(result.status);
    const deals = result.conflicts.filter((c) => c.code === 'deal-closing');
    expect(deals.map((c) => c.accountId)).toEqual(['A1']);
    expect(deals[0]!.severity).toBe('blocking');
  });

  it('new hire: takes at most maxTakenPerRep accounts from each rep', async () => {
    const accounts = Array.from({ length: 12 }, (_, i) =>
      account(`A${i}`, i < 6 ? 'R1' : 'R2', 1000, 'West'),
    );
    const result = await solve({
      kind: 'new-hire',
      newHire: { hireRepIds: ['NEW'], maxTakenPerRep: 2 },
      accounts,
      reps: [rep('R1', 'West'), rep('R2', 'West'), rep('NEW', 'West', { rampTargetBps: 10_000 })],
    });
    if (result.status !== 'optimal' && result.status !== 'feasible') throw new Error(result.status);
    const taken = (from: string) =>
      result.assignments.filter((a) => a.fromRepId === from && a.toRepId === 'NEW').length;
    expect(taken('R1')).toBe(2);
    expect(taken('R2')).toBe(2);
    expect(result.assignments.filter((a) => a.moved).every((a) => a.rule === 'new-hire')).toBe(true);
  });

  it('runs each simple strategy within the caps, pins winning', async () => {
    const generated = generateInstance(INSTANCE_SIZES[0]!, 'realignment', 3);
    // Simple strategies do not search, so the generator's tight caps would leave accounts unplaced.
    const base = {
      ...generated,
      reps: generated.reps.map(({ maxAccounts: _a, maxRevenueCents: _r, ...r }) => r),
    };
    base.accounts[0] = { ...base.accounts[0]!, pinnedOwnerId: base.reps.find((r) => !r.departing)!.id };
    for (const strategy of ['round-robin', 'least-loaded', 'weighted', 'territory'] as const) {
      const result = await solve({
        ...base,
        strategy,
        territoryRules: [
          {
            field: 'region',
            equals: 'West',
            repIds: [base.reps.find((r) => r.region === 'West' && !r.departing)!.id],
          },
        ],
      });
      expect(result.status).toBe('feasible');
      if (result.status !== 'feasible') continue;
      expect(result.engine).toBe(strategy);
      expect(result.assignments[0]!.toRepId).toBe(base.accounts[0]!.pinnedOwnerId);
    }
  });

  it('balances a generated 300x12 realignment within the caps and within 5% of its bound', async () => {
    const result = await solve({
      ...generateInstance(INSTANCE_SIZES[1]!, 'realignment', 1),
      timeLimitMs: 30_000,
    });
    expect(['optimal', 'feasible']).toContain(result.status);
    if (result.status !== 'optimal' && result.status !== 'feasible') return;
    expect(result.gap).not.toBeNull();
    expect(result.gap!).toBeLessThan(0.05);
    expect(result.balance.count.cv).toBeLessThan(result.balance.countBefore.cv);
  });
});
