/** The commission queue (seed 003): per-opportunity items of the org's runs with their status, and retry of errors. */
import { createRoute, z } from '@hono/zod-openapi';
import { QUEUE_READERS } from '../../../services/commission-queue/list.ts';
import { MAX_RETRY_ITEMS } from '../../../services/commission-queue/retry.ts';
import { QUEUE_STATUSES } from '../../../services/commission-queue/settle.ts';
import { commonErrorResponses, conflictResponse, notFoundResponse } from '../../errors.ts';
import { access } from '../../openapi.ts';

const tags = ['Commission queue'];
const ITEM_ID = '5d2c1b0a-9e8f-4a7b-8c6d-5e4f3a2b1c0d';
const RUN_ID = '3b9d6c1e-8f2a-4e7b-9c1d-5a6f7e8d9c0b';
const OPP_ID = '8a7b6c5d-4e3f-4a2b-9c1d-0e9f8a7b6c5d';
const REP_ID = '9e8d7c6b-5a4f-4e3d-8c2b-1a0f9e8d7c6b';

const status = z.enum(QUEUE_STATUSES).openapi({
  description:
    'pending: planned, the run not committed yet; processing: a retry run is open (see retryRunId); complete: the commit wrote it; error: the commit skipped it, or its retry was cancelled, skipped again or rolled back (see error; retryable); rolled_back: its run was rolled back; cancelled: its run was cancelled before committing.',
  example: 'error',
});

export const QueueQuery = z.object({
  status: status.optional().openapi({ param: { name: 'status', in: 'query' }, example: 'error' }),
  runId: z
    .uuid('The run id is a UUID.')
    .optional()
    .openapi({ param: { name: 'runId', in: 'query' }, example: RUN_ID }),
  repId: z
    .uuid('The rep id is a UUID.')
    .optional()
    .openapi({
      param: { name: 'repId', in: 'query' },
      description: 'Items handing over from or to this rep.',
      example: REP_ID,
    }),
  opportunityId: z
    .uuid('The opportunity id is a UUID.')
    .optional()
    .openapi({ param: { name: 'opportunityId', in: 'query' }, example: OPP_ID }),
  page: z.coerce
    .number()
    .int()
    .min(1)
    .default(1)
    .openapi({ param: { name: 'page', in: 'query' }, example: 1 }),
  pageSize: z.coerce
    .number()
    .int()
    .min(1)
    .max(200, 'At most 200 items per page.')
    .default(50)
    .openapi({ param: { name: 'pageSize', in: 'query' }, example: 50 }),
});

export const QueueItemSchema = z
  .object({
    id: z.uuid().openapi({ example: ITEM_ID }),
    status,
    error: z.string().nullable().openapi({
      description:
        'Why the commit skipped it or why its retry did not complete (status error), or why its run was cancelled (status cancelled).',
      example:
        'Opportunity Renewal 2026 has no current commission split, so only its owner changes; set its split if it needs one.',
    }),
    attempts: z.number().int().openapi({ description: 'Commits that processed it.', example: 1 }),
    opportunityId: z.uuid().openapi({ example: OPP_ID }),
    opportunityName: z.string().openapi({ example: 'Renewal 2026' }),
    opportunityCrmId: z.string().openapi({ example: '006000000000001AAA' }),
    runId: z.uuid().openapi({ example: RUN_ID }),
    runKind: z.string().openapi({ example: 'opportunity' }),
    runStatus: z.string().openapi({ example: 'committed' }),
    runReason: z.string().openapi({ example: 'Ben takes the renewal' }),
    fromRepId: z.uuid().nullable(),
    fromRepName: z.string().nullable().openapi({ example: 'Eve' }),
    toRepId: z.uuid().nullable().openapi({ example: REP_ID }),
    toRepName: z.string().nullable().openapi({ example: 'Ben' }),
    commissionType: z.string().nullable().openapi({ example: 'direct_transfer' }),
    customBps: z.number().int().nullable().openapi({ example: null }),
    updatedAt: z.string().openapi({ example: '2026-04-01T09:30:00.000Z' }),
    retryRunId: z.uuid().nullable().openapi({
      description: 'A processing item: the run retrying it (review, approve and commit it, or cancel it).',
      example: null,
    }),
    retryRunStatus: z
      .string()
      .nullable()
      .openapi({ description: 'The status of the retry run.', example: null }),
  })
  .openapi('CommissionQueueItem');

