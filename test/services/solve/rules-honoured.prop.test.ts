/**
 * Issue 13, "the proposal does what the rules say", as properties of the planning pipeline on generated books,
 * rules and run kinds: the run's solve (solvePlan: the input the job builds, the in-process solver, accounts nobody
 * may receive left unassigned with why) and the conflicts the review computes on the resulting proposal
 * (conflictInputOf + detectConflicts, as refreshProposal does). Under the default rules:
 *   - no account goes to a rep of another region;
 *   - no protected account (import column, keep-with-owner list, house, co-owned, closing deal) moves without a
 *     blocking conflict — and unless its owner leaves it never moves;
 *   - no account ends with a rep who leaves (the departure's, or inactive / gone by the date) unless a blocking
 *     conflict that only an owner who stays resolves names it;
 *   - a new hire's starter book stays within its target (ramp) plus the tolerance, or a blocking conflict names
 *     the hire and the cause;
 *   - every rep the run balances or gives to is within its caps, or a blocking conflict names the rep (also one that
 *     receives nothing and was over before the run).
 */
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { type Ruleset, rulesetSchema } from '../../../src/rules/ruleset-schema.ts';
import { capsFor, protectionsOf } from '../../../src/services/plan/build-solve-input.ts';
import { DEFAULT_RULESET } from '../../../src/services/plan/planning-context.ts';
import { type AssignmentRow, conflictInputOf } from '../../../src/services/solve/refresh-proposal.ts';
import { solvePlan } from '../../../src/services/solve/solve-plan.ts';
import { solve } from '../../../src/solver/solve.ts';
import { type DetectedConflict, detectConflicts, NEEDS_AN_OWNER } from '../../../src/workflow/conflicts.ts';
import { AS_OF, type GeneratedRun, generatedRun } from './book-arbitrary.ts';

const CLOSING_DAYS = 30;

type Row = Pick<AssignmentRow, 'accountId' | 'fromRepId' | 'toRepId' | 'reason' | 'excluded'>;

/** The run planned, solved and checked as the job and the review do; null when the solve found no answer. */
async function planned(g: GeneratedRun) {
  const ruleset: Ruleset = rulesetSchema.parse({
    ...DEFAULT_RULESET,
    protections: { keepWithOwner: g.keepWithOwner },
  });
  const plan = {
    params: g.params,
    book: g.book,
    ruleset,
    asOfDate: AS_OF,
    closingWithinDays: CLOSING_DAYS,
  };
  const { result, built, unassigned, hireBounds } = await solvePlan(
    plan,
    { reassignmentDate: null, timeLimitMs: 2000, pins: new Map(), excluded: g.excluded },
    (input) => solve(input),
  );
  if (!('assignments' in result) || result.assignments === null)
    return { plan, result, rows: null, conflicts: [], built, hireBounds };
  const owner = new Map(g.book.accounts.map((a) => [a.id, a.plannedOwnerId]));
  const rows: Row[] = result.assignments.map((a) => ({
    accountId: a.accountId,
    fromRepId: owner.get(a.accountId) ?? null,
    toRepId: a.toRepId,
    reason: a.reason,
    excluded: false,
  }));
  for (const [id, why] of unassigned)
    rows.push({
      accountId: id,
      fromRepId: owner.get(id) ?? null,
      toRepId: null,
      reason: why,
      excluded: false,
    });
  for (const id of g.excluded) {
    if (rows.some((r) => r.accountId === id)) continue;
    rows.push({
      accountId: id,
      fromRepId: owner.get(id) ?? null,
      toRepId: owner.get(id) ?? null,
      reason: 'excluded',
      excluded: true,
    });
  }
  const conflicts = detectConflicts(
    conflictInputOf(
      {
        scope: 'ownership',
        commissionEndDate: null,
        reassignmentDate: null,
        // As the job stores them: each balanced rep's target, and the hires' bounds.
        metrics: {
          hireBounds,
          targets: Object.fromEntries(
            result.reps.filter((r) => r.targetCount !== null).map((r) => [r.repId, r.targetCount]),
          ),
        },
      },
      plan,
      rows,
    ),
  );
  return { plan, result, rows, conflicts, built, hireBounds };
}

