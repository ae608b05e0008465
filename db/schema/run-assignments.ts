/** The proposal of a run: one row per account in scope with its starting and proposed owner (unique per run and account). */
import {
  boolean,
  foreignKey,
  index,
  jsonb,
  pgTable,
  text,
  timestamp,
  unique,
  uuid,
} from 'drizzle-orm/pg-core';
import { accounts } from './accounts.ts';
import { orgs } from './orgs.ts';
import { reps } from './reps.ts';
import { runs } from './runs.ts';
import { orgId, tenantPolicy } from './tenant.ts';

export const runAssignments = pgTable(
  'run_assignments',
  {
    id: uuid('id').primaryKey().defaultRandom(),
    orgId: orgId().references(() => orgs.id, { onDelete: 'cascade' }),
    runId: uuid('run_id').notNull(),
    accountId: uuid('account_id').notNull(),
    /** The owner the run planned from; commit refuses the change if the account's owner differs (stale). */
    fromRepId: uuid('from_rep_id'),
    /** The proposed owner; NULL when no eligible receiver exists (an "unassigned" conflict). */
    toRepId: uuid('to_rep_id'),
    /** Short reason (rule, strategy) and the full explanation from the solver. */
    reason: text('reason'),
    explanation: jsonb('explanation').$type<Record<string, unknown>>(),
    /** A manual override: pinned, re-solves keep it. */
    pinned: boolean('pinned').notNull().default(false),
    excluded: boolean('excluded').notNull().default(false),
    createdAt: timestamp('created_at', { withTimezone: true }).notNull().defaultNow(),
    updatedAt: timestamp('updated_at', { withTimezone: true }).notNull().defaultNow(),
  },
  (t) => [
    // The duplicate guard of F8: one new owner per account per run.
    unique('run_assignments_run_account_unique').on(t.runId, t.accountId),
    index('run_assignments_org_id_idx').on(t.orgId),
    index('run_assignments_org_run_idx').on(t.orgId, t.runId),
    foreignKey({
      name: 'run_assignments_run_fk',
      columns: [t.orgId, t.runId],
      foreignColumns: [runs.orgId, runs.id],
    }).onDelete('cascade'),
    foreignKey({
      name: 'run_assignments_account_fk',
      columns: [t.orgId, t.accountId],
      foreignColumns: [accounts.orgId, accounts.id],
    }).onDelete('cascade'),
    foreignKey({
      name: 'run_assignments_from_rep_fk',
      columns: [t.orgId, t.fromRepId],
      foreignColumns: [reps.orgId, reps.id],
    }),
    foreignKey({
      name: 'run_assignments_to_rep_fk',
      columns: [t.orgId, t.toRepId],
      foreignColumns: [reps.orgId, reps.id],
    }),
    tenantPolicy('run_assignments'),
  ],
);
