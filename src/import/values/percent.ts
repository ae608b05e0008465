/**
 * Percentages to basis points (10000 = 100%), exactly. `55%` is always a percent; a bare number is read as
 * the mapping states: `55` (percent scale) or `0.55` (fraction scale). Never guessed per row.
 */
import { parsePlainDecimal, toSafeNumber, toUnits } from './decimal.ts';
import { bad, ok, type Parsed } from './parsed.ts';

export type PercentScale = 'percent' | 'fraction';

export function parsePercentBps(raw: string, scale: PercentScale): Parsed<number | null> {
  let text = raw.trim().replace(/\s/g, '');
  if (text === '') return ok(null);
  let unitScale = scale === 'percent' ? 2 : 4;
  if (text.endsWith('%')) {
    text = text.slice(0, -1);
    unitScale = 2;
  }
  const decimal = parsePlainDecimal(text.replace(',', '.'));
  if (!decimal) {
    return bad(
      `"${raw}" is not a percentage`,
      scale === 'percent' ? 'Write it as 55 or 55%.' : 'Write it as 0.55 or 55%.',
    );
  }
  const { units, rounded } = toUnits(decimal, unitScale);
  if (rounded) {
    return bad(
      `"${raw}" is more precise than a basis point (0.01%)`,
      'Round the percentage to two decimals (e.g. 33.33%).',
    );
  }
  const bps = toSafeNumber(units);
  if (bps === null) return bad(`"${raw}" is too large`, 'A percentage is between 0% and 100%.');
  if (bps < 0 || bps > 10_000) {
    const hint =
      scale === 'fraction' && bps > 10_000
        ? 'The mapping reads bare numbers as fractions (0.55 = 55%); switch it to percent if the file has 55.'
        : 'A percentage is between 0% and 100%.';
    return bad(`"${raw}" is outside 0–100%`, hint);
  }
  return ok(bps);
}