const blockingOn = (conflicts: readonly DetectedConflict[], accountId: string) =>
  conflicts.filter((c) => c.severity === 'blocking' && c.accountId === accountId);

const RUNS = { numRuns: 60, seed: 1313 };

describe('the proposal does what the rules say (generated books, default rules)', () => {
  it('sends no account to a rep of another region, and leaves one nobody may receive unassigned with why', async () => {
    await fc.assert(
      fc.asyncProperty(generatedRun(['rep_departure', 'realignment', 'new_hire']), async (g) => {
        const { rows, conflicts } = await planned(g);
        if (rows === null) return;
        const repRegion = new Map(g.book.reps.map((r) => [r.id, r.region]));
        const accounts = new Map(g.book.accounts.map((a) => [a.id, a]));
        for (const r of rows) {
          const a = accounts.get(r.accountId)!;
          if (r.excluded || r.toRepId === null || r.toRepId === a.plannedOwnerId) continue;
          expect(repRegion.get(r.toRepId), `${a.id} of ${a.region} went to ${r.toRepId}`).toBe(a.region);
        }
        for (const r of rows.filter((x) => x.toRepId === null && !x.excluded)) {
          const c = blockingOn(conflicts, r.accountId).find((k) => k.kind === 'unassigned');
          expect(c?.message).toMatch(/No rep (of \w+ )?may receive it/);
        }
      }),
      RUNS,
    );
  });

  it('moves no protected account without a blocking conflict, and none whose owner stays', async () => {
    await fc.assert(
      fc.asyncProperty(generatedRun(['rep_departure', 'realignment', 'new_hire']), async (g) => {
        const { plan, rows, conflicts, built } = await planned(g);
        if (rows === null) return;
        const protectedIds = protectionsOf(g.book, plan.ruleset, AS_OF, CLOSING_DAYS);
        const accounts = new Map(g.book.accounts.map((a) => [a.id, a]));
        for (const r of rows) {
          const a = accounts.get(r.accountId)!;
          // Kept with its owner: an account without one has nobody to stay with.
          if (!protectedIds.has(a.id) || a.plannedOwnerId === null) continue;
          if (r.excluded || r.toRepId === a.plannedOwnerId) continue;
          // Only where its owner leaves (a departure's rep, or a realignment's rep who is inactive or gone).
          expect(built.departing.has(a.plannedOwnerId), `${a.id} (${protectedIds.get(a.id)}) moved`).toBe(
            true,
          );
          expect(
            blockingOn(conflicts, a.id).length,
            `${a.id} moved without a blocking conflict`,
          ).toBeGreaterThan(0);
        }
      }),
      RUNS,
    );
  });

  it('leaves no account with a rep who leaves, unless a conflict only an owner who stays resolves names it', async () => {
    await fc.assert(
      fc.asyncProperty(generatedRun(['rep_departure', 'realignment']), async (g) => {
        const { rows, conflicts, built } = await planned(g);
        if (rows === null) return;
        const reps = new Map(g.book.reps.map((r) => [r.id, r]));
        const leaves = (id: string | null) => {
          const r = id ? reps.get(id) : undefined;
          if (r?.kind !== 'person') return false;
          return built.departing.has(r.id) || !r.active || (r.endDate !== null && r.endDate <= AS_OF);
        };
        const final = new Map(g.book.accounts.map((a) => [a.id, a.plannedOwnerId]));
        for (const r of rows) final.set(r.accountId, r.excluded ? r.fromRepId : r.toRepId);
        const owners = new Map(g.book.accounts.map((a) => [a.id, a.plannedOwnerId]));
        for (const [id, owner] of final) {
          // Only the accounts the run concerns: those of its departing reps (a departure's, a realignment's gone).
          if (!built.departing.has(owners.get(id) ?? '')) continue;
          if (owner !== null && !leaves(owner)) continue;
          const needsOwner = blockingOn(conflicts, id).filter((c) => NEEDS_AN_OWNER.has(c.kind));
          expect(needsOwner.length, `${id} ends with ${owner ?? 'nobody'}`).toBeGreaterThan(0);
        }
      }),
      RUNS,
    );
  });

  it('keeps every rep the run balances or gives to within its caps, or a blocking conflict names the rep', async () => {
    await fc.assert(
      fc.asyncProperty(generatedRun(['rep_departure', 'realignment', 'new_hire']), async (g) => {
        const { plan, result, rows, conflicts } = await planned(g);
        if (rows === null || !('reps' in result)) return;
        const final = new Map(g.book.accounts.map((a) => [a.id, a.plannedOwnerId]));
        for (const r of rows) final.set(r.accountId, r.excluded ? r.fromRepId : r.toRepId);
        // Receiving or not: a rep of the run's pools that ends over a cap it had before is named too.
        const receiving = new Set([
          ...rows.filter((r) => !r.excluded && r.toRepId !== r.fromRepId && r.toRepId).map((r) => r.toRepId!),
          ...result.reps.filter((r) => r.targetCount !== null).map((r) => r.repId),
        ]);
        for (const rep of g.book.reps.filter((r) => receiving.has(r.id))) {
          const caps = capsFor(rep, plan.ruleset, plan.params);
          const mine = g.book.accounts.filter((a) => final.get(a.id) === rep.id);
          const revenue = mine.reduce((s, a) => s + a.revenueCents, 0);
          const over =
            (caps.maxAccounts !== undefined && mine.length > caps.maxAccounts) ||
            (caps.maxRevenueCents !== undefined && revenue > caps.maxRevenueCents);
          if (!over) continue;
          const named = conflicts.filter((c) => c.severity === 'blocking' && c.repId === rep.id);
          expect(named.length, `${rep.id} is over a cap without a conflict`).toBeGreaterThan(0);
        }
      }),
      RUNS,
    );
  });

  it('gives a new hire at most its target plus the tolerance, or a blocking conflict names the hire', async () => {
    await fc.assert(
      fc.asyncProperty(generatedRun(['new_hire']), async (g) => {
        const { plan, rows, conflicts, hireBounds } = await planned(g);
        if (rows === null || g.params.kind !== 'new_hire') return;
        const hire = g.params.hireRepIds[0]!;
        const bound = hireBounds.find((b) => b.repId === hire);
        expect(bound, 'every hire has a bound').toBeDefined();
        const tol = 1 + plan.ruleset.targets.toleranceBps / 10_000;
        expect(bound!.maxAccounts).toBe(Math.ceil(bound!.targetCount * tol - 1e-9));
        const final = new Map(g.book.accounts.map((a) => [a.id, a.plannedOwnerId]));
        for (const r of rows) final.set(r.accountId, r.excluded ? r.fromRepId : r.toRepId);
        const mine = g.book.accounts.filter((a) => final.get(a.id) === hire);
        const revenue = mine.reduce((sum, a) => sum + a.revenueCents, 0);
        const over =
          mine.length > bound!.targetCount * tol + 1 - 1e-9 || revenue > bound!.targetRevenueCents * tol + 1;
        if (!over) return;
        const named = conflicts.filter(
          (c) => c.kind === 'hire_over_target' && c.severity === 'blocking' && c.repId === hire,
        );
        expect(named.length, `the hire got ${mine.length} accounts / ${revenue} without a conflict`).toBe(1);
        expect(bound!.cause).toBeTruthy();
      }),
      RUNS,
    );
  });
});
