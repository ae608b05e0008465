/**
 * What the roundings share (lp-round.ts, bucket.ts, lagrangian-round.ts): a copy of the answer with a
 * pool's accounts taken off, and the last resort for an account the rounding's own rule could not place.
 */
import type { Pool } from './problem.ts';
import { cloneState, fits, moveCostOf, type State, unplace } from './state.ts';

/** A copy of `state` with every movable account of the pool unplaced. */
export function withPoolCleared(state: State, pool: Pool): State {
  const next = cloneState(state);
  for (const k of pool.movable) unplace(next, k);
  return next;
}

/**
 * The fitting rep on which account k grows the deviations (count and revenue, scaled by the pool's mean
 * count) and the continuity cost least; -1 when k fits nowhere.
 */
export function cheapestFittingRep(state: State, pool: Pool, k: number): number {
  const p = state.problem;
  let best = -1;
  let bestScore = Number.POSITIVE_INFINITY;
  for (let j = p.eligStart[k]!; j < p.eligStart[k + 1]!; j++) {
    const r = p.eligRep[j]!;
    if (!fits(state, k, r)) continue;
    const dn =
      Math.abs(state.count[r]! + 1 - p.targetCount[r]!) - Math.abs(state.count[r]! - p.targetCount[r]!);
    const u = p.unit[k]!;
    const dv =
      Math.abs(state.units[r]! + u - p.targetUnits[r]!) - Math.abs(state.units[r]! - p.targetUnits[r]!);
    const score = (dn + dv) / pool.meanCount + moveCostOf(p, k, r);
    if (score < bestScore - 1e-12) {
      bestScore = score;
      best = r;
    }
  }
  return best;
}
