/** API keys of an org for other systems; only a hash is stored, and each key carries a role. */
import { index, pgTable, text, timestamp, uuid } from 'drizzle-orm/pg-core';
import { memberRole } from './enums.ts';
import { orgs } from './orgs.ts';
import { orgId, tenantPolicy } from './tenant.ts';
import { users } from './users.ts';

export const apiKeys = pgTable(
  'api_keys',
  {
    id: uuid('id').primaryKey().defaultRandom(),
    orgId: orgId().references(() => orgs.id, { onDelete: 'cascade' }),
    name: text('name').notNull(),
    /** The first characters of the key, shown in lists so a person can tell keys apart. */
    prefix: text('prefix').notNull(),
    /** sha256 of the whole key; looked up through auth_api_key_by_hash() before the org is known. */
    keyHash: text('key_hash').notNull().unique(),
    role: memberRole('role').notNull(),
    createdBy: uuid('created_by').references(() => users.id, { onDelete: 'set null' }),
    createdAt: timestamp('created_at', { withTimezone: true }).notNull().defaultNow(),
    lastUsedAt: timestamp('last_used_at', { withTimezone: true }),
    expiresAt: timestamp('expires_at', { withTimezone: true }),
    revokedAt: timestamp('revoked_at', { withTimezone: true }),
  },
  (t) => [index('api_keys_org_id_idx').on(t.orgId), tenantPolicy('api_keys')],
);
