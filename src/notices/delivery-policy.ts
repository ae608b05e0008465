/**
 * What to do after a send attempt (F10): retry with back-off on rate limits,
 * server errors, timeouts and dropped connections; stop on errors that will not change by retrying. The same
 * idempotency key is used on every retry, so a message the provider already accepted is never sent twice.
 */

/** The error shape the Resend SDK returns (it does not throw). */
export interface ProviderError {
  name?: string;
  statusCode?: number | null;
  message?: string;
}

export type SendOutcome =
  | { kind: 'sent'; providerId: string }
  | { kind: 'retry'; reason: string; delayMs: number }
  | { kind: 'failed'; reason: string };

export const MAX_ATTEMPTS = 8;
const BASE_DELAY_MS = 2_000;
const MAX_DELAY_MS = 10 * 60_000;

/** Exponential back-off: 2 s, 4 s, 8 s … capped at 10 minutes; a Retry-After from the provider wins when longer. */
export function backoffMs(attempt: number, retryAfterSeconds?: number | null): number {
  const exponential = Math.min(MAX_DELAY_MS, BASE_DELAY_MS * 2 ** Math.max(0, attempt - 1));
  const providerAsks = retryAfterSeconds && retryAfterSeconds > 0 ? retryAfterSeconds * 1000 : 0;
  return Math.min(MAX_DELAY_MS, Math.max(exponential, providerAsks));
}

const NEVER_RETRY = new Set([
  'invalid_idempotent_request',
  'validation_error',
  'missing_required_field',
  'invalid_from_address',
  'invalid_to_address',
  'invalid_api_key',
  'restricted_api_key',
  'missing_api_key',
  'invalid_access',
  'invalid_parameter',
  'invalid_attachment',
  'not_found',
  'method_not_allowed',
]);

/** Decides the outcome of one attempt (1-based) from the SDK's `{ data, error }` and the response headers. */
export function decideOutcome(
  attempt: number,
  result: {
    data: { id: string } | null;
    error: ProviderError | null;
    headers?: Record<string, string> | null;
  },
): SendOutcome {
  if (result.error === null && result.data?.id) return { kind: 'sent', providerId: result.data.id };
  const error = result.error ?? {
    name: 'empty_response',
    statusCode: null,
    message: 'The provider returned no message id.',
  };
  const name = error.name ?? 'unknown_error';
  const status = error.statusCode ?? null;
  const reason = `${name}${status ? ` (HTTP ${status})` : ''}: ${error.message ?? 'no message'}`;
  const retryable =
    !NEVER_RETRY.has(name) &&
    (status === null ||
      status === 429 ||
      status >= 500 ||
      name === 'concurrent_idempotent_requests' ||
      name === 'rate_limit_exceeded');
  if (!retryable) return { kind: 'failed', reason };
  if (attempt >= MAX_ATTEMPTS)
    return { kind: 'failed', reason: `gave up after ${attempt} attempts; last error ${reason}` };
  const retryAfter = Number(result.headers?.['retry-after']);
  return {
    kind: 'retry',
    reason,
    delayMs: backoffMs(attempt, Number.isFinite(retryAfter) ? retryAfter : null),
  };
}
