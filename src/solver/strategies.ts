/**
 * The simple strategies people ask for and compare against: round-robin, territory rules, least-loaded
 * and weighted targets. Caps are respected; pinned overrides are already fixed in the problem, so they win.
 */
import type { Problem } from './problem.ts';
import { countsAsTaken, emptyState, fits, place, type State } from './state.ts';

export type SimpleStrategy = 'round-robin' | 'territory' | 'least-loaded' | 'weighted';

export function runStrategy(
  problem: Problem,
  strategy: SimpleStrategy,
): { state: State; unplaced: number[] } {
  const state = emptyState(problem);
  const unplaced: number[] = [];
  const byRevenue = (positions: number[]) =>
    [...positions].sort(
      (a, b) =>
        problem.accounts[problem.movable[b]!]!.revenueCents -
          problem.accounts[problem.movable[a]!]!.revenueCents || a - b,
    );
  const eligible = (k: number) => {
    const out: number[] = [];
    for (let j = problem.eligStart[k]!; j < problem.eligStart[k + 1]!; j++) {
      const r = problem.eligRep[j]!;
      if (fits(state, k, r) && takenOk(state, k, r)) out.push(r);
    }
    return out;
  };
  const leastLoaded = (cands: number[]) =>
    cands.reduce((best, r) =>
      state.count[r]! < state.count[best]! ||
      (state.count[r] === state.count[best] && state.cents[r]! < state.cents[best]!)
        ? r
        : best,
    );
  const cursor = new Map<string, number>();
  const roundRobin = (key: string, cands: number[]) => {
    const i = cursor.get(key) ?? 0;
    cursor.set(key, i + 1);
    return cands[i % cands.length]!;
  };

  for (const pool of problem.pools) {
    const order = strategy === 'round-robin' ? pool.movable : byRevenue(pool.movable);
    for (const k of order) {
      const cands = eligible(k);
      if (cands.length === 0) {
        unplaced.push(k);
        continue;
      }
      let r: number;
      if (strategy === 'round-robin') r = roundRobin(`pool${pool.index}`, cands);
      else if (strategy === 'least-loaded') r = leastLoaded(cands);
      else if (strategy === 'weighted') {
        // Lowest revenue load relative to the rep's weighted target share.
        r = cands.reduce((best, c) => (ratio(state, c) < ratio(state, best) ? c : best));
      } else {
        const acc = problem.accounts[problem.movable[k]!]!;
        const ruleIndex = (problem.input.territoryRules ?? []).findIndex(
          (rule) => acc[rule.field] === rule.equals,
        );
        const rule = ruleIndex >= 0 ? problem.input.territoryRules![ruleIndex]! : undefined;
        const ruled = rule ? cands.filter((c) => rule.repIds.includes(problem.reps[c]!.id)) : [];
        r = ruled.length > 0 ? roundRobin(`rule${ruleIndex}`, ruled) : leastLoaded(cands);
      }
      place(state, k, r);
    }
  }
  for (let k = 0; k < problem.movable.length; k++) if (problem.accountPool[k] === -1) unplaced.push(k);
  return { state, unplaced };
}

function ratio(state: State, r: number): number {
  const t = state.problem.targetRevenueCents[r]!;
  return t > 0 ? state.cents[r]! / t : state.cents[r]!;
}

function takenOk(state: State, k: number, r: number): boolean {
  const p = state.problem;
  if (!Number.isFinite(p.takenCap)) return true;
  const o = countsAsTaken(p, k);
  if (o < 0 || r === o) return true;
  return state.taken[o]! + 1 <= p.takenCap;
}
