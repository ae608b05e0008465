/** The roster: people who can own accounts, plus House (the company) and Subagents (outside partners who earn a split). */
import { sql } from 'drizzle-orm';
import {
  bigint,
  boolean,
  check,
  date,
  foreignKey,
  index,
  integer,
  pgTable,
  text,
  timestamp,
  unique,
  uuid,
} from 'drizzle-orm/pg-core';
import { repKind } from './enums.ts';
import { orgs } from './orgs.ts';
import { orgId, tenantPolicy } from './tenant.ts';

export const reps = pgTable(
  'reps',
  {
    id: uuid('id').primaryKey().defaultRandom(),
    orgId: orgId().references(() => orgs.id, { onDelete: 'cascade' }),
    kind: repKind('kind').notNull().default('person'),
    /** The owner id in the CRM (Salesforce 15/18-char user id, HubSpot owner id, Dynamics GUID). */
    crmUserId: text('crm_user_id'),
    name: text('name').notNull(),
    email: text('email'),
    region: text('region'),
    segment: text('segment'),
    active: boolean('active').notNull().default(true),
    /** Eligible to receive accounts in a run (F2). */
    mayReceive: boolean('may_receive').notNull().default(true),
    /** Hard caps for the solver (F2); NULL means no cap. */
    maxAccounts: integer('max_accounts'),
    maxRevenueCents: bigint('max_revenue_cents', { mode: 'number' }),
    seniority: integer('seniority').notNull().default(0),
    /** Relative weight for weighted targets, in basis points (10000 = a full share). */
    weightBps: integer('weight_bps').notNull().default(10000),
    startDate: date('start_date', { mode: 'string' }),
    /** A departing rep's last day (F2, F3). */
    endDate: date('end_date', { mode: 'string' }),
    /** A new hire's ramp target as a share of a full book, in basis points. */
    rampTargetBps: integer('ramp_target_bps'),
    managerRepId: uuid('manager_rep_id'),
    createdAt: timestamp('created_at', { withTimezone: true }).notNull().defaultNow(),
    updatedAt: timestamp('updated_at', { withTimezone: true }).notNull().defaultNow(),
  },
  (t) => [
    // Composite keys (org_id, id) let children reference a rep only within the same org.
    unique('reps_org_id_id_unique').on(t.orgId, t.id),
    unique('reps_org_crm_user_id_unique').on(t.orgId, t.crmUserId),
    index('reps_org_id_idx').on(t.orgId),
    foreignKey({
      name: 'reps_manager_fk',
      columns: [t.orgId, t.managerRepId],
      foreignColumns: [t.orgId, t.id],
    }),
    check('reps_max_accounts_nonnegative', sql`max_accounts is null or max_accounts >= 0`),
    check('reps_max_revenue_nonnegative', sql`max_revenue_cents is null or max_revenue_cents >= 0`),
    check('reps_weight_bps_range', sql`weight_bps between 0 and 100000`),
    check('reps_ramp_target_bps_range', sql`ramp_target_bps is null or ramp_target_bps between 0 and 10000`),
    tenantPolicy('reps'),
  ],
);
