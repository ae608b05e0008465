/** The imports API (F1): preview and apply an upload or sheet link, history, errors, presets, saved mappings. */
import { createRoute, z } from '@hono/zod-openapi';
import { documentedDownloadHeaders } from '../../downloads.ts';
import { commonErrorResponses, conflictResponse, ErrorBodySchema, notFoundResponse } from '../../errors.ts';
import { IdempotencyHeaders, replayable } from '../../middleware/idempotency.ts';
import { access, idempotentAccess } from '../../openapi.ts';
import {
  IdParams,
  ImportJobSchema,
  ImportOptionsQuery,
  ImportSummarySchema,
  OutcomeSchema,
  PageQuery,
  PresetsSchema,
  PreviewQuery,
  PreviewSchema,
  previewUploadBody,
  QueuedSchema,
  SavedMappingSchema,
  SaveMappingSchema,
  StoredErrorsSchema,
  uploadBody,
} from './imports.schemas.ts';

/** Import and map: admins, managers and analysts (analysts import too: src/lib/roles.ts). */
export const IMPORT_ROLES = ['admin', 'manager', 'analyst'] as const;
const tags = ['Imports'];
const json = <S extends z.ZodType>(schema: S) => ({ content: { 'application/json': { schema } } });
const fileErrors = {
  413: {
    description: 'The upload is over UPLOAD_MAX_BYTES (code PAYLOAD_TOO_LARGE); nothing was read.',
    ...json(ErrorBodySchema),
  },
  422: {
    description:
      'The file as a whole cannot be read (code UNPROCESSABLE): empty, header only, unbalanced quotes, too many rows, ' +
      'columns that match no layout (details.data.suggestedMapping), or a sheet that is not shared. details.problem names it.',
    ...json(ErrorBodySchema),
  },
};
// The size limit (413 before parsing) is the app's body limit, which knows these routes take a file.
const uploadAccess = access(...IMPORT_ROLES);

export const previewImportRoute = createRoute({
  method: 'post',
  path: '/imports/preview',
  operationId: 'previewImport',
  tags,
  summary: 'Preview an import without writing',
  description:
    'Detects the layout (Salesforce, HubSpot, Dynamics, generic, or a mapping the org saved for this header), ' +
    'and returns the mapping, the first records as they will be stored, every row-level error and the summary.',
  ...uploadAccess,
  request: { query: PreviewQuery, ...previewUploadBody },
  responses: {
    200: { description: 'The preview; row errors are data here, not failures.', ...json(PreviewSchema) },
    ...fileErrors,
    ...commonErrorResponses,
  },
});

export const applyImportRoute = createRoute({
  method: 'post',
  path: '/imports',
  operationId: 'applyImport',
  tags,
  summary: 'Apply an import to the book',
  description:
    'Upserts on the CRM id in one transaction. all-or-nothing (default): any row error imports nothing and the ' +
    'attempt is recorded as failed with its errors; valid-rows-only: the rest is applied. Importing the same file ' +
    'again changes nothing. Large files (or async=true) run as a background job: 202 with the job to poll.',
  ...idempotentAccess(...IMPORT_ROLES),
  request: { query: ImportOptionsQuery, ...uploadBody, headers: IdempotencyHeaders },
  responses: {
    201: {
      description: 'Applied, or recorded as failed (status) with every row error.',
      ...replayable(json(OutcomeSchema)),
    },
    202: { description: 'Queued as a background job.', ...replayable(json(QueuedSchema)) },
    ...conflictResponse,
    ...fileErrors,
    ...commonErrorResponses,
  },
});

export const getImportJobRoute = createRoute({
  method: 'get',
  path: '/import-jobs/{id}',
  operationId: 'getImportJob',
  tags,
  summary: 'Progress and outcome of a background import',
  ...access(...IMPORT_ROLES),
  request: { params: IdParams },
  responses: {
    200: { description: 'The job.', ...json(ImportJobSchema) },
    ...notFoundResponse,
    ...commonErrorResponses,
  },
});

export const listImportsRoute = createRoute({
  method: 'get',
  path: '/imports',
  operationId: 'listImports',
  tags,
  summary: 'List imports (snapshots), newest first',
  ...access(...IMPORT_ROLES),
  request: { query: PageQuery },
  responses: {
    200: { description: 'Imports.', ...json(z.object({ data: z.array(ImportSummarySchema) })) },
    ...commonErrorResponses,
  },
});

export const getImportRoute = createRoute({
  method: 'get',
  path: '/imports/{id}',
  operationId: 'getImport',
  tags,
  summary: 'Get one import with its counts',
  ...access(...IMPORT_ROLES),
  request: { params: IdParams },
  responses: {
    200: { description: 'The import.', ...json(ImportSummarySchema) },
    ...notFoundResponse,
    ...commonErrorResponses,
  },
});

export const listImportErrorsRoute = createRoute({
  method: 'get',
  path: '/imports/{id}/errors',
  operationId: 'listImportErrors',
  tags,
  summary: 'Row-level errors of an import, by row',
  ...access(...IMPORT_ROLES),
  request: { params: IdParams, query: PageQuery },
  responses: {
    200: { description: 'A page of errors.', ...json(StoredErrorsSchema) },
    ...notFoundResponse,
    ...commonErrorResponses,
  },
});

export const downloadImportErrorsRoute = createRoute({
  method: 'get',
  path: '/imports/{id}/errors.csv',
  operationId: 'downloadImportErrors',
  tags,
  summary: 'Download the error file (each rejected row as it was, plus its errors; formula-safe)',
  ...access(...IMPORT_ROLES),
  request: { params: IdParams },
  responses: {
    200: {
      description: 'The error file.',
      headers: documentedDownloadHeaders('import-3b9d6c1e-errors.csv'),
      content: { 'text/csv': { schema: z.string() } },
    },
    ...notFoundResponse,
    ...commonErrorResponses,
  },
});

export const listPresetsRoute = createRoute({
  method: 'get',
  path: '/import-presets',
  operationId: 'listImportPresets',
  tags,
  summary: 'The CRM layouts recognised, and the fields of each import kind',
  ...access(...IMPORT_ROLES),
  responses: { 200: { description: 'Presets and fields.', ...json(PresetsSchema) }, ...commonErrorResponses },
});

export const listMappingsRoute = createRoute({
  method: 'get',
  path: '/column-mappings',
  operationId: 'listColumnMappings',
  tags,
  summary: 'Column mappings the org saved',
  ...access(...IMPORT_ROLES),
  request: { query: z.object({ kind: z.string().optional() }) },
  responses: {
    200: { description: 'Saved mappings.', ...json(z.object({ data: z.array(SavedMappingSchema) })) },
    ...commonErrorResponses,
  },
});

export const saveMappingRoute = createRoute({
  method: 'post',
  path: '/column-mappings',
  operationId: 'saveColumnMapping',
  tags,
  summary: 'Save a column mapping (by name; saving the same name replaces it)',
  description: 'With `header`, later files with the same header row use it automatically.',
  ...access(...IMPORT_ROLES),
  request: { body: { required: true, ...json(SaveMappingSchema) } },
  responses: { 200: { description: 'Saved.', ...json(SavedMappingSchema) }, ...commonErrorResponses },
});
