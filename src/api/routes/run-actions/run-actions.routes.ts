/** Run actions (F7, F8, F12): approve (managers), commit (managers), cancel (managers and analysts); each takes an Idempotency-Key. */
import { createRoute, z } from '@hono/zod-openapi';
import { RUN_STATUSES } from '../../../workflow/run-status.ts';
import { commonErrorResponses, conflictResponse, ErrorBodySchema, notFoundResponse } from '../../errors.ts';
import { IdempotencyHeaders, replayable } from '../../middleware/idempotency.ts';
import { idempotentAccess } from '../../openapi.ts';
import { ActorTypeSchema } from '../runs/runs.schemas.ts';

const UUID_EXAMPLE = '6f1c2d3e-4a5b-4c6d-8e7f-9a0b1c2d3e4f';
const HASH_EXAMPLE = '9b74c9897bac770ffc029102a200c5de0c7a5e8a8f1b5e0f7a9d3c2b1a0f9e8d';

export const RunStateSchema = z
  .object({
    id: z.uuid().openapi({ example: UUID_EXAMPLE }),
    status: z.enum(RUN_STATUSES).openapi({ example: 'approved' }),
    version: z.number().int().openapi({ description: 'Bumped on every change of the proposal.', example: 3 }),
    proposalHash: z.string().nullable().openapi({ example: HASH_EXAMPLE }),
    approvedHash: z
      .string()
      .nullable()
      .openapi({ description: 'The change-set hash the approval pinned.', example: HASH_EXAMPLE }),
    approvedBy: z.uuid().nullable().openapi({
      description: 'The user or API key that approved (approvedByType says which).',
      example: UUID_EXAMPLE,
    }),
    approvedByType: ActorTypeSchema,
    approvedAt: z.iso.datetime().nullable().openapi({ example: '2026-03-01T10:00:00.000Z' }),
    committedBy: z.uuid().nullable().openapi({
      description: 'The user or API key that committed (committedByType says which).',
      example: null,
    }),
    committedByType: ActorTypeSchema,
    committedAt: z.iso.datetime().nullable().openapi({ example: null }),
    cancelledBy: z.uuid().nullable().openapi({
      description: 'The user or API key that cancelled (cancelledByType says which).',
      example: null,
    }),
    cancelledByType: ActorTypeSchema,
    cancelledAt: z.iso.datetime().nullable().openapi({ example: null }),
  })
  .openapi('RunState');

export const ChangeSetSummarySchema = z
  .object({
    id: z.uuid().openapi({ example: UUID_EXAMPLE }),
    runId: z.uuid().openapi({ example: UUID_EXAMPLE }),
    hash: z.string().openapi({ description: 'Equals the approved hash.', example: HASH_EXAMPLE }),
    itemCount: z.number().int().min(0).openapi({ example: 42 }),
    createdAt: z.iso.datetime().openapi({ example: '2026-03-01T10:05:00.000Z' }),
    createdBy: z.uuid().nullable().openapi({
      description: 'The user or API key that committed (createdByType says which).',
      example: UUID_EXAMPLE,
    }),
    createdByType: ActorTypeSchema,
    counts: z
      .object({
        accounts: z.number().int().min(0),
        opportunities: z.number().int().min(0),
        splits: z.number().int().min(0),
        notices: z.number().int().min(0),
      })
      .openapi({ example: { accounts: 40, opportunities: 2, splits: 0, notices: 5 } }),
  })
  .openapi('ChangeSetSummary');

export const ApproveResponseSchema = z.object({ run: RunStateSchema }).openapi('ApproveRunResult');
export const CommitResponseSchema = z
  .object({ run: RunStateSchema, changeSet: ChangeSetSummarySchema })
  .openapi('CommitRunResult');
export const CancelResponseSchema = z
  .object({
    run: RunStateSchema,
    jobs: z
      .array(z.object({ id: z.uuid(), outcome: z.enum(['cancelled', 'cancelling', 'finished']) }))
      .openapi({ description: 'Solve jobs asked to stop.', example: [] }),
    notices: z
      .object({ cancelled: z.number().int().min(1) })
      .optional()
      .openapi({
        description:
          'A committed run that was still sending: its notices not yet sent were cancelled; the run stays committed.',
      }),
    queue: z
      .object({
        cancelled: z
          .number()
          .int()
          .min(0)
          .openapi({ description: 'The run’s own waiting items, now cancelled.' }),
        reopened: z.number().int().min(0).openapi({
          description: 'Items this run was retrying, back in error (retryable again) with the reason.',
        }),
      })
      .optional()
      .openapi({ description: 'How the commission queue settled with the cancel.' }),
  })
  .openapi('CancelRunResult');

