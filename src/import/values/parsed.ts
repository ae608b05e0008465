/** Result of normalising one cell: a value, or a reason and a hint a person can act on. */
export type Parsed<T> = { ok: true; value: T } | { ok: false; reason: string; hint: string };

export const ok = <T>(value: T): Parsed<T> => ({ ok: true, value });
export const bad = <T = never>(reason: string, hint: string): Parsed<T> => ({ ok: false, reason, hint });
