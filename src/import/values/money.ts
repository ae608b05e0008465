/**
 * Money cells from real exports to integer cents: `$1,200,000.50`, `USD 5000`, `(1,200.00)`,
 * `€1.234,56` (only when the mapping states a decimal comma) and `1.2M` (only when it allows suffixes).
 */
import { parsePlainDecimal, toSafeNumber, toUnits } from './decimal.ts';
import { bad, ok, type Parsed } from './parsed.ts';

export interface MoneyFormat {
  /** `1.234,56` style: ',' is the decimal mark and '.' or spaces group thousands. */
  decimalComma: boolean;
  /** Accept K / M / B suffixes (`1.2M`), as some CRM reports abbreviate. */
  suffixes: boolean;
}

const SYMBOLS = /^(?:[A-Z]{3}|US\$|CA\$|AU\$|NZ\$|HK\$|R\$|[$€£¥₹₩₽₺₪]|CHF|kr|zł)/;
const TRAILING_SYMBOLS = /(?:[A-Z]{3}|[$€£¥₹₩₽₺₪]|CHF|kr|zł)$/;
const SUFFIX: Record<string, bigint> = { k: 1_000n, m: 1_000_000n, b: 1_000_000_000n };

/** Returns cents, or null for a blank cell (the caller decides what blank means for its field). */
export function parseMoneyCents(raw: string, format: MoneyFormat): Parsed<number | null> {
  let text = raw.trim().replace(/\u2212/g, '-');
  if (text === '') return ok(null);
  let negative = false;
  if (/^\(.*\)$/.test(text)) {
    negative = true; // accounting notation
    text = text.slice(1, -1).trim();
  }
  if (text.startsWith('-')) {
    negative = !negative;
    text = text.slice(1).trim();
  }
  text = text.replace(SYMBOLS, '').trim().replace(TRAILING_SYMBOLS, '').trim();
  if (text.startsWith('-')) {
    negative = !negative; // "$-5" and "USD -5"
    text = text.slice(1).trim();
  }
  let multiplier = 1n;
  const suffix = /([kKmMbB])$/.exec(text)?.[1];
  if (suffix) {
    if (!format.suffixes) {
      return bad(
        `"${raw}" ends with the abbreviation "${suffix}"`,
        'Export the full amount, or turn on suffix handling (K/M/B) in the column mapping.',
      );
    }
    multiplier = SUFFIX[suffix.toLowerCase()]!;
    text = text.slice(0, -1).trim();
  }
  const plain = format.decimalComma ? fromDecimalComma(text) : fromDecimalPoint(text);
  if (plain === null) {
    const hint =
      !format.decimalComma && /^\d{1,3}(\.\d{3})+,\d+$/.test(text)
        ? 'This looks like a decimal comma (1.234,56): set the decimal separator to comma in the column mapping.'
        : 'Write an amount such as 1200000.50 or $1,200,000.50.';
    return bad(`"${raw}" is not an amount of money`, hint);
  }
  const decimal = parsePlainDecimal(plain);
  if (!decimal) return bad(`"${raw}" is not an amount of money`, 'Write an amount such as 1200000.50.');
  decimal.negative = negative;
  const { units } = toUnits(decimal, 2, multiplier);
  const cents = toSafeNumber(units);
  if (cents === null)
    return bad(`"${raw}" is too large`, 'Check the amount; it exceeds what can be stored exactly.');
  return ok(cents === 0 ? 0 : cents);
}

function fromDecimalPoint(text: string): string | null {
  const compact = text.replace(/[\s\u00a0\u202f']/g, '');
  if (/^\d{1,3}(,\d{3})+(\.\d*)?$/.test(compact)) return compact.replace(/,/g, '');
  if (/^(\d+(\.\d*)?|\.\d+)([eE][+-]?\d{1,3})?$/.test(compact)) return compact;
  return null;
}

function fromDecimalComma(text: string): string | null {
  const compact = text.replace(/[\s\u00a0\u202f']/g, '');
  if (/^\d{1,3}(\.\d{3})+(,\d*)?$/.test(compact)) return compact.replace(/\./g, '').replace(',', '.');
  if (/^(\d+(,\d*)?|,\d+)$/.test(compact)) return compact.replace(',', '.');
  return null;
}
