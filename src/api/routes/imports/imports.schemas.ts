/** Request and response schemas of the imports API: contracts, not table rows. */
import { z } from '@hono/zod-openapi';
import { IMPORT_KINDS } from '../../../import/types.ts';
import { DATE_FORMATS } from '../../../import/values/dates.ts';

export const ImportKindSchema = z.enum(IMPORT_KINDS).openapi({
  description:
    'What the file holds: accounts, reps (the roster), opportunities (splits as columns), splits, schedules.',
  example: 'accounts',
});

export const MappingSchema = z
  .object({
    kind: ImportKindSchema,
    presetId: z.string().optional().openapi({ example: 'salesforce-account-report' }),
    columns: z.record(z.string(), z.string()).openapi({
      description: 'Target field → header of the source column.',
      example: { account_id: 'Account ID', account_name: 'Account Name', owner_id: 'Account Owner' },
    }),
    options: z
      .object({
        dateFormat: z.enum(DATE_FORMATS).optional(),
        decimalComma: z.boolean().optional(),
        moneySuffixes: z.boolean().optional(),
        percentScale: z.enum(['percent', 'fraction']).optional(),
        regionSource: z.enum(['region', 'state', 'country']).optional(),
        blankMoney: z.enum(['zero', 'error']).optional(),
        keepUnmappedColumns: z.boolean().optional(),
        delimiter: z.enum([',', ';', '\t', '|']).optional(),
      })
      .optional(),
  })
  .openapi('ColumnMapping');

/** What a preview reads: the kind of file, a mapping, or a Google Sheet instead of a file. */
export const PreviewQuery = z.object({
  kind: ImportKindSchema.optional(),
  mapping: z.string().optional().openapi({ description: 'A column mapping as JSON (for raw CSV bodies).' }),
  sheetUrl: z.string().optional().openapi({
    description: 'A Google Sheet link (shared with "anyone with the link") instead of a file.',
    example: 'https://docs.google.com/spreadsheets/d/1AbC…/edit#gid=0',
  }),
});

/** What an import reads besides: how to apply, the file the preview saw, and whether in the background. */
export const ImportOptionsQuery = PreviewQuery.extend({
  mode: z.enum(['all-or-nothing', 'valid-rows-only']).optional().openapi({
    description: 'all-or-nothing (default): any row error imports nothing.',
    example: 'all-or-nothing',
  }),
  expectedSha256: z
    .string()
    .regex(/^[0-9a-f]{64}$/, 'A SHA-256 in hex, as the preview returned it.')
    .optional()
    .openapi({ description: 'The file hash the preview returned: another file is refused with 409.' }),
  async: z
    .enum(['true', 'false'])
    .optional()
    .openapi({ description: 'Apply as a background job (202) whatever the size.' }),
});

const previewFormFields = {
  file: z.any().optional().openapi({ type: 'string', format: 'binary', description: 'The CSV file.' }),
  sheetUrl: z.string().optional(),
  kind: ImportKindSchema.optional(),
  mapping: z.string().optional().openapi({ description: 'A column mapping as JSON.' }),
};
export const PreviewFormSchema = z.object(previewFormFields).openapi('ImportPreviewUpload');
export const UploadFormSchema = z
  .object({
    ...previewFormFields,
    mode: z.enum(['all-or-nothing', 'valid-rows-only']).optional(),
    expectedSha256: z.string().optional(),
  })
  .openapi('ImportUpload');

const csvUpload = (form: typeof PreviewFormSchema | typeof UploadFormSchema) => ({
  body: {
    required: false,
    description:
      'The CSV as a multipart upload (field `file`), as a raw `text/csv` body, or a `sheetUrl` field/query parameter.',
    content: {
      'multipart/form-data': { schema: form },
      'text/csv': {
        schema: z
          .string()
          .openapi({ example: 'account_id,account_name,owner_id\nA1,Acme,jane@example.com\n' }),
      },
    },
  },
});
export const previewUploadBody = csvUpload(PreviewFormSchema);
export const uploadBody = csvUpload(UploadFormSchema);

export const RowErrorSchema = z
  .object({
    row: z
      .number()
      .int()
      .openapi({ description: 'Row as a spreadsheet shows it (header = 1).', example: 14 }),
    column: z.string().openapi({ example: 'Annual Revenue' }),
    field: z.string().openapi({ example: 'annual_revenue' }),
    value: z.string().openapi({ example: '-5' }),
    reason: z.string().openapi({ example: 'annual_revenue is negative' }),
    hint: z.string().openapi({ example: 'Amounts must be zero or more; check the sign of this cell.' }),
  })
  .openapi('ImportRowError');

const FileSchema = z.object({
  bytes: z.number().int(),
  sha256: z.string().openapi({ example: '9f86d081884c7d659a2feaa0c55ad015a3bf4f1b2b0b822cd15d6c15b0f00a08' }),
  encoding: z.enum(['utf-8', 'windows-1252', 'utf-16le', 'utf-16be']),
  delimiter: z.string(),
});

