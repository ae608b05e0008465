import { describe, expect, it } from 'vitest';
import {
  parseBoolean,
  parseEmail,
  parseWeight,
  parseWholeNumber,
} from '../../../src/import/values/scalars.ts';

describe('scalar cells', () => {
  it.each([
    ['yes', true],
    ['Y', true],
    ['TRUE', true],
    ['1', true],
    ['x', true],
    ['no', false],
    ['False', false],
    ['0', false],
    ['', null],
  ])('boolean %s → %s', (raw, expected) => {
    const r = parseBoolean(raw);
    expect(r.ok && r.value).toBe(expected);
  });

  it('rejects other words as booleans', () => {
    expect(parseBoolean('maybe').ok).toBe(false);
  });

  it('reads whole numbers with separators and refuses fractions', () => {
    expect(parseWholeNumber('1,200')).toEqual({ ok: true, value: 1200 });
    expect(parseWholeNumber('12.5').ok).toBe(false);
    expect(parseWholeNumber('-3').ok).toBe(false);
  });

  it('reads weights to ten-thousandths exactly', () => {
    expect(parseWeight('1.5')).toEqual({ ok: true, value: 15_000 });
    expect(parseWeight('0,75')).toEqual({ ok: true, value: 7500 });
    expect(parseWeight('0').ok).toBe(false);
    expect(parseWeight('1.00001').ok).toBe(false);
  });

  it('lower-cases e-mail addresses and rejects malformed ones', () => {
    expect(parseEmail(' Jane.Doe@Example.com ')).toEqual({ ok: true, value: 'jane.doe@example.com' });
    expect(parseEmail('jane@').ok).toBe(false);
  });
});
