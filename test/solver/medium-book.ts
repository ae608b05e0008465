/** Medium generated realignment books for property tests of the search and bound parts. */
import fc from 'fast-check';
import { parseSolveInput, type SolveInputRaw } from '../../src/solver/input.ts';
import type { MipModel } from '../../src/solver/model.ts';
import { buildProblem, type Problem } from '../../src/solver/problem.ts';

/** The solver's problem for a raw input, or null when the input is invalid or infeasible to build. */
export function problemOf(raw: unknown): Problem | null {
  const parsed = parseSolveInput(raw);
  if (!parsed.ok) return null;
  const built = buildProblem(parsed.input);
  return built.ok ? built.problem : null;
}

/**
 * Largest violation of any row, and of the bounds of the first `boundedCols` columns (all by default), by the
 * given column values.
 */
export function modelViolation(model: MipModel, x: ArrayLike<number>, boundedCols = model.numCols): number {
  let worst = 0;
  for (let r = 0; r < model.numRows; r++) {
    let lhs = 0;
    for (let i = model.rowStart[r]!; i < model.rowStart[r + 1]!; i++)
      lhs += model.rowValue[i]! * x[model.rowIndex[i]!]!;
    worst = Math.max(worst, model.rowLower[r]! - lhs, lhs - model.rowUpper[r]!);
  }
  for (let c = 0; c < boundedCols; c++)
    worst = Math.max(worst, model.colLower[c]! - x[c]!, x[c]! - model.colUpper[c]!);
  return worst;
}

/** Medium realignment books: several regions, segments, caps, protected, pinned and open-deal accounts. */
export const mediumBook = fc
  .record({
    reps: fc.integer({ min: 2, max: 9 }),
    regions: fc.integer({ min: 1, max: 3 }),
    segmented: fc.integer({ min: 0, max: 3 }).map((x) => x === 0),
    accounts: fc.array(
      fc.record({
        owner: fc.integer({ min: -1, max: 8 }),
        revenue: fc.oneof(
          fc.integer({ min: 0, max: 20_000_000 }),
          fc.integer({ min: 0, max: 500_000 }),
          fc.constant(0),
        ),
        region: fc.integer({ min: 0, max: 2 }),
        segment: fc.constantFrom('smb', 'ent'),
        tier: fc.constantFrom('A', 'B'),
        // About one in eight accounts protected, one in ten pinned.
        protected: fc.integer({ min: 0, max: 7 }).map((x) => x === 0),
        openDeal: fc.boolean(),
        pinned: fc.integer({ min: 0, max: 9 }).map((x) => x === 0),
        pinTo: fc.integer({ min: 0, max: 8 }),
      }),
      { minLength: 4, maxLength: 120 },
    ),
    caps: fc.array(
      fc.record({
        maxAccounts: fc.option(fc.integer({ min: 5, max: 40 }), { freq: 2 }),
        maxRevenue: fc.option(fc.integer({ min: 20_000_000, max: 300_000_000 }), { freq: 2 }),
        weight: fc.constantFrom(1, 1, 2),
        departing: fc.boolean(),
        // Some reps take tier A only: accounts of one pool are then not all eligible for every rep.
        tierA: fc.integer({ min: 0, max: 2 }).map((x) => x === 0),
      }),
      { minLength: 9, maxLength: 9 },
    ),
  })
  .map((g): SolveInputRaw => {
    const regionName = (i: number) => ['West', 'East', 'North'][i % g.regions]!;
    const reps = Array.from({ length: g.reps }, (_, i) => {
      const c = g.caps[i]!;
      return {
        id: `R${i}`,
        name: `Rep ${i}`,
        region: regionName(i),
        weight: c.weight,
        // Keep at least two staying reps.
        departing: i >= 2 && c.departing,
        ...(g.segmented ? { segment: i % 2 === 0 ? 'smb' : 'ent' } : {}),
        ...(c.tierA ? { tiers: ['A'] } : {}),
        ...(c.maxAccounts !== null ? { maxAccounts: c.maxAccounts } : {}),
        ...(c.maxRevenue !== null ? { maxRevenueCents: c.maxRevenue } : {}),
      };
    });
    const accounts = g.accounts.map((a, i) => {
      const owner = a.owner >= 0 && a.owner < reps.length ? `R${a.owner}` : null;
      const pin = a.pinned && a.pinTo < reps.length && !reps[a.pinTo]!.departing ? `R${a.pinTo}` : undefined;
      return {
        id: `A${i}`,
        ownerId: owner,
        revenueCents: a.revenue,
        region: regionName(a.region),
        segment: a.segment,
        tier: a.tier,
        protected: a.protected,
        hasOpenDeal: a.openDeal,
        ...(pin ? { pinnedOwnerId: pin } : {}),
      };
    });
    return { kind: 'realignment', objective: 'l1', accounts, reps };
  });
