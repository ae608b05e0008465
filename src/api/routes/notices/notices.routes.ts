/** The notice outbox (F10): list, preview, retry a failed notice, cancel a pending one. */
import { createRoute, z } from '@hono/zod-openapi';
import { commonErrorResponses, conflictResponse, notFoundResponse } from '../../errors.ts';
import { access } from '../../openapi.ts';

export const NOTICE_READERS = ['manager', 'analyst', 'finance', 'admin'] as const;
const STATUSES = ['pending', 'sending', 'sent', 'failed', 'cancelled'] as const;

export const NoticeSchema = z
  .object({
    id: z.uuid().openapi({ example: '7d1f0c2e-5b3a-4c8d-9e0f-1a2b3c4d5e6f' }),
    runId: z.uuid().nullable().openapi({ example: '3b9d6c1e-8f2a-4e7b-9c1d-5a6f7e8d9c0b' }),
    kind: z.string().openapi({
      description:
        'receiving_rep, losing_rep, losing_rep_manager, manager_summary, finance_summary; correction_… after a rollback.',
      example: 'receiving_rep',
    }),
    recipientEmail: z.string().openapi({ example: 'ria@acme.example' }),
    recipientName: z.string().nullable().openapi({ example: 'Ria Receiver' }),
    subject: z.string().openapi({ example: '2 accounts now assigned to you' }),
    status: z.enum(STATUSES).openapi({ example: 'sent' }),
    deliveryNote: z.string().nullable().openapi({
      description:
        'What to know about the status, e.g. "not sent: no email provider configured" or the failure reason.',
      example: null,
    }),
    attempts: z.number().int().openapi({ example: 1 }),
    nextAttemptAt: z.iso.datetime().openapi({ example: '2026-07-01T10:00:02.000Z' }),
    lastError: z.string().nullable().openapi({ example: null }),
    providerId: z.string().nullable().openapi({ example: '4ef9a417-02e9-4d39-ad75-9611e0fcc33c' }),
    sentAt: z.iso.datetime().nullable().openapi({ example: '2026-07-01T10:00:03.000Z' }),
    cancelledAt: z.iso.datetime().nullable().openapi({ example: null }),
    createdAt: z.iso.datetime().openapi({ example: '2026-07-01T10:00:00.000Z' }),
  })
  .openapi('Notice');

export const NoticeDetailSchema = NoticeSchema.extend({
  html: z.string().openapi({ description: 'The HTML body exactly as sent.', example: '<html>…</html>' }),
  text: z.string().openapi({ description: 'The plain-text body exactly as sent.', example: 'Hello Ria, …' }),
}).openapi('NoticeDetail');

export const NoticeListSchema = z
  .object({
    data: z.array(NoticeSchema),
    providerConfigured: z
      .boolean()
      .openapi({ description: 'False when RESEND_API_KEY is not set: nothing is sent.' }),
    nextOffset: z.number().int().nullable().openapi({ example: null }),
  })
  .openapi('NoticeList');

const IdParams = z.object({
  id: z
    .uuid('The id is a UUID.')
    .openapi({ param: { name: 'id', in: 'path' }, example: '7d1f0c2e-5b3a-4c8d-9e0f-1a2b3c4d5e6f' }),
});

const paging = {
  limit: z.coerce
    .number()
    .int()
    .min(1)
    .max(500)
    .optional()
    .openapi({ param: { name: 'limit', in: 'query' }, example: 100 }),
  offset: z.coerce
    .number()
    .int()
    .min(0)
    .optional()
    .openapi({ param: { name: 'offset', in: 'query' }, example: 0 }),
};
const statusQuery = z
  .enum(STATUSES, `Choose one of: ${STATUSES.join(', ')}.`)
  .optional()
  .openapi({ param: { name: 'status', in: 'query' }, example: 'failed' });

const list = (description: string) => ({
  200: { description, content: { 'application/json': { schema: NoticeListSchema } } },
});

export const listRunNotices = createRoute({
  method: 'get',
  path: '/runs/{id}/notices',
  operationId: 'listRunNotices',
  tags: ['Notices'],
  summary: 'Notices of a run',
  ...access(...NOTICE_READERS),
  request: { params: IdParams, query: z.object({ status: statusQuery, ...paging }) },
  responses: { ...list('The run’s notices, oldest first.'), ...notFoundResponse, ...commonErrorResponses },
});

export const listNotices = createRoute({
  method: 'get',
  path: '/notices',
  operationId: 'listNotices',
  tags: ['Notices'],
  summary: 'Notices of the org',
  ...access(...NOTICE_READERS),
  request: {
    query: z.object({
      status: statusQuery,
      runId: z
        .uuid()
        .optional()
        .openapi({ param: { name: 'runId', in: 'query' } }),
      ...paging,
    }),
  },
  responses: { ...list('Notices, oldest first.'), ...commonErrorResponses },
});

export const getNotice = createRoute({
  method: 'get',
  path: '/notices/{id}',
  operationId: 'getNotice',
  tags: ['Notices'],
  summary: 'Preview a notice (HTML and text)',
  ...access(...NOTICE_READERS),
  request: { params: IdParams },
  responses: {
    200: {
      description: 'The notice with its bodies.',
      content: { 'application/json': { schema: NoticeDetailSchema } },
    },
    ...notFoundResponse,
    ...commonErrorResponses,
  },
});

export const retryNotice = createRoute({
  method: 'post',
  path: '/notices/{id}/retry',
  operationId: 'retryNotice',
  tags: ['Notices'],
  summary: 'Retry a failed notice',
  description:
    'Back to pending with a fresh attempt budget and the same idempotency key; the sender picks it up.',
  ...access('manager'),
  request: { params: IdParams },
  responses: {
    200: {
      description: 'The notice, pending again.',
      content: { 'application/json': { schema: NoticeSchema } },
    },
    ...notFoundResponse,
    ...conflictResponse,
    ...commonErrorResponses,
  },
});

export const cancelNotice = createRoute({
  method: 'post',
  path: '/notices/{id}/cancel',
  operationId: 'cancelNotice',
  tags: ['Notices'],
  summary: 'Cancel a pending notice',
  ...access('manager'),
  request: { params: IdParams },
  responses: {
    200: { description: 'The cancelled notice.', content: { 'application/json': { schema: NoticeSchema } } },
    ...notFoundResponse,
    ...conflictResponse,
    ...commonErrorResponses,
  },
});
