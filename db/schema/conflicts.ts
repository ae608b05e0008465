/** Conflicts of a run (F5): what a person must look at, its severity, and how it was resolved, by whom and why. */
import { foreignKey, index, jsonb, pgTable, text, timestamp, uuid } from 'drizzle-orm/pg-core';
import { conflictResolution, conflictSeverity } from './enums.ts';
import { orgs } from './orgs.ts';
import { reps } from './reps.ts';
import { runs } from './runs.ts';
import { orgId, tenantPolicy } from './tenant.ts';
import { users } from './users.ts';

/** What `conflicts.details` holds: the key that finds the conflict again on the next solve, who resolved it, and more. */
export type ConflictDetailsColumn = {
  key?: string | undefined;
  resolvedByLabel?: string | null | undefined;
  [detail: string]: unknown;
};

export const conflicts = pgTable(
  'conflicts',
  {
    id: uuid('id').primaryKey().defaultRandom(),
    orgId: orgId().references(() => orgs.id, { onDelete: 'cascade' }),
    runId: uuid('run_id').notNull(),
    /** The account, opportunity or rep concerned (no FK: a conflict may name a record that was since removed). */
    accountId: uuid('account_id'),
    opportunityId: uuid('opportunity_id'),
    repId: uuid('rep_id'),
    /** e.g. closing_soon, over_count_cap, over_revenue_cap, unassigned, protected, co_owned, house, stale_owner … */
    kind: text('kind').notNull(),
    severity: conflictSeverity('severity').notNull(),
    message: text('message').notNull(),
    details: jsonb('details').$type<ConflictDetailsColumn>(),
    resolution: conflictResolution('resolution'),
    overrideRepId: uuid('override_rep_id'),
    resolvedBy: uuid('resolved_by').references(() => users.id, { onDelete: 'set null' }),
    resolvedAt: timestamp('resolved_at', { withTimezone: true }),
    note: text('note'),
    createdAt: timestamp('created_at', { withTimezone: true }).notNull().defaultNow(),
  },
  (t) => [
    index('conflicts_org_id_idx').on(t.orgId),
    index('conflicts_org_run_idx').on(t.orgId, t.runId),
    foreignKey({
      name: 'conflicts_run_fk',
      columns: [t.orgId, t.runId],
      foreignColumns: [runs.orgId, runs.id],
    }).onDelete('cascade'),
    foreignKey({
      name: 'conflicts_override_rep_fk',
      columns: [t.orgId, t.overrideRepId],
      foreignColumns: [reps.orgId, reps.id],
    }),
    tenantPolicy('conflicts'),
  ],
);
