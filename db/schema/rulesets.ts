/** Rulesets (F2), versioned: a change is a new version, so a run always points at the exact rules it used. */
import { sql } from 'drizzle-orm';
import { check, index, integer, jsonb, pgTable, text, timestamp, unique, uuid } from 'drizzle-orm/pg-core';
import type { RulesetInput } from '../../src/rules/ruleset-schema.ts';
import { orgs } from './orgs.ts';
import { orgId, tenantPolicy } from './tenant.ts';
import { users } from './users.ts';

export const rulesets = pgTable(
  'rulesets',
  {
    id: uuid('id').primaryKey().defaultRandom(),
    orgId: orgId().references(() => orgs.id, { onDelete: 'cascade' }),
    name: text('name').notNull(),
    version: integer('version').notNull(),
    /** The validated ruleset document (src/import rules schema). */
    body: jsonb('body').$type<RulesetInput>().notNull(),
    note: text('note'),
    createdBy: uuid('created_by').references(() => users.id, { onDelete: 'set null' }),
    createdAt: timestamp('created_at', { withTimezone: true }).notNull().defaultNow(),
  },
  (t) => [
    unique('rulesets_org_id_id_unique').on(t.orgId, t.id),
    unique('rulesets_org_name_version_unique').on(t.orgId, t.name, t.version),
    index('rulesets_org_id_idx').on(t.orgId),
    check('rulesets_version_positive', sql`version >= 1`),
    tenantPolicy('rulesets'),
  ],
);
