import { fc, test } from '@fast-check/vitest';
import { expect } from 'vitest';
import {
  addDays,
  daysInclusive,
  daysInMonth,
  fromDayNumber,
  isIsoDate,
  isLeapYear,
  toDayNumber,
} from '../../src/commission/dates.ts';

// 1600-01-01 .. 2400-12-31, so century and 400-year leap rules are both exercised.
const dayNumber = fc.integer({ min: toDayNumber('1600-01-01'), max: toDayNumber('2400-12-31') });
const isoDate = dayNumber.map(fromDayNumber);

test.prop([dayNumber])('day numbers and ISO dates round-trip', (n) => {
  const d = fromDayNumber(n);
  expect(isIsoDate(d)).toBe(true);
  expect(toDayNumber(d)).toBe(n);
});

test.prop([isoDate, fc.integer({ min: -5000, max: 5000 })])(
  'adding days moves the day number by that much',
  (d, k) => {
    expect(toDayNumber(addDays(d, k))).toBe(toDayNumber(d) + k);
    expect(addDays(addDays(d, k), -k)).toBe(d);
  },
);

test.prop([isoDate])('the next day is the next calendar day (month and year roll-over, leap days)', (d) => {
  const [y, m, day] = d.split('-').map(Number) as [number, number, number];
  const expected = day < daysInMonth(y, m) ? [y, m, day + 1] : m < 12 ? [y, m + 1, 1] : [y + 1, 1, 1];
  const next = addDays(d, 1).split('-').map(Number);
  expect(next).toEqual(expected);
});

test.prop([fc.integer({ min: 1600, max: 2400 })])(
  'a year has 366 days exactly when it is a leap year',
  (y) => {
    const year = String(y).padStart(4, '0');
    expect(daysInclusive(`${year}-01-01`, `${year}-12-31`)).toBe(isLeapYear(y) ? 366 : 365);
    expect(isIsoDate(`${year}-02-29`)).toBe(isLeapYear(y));
  },
);
