import { describe, expect, it } from 'vitest';
import { decideReplay, parseIdempotencyKey, requestFingerprint } from '../../src/workflow/idempotency.ts';

describe('idempotency keys', () => {
  it('accepts no key, and refuses a malformed one with the header named', () => {
    expect(parseIdempotencyKey(undefined)).toBeNull();
    expect(parseIdempotencyKey('')).toBeNull();
    expect(parseIdempotencyKey('commit-2026-11-23-0001')).toBe('commit-2026-11-23-0001');
    expect(() => parseIdempotencyKey('short')).toThrow(/Idempotency-Key/);
    expect(() => parseIdempotencyKey('has spaces in it')).toThrow(/Idempotency-Key/);
  });

  it('fingerprints requests by method, path and body, ignoring key order', () => {
    const a = requestFingerprint('post', '/v1/runs/1/commit', { note: 'x', dryRun: false });
    expect(requestFingerprint('POST', '/v1/runs/1/commit', { dryRun: false, note: 'x' })).toBe(a);
    expect(requestFingerprint('POST', '/v1/runs/2/commit', { dryRun: false, note: 'x' })).not.toBe(a);
    expect(requestFingerprint('POST', '/v1/runs/1/commit', { dryRun: true, note: 'x' })).not.toBe(a);
  });

  it('replays the same request and refuses a different one under the same key', () => {
    const fp = requestFingerprint('POST', '/p', { a: 1 });
    const stored = { fingerprint: fp, status: 200, body: { ok: true } };
    expect(decideReplay(undefined, fp)).toBeNull();
    expect(decideReplay(stored, fp)).toEqual(stored);
    expect(() => decideReplay(stored, requestFingerprint('POST', '/p', { a: 2 }))).toThrow(
      /different request/,
    );
  });
});
