/**
 * Exact decimal arithmetic on digit strings with BigInt, so "1200000.50" becomes 120000050 cents without
 * the drift of parseFloat(x) * 100. Used by money, percentages and weights.
 */

/** A decimal as integer digits and a scale: 12.345 is { digits: 12345n, scale: 3 }. */
export interface Decimal {
  negative: boolean;
  digits: bigint;
  scale: number;
}

/** Parses a plain decimal: optional sign, digits, optional '.' and digits, optional exponent. */
export function parsePlainDecimal(text: string): Decimal | null {
  const match = /^([+-]?)(\d*)(?:\.(\d*))?(?:[eE]([+-]?\d{1,3}))?$/.exec(text);
  if (!match) return null;
  const [, sign, whole = '', fraction = '', exponent] = match;
  if (whole === '' && fraction === '') return null;
  let digits = BigInt(`${whole}${fraction}` || '0');
  let scale = fraction.length - Number(exponent ?? 0);
  if (scale < 0) {
    digits *= 10n ** BigInt(-scale);
    scale = 0;
  }
  return { negative: sign === '-', digits, scale };
}

/**
 * Rescales a decimal to an integer count of units, where one whole = 10^unitScale units
 * (cents: 2, basis points of a percent: 2, basis points of a fraction: 4), times a multiplier.
 * Returns the rounded integer and whether rounding dropped non-zero digits.
 */
export function toUnits(
  value: Decimal,
  unitScale: number,
  multiplier = 1n,
): { units: bigint; rounded: boolean } {
  const scaled = value.digits * multiplier;
  const shift = unitScale - value.scale;
  let units: bigint;
  let rounded = false;
  if (shift >= 0) {
    units = scaled * 10n ** BigInt(shift);
  } else {
    const divisor = 10n ** BigInt(-shift);
    const remainder = scaled % divisor;
    units = scaled / divisor;
    rounded = remainder !== 0n;
    // Half away from zero, the rounding people expect from a spreadsheet.
    if (remainder * 2n >= divisor) units += 1n;
  }
  return { units: value.negative ? -units : units, rounded };
}

export function toSafeNumber(units: bigint): number | null {
  if (units > BigInt(Number.MAX_SAFE_INTEGER) || units < -BigInt(Number.MAX_SAFE_INTEGER)) return null;
  return Number(units);
}
