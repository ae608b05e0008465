import { afterEach, describe, expect, it } from 'vitest';
import {
  addDays,
  addMonthsToMonthStart,
  daysInclusive,
  diffDays,
  endOfMonth,
  fromDayNumber,
  isIsoDate,
  isLeapYear,
  toDayNumber,
} from '../../src/commission/dates.ts';

describe('ISO date arithmetic', () => {
  it('knows the epoch and leap days', () => {
    expect(toDayNumber('1970-01-01')).toBe(0);
    expect(fromDayNumber(-1)).toBe('1969-12-31');
    expect(addDays('2024-02-28', 1)).toBe('2024-02-29');
    expect(addDays('2023-02-28', 1)).toBe('2023-03-01');
    expect(addDays('2100-02-28', 1)).toBe('2100-03-01');
    expect(addDays('2000-02-28', 1)).toBe('2000-02-29');
    expect([1900, 2000, 2024, 2026, 2100].map(isLeapYear)).toEqual([false, true, true, false, false]);
  });
  it('counts days in closed ranges', () => {
    expect(daysInclusive('2026-01-01', '2026-06-30')).toBe(181);
    expect(daysInclusive('2026-07-01', '2026-12-31')).toBe(184);
    expect(daysInclusive('2024-01-01', '2024-12-31')).toBe(366);
    expect(daysInclusive('2026-01-02', '2026-01-01')).toBe(0);
    expect(diffDays('2026-03-31', '2026-03-01')).toBe(-30);
  });
  it('rejects what is not a calendar date', () => {
    for (const bad of [
      '2026-02-29',
      '2026-13-01',
      '2026-00-10',
      '2026-1-01',
      '26-01-01',
      '2026-01-01T00:00:00Z',
      '',
      null,
      20260101,
    ]) {
      expect(isIsoDate(bad)).toBe(false);
    }
    expect(() => toDayNumber('2026-02-30')).toThrow('"2026-02-30" is not a calendar date');
  });
  it('handles years below 100 without the Date.UTC two-digit trap', () => {
    expect(addDays('0099-12-31', 1)).toBe('0100-01-01');
    expect(toDayNumber('0050-06-01')).toBeLessThan(toDayNumber('1950-06-01'));
  });
  it('steps months and finds month ends', () => {
    expect(addMonthsToMonthStart('2026-01-16', 11)).toBe('2026-12-01');
    expect(addMonthsToMonthStart('2026-01-16', 12)).toBe('2027-01-01');
    expect(addMonthsToMonthStart('2026-01-16', -1)).toBe('2025-12-01');
    expect(endOfMonth('2024-02-10')).toBe('2024-02-29');
    expect(endOfMonth('2026-04-10')).toBe('2026-04-30');
  });
});

describe('time zone independence', () => {
  const original = process.env.TZ;
  afterEach(() => {
    process.env.TZ = original;
  });
  it.each(['Pacific/Kiritimati', 'America/Los_Angeles', 'Europe/London'])(
    'gives the same days in %s',
    (tz) => {
      process.env.TZ = tz;
      expect(addDays('2026-03-28', 2)).toBe('2026-03-30'); // across a European DST change
      expect(addDays('2026-03-07', 2)).toBe('2026-03-09'); // across a US DST change
      expect(toDayNumber('2026-01-01')).toBe(20454);
    },
  );
});
