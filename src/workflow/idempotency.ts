/**
 * Idempotency keys: the same key with the same request replays the first response;
 * the same key with a different request is refused; no key, no replay. This module decides; storage is elsewhere.
 */
import { createHash } from 'node:crypto';
import { canonicalJson } from '../lib/canonical-json.ts';
import { AppError } from '../lib/errors.ts';

/** Keys are opaque strings a client chooses; bounded so they can be stored and indexed. */
export const IDEMPOTENCY_KEY_PATTERN = /^[A-Za-z0-9._:-]{8,200}$/;

export function parseIdempotencyKey(header: string | undefined | null): string | null {
  if (header === undefined || header === null || header === '') return null;
  if (!IDEMPOTENCY_KEY_PATTERN.test(header)) {
    throw new AppError(
      'BAD_REQUEST',
      'The Idempotency-Key header must be 8 to 200 letters, digits or . _ : -',
      {
        details: [{ path: 'headers.Idempotency-Key', message: 'invalid format' }],
      },
    );
  }
  return header;
}

/** What makes two requests "the same": method, path and body (key order ignored). */
export function requestFingerprint(method: string, path: string, body: unknown): string {
  return createHash('sha256')
    .update(`${method.toUpperCase()} ${path}\n${canonicalJson(body ?? null)}`)
    .digest('hex');
}

export interface StoredResponse {
  fingerprint: string;
  status: number;
  body: unknown;
}

/** Replay the stored response when the request matches; refuse when the key was used for another request. */
export function decideReplay(stored: StoredResponse | undefined, fingerprint: string): StoredResponse | null {
  if (stored === undefined) return null;
  if (stored.fingerprint !== fingerprint) {
    throw new AppError(
      'IDEMPOTENCY_KEY_REUSED',
      'This Idempotency-Key was already used for a different request. Use a new key for a new request.',
    );
  }
  return stored;
}
