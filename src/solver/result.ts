/** The solver's result union and the proposal it carries: assignments with reasons, rep metrics, balance, conflicts. */

import type { InfeasibleReason } from './infeasibility.ts';
import type { InputIssue } from './input.ts';

export type RuleCode =
  | 'pinned'
  | 'protected'
  | 'out-of-scope'
  | 'owner-not-receiving'
  | 'owner-stays'
  | 'departure'
  | 'unowned'
  | 'balance'
  | 'kept'
  | 'new-hire'
  | 'strategy';

export interface AssignmentRow {
  accountId: string;
  fromRepId: string | null;
  toRepId: string;
  moved: boolean;
  rule: RuleCode;
  reason: string;
}

export interface RepMetrics {
  repId: string;
  name: string;
  /** The pool the rep is balanced in (null: the rep takes part in no balancing). */
  pool: string | null;
  departing: boolean;
  countBefore: number;
  countAfter: number;
  revenueBeforeCents: number;
  revenueAfterCents: number;
  targetCount: number | null;
  targetRevenueCents: number | null;
  maxAccounts: number | null;
  maxRevenueCents: number | null;
  accountsIn: number;
  accountsOut: number;
}

export interface Spread {
  min: number;
  max: number;
  mean: number;
  /** max - min, and max / min (null when min is 0). */
  spread: number;
  maxOverMin: number | null;
  /** Coefficient of variation: standard deviation / mean. */
  cv: number;
}

export interface BalanceMetrics {
  /** Over the reps that receive accounts in this run, after the change (and before, for comparison). */
  count: Spread;
  revenueCents: Spread;
  countBefore: Spread;
  revenueCentsBefore: Spread;
}

export interface Conflict {
  code: 'over-cap' | 'protected-touched' | 'deal-closing' | 'pin-ineligible';
  severity: 'blocking' | 'warning';
  message: string;
  accountId?: string;
  repId?: string;
}

export interface PoolReport {
  label: string;
  reps: number;
  movable: number;
  binaries: number;
  engine: string;
  objective: number;
  lowerBound: number | null;
  proven: boolean;
}

export interface Proposal {
  objective: number;
  lowerBound: number | null;
  /**
   * (objective - lowerBound) / objective; 0 when proven optimal within tolerance (tolerance.ts: also an
   * objective of at most 0.0001 per receiving rep, whatever the bound), null without a bound.
   */
  gap: number | null;
  engine: string;
  millis: number;
  moved: number;
  assignments: AssignmentRow[];
  reps: RepMetrics[];
  balance: BalanceMetrics;
  conflicts: Conflict[];
  pools: PoolReport[];
  /** The independent checker's verdict (always true on a returned proposal). */
  verified: true;
  /**
   * True when work budgets (clock.ts), not the wall clock, ended the solve: the same input then gives
   * the same answer on every run. False after the wall-clock safety or a cancellation cut a phase short,
   * and for HiGHS or javascript-lp-solver alone (they keep wall-clock limits).
   */
  reproducible: boolean;
  /**
   * The time the work clock (clock.ts) had counted when the solve ended, ms (the longest thread's in a
   * parallel solve); `millis` is the wall clock's. Null when no work clock ran (HiGHS or javascript-lp-solver
   * alone, the simple strategies, an answer taken from a killed worker).
   */
  workMillis: number | null;
}

export type SolveResult =
  | ({ status: 'optimal' } & Proposal)
  | ({ status: 'feasible' } & Proposal)
  | ({ status: 'timeout'; reason: string } & Proposal)
  | { status: 'timeout'; reason: string; millis: number; assignments: null }
  | { status: 'infeasible'; reasons: InfeasibleReason[]; millis: number }
  | { status: 'invalid'; issues: InputIssue[]; millis: number };
