import { describe, expect, it } from 'vitest';
import { parsePercentBps } from '../../../src/import/values/percent.ts';

const bps = (raw: string, scale: 'percent' | 'fraction') => {
  const r = parsePercentBps(raw, scale);
  if (!r.ok) throw new Error(r.reason);
  return r.value;
};

describe('parsePercentBps', () => {
  it('reads 55%, 55 and 0.55 as the mapping states', () => {
    expect(bps('55%', 'percent')).toBe(5500);
    expect(bps('55%', 'fraction')).toBe(5500);
    expect(bps('55', 'percent')).toBe(5500);
    expect(bps('0.55', 'fraction')).toBe(5500);
    expect(bps('33.33%', 'percent')).toBe(3333);
    expect(bps('0.3333', 'fraction')).toBe(3333);
    expect(bps('100', 'percent')).toBe(10_000);
    expect(bps('0', 'percent')).toBe(0);
    expect(bps('', 'percent')).toBeNull();
  });

  it('refuses precision finer than a basis point instead of rounding it away', () => {
    expect(parsePercentBps('33.333%', 'percent').ok).toBe(false);
    expect(parsePercentBps('0.33333', 'fraction').ok).toBe(false);
  });

  it('refuses values outside 0–100% and text', () => {
    expect(parsePercentBps('101%', 'percent').ok).toBe(false);
    expect(parsePercentBps('-5', 'percent').ok).toBe(false);
    const r = parsePercentBps('55', 'fraction');
    expect(r.ok).toBe(false);
    if (!r.ok) expect(r.hint).toMatch(/fractions/);
    expect(parsePercentBps('half', 'percent').ok).toBe(false);
  });
});
