/** GET /v1/me: the caller as the API sees them (org, role, and whether a user or an API key). */
import { createRoute, z } from '@hono/zod-openapi';
import { ROLES } from '../../../lib/roles.ts';
import { commonErrorResponses } from '../../errors.ts';
import { access } from '../../openapi.ts';

export const PrincipalSchema = z
  .object({
    kind: z
      .enum(['session', 'api_key'])
      .openapi({ description: 'How the caller authenticated.', example: 'api_key' }),
    orgId: z.uuid().openapi({ example: '6f0b0c5e-3d1c-4c9a-9a53-2f3e5b7d1a10' }),
    orgName: z.string().openapi({ example: 'Acme Demo' }),
    role: z.enum(ROLES).openapi({ example: 'analyst' }),
    userId: z.uuid().optional().openapi({ description: 'Set for a signed-in user.' }),
    email: z.string().optional().openapi({ example: 'ops@example.com' }),
    displayName: z.string().optional().openapi({ example: 'Olivia Ops' }),
    apiKeyId: z.uuid().optional().openapi({ description: 'Set for an API key.' }),
    apiKeyName: z.string().optional().openapi({ example: 'Salesforce sync' }),
    apiKeyCreatedBy: z.uuid().optional().openapi({
      description:
        'For an API key: the user who created it (absent when the operator CLI did, or that user is gone).',
    }),
    repId: z.uuid().optional().openapi({ description: 'The roster entry of a rep user, when linked.' }),
  })
  .openapi('Principal');

export const getMe = createRoute({
  method: 'get',
  path: '/me',
  operationId: 'getMe',
  tags: ['Account'],
  summary: 'Who am I',
  description: 'The principal of this request: its org, role, and the user or API key behind it.',
  ...access('admin', 'manager', 'analyst', 'rep', 'finance'),
  responses: {
    200: { description: 'The caller.', content: { 'application/json': { schema: PrincipalSchema } } },
    ...commonErrorResponses,
  },
});
