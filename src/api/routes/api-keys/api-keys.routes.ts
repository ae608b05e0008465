/**
 * API keys of the caller's org: create (the key is returned once), list, revoke. Admins manage every key of the
 * org, managers their own; a key's role carries no right its creator lacks.
 */
import { createRoute, z } from '@hono/zod-openapi';
import { KEY_MANAGERS, ROLES } from '../../../lib/roles.ts';
import { commonErrorResponses, conflictResponse, notFoundResponse } from '../../errors.ts';
import { IdempotencyHeaders, replayable } from '../../middleware/idempotency.ts';
import { access, idempotentAccess } from '../../openapi.ts';

export const ApiKeySchema = z
  .object({
    id: z.uuid().openapi({ example: '0c7d1f8e-2b7a-4a51-9d55-6b1f3c0e9a21' }),
    name: z.string().openapi({ example: 'Salesforce sync' }),
    prefix: z
      .string()
      .openapi({ description: 'The public part of the key: bks_<prefix>_…', example: 'k3v9x2ab' }),
    role: z.enum(ROLES).openapi({ example: 'analyst' }),
    createdAt: z.iso.datetime().openapi({ example: '2025-01-31T09:00:00.000Z' }),
    lastUsedAt: z.iso.datetime().nullable().openapi({ example: null }),
    expiresAt: z.iso.datetime().nullable().openapi({ example: null }),
    revokedAt: z.iso.datetime().nullable().openapi({ example: null }),
  })
  .openapi('ApiKey');

export const CreateApiKeySchema = z
  .object({
    name: z
      .string()
      .trim()
      .min(1, 'Give the key a name, e.g. the system that will use it.')
      .max(100, 'Use at most 100 characters.')
      .openapi({ example: 'Salesforce sync' }),
    role: z
      .enum(ROLES, 'Choose one of: admin, manager, analyst, rep, finance.')
      .openapi({ example: 'analyst' }),
    expiresAt: z.iso
      .datetime({ offset: true, message: 'Use an ISO timestamp, e.g. 2026-01-31T00:00:00Z.' })
      .optional()
      .openapi({ description: 'Optional expiry; without it the key lasts until revoked.' }),
  })
  .openapi('CreateApiKey');

export const CreatedApiKeySchema = z
  .object({
    apiKey: ApiKeySchema,
    key: z.string().openapi({
      description: 'The full key. Shown only in this response; store it now.',
      example: 'bks_k3v9x2ab_9yJ0s1u2Lq3X0pZyq3lq8Yk8c6Zb2Yt0F1Zp5q7rVw4',
    }),
  })
  .openapi('CreatedApiKey');

const IdParams = z.object({
  id: z
    .uuid('The key id is a UUID.')
    .openapi({ param: { name: 'id', in: 'path' }, example: '0c7d1f8e-2b7a-4a51-9d55-6b1f3c0e9a21' }),
});

export const listApiKeys = createRoute({
  method: 'get',
  path: '/api-keys',
  operationId: 'listApiKeys',
  tags: ['API keys'],
  summary: 'List the API keys you manage',
  ...access(...KEY_MANAGERS),
  responses: {
    200: {
      description:
        'For an admin every key of the org, for a manager the keys they created; newest first, revoked ones included.',
      content: { 'application/json': { schema: z.object({ data: z.array(ApiKeySchema) }) } },
    },
    ...commonErrorResponses,
  },
});

export const createApiKey = createRoute({
  method: 'post',
  path: '/api-keys',
  operationId: 'createApiKey',
  tags: ['API keys'],
  summary: 'Create an API key',
  description:
    'The response carries the full key once; only its hash is stored. The role must be one whose every right ' +
    'the caller has too (admin: admin, finance, rep; manager: manager, analyst, finance, rep); another is 403.',
  ...idempotentAccess(...KEY_MANAGERS),
  request: {
    body: { required: true, content: { 'application/json': { schema: CreateApiKeySchema } } },
    headers: IdempotencyHeaders,
  },
  responses: {
    201: {
      description: 'Created.',
      ...replayable({ content: { 'application/json': { schema: CreatedApiKeySchema } } }),
    },
    ...conflictResponse,
    ...commonErrorResponses,
  },
});

export const revokeApiKey = createRoute({
  method: 'delete',
  path: '/api-keys/{id}',
  operationId: 'revokeApiKey',
  tags: ['API keys'],
  summary: 'Revoke an API key',
  description: 'From now on the key is refused. Revoking a revoked key changes nothing.',
  ...access(...KEY_MANAGERS),
  request: { params: IdParams },
  responses: {
    200: { description: 'The revoked key.', content: { 'application/json': { schema: ApiKeySchema } } },
    ...notFoundResponse,
    ...commonErrorResponses,
  },
});
