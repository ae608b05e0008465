/**
 * One solve of a run as planned: builds the solver input, solves, and leaves the accounts nobody may receive
 * without an owner (each with why) instead of sinking the run or sending them elsewhere. Pure apart from the solve
 * function it is given (the job passes the worker, tests the in-process solver), so the same steps are
 * property-tested on generated books.
 */
import type { SolveInputRaw, SolveResult } from '../../solver/index.ts';
import { type BuiltInput, buildSolveInput } from '../plan/build-solve-input.ts';
import { type HireBound, hireBounds, overflowCause, withHireCaps } from '../plan/hire-bound.ts';
import { noReceiverReason } from '../plan/no-receiver.ts';
import type { PlanningContext } from '../plan/planning-context.ts';

export interface SolvePlanOptions {
  reassignmentDate: string | null;
  timeLimitMs: number;
  pins: ReadonlyMap<string, string>;
  excluded: ReadonlySet<string>;
  /** Told when accounts are left without an owner and the rest is solved again. */
  onRetry?: (unassigned: number) => Promise<void> | void;
  signal?: AbortSignal;
}

export interface PlannedSolve {
  result: SolveResult;
  built: BuiltInput;
  /** Accounts left without an owner, with why nobody may receive them. */
  unassigned: Map<string, string>;
  /** A new-hire run: each hire's target and bound (with the cause when the bound could not hold). */
  hireBounds: HireBound[];
}

export type SolveFn = (input: SolveInputRaw) => Promise<SolveResult>;

export async function solvePlan(
  plan: Pick<PlanningContext, 'params' | 'book' | 'ruleset' | 'asOfDate' | 'closingWithinDays'>,
  options: SolvePlanOptions,
  solveFn: SolveFn,
): Promise<PlannedSolve> {
  const build = (omit: Set<string>) =>
    buildSolveInput({
      params: plan.params,
      book: plan.book,
      ruleset: plan.ruleset,
      asOfDate: plan.asOfDate,
      reassignmentDate: options.reassignmentDate,
      closingWithinDays: plan.closingWithinDays,
      timeLimitMs: options.timeLimitMs,
      pins: options.pins,
      excluded: options.excluded,
      omit,
    });
  // A new hire's starter book: at most its target plus the tolerance (the run's, else the ruleset's).
  const tolerance =
    (plan.params.kind === 'new_hire' ? plan.params.toleranceBps : undefined) ??
    plan.ruleset.targets.toleranceBps;
  let omitted = new Set<string>();
  let built = build(omitted);
  let bounds = hireBounds(built.input, tolerance);
  let result = await solveFn(withHireCaps(built.input, bounds));
  // Accounts nobody may receive do not sink the whole run: they are left unassigned (a blocking conflict a
  // person resolves by choosing an owner or excluding the account) and the rest is solved.
  if (result.status === 'infeasible' && result.reasons.every((r) => r.code === 'no-eligible-rep')) {
    omitted = new Set(result.reasons.flatMap((r) => r.accountIds ?? []));
    if (omitted.size > 0 && !options.signal?.aborted) {
      await options.onRetry?.(omitted.size);
      built = build(omitted);
      bounds = hireBounds(built.input, tolerance);
      result = await solveFn(withHireCaps(built.input, bounds));
    }
  }
  // The bound cannot hold (caps elsewhere force more onto the hire): solved without it, and the hire's book is a
  // blocking conflict naming the cause.
  if (bounds.length > 0 && result.status === 'infeasible' && !options.signal?.aborted) {
    const loose = await solveFn(built.input);
    if (loose.status !== 'infeasible') {
      result = loose;
      const cause = overflowCause(built.input, bounds);
      bounds = bounds.map((b) => ({ ...b, cause }));
    }
  }
  const unassigned = new Map<string, string>();
  if (omitted.size > 0) {
    const picked =
      plan.params.kind === 'realignment' && plan.params.receiverRepIds
        ? new Set(plan.params.receiverRepIds)
        : null;
    const context = {
      reps: plan.book.reps,
      ruleset: plan.ruleset,
      departing: built.departing,
      receivers: built.receivers,
      leaveDay: options.reassignmentDate ?? plan.asOfDate,
      picked,
    };
    for (const a of plan.book.accounts)
      if (omitted.has(a.id)) unassigned.set(a.id, noReceiverReason(a, context));
  }
  return { result, built, unassigned, hireBounds: bounds };
}
