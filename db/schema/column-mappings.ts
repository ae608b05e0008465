/** Saved column mappings per org and import kind (F1), and custom export layouts (F9). */
import { index, jsonb, pgTable, text, timestamp, unique, uuid } from 'drizzle-orm/pg-core';
import type { ColumnMappingInput } from '../../src/import/mapping.ts';
import { orgs } from './orgs.ts';
import { orgId, tenantPolicy } from './tenant.ts';
import { users } from './users.ts';

export const columnMappings = pgTable(
  'column_mappings',
  {
    id: uuid('id').primaryKey().defaultRandom(),
    orgId: orgId().references(() => orgs.id, { onDelete: 'cascade' }),
    /** `accounts`, `reps`, `opportunities`, `revenue_schedules`, or `export:<format>` for export layouts. */
    kind: text('kind').notNull(),
    name: text('name').notNull(),
    preset: text('preset'),
    /** Normalised header row the mapping was made for, so it can be offered again automatically. */
    headerSignature: text('header_signature'),
    mapping: jsonb('mapping').$type<ColumnMappingInput>().notNull(),
    createdBy: uuid('created_by').references(() => users.id, { onDelete: 'set null' }),
    createdAt: timestamp('created_at', { withTimezone: true }).notNull().defaultNow(),
    updatedAt: timestamp('updated_at', { withTimezone: true }).notNull().defaultNow(),
  },
  (t) => [
    unique('column_mappings_org_kind_name_unique').on(t.orgId, t.kind, t.name),
    index('column_mappings_org_id_idx').on(t.orgId),
    tenantPolicy('column_mappings'),
  ],
);