export const QueuePageSchema = z
  .object({
    data: z.array(QueueItemSchema),
    page: z.number().int().openapi({ example: 1 }),
    pageSize: z.number().int().openapi({ example: 50 }),
    total: z.number().int().openapi({ description: 'Items matching the filters.', example: 3 }),
    counts: z
      .object(
        Object.fromEntries(QUEUE_STATUSES.map((s) => [s, z.number().int()])) as Record<
          (typeof QUEUE_STATUSES)[number],
          z.ZodNumber
        >,
      )
      .openapi({ description: 'Items of the whole org per status (filters not applied).' }),
    pendingReassignments: z
      .array(
        z.object({
          runId: z.uuid(),
          kind: z.string(),
          status: z.string().openapi({ example: 'in_review' }),
          reason: z.string(),
          items: z.number().int(),
        }),
      )
      .openapi({
        description:
          'Runs not committed yet (solving again, solved, in review, approved or failed) that have queue items: changes waiting for a person.',
      }),
  })
  .openapi('CommissionQueuePage');

export const RetryBodySchema = z
  .object({
    itemIds: z
      .array(z.uuid('Each item id is a UUID.'))
      .min(1, 'Select at least one item in error to retry.')
      .max(MAX_RETRY_ITEMS, `Retry at most ${MAX_RETRY_ITEMS} items at once.`)
      .openapi({ example: [ITEM_ID] }),
  })
  .strict()
  .openapi('CommissionQueueRetry');

export const RetryResultSchema = z
  .object({
    retried: z.array(z.object({ itemId: z.uuid(), opportunityId: z.uuid(), runId: z.uuid() })).openapi({
      description: 'One new opportunity-level run per item, its solve requested; the item is processing.',
    }),
    failed: z.array(z.object({ itemId: z.uuid(), opportunityId: z.uuid(), message: z.string() })).openapi({
      description: 'Items whose retry run could not be created; back in error with the reason.',
    }),
  })
  .openapi('CommissionQueueRetryResult');

export const listCommissionQueue = createRoute({
  method: 'get',
  path: '/commission-queue',
  operationId: 'listCommissionQueue',
  tags,
  summary: 'The commission queue: opportunity-level changes of the org’s runs with their status',
  ...access(...QUEUE_READERS),
  request: { query: QueueQuery },
  responses: {
    200: {
      description: 'A page of queue items.',
      content: { 'application/json': { schema: QueuePageSchema } },
    },
    ...commonErrorResponses,
  },
});

export const retryCommissionQueue = createRoute({
  method: 'post',
  path: '/commission-queue/retry',
  operationId: 'retryCommissionQueue',
  tags,
  summary: 'Retry items in error as new opportunity-level runs',
  description:
    'Every selected item must be in error (after its data was fixed, e.g. a split added); each becomes a new opportunity-level run with the same new owner, commission type and dates, whose solve is requested. Any item not in error refuses the whole request (409).',
  ...access('manager'),
  request: { body: { required: true, content: { 'application/json': { schema: RetryBodySchema } } } },
  responses: {
    200: { description: 'The retry runs.', content: { 'application/json': { schema: RetryResultSchema } } },
    ...commonErrorResponses,
    ...notFoundResponse,
    ...conflictResponse,
  },
});

export const QueueHistorySchema = z
  .object({
    item: QueueItemSchema,
    entries: z
      .array(
        z.object({
          at: z.string().openapi({ example: '2026-04-01T09:30:00.000Z' }),
          action: z.string().openapi({ example: 'commission_queue.retry_cancelled' }),
          label: z.string().openapi({ example: 'Retry cancelled: back in error, retryable' }),
          runId: z.uuid().nullable().openapi({ example: RUN_ID }),
          runRole: z.enum(['own', 'retry']).nullable().openapi({
            description: 'own: the item’s run; retry: a run that retried it.',
            example: 'retry',
          }),
          detail: z.string().nullable().openapi({ example: 'Not now' }),
          actor: z.string().nullable().openapi({ example: 'manager@example.com' }),
        }),
      )
      .openapi({ description: 'Oldest first, from the audit trail.' }),
  })
  .openapi('CommissionQueueItemHistory');

export const ItemParams = z.object({
  id: z.uuid('The item id is a UUID.').openapi({ param: { name: 'id', in: 'path' }, example: ITEM_ID }),
});

export const commissionQueueItemHistory = createRoute({
  method: 'get',
  path: '/commission-queue/{id}/history',
  operationId: 'commissionQueueItemHistory',
  tags,
  summary:
    'One queue item’s history: its run’s approval, commit, cancel or rollback, and each retry with its outcome',
  ...access(...QUEUE_READERS),
  request: { params: ItemParams },
  responses: {
    200: {
      description: 'The item and its timeline.',
      content: { 'application/json': { schema: QueueHistorySchema } },
    },
    ...commonErrorResponses,
    ...notFoundResponse,
  },
});
