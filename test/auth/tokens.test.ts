import { describe, expect, it } from 'vitest';
import { generateApiKey, parseApiKey, randomToken, safeEqual, sha256Hex } from '../../src/auth/tokens.ts';

describe('tokens', () => {
  it('random tokens carry 32 bytes and differ', () => {
    const a = randomToken();
    expect(Buffer.from(a, 'base64url').length).toBe(32);
    expect(a).not.toBe(randomToken());
  });

  it('API keys round-trip through parse and are stored only as a digest', () => {
    const created = generateApiKey();
    expect(created.key).toMatch(/^bks_[a-z0-9]{8}_[A-Za-z0-9_-]{43}$/);
    expect(created.hash).toBe(sha256Hex(created.key));
    expect(created.hash).not.toContain(created.key.slice(13));
    expect(parseApiKey(created.key)).toEqual({ prefix: created.prefix, hash: created.hash });
  });

  it('rejects strings that are not our keys before any lookup', () => {
    for (const bad of [
      '',
      'bks_',
      'bks_ABCDEFGH_x',
      `sk_live_${'a'.repeat(43)}`,
      `bks_abcdefgh_${'a'.repeat(42)}`,
    ]) {
      expect(parseApiKey(bad)).toBeNull();
    }
  });

  it('safeEqual compares exactly', () => {
    expect(safeEqual('abc', 'abc')).toBe(true);
    expect(safeEqual('abc', 'abd')).toBe(false);
    expect(safeEqual('abc', 'abcd')).toBe(false);
  });
});
