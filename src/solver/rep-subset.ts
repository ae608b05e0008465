/**
 * The sub-problem of the rep-subset search (rep-lns.ts): a few reps of a pool, every movable account now on
 * them freed, and those accounts re-assigned among those reps alone (every other rep and account fixed). The
 * L1 objective is a sum over reps plus a continuity cost per account, so the sub-problem's objective is the
 * pool's restricted to these reps and accounts, and its optimum is a true improvement of the whole pool. It is
 * the pool model (model.ts) of a sub-pool: the same rows, caps and eligibility (cut to the subset), warm-started
 * with the current assignment, so HiGHS returns an answer at least as good as the one it was given.
 */
import { NUMERIC_ABS_GAP } from './engine-limits.ts';
import type { HighsRun } from './engines/highs.ts';
import {
  type Block,
  buildPoolModel,
  type MipModel,
  readSingleAssignment,
  singleBlocks,
  startValues,
} from './model.ts';
import type { Pool, Problem } from './problem.ts';
import { countDev, moveCostOf, place, type State, unitDev, unplace } from './state.ts';

/** A sub-problem: its reps, the freed positions, and its pool model. */
export interface RepSubset {
  reps: number[];
  freed: number[];
  model: MipModel;
}

/** How a sub-problem is solved: HiGHS (runHighs) or any exact solver with its interface, for tests. */
export type SubsetSolver = (
  model: MipModel,
  options: { start: Float64Array; relGap: number; absGap: number },
) => Promise<HighsRun>;

/** The sub-problem of `reps` (all in `pool`) in the current state; null when no account on them may move. */
export function repSubset(state: State, pool: Pool, reps: number[]): RepSubset | null {
  const p = state.problem;
  const inSubset = new Set(reps);
  const freed = pool.movable.filter((k) => inSubset.has(state.assign[k]!));
  const subPool: Pool = { ...pool, reps, movable: freed };
  const blocks: Block[] = singleBlocks(p, subPool).map((b) => ({
    ...b,
    reps: b.reps.filter((r) => inSubset.has(r)),
  }));
  if (!blocks.some((b) => b.reps.length > 1)) return null;
  return { reps, freed, model: buildPoolModel(p, subPool, blocks) };
}

/** The sub-problem's objective (its reps' deviations and its accounts' continuity) for an assignment of `freed`. */
export function subsetObjective(p: Problem, sub: RepSubset, assign: (k: number) => number): number {
  const count = new Map<number, number>();
  const units = new Map<number, number>();
  for (const r of sub.reps) {
    count.set(r, p.fixedCount[r]!);
    units.set(r, p.fixedUnits[r]!);
  }
  let continuity = 0;
  for (const k of sub.freed) {
    const r = assign(k);
    count.set(r, count.get(r)! + 1);
    units.set(r, units.get(r)! + p.unit[k]!);
    continuity += moveCostOf(p, k, r);
  }
  let dev = 0;
  for (const r of sub.reps) dev += countDev(p, r, count.get(r)!) + unitDev(p, r, units.get(r)!);
  return dev + continuity;
}

/** Whether an assignment of `freed` keeps every rep of the subset within its caps (count, exact cents). */
function withinCaps(p: Problem, sub: RepSubset, next: Map<number, number>): boolean {
  const count = new Map<number, number>();
  const cents = new Map<number, number>();
  for (const r of sub.reps) {
    count.set(r, p.fixedCount[r]!);
    cents.set(r, p.fixedRevenueCents[r]!);
  }
  for (const k of sub.freed) {
    const r = next.get(k)!;
    count.set(r, count.get(r)! + 1);
    cents.set(r, cents.get(r)! + p.accounts[p.movable[k]!]!.revenueCents);
  }
  return sub.reps.every((r) => count.get(r)! <= p.capCount[r]! && cents.get(r)! <= p.capRevenueCents[r]!);
}

/** What solving a sub-problem gave: the run, and the improvement applied to the state (0 when none). */
export interface SubsetOutcome {
  run: HighsRun;
  gain: number;
  /** True when the solver proved the sub-problem optimal (its reps need not be tried again until they change). */
  optimal: boolean;
}

/**
 * Solve the sub-problem from the current assignment and apply its answer when it is strictly better, within
 * the caps and on eligible reps (checked here, not trusted from the solver).
 */
export async function improveSubset(
  state: State,
  sub: RepSubset,
  solver: SubsetSolver,
): Promise<SubsetOutcome> {
  const p = state.problem;
  const run = await solver(sub.model, {
    start: startValues(sub.model, state),
    relGap: 0,
    absGap: NUMERIC_ABS_GAP,
  });
  const optimal = run.status === 'optimal';
  if ((run.status !== 'optimal' && run.status !== 'feasible') || !run.colValue)
    return { run, gain: 0, optimal };
  const assign = Int32Array.from(state.assign);
  if (!readSingleAssignment(sub.model, run.colValue, assign)) return { run, gain: 0, optimal: false };
  const next = new Map<number, number>();
  for (const k of sub.freed) next.set(k, assign[k]!);
  const eligible = sub.model.blocks.every((b) => b.reps.includes(next.get(b.positions[0]!)!));
  if (!eligible || !withinCaps(p, sub, next)) return { run, gain: 0, optimal: false };
  const gain =
    subsetObjective(p, sub, (k) => state.assign[k]!) - subsetObjective(p, sub, (k) => next.get(k)!);
  if (!(gain > 1e-10)) return { run, gain: 0, optimal };
  for (const k of sub.freed) {
    const r = next.get(k)!;
    if (r === state.assign[k]) continue;
    unplace(state, k);
    place(state, k, r);
  }
  return { run, gain, optimal };
}
