/** POST /v1/runs/{id}/rollback (F12): managers only, inside the org's window, idempotent. */
import { createRoute, z } from '@hono/zod-openapi';
import { requireRole } from '../../../auth/require-role.ts';
import { commonErrorResponses, conflictResponse, notFoundResponse } from '../../errors.ts';
import {
  IDEMPOTENCY_HEADER,
  idempotency,
  idempotencyHeaderSchemaDescription,
  replayable,
} from '../../middleware/idempotency.ts';
import { access } from '../../openapi.ts';

export const RollbackConflictSchema = z
  .object({
    itemId: z.uuid(),
    object: z.enum(['account', 'opportunity', 'split']).openapi({ example: 'account' }),
    recordId: z.string().openapi({ example: '9a8b7c6d-5e4f-4a3b-8c2d-1e0f9a8b7c6d' }),
    crmId: z.string().nullable().openapi({ example: '001A000001abcde' }),
    recordName: z.string().nullable().openapi({ example: 'Globex Ltd' }),
    reason: z
      .enum(['changed_since', 'history_stale', 'record_missing'])
      .openapi({ example: 'changed_since' }),
    message: z.string().openapi({
      example:
        'Account Globex Ltd changed since the run: its owner is now … Left as it is; restore … by hand if that is still right.',
    }),
  })
  .openapi('RollbackConflict');

export const RollbackResultSchema = z
  .object({
    runId: z.uuid(),
    status: z.literal('rolled_back'),
    rolledBackAt: z.iso.datetime().openapi({ example: '2026-07-02T09:00:00.000Z' }),
    rolledBackBy: z.string().nullable().openapi({ example: 'mona@acme.example' }),
    deadline: z.iso
      .datetime()
      .openapi({ description: 'The end of the rollback window.', example: '2026-07-03T10:00:00.000Z' }),
    restored: z.object({
      accounts: z.number().int().openapi({ example: 41 }),
      opportunities: z.number().int().openapi({ example: 17 }),
      splits: z.number().int().openapi({ example: 9 }),
    }),
    restoredItemIds: z
      .array(z.uuid())
      .openapi({ description: 'Change-set items undone (the inverse export lists these).' }),
    conflicts: z
      .array(RollbackConflictSchema)
      .openapi({ description: 'Records changed since the run: flagged, left alone.' }),
    notices: z.object({
      cancelled: z.number().int().openapi({ example: 3 }),
      corrections: z
        .number()
        .int()
        .openapi({ description: 'Correction digests queued for people already notified.', example: 2 }),
      unreachable: z.array(z.string()).openapi({ example: [] }),
    }),
    inverseExport: z
      .string()
      .openapi({ example: '/v1/runs/3b9d6c1e-8f2a-4e7b-9c1d-5a6f7e8d9c0b/exports/inverse' }),
  })
  .openapi('RollbackResult');

export const rollbackRunRoute = createRoute({
  method: 'post',
  path: '/runs/{id}/rollback',
  operationId: 'rollbackRun',
  tags: ['Runs'],
  summary: 'Roll back a committed run',
  description:
    'Managers only, until the org’s rollback window (default 48 hours after the commit) ends; outside it: 409 naming the deadline. ' +
    'Owners and splits return to their previous values unless changed since (listed in conflicts, left alone); pending notices are cancelled; ' +
    'people already notified get a correction; the inverse export becomes available. Rolling back again returns the first result.',
  ...access('manager'),
  // The role guard runs first: the Idempotency-Key middleware needs the principal.
  middleware: [requireRole('manager'), idempotency()] as const,
  request: {
    params: z.object({
      id: z
        .uuid('The run id is a UUID.')
        .openapi({ param: { name: 'id', in: 'path' }, example: '3b9d6c1e-8f2a-4e7b-9c1d-5a6f7e8d9c0b' }),
    }),
    headers: z.object({
      [IDEMPOTENCY_HEADER.toLowerCase()]: z
        .string()
        .optional()
        .openapi({
          param: { name: IDEMPOTENCY_HEADER.toLowerCase(), in: 'header' },
          description: idempotencyHeaderSchemaDescription,
          example: 'rollback-3b9d6c1e-1',
        }),
    }),
    body: {
      required: false,
      content: {
        'application/json': {
          schema: z
            .object({
              reason: z
                .string()
                .trim()
                .min(3, 'Say in a few words why the run is rolled back.')
                .max(1000, 'Keep the reason under 1,000 characters.')
                .optional()
                .openapi({ example: 'Approved against the wrong territory map' }),
            })
            .strict()
            .openapi('RollbackRequest'),
        },
      },
    },
  },
  responses: {
    200: {
      description: 'The rollback result (the first one, on a repeat).',
      ...replayable({ content: { 'application/json': { schema: RollbackResultSchema } } }),
    },
    ...notFoundResponse,
    ...conflictResponse,
    ...commonErrorResponses,
  },
});
