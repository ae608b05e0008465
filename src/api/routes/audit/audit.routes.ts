/** The audit trail API (F11): pages of events, the hash-chain check, CSV / JSON export. */
import { createRoute, z } from '@hono/zod-openapi';
import { documentedDownloadHeaders } from '../../downloads.ts';
import { commonErrorResponses, notFoundResponse } from '../../errors.ts';
import { access } from '../../openapi.ts';

export const AUDIT_READERS = ['manager', 'analyst', 'finance', 'admin'] as const;

export const AuditEventSchema = z
  .object({
    id: z.uuid().openapi({ example: '1c2d3e4f-5a6b-4c7d-8e9f-0a1b2c3d4e5f' }),
    seq: z.number().int().openapi({ example: 42 }),
    at: z.iso.datetime().openapi({ example: '2026-07-01T10:00:00.000Z' }),
    action: z.string().openapi({ example: 'account.owner_restored' }),
    entityType: z.string().openapi({ example: 'account' }),
    entityId: z.string().nullable().openapi({ example: '9a8b7c6d-5e4f-4a3b-8c2d-1e0f9a8b7c6d' }),
    runId: z.uuid().nullable().openapi({ example: '3b9d6c1e-8f2a-4e7b-9c1d-5a6f7e8d9c0b' }),
    actorLabel: z.string().nullable().openapi({ example: 'mona@acme.example' }),
    actorUserId: z.uuid().nullable().openapi({ example: null }),
    actorApiKeyId: z.uuid().nullable().openapi({ example: null }),
    requestId: z.string().nullable().openapi({ example: 'c0b5a3f2-6f1d-4a47-9e0a-3c1b2d4e5f60' }),
    before: z.unknown().openapi({ example: { repId: '…', name: 'Ria Receiver' } }),
    after: z.unknown().openapi({ example: { repId: '…', name: 'Dan Departing' } }),
    prevHash: z.string().openapi({ example: '9f86d081884c7d65…' }),
    hash: z.string().openapi({ example: '60303ae22b998861…' }),
  })
  .openapi('AuditEvent');

export const AuditPageSchema = z
  .object({
    data: z.array(AuditEventSchema),
    nextAfterSeq: z.number().int().nullable().openapi({
      description: 'Pass as afterSeq to read the next page; null on the last page.',
      example: null,
    }),
  })
  .openapi('AuditPage');

export const AuditVerificationSchema = z
  .object({
    ok: z.boolean().openapi({ example: true }),
    checked: z
      .number()
      .int()
      .openapi({ description: 'Events verified before the first bad one.', example: 1234 }),
    firstBadSeq: z.number().int().nullable().openapi({ example: null }),
    reason: z.string().nullable().openapi({ example: null }),
  })
  .openapi('AuditVerification');

const filters = {
  action: z
    .string()
    .max(100)
    .optional()
    .openapi({ param: { name: 'action', in: 'query' }, example: 'run.rolled_back' }),
  entityType: z
    .string()
    .max(100)
    .optional()
    .openapi({ param: { name: 'entityType', in: 'query' }, example: 'account' }),
  entityId: z
    .string()
    .max(200)
    .optional()
    .openapi({ param: { name: 'entityId', in: 'query' } }),
};
const paging = {
  afterSeq: z.coerce
    .number()
    .int()
    .min(0)
    .optional()
    .openapi({ param: { name: 'afterSeq', in: 'query' }, example: 0 }),
  limit: z.coerce
    .number()
    .int()
    .min(1)
    .max(500)
    .optional()
    .openapi({ param: { name: 'limit', in: 'query' }, example: 100 }),
};

export const listAuditEvents = createRoute({
  method: 'get',
  path: '/audit/events',
  operationId: 'listAuditEvents',
  tags: ['Audit'],
  summary: 'Audit events of the org',
  description: 'In chain order (seq ascending), filtered by run, action or entity; paginated with afterSeq.',
  ...access(...AUDIT_READERS),
  request: {
    query: z.object({
      runId: z
        .uuid()
        .optional()
        .openapi({ param: { name: 'runId', in: 'query' } }),
      ...filters,
      ...paging,
    }),
  },
  responses: {
    200: { description: 'A page of events.', content: { 'application/json': { schema: AuditPageSchema } } },
    ...commonErrorResponses,
  },
});

export const listRunAuditEvents = createRoute({
  method: 'get',
  path: '/runs/{id}/audit',
  operationId: 'listRunAuditEvents',
  tags: ['Audit'],
  summary: 'Audit events of a run',
  ...access(...AUDIT_READERS),
  request: {
    params: z.object({
      id: z
        .uuid('The run id is a UUID.')
        .openapi({ param: { name: 'id', in: 'path' }, example: '3b9d6c1e-8f2a-4e7b-9c1d-5a6f7e8d9c0b' }),
    }),
    query: z.object({ ...filters, ...paging }),
  },
  responses: {
    200: {
      description: 'A page of the run’s events.',
      content: { 'application/json': { schema: AuditPageSchema } },
    },
    ...notFoundResponse,
    ...commonErrorResponses,
  },
});

export const verifyAudit = createRoute({
  method: 'get',
  path: '/audit/verify',
  operationId: 'verifyAuditChain',
  tags: ['Audit'],
  summary: 'Verify the audit hash chain',
  description:
    'Recomputes every event’s hash from the first: ok, or the first event that is missing, reordered or altered.',
  ...access(...AUDIT_READERS),
  responses: {
    200: {
      description: 'The result of the check.',
      content: { 'application/json': { schema: AuditVerificationSchema } },
    },
    ...commonErrorResponses,
  },
});

export const exportAudit = createRoute({
  method: 'get',
  path: '/audit/export',
  operationId: 'exportAuditTrail',
  tags: ['Audit'],
  summary: 'Export the audit trail as CSV or JSON',
  description:
    'Every event matching the filters, as an attachment. CSV cells are safe against formula injection. The export is itself audited.',
  ...access(...AUDIT_READERS),
  request: {
    query: z.object({
      format: z
        .enum(['csv', 'json'], 'Choose csv or json.')
        .default('csv')
        .openapi({ param: { name: 'format', in: 'query' }, example: 'csv' }),
      runId: z
        .uuid()
        .optional()
        .openapi({ param: { name: 'runId', in: 'query' } }),
      ...filters,
    }),
  },
  responses: {
    200: {
      description: 'The file.',
      headers: documentedDownloadHeaders('bookshift-audit-2026-03-01.csv'),
      content: {
        'text/csv': { schema: z.string().openapi({ example: 'seq,at,action,…' }) },
        'application/json': { schema: z.array(AuditEventSchema) },
      },
    },
    ...commonErrorResponses,
  },
});
