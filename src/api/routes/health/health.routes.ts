/** GET /health: liveness plus a database round trip, for load balancers and the Docker health check. */
import { createRoute, z } from '@hono/zod-openapi';
import { commonErrorResponses } from '../../errors.ts';
import { publicAccess } from '../../openapi.ts';

/** A health answer is about now: never cached. Like every path outside /v1, it may set the sign-in form's cookie. */
const noStore = z.object({
  'Cache-Control': z.literal('no-store'),
  'Set-Cookie': z.string().optional().openapi({
    description:
      'For a caller without a session: the CSRF cookie the sign-in form needs (as every page sets it).',
  }),
});

export const HealthSchema = z
  .object({
    status: z.enum(['ok', 'degraded']).openapi({ example: 'ok' }),
    database: z.enum(['ok', 'unreachable']).openapi({ example: 'ok' }),
    databaseLatencyMs: z.number().nullable().openapi({ example: 2 }),
    uptimeSeconds: z.number().openapi({ example: 3600 }),
  })
  .openapi('Health');

export const getHealth = createRoute({
  method: 'get',
  path: '/health',
  operationId: 'getHealth',
  tags: ['Operations'],
  summary: 'Liveness and database reachability',
  ...publicAccess(),
  responses: {
    // The common errors first: /health's own 503 (a body that reports the database) replaces the common one.
    ...commonErrorResponses,
    200: {
      description: 'Serving, and the database answers.',
      headers: noStore,
      content: { 'application/json': { schema: HealthSchema } },
    },
    503: {
      description: 'Serving, but the database does not answer.',
      headers: noStore,
      content: { 'application/json': { schema: HealthSchema } },
    },
  },
});
