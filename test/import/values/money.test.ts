import { describe, expect, it } from 'vitest';
import { parseMoneyCents } from '../../../src/import/values/money.ts';

const point = { decimalComma: false, suffixes: false };
const comma = { decimalComma: true, suffixes: false };
const suffixes = { decimalComma: false, suffixes: true };
const cents = (raw: string, format = point) => {
  const r = parseMoneyCents(raw, format);
  if (!r.ok) throw new Error(r.reason);
  return r.value;
};

describe('parseMoneyCents', () => {
  it.each([
    ['$1,200,000.50', 120_000_050],
    ['1200000.5', 120_000_050],
    ['USD 5000', 500_000],
    ['5000 USD', 500_000],
    ['  $ 12.34 ', 1234],
    ['0.07', 7],
    ['.5', 50],
    ['1,234', 123_400],
    ['(1,200.00)', -120_000],
    ['-$5', -500],
    ['$-5', -500],
    ['1.2E+06', 120_000_000],
    ['0.015', 2],
    ['19.999', 2000],
    ['€1 234.56', 123_456],
  ])('%s → %d cents', (raw, expected) => {
    expect(cents(raw)).toBe(expected);
  });

  it('is exact where floats drift (0.29 * 100 = 28.999999999999996)', () => {
    expect(cents('0.29')).toBe(29);
    expect(cents('1.15')).toBe(115);
    expect(cents('9007199254740.99')).toBe(900_719_925_474_099);
  });

  it('returns null for a blank cell', () => {
    expect(cents('   ')).toBeNull();
  });

  it('reads a decimal comma only when the mapping states it', () => {
    expect(cents('€1.234,56', comma)).toBe(123_456);
    expect(cents('1234,5', comma)).toBe(123_450);
    const r = parseMoneyCents('€1.234,56', point);
    expect(r.ok).toBe(false);
    if (!r.ok) expect(r.hint).toMatch(/decimal separator to comma/);
  });

  it('reads K/M/B suffixes only when the mapping allows them', () => {
    expect(cents('1.2M', suffixes)).toBe(120_000_000);
    expect(cents('$350k', suffixes)).toBe(35_000_000);
    expect(cents('2B', suffixes)).toBe(200_000_000_000);
    const r = parseMoneyCents('1.2M', point);
    expect(r.ok).toBe(false);
    if (!r.ok) expect(r.hint).toMatch(/suffix/);
  });

  it.each(['abc', '12..5', '1,23,4', '1.2.3', '$', 'N/A', '12-5'])('rejects %s with a reason', (raw) => {
    const r = parseMoneyCents(raw, point);
    expect(r.ok).toBe(false);
  });

  it('rejects amounts beyond exact integers', () => {
    expect(parseMoneyCents('999999999999999999', point).ok).toBe(false);
  });
});
