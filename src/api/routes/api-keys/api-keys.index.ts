/** The API keys route group: handlers validate (by route), call a service verb, shape the response. */

import type { ApiKeyRecord } from '../../../services/auth/api-keys.ts';
import * as keys from '../../../services/auth/api-keys.ts';
import { createRouter } from '../../openapi.ts';
import { orgContext } from '../../service-context.ts';
import {
  ApiKeySchema,
  CreatedApiKeySchema,
  createApiKey,
  listApiKeys,
  revokeApiKey,
} from './api-keys.routes.ts';

const iso = (d: Date | null) => (d ? d.toISOString() : null);

/** Outgoing data goes through the response schema: a new column never leaks. */
export function toApiKeyJson(k: ApiKeyRecord) {
  return ApiKeySchema.parse({
    id: k.id,
    name: k.name,
    prefix: k.prefix,
    role: k.role,
    createdAt: k.createdAt.toISOString(),
    lastUsedAt: iso(k.lastUsedAt),
    expiresAt: iso(k.expiresAt),
    revokedAt: iso(k.revokedAt),
  });
}

export const apiKeysRouter = createRouter()
  .openapi(listApiKeys, async (c) => {
    const list = await keys.listApiKeys({ ctx: orgContext(c) });
    return c.json({ data: list.map(toApiKeyJson) }, 200);
  })
  .openapi(createApiKey, async (c) => {
    const body = c.req.valid('json');
    const created = await keys.createApiKey({
      ctx: orgContext(c),
      input: {
        name: body.name,
        role: body.role,
        ...(body.expiresAt ? { expiresAt: new Date(body.expiresAt) } : {}),
      },
    });
    return c.json(CreatedApiKeySchema.parse({ apiKey: toApiKeyJson(created.apiKey), key: created.key }), 201);
  })
  .openapi(revokeApiKey, async (c) => {
    const { id } = c.req.valid('param');
    const revoked = await keys.revokeApiKey({ ctx: orgContext(c), input: { id } });
    return c.json(toApiKeyJson(revoked), 200);
  });
