/** Refusal codes and the result union of the commission core; refusals are normal outcomes, not exceptions. */
import { AppError } from '../lib/errors.ts';

export const REFUSAL_CODES = [
  'INVALID_DATE',
  'SPLIT_TOTAL_NOT_10000',
  'SPLIT_INVALID_BPS',
  'SPLIT_DUPLICATE_PARTICIPANT',
  'SPLIT_MULTIPLE_HOUSE',
  'SPLIT_MISSING',
  'HISTORY_OVERLAP',
  'HISTORY_CHANGES_AFTER_END_DATE',
  'HISTORY_STALE',
  'REASON_REQUIRED',
  'DEPARTING_REP_REQUIRED',
  'REASSIGNMENT_BEFORE_END_DATE',
  'END_DATE_BEFORE_CREATION',
  'OPPORTUNITY_CLOSED',
  'OPPORTUNITY_NOT_FOUND',
  'DUPLICATE_OPPORTUNITY',
  'PROTECTED_STAGE',
  'RECONCILED_PERIOD',
  'DEPARTING_NOT_A_REP',
  'DEPARTING_NOT_IN_SPLIT',
  'NEW_REP_IS_DEPARTING_REP',
  'NEW_REP_ROLE_CONFLICT',
  'CUSTOM_BPS_OUT_OF_RANGE',
  'HOUSE_WOULD_GO_NEGATIVE',
  'NO_ACTION_CHOSEN',
  'SCOPE_OWNERSHIP_ONLY',
  'INVALID_SEGMENT',
  'INVALID_PERIOD',
] as const;
export type RefusalCode = (typeof REFUSAL_CODES)[number];

/** What is wrong, where (a field path), and — in the message — what to do. */
export interface Refusal {
  code: RefusalCode;
  message: string;
  path: string;
}

export type Outcome<T> = { ok: true; value: T } | { ok: false; refusal: Refusal };

export const ok = <T>(value: T): Outcome<T> => ({ ok: true, value });
export const refuse = <T = never>(code: RefusalCode, path: string, message: string): Outcome<T> => ({
  ok: false,
  refusal: { code, path, message },
});

/** For the service layer: a refusal becomes a 422 with the code and path in `details`. */
export function refusalToAppError(refusal: Refusal): AppError {
  return new AppError('UNPROCESSABLE', refusal.message, {
    details: { reason: refusal.code, path: refusal.path },
  });
}

/** Unwraps an outcome, throwing the refusal as an AppError (for callers that prefer exceptions). */
export function unwrap<T>(outcome: Outcome<T>): T {
  if (!outcome.ok) throw refusalToAppError(outcome.refusal);
  return outcome.value;
}
