import { describe, expect, it } from 'vitest';
import { AppError } from '../../src/lib/errors.ts';
import {
  actionsFrom,
  canTransition,
  nextStatus,
  RUN_ACTIONS,
  RUN_STATUSES,
} from '../../src/workflow/run-status.ts';

describe('run status machine', () => {
  it('follows the happy path draft → committed → rolled back', () => {
    let s = nextStatus('draft', 'solve');
    expect(s).toBe('solving');
    s = nextStatus(s, 'solve_succeeded');
    expect(s).toBe('solved');
    s = nextStatus(s, 'review');
    s = nextStatus(s, 'approve');
    expect(s).toBe('approved');
    s = nextStatus(s, 'commit');
    expect(s).toBe('committing');
    s = nextStatus(s, 'commit_succeeded');
    expect(s).toBe('committed');
    expect(nextStatus(s, 'rollback')).toBe('rolled_back');
  });

  it('voids an approval when the proposal changes', () => {
    expect(nextStatus('approved', 'change')).toBe('in_review');
    expect(nextStatus('approved', 'solve')).toBe('solving');
  });

  it('refuses to commit without approval, with a message that says what to do', () => {
    for (const from of ['draft', 'solved', 'in_review', 'committed', 'cancelled'] as const) {
      const attempt = () => nextStatus(from, 'commit');
      expect(attempt).toThrow(AppError);
      expect(attempt).toThrow(/must approve/);
    }
  });

  it('never leaves a terminal status except by rules that name it', () => {
    for (const action of RUN_ACTIONS) {
      expect(canTransition('cancelled', action)).toBe(false);
      expect(canTransition('rolled_back', action)).toBe(false);
    }
    expect(actionsFrom('committed')).toEqual(['rollback']);
  });

  it('refuses every transition not in the table with a CONFLICT', () => {
    let refused = 0;
    for (const from of RUN_STATUSES) {
      for (const action of RUN_ACTIONS) {
        if (canTransition(from, action)) continue;
        refused += 1;
        try {
          nextStatus(from, action);
          expect.unreachable();
        } catch (e) {
          expect((e as AppError).code).toBe('CONFLICT');
          expect((e as AppError).status).toBe(409);
        }
      }
    }
    expect(refused).toBeGreaterThan(60);
  });
});
