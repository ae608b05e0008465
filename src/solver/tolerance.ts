/**
 * When an answer counts as optimal, and the gap a person is shown. The objective is a sum over the reps
 * of deviations measured in mean books (a rep one account off its target adds 1/C̄, one mean book's
 * revenue off adds 1), so an absolute tolerance has a meaning of its own. An answer whose objective is
 * at most OPTIMAL_ABS_PER_REP per receiving rep — each rep on average within a hundredth of a percent of
 * a mean book of its target, less than one account while reps hold under 10,000 — is optimal within
 * tolerance whatever the bound says (every bound is ≥ 0). That is where the relative gap means nothing:
 * a book that can be split perfectly has the bound 0, and an answer cents from perfect would show a
 * relative gap of 100 %. Answers above it are judged by the relative gap as before.
 */

/** Relative tolerance: objective − bound ≤ OPTIMAL_REL · objective. */
export const OPTIMAL_REL = 1e-4;
/** Absolute tolerance per receiving rep, in the objective's units (see above). */
export const OPTIMAL_ABS_PER_REP = 1e-4;
/** Rounding: an answer this close to its bound is optimal at any scale. */
const NUMERIC_ABS = 1e-9;

/** The absolute tolerance of a pool (or a whole answer) of `reps` receiving reps. */
export function absoluteTolerance(reps: number): number {
  return OPTIMAL_ABS_PER_REP * Math.max(1, reps);
}

/** Whether `objective` is proven optimal by `bound` within tolerance; `reps`: the receiving reps it sums over. */
export function withinTolerance(objective: number, bound: number, reps: number): boolean {
  return (
    objective - bound <= Math.max(NUMERIC_ABS, OPTIMAL_REL * Math.abs(objective)) ||
    objective <= absoluteTolerance(reps)
  );
}

/**
 * The gap reported with an answer: (objective − bound) / objective, and 0 when the answer is within
 * tolerance of the bound (a bound of 0 with an answer of 1e-9 is optimal, not a 100 % gap).
 */
export function reportedGap(objective: number, bound: number | null, reps: number): number | null {
  if (bound === null) return null;
  if (withinTolerance(objective, bound, reps) || objective <= 0) return 0;
  return (objective - bound) / objective;
}

/**
 * What a search that has the bound may stop at: within `relGap` of it (the engines' stopping gap), or
 * within the absolute tolerance, whichever is looser (a bound of 0 would otherwise ask for exactly 0).
 */
export function searchTarget(bound: number, relGap: number, reps: number): number {
  return Math.max(bound / (1 - relGap), absoluteTolerance(reps));
}