export const PreviewSchema = z
  .object({
    kind: ImportKindSchema,
    presetId: z.string().nullable(),
    mapping: MappingSchema,
    file: FileSchema,
    header: z.array(z.string()),
    summary: z.object({
      rowsRead: z.number().int(),
      valid: z.number().int(),
      rejected: z.number().int(),
      blankRows: z.number().int(),
      noRevenue: z.number().int().openapi({
        description: 'Valid accounts whose revenue is blank: stored as unknown (null), not as 0.',
      }),
      noAmount: z.number().int().openapi({
        description:
          'Valid opportunities whose amount is blank: stored as unknown (null), not as $0; the first 100 are listed in warnings.',
      }),
      footerLines: z.number().int().openapi({
        description: "Report footer lines after the data (title, copyright, 'Generated By'), skipped.",
      }),
    }),
    errors: z.array(RowErrorSchema),
    warnings: z.array(RowErrorSchema).openapi({
      description:
        'Valid rows imported with something to know, by row and column (an opportunity whose amount is blank: unknown, not $0); at most 100.',
    }),
    preview: z
      .array(z.record(z.string(), z.unknown()))
      .openapi({ description: 'The first valid records as they will be stored.' }),
  })
  .openapi('ImportPreview');

const CountsSchema = z.object({
  rowsRead: z.number().int(),
  inserted: z.number().int(),
  updated: z.number().int(),
  unchanged: z.number().int(),
  rejected: z.number().int(),
});

export const OutcomeSchema = z
  .object({
    importId: z.uuid(),
    status: z.enum(['applied', 'failed']),
    kind: ImportKindSchema,
    presetId: z.string().nullable(),
    file: FileSchema,
    counts: CountsSchema,
    errors: z.array(RowErrorSchema),
    warnings: z.array(RowErrorSchema).openapi({
      description:
        'Valid rows imported with something to know, by row and column (an opportunity whose amount is blank: unknown, not $0); at most 100.',
    }),
    failureReason: z.string().nullable(),
  })
  .openapi('ImportOutcome');

export const QueuedSchema = z
  .object({
    jobId: z.uuid(),
    status: z.literal('queued'),
    progressUrl: z.string().openapi({ example: '/v1/import-jobs/0c7d1f8e-2b7a-4a51-9d55-6b1f3c0e9a21' }),
  })
  .openapi('ImportQueued');

export const ImportJobSchema = z
  .object({
    jobId: z.uuid(),
    status: z.enum(['queued', 'running', 'succeeded', 'failed', 'cancelled']),
    progress: z.record(z.string(), z.unknown()).nullable(),
    outcome: OutcomeSchema.nullable(),
    error: z.string().nullable(),
  })
  .openapi('ImportJob');

export const ImportSummarySchema = z
  .object({
    id: z.uuid(),
    kind: ImportKindSchema,
    source: z.string(),
    sourceName: z.string().nullable(),
    fileHash: z.string(),
    byteSize: z.number().int().nullable(),
    preset: z.string().nullable(),
    status: z.string().openapi({ example: 'applied' }),
    mode: z.string().nullable(),
    rowsRead: z.number().int(),
    rowsInserted: z.number().int(),
    rowsUpdated: z.number().int(),
    rowsUnchanged: z.number().int(),
    rowsRejected: z.number().int(),
    failureReason: z.string().nullable(),
    createdBy: z.string().nullable(),
    createdAt: z.string(),
    finishedAt: z.string().nullable(),
  })
  .openapi('Import');

export const StoredErrorsSchema = z
  .object({
    total: z.number().int(),
    errors: z.array(
      z.object({
        row: z.number().int(),
        column: z.string().nullable(),
        value: z.string().nullable(),
        reason: z.string(),
      }),
    ),
  })
  .openapi('ImportErrors');

export const PageQuery = z.object({
  limit: z.coerce.number().int().min(1).max(500).default(50),
  offset: z.coerce.number().int().min(0).default(0),
});

export const IdParams = z.object({
  id: z.uuid('The id is a UUID.').openapi({ param: { name: 'id', in: 'path' } }),
});

export const PresetsSchema = z
  .object({
    presets: z.array(
      z.object({
        id: z.string(),
        label: z.string(),
        kind: ImportKindSchema,
        columns: z.record(z.string(), z.array(z.string())),
      }),
    ),
    fields: z.record(
      z.string(),
      z.array(
        z.object({ key: z.string(), type: z.string(), required: z.boolean(), description: z.string() }),
      ),
    ),
  })
  .openapi('ImportPresets');

export const SaveMappingSchema = z
  .object({
    name: z.string().trim().min(1).max(200).openapi({ example: 'Our Salesforce territory report' }),
    mapping: MappingSchema,
    header: z
      .array(z.string())
      .optional()
      .openapi({ description: 'The header row it was made for: the same export finds it again.' }),
  })
  .openapi('SaveColumnMapping');

export const SavedMappingSchema = z
  .object({
    id: z.uuid(),
    name: z.string(),
    kind: z.string(),
    headerSignature: z.string().nullable(),
    mapping: MappingSchema,
  })
  .openapi('SavedColumnMapping');
