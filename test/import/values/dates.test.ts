import { describe, expect, it } from 'vitest';
import { parseDate } from '../../../src/import/values/dates.ts';

const iso = (raw: string, format: 'iso' | 'us' | 'eu') => {
  const r = parseDate(raw, format);
  if (!r.ok) throw new Error(r.reason);
  return r.value;
};

describe('parseDate', () => {
  it('reads each stated format', () => {
    expect(iso('2026-03-05', 'iso')).toBe('2026-03-05');
    expect(iso('2026-3-5', 'iso')).toBe('2026-03-05');
    expect(iso('2024-01-15T10:22:33.000Z', 'iso')).toBe('2024-01-15');
    expect(iso('2024-01-15 10:22', 'iso')).toBe('2024-01-15');
    expect(iso('03/05/2026', 'us')).toBe('2026-03-05');
    expect(iso('1/15/2024 10:22:33 AM', 'us')).toBe('2024-01-15');
    expect(iso('03/05/2026', 'eu')).toBe('2026-05-03');
    expect(iso('5.3.2026', 'eu')).toBe('2026-03-05');
    expect(iso('', 'us')).toBeNull();
  });

  it('never guesses: the same cell reads differently per stated format, and a mismatch is an error', () => {
    expect(iso('01/02/2026', 'us')).not.toBe(iso('01/02/2026', 'eu'));
    const r = parseDate('01/15/2026', 'iso');
    expect(r.ok).toBe(false);
    if (!r.ok) expect(r.hint).toMatch(/change the date format/);
  });

  it('accepts ISO dates under every format beside the format it states (Data Loader and API write ISO)', () => {
    expect(iso('2027-03-01', 'us')).toBe('2027-03-01');
    expect(iso('2027-03-01', 'eu')).toBe('2027-03-01');
    expect(iso('2027-03-01T09:14:00.000Z', 'us')).toBe('2027-03-01');
    expect(parseDate('2027-02-30', 'us').ok).toBe(false);
  });

  it.each([
    ['2026-02-30', 'iso'],
    ['2025-02-29', 'iso'],
    ['2026-13-01', 'iso'],
    ['2026-00-10', 'iso'],
    ['04/31/2026', 'us'],
    ['31/04/2026', 'eu'],
    ['13/13/2026', 'us'],
    ['1/2/26', 'us'],
    ['tomorrow', 'iso'],
  ] as const)('rejects %s (%s)', (raw, format) => {
    expect(parseDate(raw, format).ok).toBe(false);
  });

  it('accepts leap days in leap years', () => {
    expect(iso('2024-02-29', 'iso')).toBe('2024-02-29');
    expect(iso('2/29/2000', 'us')).toBe('2000-02-29');
    expect(parseDate('2/29/1900', 'us').ok).toBe(false);
  });
});
