/** Small cell types: booleans (yes/no/true/false/1/0/x), whole numbers, weights and e-mail addresses. */
import { parsePlainDecimal, toSafeNumber, toUnits } from './decimal.ts';
import { bad, ok, type Parsed } from './parsed.ts';

const TRUE = new Set(['yes', 'y', 'true', 't', '1', 'x', '✓', 'checked']);
const FALSE = new Set(['no', 'n', 'false', 'f', '0', 'unchecked']);

export function parseBoolean(raw: string): Parsed<boolean | null> {
  const text = raw.trim().toLowerCase();
  if (text === '') return ok(null);
  if (TRUE.has(text)) return ok(true);
  if (FALSE.has(text)) return ok(false);
  return bad(`"${raw}" is not yes or no`, 'Write yes/no, true/false, 1/0, or x for yes.');
}

export function parseWholeNumber(raw: string): Parsed<number | null> {
  const text = raw.trim().replace(/[\s\u00a0,']/g, '');
  if (text === '') return ok(null);
  if (!/^\d+$/.test(text)) return bad(`"${raw}" is not a whole number`, 'Write a whole number such as 40.');
  const value = Number(text);
  if (!Number.isSafeInteger(value)) return bad(`"${raw}" is too large`, 'Check the number.');
  return ok(value);
}

/** A relative weight such as 1.5 to ten-thousandths (15000), exactly; must be positive. */
export function parseWeight(raw: string): Parsed<number | null> {
  const text = raw.trim();
  if (text === '') return ok(null);
  const decimal = parsePlainDecimal(text.replace(',', '.'));
  if (!decimal || decimal.negative)
    return bad(`"${raw}" is not a weight`, 'Write a positive number such as 1 or 1.5.');
  const { units, rounded } = toUnits(decimal, 4);
  const value = toSafeNumber(units);
  if (rounded || value === null || value <= 0) {
    return bad(
      `"${raw}" is not a usable weight`,
      'Write a positive number with at most four decimals, such as 1.25.',
    );
  }
  return ok(value);
}

export function parseEmail(raw: string): Parsed<string | null> {
  const text = raw.trim();
  if (text === '') return ok(null);
  if (!/^[^\s@]+@[^\s@]+\.[^\s@]+$/.test(text)) {
    return bad(`"${raw}" is not an e-mail address`, 'Write an address such as jane@example.com.');
  }
  return ok(text.toLowerCase());
}
