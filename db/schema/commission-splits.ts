/**
 * Commission splits of an opportunity over time. The original structure is immutable: a change closes the
 * current rows (effective_to, set once) and adds new rows; a trigger refuses any other edit.
 */
import { sql } from 'drizzle-orm';
import { check, date, foreignKey, index, integer, pgTable, timestamp, uuid } from 'drizzle-orm/pg-core';
import { splitRole } from './enums.ts';
import { opportunities } from './opportunities.ts';
import { orgs } from './orgs.ts';
import { reps } from './reps.ts';
import { orgId, tenantPolicy } from './tenant.ts';

export const commissionSplits = pgTable(
  'commission_splits',
  {
    id: uuid('id').primaryKey().defaultRandom(),
    orgId: orgId().references(() => orgs.id, { onDelete: 'cascade' }),
    opportunityId: uuid('opportunity_id').notNull(),
    repId: uuid('rep_id').notNull(),
    role: splitRole('role').notNull(),
    /** Share in basis points; the rows in force on any day total exactly 10000 (checked by the app). */
    bps: integer('bps').notNull(),
    /** First day this row applies. */
    effectiveFrom: date('effective_from', { mode: 'string' }).notNull(),
    /** Last day this row applies (inclusive); NULL while in force. */
    effectiveTo: date('effective_to', { mode: 'string' }),
    /** The run that created this row (NULL for imported structures); no FK so history outlives runs. */
    runId: uuid('run_id'),
    createdAt: timestamp('created_at', { withTimezone: true }).notNull().defaultNow(),
  },
  (t) => [
    index('commission_splits_org_id_idx').on(t.orgId),
    index('commission_splits_org_opportunity_idx').on(t.orgId, t.opportunityId),
    foreignKey({
      name: 'commission_splits_opportunity_fk',
      columns: [t.orgId, t.opportunityId],
      foreignColumns: [opportunities.orgId, opportunities.id],
    }).onDelete('cascade'),
    foreignKey({
      name: 'commission_splits_rep_fk',
      columns: [t.orgId, t.repId],
      foreignColumns: [reps.orgId, reps.id],
    }),
    check('commission_splits_bps_range', sql`bps between 0 and 10000`),
    check('commission_splits_dates_ordered', sql`effective_to is null or effective_to >= effective_from`),
    tenantPolicy('commission_splits'),
  ],
);
