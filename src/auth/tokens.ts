/** Random secrets and their stored digests: session tokens, CSRF tokens and API keys (`bks_<prefix>_<secret>`). */
import { createHash, randomBytes, timingSafeEqual } from 'node:crypto';

/** 32 random bytes, base64url: the session cookie value and the CSRF token. */
export function randomToken(bytes = 32): string {
  return randomBytes(bytes).toString('base64url');
}

/** sha256 hex digest. Enough for high-entropy secrets (tokens, API keys): there is nothing to brute-force. */
export function sha256Hex(value: string): string {
  return createHash('sha256').update(value, 'utf8').digest('hex');
}

/** Compares two strings without leaking where they differ. */
export function safeEqual(a: string, b: string): boolean {
  const left = Buffer.from(a, 'utf8');
  const right = Buffer.from(b, 'utf8');
  return left.length === right.length && timingSafeEqual(left, right);
}

const API_KEY_PATTERN = /^bks_([a-z0-9]{8})_([A-Za-z0-9_-]{43})$/;

export interface NewApiKey {
  /** Shown once to the admin who created it; never stored. */
  key: string;
  /** Public part, stored in clear so a key can be recognised in lists and logs. */
  prefix: string;
  /** sha256 of the whole key: what the database keeps. */
  hash: string;
}

export function generateApiKey(): NewApiKey {
  const alphabet = 'abcdefghijklmnopqrstuvwxyz0123456789';
  const prefix = Array.from(randomBytes(8), (b) => alphabet[b % alphabet.length]).join('');
  const key = `bks_${prefix}_${randomToken(32)}`;
  return { key, prefix, hash: sha256Hex(key) };
}

/** Splits a presented key; null when it is not shaped like one of ours (rejected before any lookup). */
export function parseApiKey(key: string): { prefix: string; hash: string } | null {
  const match = API_KEY_PATTERN.exec(key);
  if (!match) return null;
  return { prefix: match[1]!, hash: sha256Hex(key) };
}
