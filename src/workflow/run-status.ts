/** The run status machine (F3): which transitions exist, who may make them, and a clear refusal otherwise. */
import { AppError } from '../lib/errors.ts';

export const RUN_STATUSES = [
  'draft',
  'solving',
  'solved',
  'in_review',
  'approved',
  'committing',
  'committed',
  'rolled_back',
  'cancelled',
  'failed',
] as const;
export type RunStatus = (typeof RUN_STATUSES)[number];

export const RUN_ACTIONS = [
  'solve',
  'solve_succeeded',
  'solve_failed',
  'review',
  'change',
  'approve',
  'commit',
  'commit_succeeded',
  'commit_failed',
  'rollback',
  'cancel',
] as const;
export type RunAction = (typeof RUN_ACTIONS)[number];

/**
 * Each action lists the statuses it may start from and the status it leads to.
 * `change` (an override, a resolution, an exclusion) moves an approved run back to review: approval pins
 * one exact proposal, so any change voids it.
 */
const TRANSITIONS: Record<RunAction, { from: readonly RunStatus[]; to: RunStatus }> = {
  solve: { from: ['draft', 'solved', 'in_review', 'approved', 'failed'], to: 'solving' },
  solve_succeeded: { from: ['solving'], to: 'solved' },
  solve_failed: { from: ['solving'], to: 'failed' },
  review: { from: ['solved'], to: 'in_review' },
  change: { from: ['solved', 'in_review', 'approved'], to: 'in_review' },
  approve: { from: ['solved', 'in_review'], to: 'approved' },
  commit: { from: ['approved'], to: 'committing' },
  commit_succeeded: { from: ['committing'], to: 'committed' },
  commit_failed: { from: ['committing'], to: 'approved' },
  rollback: { from: ['committed'], to: 'rolled_back' },
  cancel: { from: ['draft', 'solving', 'solved', 'in_review', 'approved', 'failed'], to: 'cancelled' },
};

const HINTS: Partial<Record<RunAction, string>> = {
  approve: 'Solve the run and review the proposal first.',
  commit: 'A manager must approve the current proposal before it can be committed.',
  rollback: 'Only a committed run can be rolled back.',
  solve:
    'A run that is committing, committed, rolled back or cancelled cannot be solved again; start a new run.',
  cancel: 'A committed run is undone with a rollback, not a cancellation.',
};

export function canTransition(from: RunStatus, action: RunAction): boolean {
  return TRANSITIONS[action].from.includes(from);
}

/** The status an action leads to, or a CONFLICT error naming the current status and what to do. */
export function nextStatus(from: RunStatus, action: RunAction): RunStatus {
  const rule = TRANSITIONS[action];
  if (!rule.from.includes(from)) {
    const hint = HINTS[action] ?? `Allowed from: ${rule.from.join(', ')}.`;
    throw new AppError(
      'CONFLICT',
      `Cannot ${action.replaceAll('_', ' ')} a run that is ${from.replaceAll('_', ' ')}. ${hint}`,
      {
        details: { status: from, action, allowedFrom: rule.from },
      },
    );
  }
  return rule.to;
}

/** Every action possible from a status, for pages that show only the buttons that can work. */
export function actionsFrom(status: RunStatus): RunAction[] {
  return RUN_ACTIONS.filter((a) => TRANSITIONS[a].from.includes(status));
}
