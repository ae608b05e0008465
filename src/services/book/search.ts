/** Text search in the book's lists. */

/** A case-insensitive `ilike` pattern for "contains": `%` and `_` in a search are literal text, not patterns. */
export const contains = (text: string) => `%${text.replace(/[\\%_]/g, (m) => `\\${m}`)}%`;
