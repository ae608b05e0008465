/**
 * The one text rule for everything that comes from outside (request fields, query strings, path segments, CSV
 * cells): no NUL or other control characters (tab, line feed and carriage return are text), no lone UTF-16
 * surrogates (Postgres text rejects U+0000 and jsonb rejects both), and the length limits the solver, the pages
 * and the import share, so a value one of them accepts is never refused by another.
 */

/** Longest text each kind of field holds, in characters. The solver's input schema uses the same numbers. */
export const TEXT_LIMITS = {
  /** A CRM id, a region, segment, tier, type, stage or other label. */
  id: 200,
  label: 200,
  /** A person's, an account's or an opportunity's name. */
  name: 500,
  email: 320,
  /** A reason, a note, a comment. */
  note: 2000,
  /** Any other string of a request (the routes' own schemas are tighter). */
  any: 100_000,
} as const;

// biome-ignore lint/suspicious/noControlCharactersInRegex: finding control characters is the point.
const CONTROL = /[\u0000-\u0008\u000B\u000C\u000E-\u001F\u007F]/;
const LONE_SURROGATE = /[\uD800-\uDBFF](?![\uDC00-\uDFFF])|(?<![\uD800-\uDBFF])[\uDC00-\uDFFF]/;

/** Why a string breaks the rule (a sentence naming the character), or undefined when it is fine. */
export function textProblem(value: string, maxLength: number = TEXT_LIMITS.any): string | undefined {
  const control = CONTROL.exec(value);
  if (control) {
    const code = control[0].charCodeAt(0).toString(16).toUpperCase().padStart(4, '0');
    return `contains the control character U+${code} at position ${control.index + 1}; remove it`;
  }
  if (LONE_SURROGATE.test(value)) return 'contains a broken character (a lone UTF-16 surrogate); remove it';
  if (value.length > maxLength) {
    return `is ${value.length.toLocaleString('en')} characters long; the limit is ${maxLength.toLocaleString('en')}`;
  }
  return undefined;
}

/** A value safe to echo in an error report: control characters shown as U+FFFD, cut to `max` characters. */
export function displayText(value: string, max = 200): string {
  const cleaned = value
    .replace(new RegExp(CONTROL.source, 'g'), '\uFFFD')
    .replace(new RegExp(LONE_SURROGATE.source, 'g'), '\uFFFD');
  return cleaned.length > max ? `${cleaned.slice(0, max)}…` : cleaned;
}

/** Where a string breaks the rule inside any JSON-like value: the first offending `{ path, message }`. */
export function findTextProblem(
  value: unknown,
  path: string,
  depth = 0,
): { path: string; message: string } | undefined {
  if (typeof value === 'string') {
    const problem = textProblem(value);
    return problem ? { path, message: `The value ${problem}.` } : undefined;
  }
  if (depth > 64) return { path, message: 'The value is nested too deeply (over 64 levels).' };
  if (Array.isArray(value)) {
    for (let i = 0; i < value.length; i++) {
      const found = findTextProblem(value[i], `${path}.${i}`, depth + 1);
      if (found) return found;
    }
    return undefined;
  }
  if (value !== null && typeof value === 'object') {
    for (const [key, inner] of Object.entries(value)) {
      const keyProblem = textProblem(key, TEXT_LIMITS.label);
      if (keyProblem)
        return { path: `${path}.${displayText(key, 40)}`, message: `The field name ${keyProblem}.` };
      const found = findTextProblem(inner, `${path}.${key}`, depth + 1);
      if (found) return found;
    }
  }
  return undefined;
}