export const ApproveBodySchema = z
  .object({
    expectedVersion: z.number().int().min(1).optional().openapi({
      description: 'The run version you reviewed; refused if the proposal changed since.',
      example: 3,
    }),
    expectedHash: z
      .string({ error: 'Name the proposal hash you reviewed (proposalHash of the run).' })
      .min(1)
      .max(200)
      .openapi({
        description:
          'Required: the proposal hash you reviewed (proposalHash of GET /v1/runs/{id}); refused if it differs now, so an approval always names exactly what was reviewed.',
        example: HASH_EXAMPLE,
      }),
    note: z
      .string()
      .max(2000, 'Use at most 2000 characters.')
      .optional()
      .openapi({ example: 'Reviewed with finance.' }),
  })
  .strict()
  .openapi('ApproveRun');

export const CancelBodySchema = z
  .object({
    reason: z
      .string()
      .trim()
      .min(1, 'Say why the run is cancelled.')
      .max(2000, 'Use at most 2000 characters.')
      .openapi({ example: 'The rep decided to stay.' }),
  })
  .strict()
  .openapi('CancelRun');

const IdParams = z.object({
  id: z.uuid('The run id is a UUID.').openapi({ param: { name: 'id', in: 'path' }, example: UUID_EXAMPLE }),
});

const unprocessable = {
  422: {
    description:
      'The run cannot be committed as it stands (code UNPROCESSABLE); the message says what to fix.',
    content: { 'application/json': { schema: ErrorBodySchema } },
  },
};

export const approveRun = createRoute({
  method: 'post',
  path: '/runs/{id}/approve',
  operationId: 'approveRun',
  tags: ['Runs'],
  summary: 'Approve the current proposal of a run',
  description:
    'Managers only. Pins the hash of the change set; any later change voids the approval. Refused while a blocking conflict is open, when the proposal changed since the version or hash you reviewed, and — with the org’s two-person rule — when you drafted the run.',
  ...idempotentAccess('manager'),
  request: {
    params: IdParams,
    headers: IdempotencyHeaders,
    body: { required: true, content: { 'application/json': { schema: ApproveBodySchema } } },
  },
  responses: {
    200: {
      description: 'Approved.',
      ...replayable({ content: { 'application/json': { schema: ApproveResponseSchema } } }),
    },
    ...notFoundResponse,
    ...conflictResponse,
    ...commonErrorResponses,
  },
});

export const commitRun = createRoute({
  method: 'post',
  path: '/runs/{id}/commit',
  operationId: 'commitRun',
  tags: ['Runs'],
  summary: 'Commit an approved run',
  description:
    'Managers only. One transaction: owners, opportunities, commission splits, the change set, audit events and the notices to send — or nothing. Refused when the proposal changed since approval, or when an account’s owner is no longer the one the run planned from (the accounts are listed in details.staleAccounts). A committed run returns its change set again (200), so retries and double clicks are safe.',
  ...idempotentAccess('manager'),
  request: { params: IdParams, headers: IdempotencyHeaders },
  responses: {
    200: {
      description: 'Committed (now or before).',
      ...replayable({ content: { 'application/json': { schema: CommitResponseSchema } } }),
    },
    ...notFoundResponse,
    ...conflictResponse,
    ...unprocessable,
    ...commonErrorResponses,
  },
});

export const cancelRun = createRoute({
  method: 'post',
  path: '/runs/{id}/cancel',
  operationId: 'cancelRun',
  tags: ['Runs'],
  summary: 'Cancel a run that is not committed',
  description:
    'Managers and analysts. Stops a solve in flight. A committed run still sending its notices: a manager cancels the sending (notices not yet sent are cancelled, the run stays committed); otherwise refused: roll it back instead.',
  ...idempotentAccess('manager', 'analyst'),
  request: {
    params: IdParams,
    headers: IdempotencyHeaders,
    body: { required: true, content: { 'application/json': { schema: CancelBodySchema } } },
  },
  responses: {
    200: {
      description: 'Cancelled.',
      ...replayable({ content: { 'application/json': { schema: CancelResponseSchema } } }),
    },
    ...notFoundResponse,
    ...conflictResponse,
    ...commonErrorResponses,
  },
});
