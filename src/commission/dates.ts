/** Day arithmetic on ISO `YYYY-MM-DD` dates, done on UTC day numbers so no time zone can shift a day. */

/** An ISO calendar date `YYYY-MM-DD`. Plain string so it crosses JSON and SQL `date` unchanged. */
export type IsoDate = string;

/** True when `value` is a real calendar date written as `YYYY-MM-DD` (2026-02-30 is not). */
export function isIsoDate(value: unknown): value is IsoDate {
  return typeof value === 'string' && parseIso(value) !== null;
}

/** Days since 1970-01-01 (negative before). Throws on anything that is not a real ISO date. */
export function toDayNumber(date: IsoDate): number {
  const cached = dayCache.get(date);
  if (cached !== undefined) return cached;
  const parts = typeof date === 'string' ? parseIso(date) : null;
  if (!parts) throw new RangeError(`"${date}" is not a calendar date in the form YYYY-MM-DD.`);
  const day = daysFromCivil(parts[0], parts[1], parts[2]);
  // Books repeat the same few hundred dates; a bounded cache keeps parsing off the hot path.
  if (dayCache.size >= 100_000) dayCache.clear();
  dayCache.set(date, day);
  return day;
}
const dayCache = new Map<string, number>();

/** [year, month, day] of a strict `YYYY-MM-DD` real date, else null. Char codes: no regex on the hot path. */
function parseIso(value: string): [number, number, number] | null {
  if (value.length !== 10 || value.charCodeAt(4) !== 45 || value.charCodeAt(7) !== 45) return null;
  let y = 0;
  let m = 0;
  let d = 0;
  for (let i = 0; i < 10; i++) {
    if (i === 4 || i === 7) continue;
    const c = value.charCodeAt(i) - 48;
    if (c < 0 || c > 9) return null;
    if (i < 4) y = y * 10 + c;
    else if (i < 7) m = m * 10 + c;
    else d = d * 10 + c;
  }
  if (m < 1 || m > 12 || d < 1 || d > daysInMonth(y, m)) return null;
  return [y, m, d];
}

export function fromDayNumber(day: number): IsoDate {
  if (!Number.isInteger(day)) throw new RangeError(`Day number ${day} is not an integer.`);
  const [y, m, d] = civilFromDays(day);
  if (y < 0 || y > 9999) throw new RangeError(`Day number ${day} is outside years 0000..9999.`);
  return `${String(y).padStart(4, '0')}-${pad2(m)}-${pad2(d)}`;
}

// Integer calendar arithmetic (H. Hinnant, "chrono-compatible low-level date algorithms"):
// no Date object, so no time zone and no Date.UTC two-digit-year trap, and fast on big books.
function daysFromCivil(year: number, month: number, day: number): number {
  const y = month <= 2 ? year - 1 : year;
  const era = Math.floor(y / 400);
  const yoe = y - era * 400;
  const doy = Math.floor((153 * (month + (month > 2 ? -3 : 9)) + 2) / 5) + day - 1;
  const doe = yoe * 365 + Math.floor(yoe / 4) - Math.floor(yoe / 100) + doy;
  return era * 146_097 + doe - 719_468;
}

function civilFromDays(days: number): [number, number, number] {
  const z = days + 719_468;
  const era = Math.floor(z / 146_097);
  const doe = z - era * 146_097;
  const yoe = Math.floor(
    (doe - Math.floor(doe / 1460) + Math.floor(doe / 36_524) - Math.floor(doe / 146_096)) / 365,
  );
  const doy = doe - (365 * yoe + Math.floor(yoe / 4) - Math.floor(yoe / 100));
  const mp = Math.floor((5 * doy + 2) / 153);
  const d = doy - Math.floor((153 * mp + 2) / 5) + 1;
  const m = mp < 10 ? mp + 3 : mp - 9;
  return [yoe + era * 400 + (m <= 2 ? 1 : 0), m, d];
}

export function addDays(date: IsoDate, days: number): IsoDate {
  return fromDayNumber(toDayNumber(date) + days);
}

/** Number of days from `from` to `to` (0 for the same day, negative when `to` is earlier). */
export function diffDays(from: IsoDate, to: IsoDate): number {
  return toDayNumber(to) - toDayNumber(from);
}

/** Days in the closed range [from, to]; 0 when `to` is before `from`. */
export function daysInclusive(from: IsoDate, to: IsoDate): number {
  return Math.max(0, diffDays(from, to) + 1);
}

/**
 * Negative, zero or positive as `a` is before, on or after `b`. Fixed-width ISO dates sort as
 * strings, so this skips parsing; both must be valid dates (inputs are validated on entry).
 */
export function compareDates(a: IsoDate, b: IsoDate): number {
  return a < b ? -1 : a > b ? 1 : 0;
}

export function isLeapYear(year: number): boolean {
  return (year % 4 === 0 && year % 100 !== 0) || year % 400 === 0;
}

export function daysInMonth(year: number, month: number): number {
  if (month === 2) return isLeapYear(year) ? 29 : 28;
  return [4, 6, 9, 11].includes(month) ? 30 : 31;
}

/** `YYYY-MM` of a date. */
export function monthOf(date: IsoDate): string {
  toDayNumber(date);
  return date.slice(0, 7);
}

export function endOfMonth(date: IsoDate): IsoDate {
  const y = Number(date.slice(0, 4));
  const m = Number(date.slice(5, 7));
  return `${monthOf(date)}-${pad2(daysInMonth(y, m))}`;
}

/** First day of the month `months` after the month of `date` (negative goes back). */
export function addMonthsToMonthStart(date: IsoDate, months: number): IsoDate {
  const y = Number(date.slice(0, 4));
  const m = Number(date.slice(5, 7)) - 1 + months;
  const year = y + Math.floor(m / 12);
  const month = (((m % 12) + 12) % 12) + 1;
  return `${String(year).padStart(4, '0')}-${pad2(month)}-01`;
}

function pad2(n: number): string {
  return String(n).padStart(2, '0');
}
