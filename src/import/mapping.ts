/**
 * A column mapping: which column of the file feeds which field, and how its values are written (date
 * format, decimal comma, K/M suffixes, percent scale, where the region comes from). Presets produce one;
 * a person completes one for unknown layouts, and the org keeps it for next time.
 */
import { createHash } from 'node:crypto';
import { z } from 'zod';
import { FIELDS, missingRequired } from './fields.ts';
import { ImportFileError } from './import-file-error.ts';
import { IMPORT_KINDS, type ImportKind } from './types.ts';
import { DATE_FORMATS } from './values/dates.ts';

export const mappingOptionsSchema = z.object({
  dateFormat: z.enum(DATE_FORMATS).default('iso'),
  decimalComma: z.boolean().default(false),
  moneySuffixes: z.boolean().default(false),
  percentScale: z.enum(['percent', 'fraction']).default('percent'),
  /** Which column is the account's region: the region column itself, or the state or the country. */
  regionSource: z.enum(['region', 'state', 'country']).default('region'),
  /** Blank revenue or amount: 0, or a row error. */
  blankMoney: z.enum(['zero', 'error']).default('zero'),
  /** Keep columns that map to no field as the account's custom attributes. */
  keepUnmappedColumns: z.boolean().default(true),
  /** Field delimiter; detected from the header line when not stated. */
  delimiter: z.enum([',', ';', '\t', '|']).optional(),
});
export type MappingOptions = z.infer<typeof mappingOptionsSchema>;

export const columnMappingSchema = z.object({
  kind: z.enum(IMPORT_KINDS),
  presetId: z.string().max(100).optional(),
  /** Target field → header of the source column, exactly as in the file (case and spacing are forgiven). */
  columns: z.record(z.string().max(100), z.string().max(500)),
  options: mappingOptionsSchema.prefault({}),
});
export type ColumnMapping = z.infer<typeof columnMappingSchema>;
export type ColumnMappingInput = z.input<typeof columnMappingSchema>;

/** A mapping bound to one file's header: the column index of each mapped field. */
export interface ResolvedMapping {
  mapping: ColumnMapping;
  header: string[];
  index: Map<string, number>;
  /** Columns no field uses, by index (kept as attributes when the mapping says so). */
  unmapped: number[];
}

export const normaliseHeader = (h: string) => h.trim().replace(/\s+/g, ' ').toLowerCase();

/** Identifies a header layout (case and spacing forgiven), so a saved mapping is offered for the same export. */
export function headerSignature(header: readonly string[]): string {
  return createHash('sha256')
    .update(header.filter(Boolean).map(normaliseHeader).join('\u001f'))
    .digest('hex');
}

export function resolveMapping(header: string[], mapping: ColumnMapping): ResolvedMapping {
  const positions = new Map<string, number[]>();
  header.forEach((h, i) => {
    if (h === '') return;
    const key = normaliseHeader(h);
    positions.set(key, [...(positions.get(key) ?? []), i]);
  });
  const fields = FIELDS[mapping.kind];
  const index = new Map<string, number>();
  const notFound: string[] = [];
  for (const [field, column] of Object.entries(mapping.columns)) {
    if (!fields.some((d) => d.key === field)) {
      throw new ImportFileError(
        `The mapping names "${field}", which is not a field of a ${mapping.kind} import.`,
        {
          problem: 'MISSING_COLUMNS',
          hint: `Use one of: ${fields.map((d) => d.key).join(', ')}.`,
        },
      );
    }
    if (column.trim() === '') continue;
    const found = positions.get(normaliseHeader(column));
    if (!found) {
      notFound.push(`${field} → "${column}"`);
      continue;
    }
    if (found.length > 1) {
      throw new ImportFileError(`The column "${column}" appears ${found.length} times in the header row.`, {
        problem: 'DUPLICATE_HEADER',
        row: 1,
        column,
        hint: 'Rename or remove the extra columns so each mapped column appears once.',
      });
    }
    index.set(field, found[0]!);
  }
  const missing = missingRequired(mapping.kind, (f) => index.has(f));
  if (notFound.length > 0 || missing.length > 0) {
    const parts = [
      notFound.length > 0 ? `mapped columns not in the file: ${notFound.join(', ')}` : '',
      missing.length > 0 ? `required fields with no column: ${missing.join(', ')}` : '',
    ].filter(Boolean);
    throw new ImportFileError(`The file's columns do not match the mapping (${parts.join('; ')}).`, {
      problem: 'MISSING_COLUMNS',
      row: 1,
      hint: 'Check that this is the right file for this import, or complete the column mapping.',
      data: { missingFields: missing, columnsNotFound: notFound, header },
    });
  }
  const used = new Set(index.values());
  const unmapped = header.flatMap((h, i) => (h !== '' && !used.has(i) ? [i] : []));
  return { mapping, header, index, unmapped };
}

export function parseMapping(input: unknown, kind?: ImportKind): ColumnMapping {
  const mapping = columnMappingSchema.parse(input);
  if (kind && mapping.kind !== kind) {
    throw new ImportFileError(`The mapping is for ${mapping.kind}, but this import is ${kind}.`, {
      problem: 'MISSING_COLUMNS',
      hint: `Choose a ${kind} mapping.`,
    });
  }
  return mapping;
}

/** Fields of an account kept in `accounts.custom` rather than a column of their own. */
export const CUSTOM_ACCOUNT_FIELDS = ['state', 'protected', 'next_close_date'] as const;

/**
 * The keys of `accounts.custom` a file carries: its unmapped columns (when kept) and the custom fields it
 * maps. An import replaces exactly these keys (a blank cell clears its key) and leaves every other key alone.
 */
export function carriedCustomKeys(header: readonly string[], mapping: ColumnMapping): string[] {
  const mappedHeaders = new Set(
    Object.values(mapping.columns)
      .filter((c) => c.trim() !== '')
      .map(normaliseHeader),
  );
  const unmapped = mapping.options.keepUnmappedColumns
    ? header.filter((h) => h !== '' && !mappedHeaders.has(normaliseHeader(h)))
    : [];
  return [...new Set([...unmapped, ...CUSTOM_ACCOUNT_FIELDS.filter((f) => f in mapping.columns)])];
}
