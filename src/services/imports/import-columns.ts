/**
 * An import's JSON columns parsed once where they are read: `imports.options` (how the import was applied and what
 * file it read, as apply-import.ts and import-records.ts write it; `{}` while the import runs) and an
 * `import_apply` job's `progress` and `result` (what importApplyJob reports and returns). A stored value that does
 * not match is a bug worth a clear error, not a cast. (`imports.mapping` is written with the import; nothing reads
 * it back.)
 */
import { z } from 'zod';
import type { ImportOptionsColumn } from '../../../db/schema/index.ts';
import { IMPORT_KINDS } from '../../import/types.ts';
import { parseJsonColumn } from '../../lib/json-column.ts';
import type { ImportProgress } from './kind-writers.ts';

const FILE_ENCODINGS = ['utf-8', 'windows-1252', 'utf-16le', 'utf-16be'] as const;
const IMPORT_MODES = ['all-or-nothing', 'valid-rows-only'] as const;

const importOptionsColumn = z.looseObject({
  mode: z.enum(IMPORT_MODES).optional(),
  fileKind: z.enum(IMPORT_KINDS).optional(),
  encoding: z.enum(FILE_ENCODINGS).optional(),
});

export const parseImportOptions = (value: unknown, importId: string): ImportOptionsColumn =>
  parseJsonColumn(importOptionsColumn, value, { table: 'imports', column: 'options', rowId: importId });

/** How far the import has come (kind-writers.ts ImportProgress); null until it reports. */
const importJobProgress = z
  .object({ phase: z.enum(['validating', 'writing']), rows: z.number(), total: z.number().optional() })
  .nullable();

export const parseImportJobProgress = (value: unknown, jobId: string): ImportProgress | null =>
  parseJsonColumn(importJobProgress, value, { table: 'jobs', column: 'progress', rowId: jobId });

const rowError = z.object({
  row: z.number(),
  column: z.string(),
  field: z.string(),
  value: z.string(),
  reason: z.string(),
  hint: z.string(),
});

const counts = z.object({
  rowsRead: z.number(),
  inserted: z.number(),
  updated: z.number(),
  unchanged: z.number(),
  rejected: z.number(),
});

/**
 * The outcome importApplyJob returns: the import's outcome with its first 100 row errors and how many there were.
 * Its mapping is left out (the job's view does not show it). Null until the job has succeeded.
 */
const importJobResult = z
  .object({
    importId: z.string(),
    status: z.enum(['applied', 'failed']),
    kind: z.enum(IMPORT_KINDS),
    presetId: z.string().nullable(),
    file: z.object({
      bytes: z.number(),
      sha256: z.string(),
      encoding: z.enum(FILE_ENCODINGS),
      delimiter: z.enum([',', ';', '\t', '|']),
    }),
    counts,
    errors: z.array(rowError),
    /** Valid rows imported with something to know (a blank amount); none in results stored before there were any. */
    warnings: z.array(rowError).default([]),
    errorCount: z.number(),
    failureReason: z.string().nullable(),
  })
  .nullable();

export type ImportJobOutcome = NonNullable<z.infer<typeof importJobResult>>;

export const parseImportJobResult = (value: unknown, jobId: string): ImportJobOutcome | null =>
  parseJsonColumn(importJobResult, value, { table: 'jobs', column: 'result', rowId: jobId });
