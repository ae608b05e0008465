import { describe, expect, it } from 'vitest';
import {
  DEFAULT_SCRYPT,
  dummyPasswordHash,
  hashPassword,
  parsePasswordHash,
  passwordStats,
  verifyPassword,
} from '../../src/auth/password.ts';

// A cheap cost for the round-trip cases; the default-cost cases check the real parameters once.
const cheap = { N: 2 ** 10, r: 8, p: 1 };

describe('password hashing', () => {
  it('stores scrypt$N$r$p$salt$hash with the recommended parameters by default', async () => {
    const stored = await hashPassword('correct horse battery staple');
    const parsed = parsePasswordHash(stored);
    expect(stored.startsWith('scrypt$131072$8$1$')).toBe(true);
    expect(parsed?.params).toEqual(DEFAULT_SCRYPT);
    expect(parsed?.salt.length).toBe(16);
    expect(parsed?.key.length).toBe(32);
    expect(await verifyPassword('correct horse battery staple', stored)).toBe(true);
    expect(await verifyPassword('correct horse battery stapler', stored)).toBe(false);
  });

  it('salts every hash', async () => {
    const a = await hashPassword('same', cheap);
    const b = await hashPassword('same', cheap);
    expect(a).not.toBe(b);
    expect(await verifyPassword('same', a)).toBe(true);
    expect(await verifyPassword('same', b)).toBe(true);
  });

  it('treats malformed or hostile stored hashes as a failed verification, never a throw', async () => {
    for (const bad of [
      '',
      'plain',
      'scrypt$x$8$1$aa$bb',
      'scrypt$1073741824$8$1$c2FsdHNhbHQ=$a2V5a2V5a2V5a2V5a2V5',
    ]) {
      expect(await verifyPassword('anything', bad)).toBe(false);
    }
  });

  it('the dummy hash costs a real verification', async () => {
    const before = passwordStats.verifications;
    expect(await verifyPassword('guess', await dummyPasswordHash())).toBe(false);
    expect(passwordStats.verifications).toBe(before + 1);
    expect(parsePasswordHash(await dummyPasswordHash())?.params).toEqual(DEFAULT_SCRYPT);
  });
});
