/** The approved list of changes of a run (F7, F8); every export, notice and rollback derives from it. */
import { sql } from 'drizzle-orm';
import {
  check,
  foreignKey,
  index,
  integer,
  jsonb,
  pgTable,
  text,
  timestamp,
  unique,
  uuid,
} from 'drizzle-orm/pg-core';
import { apiKeys } from './api-keys.ts';
import { orgs } from './orgs.ts';
import { runs } from './runs.ts';
import { orgId, tenantPolicy } from './tenant.ts';
import { users } from './users.ts';

/** What `change_sets.body` holds: the commit's summary; the fields read back are typed, the rest is for the record. */
export type ChangeSetBodyColumn = {
  counts?: { accounts: number; opportunities: number; splits: number; notices: number } | undefined;
  /** The commission settings the commit applied (null when the run moved no split). */
  commission?: unknown;
  /** Opportunities whose split the commit left alone, and why. */
  commissionSkipped?: { opportunityId: string; code: string; reason: string }[] | undefined;
  [field: string]: unknown;
};

export const changeSets = pgTable(
  'change_sets',
  {
    id: uuid('id').primaryKey().defaultRandom(),
    orgId: orgId().references(() => orgs.id, { onDelete: 'cascade' }),
    /** Unique: a run commits at most once. */
    runId: uuid('run_id').notNull(),
    hash: text('hash').notNull(),
    /** Summary of the change set (strategy, dates, approval, counts); the rows are change_set_items. */
    body: jsonb('body').$type<ChangeSetBodyColumn>().notNull().default({}),
    itemCount: integer('item_count').notNull().default(0),
    createdBy: uuid('created_by').references(() => users.id, { onDelete: 'set null' }),
    /** Set instead of created_by when an API key committed. */
    createdByApiKeyId: uuid('created_by_api_key_id').references(() => apiKeys.id, { onDelete: 'set null' }),
    createdAt: timestamp('created_at', { withTimezone: true }).notNull().defaultNow(),
  },
  (t) => [
    unique('change_sets_run_unique').on(t.runId),
    unique('change_sets_org_id_id_unique').on(t.orgId, t.id),
    index('change_sets_org_id_idx').on(t.orgId),
    foreignKey({
      name: 'change_sets_run_fk',
      columns: [t.orgId, t.runId],
      foreignColumns: [runs.orgId, runs.id],
    }),
    check('change_sets_item_count_nonnegative', sql`item_count >= 0`),
    tenantPolicy('change_sets'),
  ],
);
