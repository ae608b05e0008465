/** Small solver inputs for tests: hand-made books and a fast-check arbitrary of tiny ones. */
import fc from 'fast-check';
import type { SolveInputRaw } from '../../src/solver/input.ts';

export function rep(id: string, region: string, extra: Record<string, unknown> = {}) {
  return { id, name: id, region, ...extra };
}

export function account(
  id: string,
  ownerId: string | null,
  revenueCents: number,
  region: string,
  extra: Record<string, unknown> = {},
) {
  return { id, ownerId, revenueCents, region, ...extra };
}

/** Tiny books (≤ 7 accounts, ≤ 4 reps, 1–2 regions) small enough to brute-force. */
export const tinyInput = (
  kinds: ('departure' | 'realignment' | 'new-hire')[] = ['departure', 'realignment'],
) =>
  fc
    .record({
      repCount: fc.integer({ min: 2, max: 4 }),
      regions: fc.integer({ min: 1, max: 2 }),
      kind: fc.constantFrom(...kinds),
      objective: fc.constantFrom('l1' as const, 'minimax' as const),
      accounts: fc.array(
        fc.record({
          owner: fc.integer({ min: -1, max: 3 }),
          revenue: fc.oneof(fc.integer({ min: 0, max: 5_000_000 }), fc.constant(0)),
          region: fc.integer({ min: 0, max: 1 }),
          protected: fc.boolean(),
          openDeal: fc.boolean(),
          pin: fc.option(fc.integer({ min: 0, max: 3 }), { freq: 6 }),
        }),
        { minLength: 1, maxLength: 7 },
      ),
      reps: fc.array(
        fc.record({
          departing: fc.boolean(),
          maxAccounts: fc.option(fc.integer({ min: 0, max: 6 }), { freq: 2 }),
          maxRevenue: fc.option(fc.integer({ min: 0, max: 12_000_000 }), { freq: 3 }),
          weight: fc.constantFrom(1, 1, 2),
        }),
        { minLength: 4, maxLength: 4 },
      ),
    })
    .map((g): SolveInputRaw => {
      const regionName = (i: number) => (i % g.regions === 0 ? 'West' : 'East');
      const reps = g.reps.slice(0, g.repCount).map((r, i) => ({
        id: `R${i}`,
        name: `Rep ${i}`,
        region: regionName(i),
        departing: r.departing,
        weight: r.weight,
        ...(r.maxAccounts !== null ? { maxAccounts: r.maxAccounts } : {}),
        ...(r.maxRevenue !== null ? { maxRevenueCents: r.maxRevenue } : {}),
      }));
      if (g.kind === 'departure' && !reps.some((r) => r.departing)) reps[0]!.departing = true;
      const accounts = g.accounts.map((a, i) => {
        const owner = a.owner >= 0 && a.owner < reps.length ? `R${a.owner}` : null;
        const pin =
          a.pin !== null && a.pin < reps.length && !reps[a.pin]!.departing ? `R${a.pin}` : undefined;
        return {
          id: `A${i}`,
          ownerId: owner,
          revenueCents: a.revenue,
          region: regionName(a.region),
          protected: a.protected,
          hasOpenDeal: a.openDeal,
          ...(pin ? { pinnedOwnerId: pin } : {}),
        };
      });
      const hire = reps.find((r) => !r.departing);
      return {
        kind: g.kind === 'new-hire' && !hire ? 'realignment' : g.kind,
        objective: g.objective,
        accounts,
        reps,
        timeLimitMs: 20_000,
        ...(g.kind === 'new-hire' && hire ? { newHire: { hireRepIds: [hire.id], maxTakenPerRep: 1 } } : {}),
      };
    });
