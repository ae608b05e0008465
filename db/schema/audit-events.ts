/**
 * The audit trail (F11): append-only for the app role (grants + trigger, custom migration) and hash-chained per
 * org (src/db/audit.ts). No foreign keys to users or runs: the record must outlive what it describes.
 */
import { bigint, index, jsonb, pgTable, text, timestamp, unique, uuid } from 'drizzle-orm/pg-core';
import { orgs } from './orgs.ts';
import { orgId, tenantPolicy } from './tenant.ts';

export const auditEvents = pgTable(
  'audit_events',
  {
    id: uuid('id').primaryKey().defaultRandom(),
    orgId: orgId().references(() => orgs.id),
    /** 1, 2, 3 … per org, without gaps. */
    seq: bigint('seq', { mode: 'number' }).notNull(),
    at: timestamp('at', { withTimezone: true }).notNull(),
    actorUserId: uuid('actor_user_id'),
    actorApiKeyId: uuid('actor_api_key_id'),
    /** Readable actor (email or key name) as it was at the time. */
    actorLabel: text('actor_label'),
    /** e.g. run.created, run.approved, run.committed, account.owner_changed, conflict.resolved. */
    action: text('action').notNull(),
    entityType: text('entity_type').notNull(),
    entityId: text('entity_id'),
    runId: uuid('run_id'),
    requestId: text('request_id'),
    before: jsonb('before'),
    after: jsonb('after'),
    /** Hash of the previous event of the org ('' for the first). */
    prevHash: text('prev_hash').notNull(),
    hash: text('hash').notNull(),
  },
  (t) => [
    unique('audit_events_org_seq_unique').on(t.orgId, t.seq),
    index('audit_events_org_id_idx').on(t.orgId),
    index('audit_events_org_run_idx').on(t.orgId, t.runId),
    // An entity's history (a queue item's retries, an account's events) is read by entity, not only by run.
    index('audit_events_org_entity_idx').on(t.orgId, t.entityType, t.entityId),
    tenantPolicy('audit_events'),
  ],
);
