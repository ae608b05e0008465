/**
 * Dates in the format the mapping states (ISO, US month-first, EU day-first), to ISO `YYYY-MM-DD`; ISO dates
 * are accepted under every format, being unambiguous.
 * Impossible dates (2026-02-30) are rejected; two-digit years are refused rather than guessed.
 */
import { bad, ok, type Parsed } from './parsed.ts';

export const DATE_FORMATS = ['iso', 'us', 'eu'] as const;
export type DateFormat = (typeof DATE_FORMATS)[number];

const FORMAT_LABEL: Record<DateFormat, string> = {
  iso: 'ISO (YYYY-MM-DD)',
  us: 'US (MM/DD/YYYY)',
  eu: 'EU (DD/MM/YYYY)',
};

// A time part after the date ("1/15/2024 10:22 AM", "2024-01-15T10:22:00.000Z") is ignored: the date is what counts.
const ISO = /^(\d{4})-(\d{1,2})-(\d{1,2})(?:[T ][\d:.]+(?:Z|[+-]\d{2}:?\d{2})?)?$/;
const SLASHED =
  /^(\d{1,2})[/.-](\d{1,2})[/.-](\d{2}|\d{4})(?:\s+\d{1,2}:\d{2}(?::\d{2})?(?:\s*[AaPp][Mm])?)?$/;

export function isValidDate(year: number, month: number, day: number): boolean {
  if (month < 1 || month > 12 || day < 1 || year < 1000 || year > 9999) return false;
  const days = [31, isLeap(year) ? 29 : 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31][month - 1]!;
  return day <= days;
}

const isLeap = (y: number) => (y % 4 === 0 && y % 100 !== 0) || y % 400 === 0;
const pad = (n: number, w = 2) => String(n).padStart(w, '0');

export function parseDate(raw: string, format: DateFormat): Parsed<string | null> {
  const text = raw.trim();
  if (text === '') return ok(null);
  let year: number;
  let month: number;
  let day: number;
  const iso = ISO.exec(text);
  const slashed = SLASHED.exec(text);
  // ISO dates are unambiguous, so every format accepts them beside its own (Salesforce reports write
  // 11/23/2026 while its API and Data Loader write 2026-11-23, and people mix the two in one org).
  if (iso) {
    [year, month, day] = [Number(iso[1]), Number(iso[2]), Number(iso[3])];
  } else if (format !== 'iso' && slashed) {
    if (slashed[3]!.length === 2) {
      return bad(`"${raw}" has a two-digit year`, 'Write the year with four digits (2026, not 26).');
    }
    const [a, b] = [Number(slashed[1]), Number(slashed[2])];
    [month, day] = format === 'us' ? [a, b] : [b, a];
    year = Number(slashed[3]);
  } else {
    const other = slashed ? 'day/month or month/day' : null;
    const hint = other
      ? `The mapping says dates are ${FORMAT_LABEL[format]} but this looks ${other}: change the date format in the column mapping.`
      : `Write dates as ${FORMAT_LABEL[format]}.`;
    return bad(`"${raw}" is not a date in ${FORMAT_LABEL[format]} format`, hint);
  }
  if (!isValidDate(year, month, day)) {
    return bad(
      `"${raw}" is not a real date`,
      `Check the day and month (read as ${FORMAT_LABEL[format]}: year ${year}, month ${month}, day ${day}).`,
    );
  }
  return ok(`${pad(year, 4)}-${pad(month)}-${pad(day)}`);
}
