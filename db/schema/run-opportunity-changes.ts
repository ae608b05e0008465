/** Opportunity-level changes of a run (owner and commission split), also the per-item queue of C1–C6. */
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
import { commissionItemStatus, commissionType } from './enums.ts';
import { opportunities } from './opportunities.ts';
import { orgs } from './orgs.ts';
import { reps } from './reps.ts';
import { runs } from './runs.ts';
import { orgId, tenantPolicy } from './tenant.ts';

/** One participant of a split in `before_splits` / `after_splits`. */
export type SplitPartColumn = { repId: string; role: 'house' | 'rep' | 'subagent'; bps: number };

export const runOpportunityChanges = pgTable(
  'run_opportunity_changes',
  {
    id: uuid('id').primaryKey().defaultRandom(),
    orgId: orgId().references(() => orgs.id, { onDelete: 'cascade' }),
    runId: uuid('run_id').notNull(),
    opportunityId: uuid('opportunity_id').notNull(),
    fromRepId: uuid('from_rep_id'),
    toRepId: uuid('to_rep_id'),
    /** A: House absorbs, B: the new rep inherits the exact %, C: a custom % with House adjusting. */
    commissionType: commissionType('commission_type'),
    /** Type C: the new rep's share in basis points. */
    customBps: integer('custom_bps'),
    /** Split rows in force before and the rows the change will write (each [{repId, role, bps}]). */
    beforeSplits: jsonb('before_splits').$type<SplitPartColumn[]>(),
    afterSplits: jsonb('after_splits').$type<SplitPartColumn[]>(),
    status: commissionItemStatus('status').notNull().default('pending'),
    error: text('error'),
    attempts: integer('attempts').notNull().default(0),
    createdAt: timestamp('created_at', { withTimezone: true }).notNull().defaultNow(),
    updatedAt: timestamp('updated_at', { withTimezone: true }).notNull().defaultNow(),
  },
  (t) => [
    unique('run_opportunity_changes_run_opportunity_unique').on(t.runId, t.opportunityId),
    index('run_opportunity_changes_org_id_idx').on(t.orgId),
    foreignKey({
      name: 'run_opportunity_changes_run_fk',
      columns: [t.orgId, t.runId],
      foreignColumns: [runs.orgId, runs.id],
    }).onDelete('cascade'),
    foreignKey({
      name: 'run_opportunity_changes_opportunity_fk',
      columns: [t.orgId, t.opportunityId],
      foreignColumns: [opportunities.orgId, opportunities.id],
    }).onDelete('cascade'),
    foreignKey({
      name: 'run_opportunity_changes_from_rep_fk',
      columns: [t.orgId, t.fromRepId],
      foreignColumns: [reps.orgId, reps.id],
    }),
    foreignKey({
      name: 'run_opportunity_changes_to_rep_fk',
      columns: [t.orgId, t.toRepId],
      foreignColumns: [reps.orgId, reps.id],
    }),
    check(
      'run_opportunity_changes_custom_bps_range',
      sql`custom_bps is null or custom_bps between 0 and 10000`,
    ),
    tenantPolicy('run_opportunity_changes'),
  ],
);
