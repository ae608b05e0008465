/** Idempotency-Key records: the same key and body replays the first response; another body is refused. */
import { index, integer, jsonb, pgTable, text, timestamp, unique, uuid } from 'drizzle-orm/pg-core';
import { idempotencyStatus } from './enums.ts';
import { orgs } from './orgs.ts';
import { orgId, tenantPolicy } from './tenant.ts';

/** What `idempotency_keys.response_body` holds: the JSON body of the first response, replayed as it was. */
export type JsonValue = string | number | boolean | null | JsonValue[] | { [key: string]: JsonValue };

export const idempotencyKeys = pgTable(
  'idempotency_keys',
  {
    id: uuid('id').primaryKey().defaultRandom(),
    orgId: orgId().references(() => orgs.id, { onDelete: 'cascade' }),
    key: text('key').notNull(),
    method: text('method').notNull(),
    path: text('path').notNull(),
    /** Fingerprint of method, path and body; a different fingerprint under the same key is refused. */
    requestHash: text('request_hash').notNull(),
    status: idempotencyStatus('status').notNull().default('in_progress'),
    responseStatus: integer('response_status'),
    responseBody: jsonb('response_body').$type<JsonValue>(),
    actorUserId: uuid('actor_user_id'),
    actorApiKeyId: uuid('actor_api_key_id'),
    createdAt: timestamp('created_at', { withTimezone: true }).notNull().defaultNow(),
    completedAt: timestamp('completed_at', { withTimezone: true }),
  },
  (t) => [
    unique('idempotency_keys_org_key_unique').on(t.orgId, t.key),
    index('idempotency_keys_org_id_idx').on(t.orgId),
    index('idempotency_keys_created_at_idx').on(t.createdAt),
    tenantPolicy('idempotency_keys'),
  ],
);
