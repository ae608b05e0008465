/** Orgs (tenants) and their settings; an org row is visible to the current org and to its members. */
import { sql } from 'drizzle-orm';
import {
  boolean,
  check,
  integer,
  jsonb,
  pgPolicy,
  pgTable,
  text,
  timestamp,
  uuid,
} from 'drizzle-orm/pg-core';
import { currentOrgId, currentUserId } from './tenant.ts';

/** What `orgs.settings` holds: the org's own solve time limit, and settings kept by key (export layout, House users). */
export type OrgSettingsColumn = {
  /** A positive number of seconds, at most the deployment's limit. */
  solverTimeLimitSeconds?: number | undefined;
  [setting: string]: unknown;
};

export const orgs = pgTable(
  'orgs',
  {
    id: uuid('id').primaryKey().defaultRandom(),
    name: text('name').notNull(),
    slug: text('slug').notNull().unique(),
    /** How long after a commit a manager may still roll a run back (F12). */
    rollbackWindowHours: integer('rollback_window_hours').notNull().default(48),
    /** Two-person rule (F7): the approver must not be the person who drafted the run. */
    twoPersonApproval: boolean('two_person_approval').notNull().default(false),
    /** Protection window: accounts with a deal closing within this many days do not move silently (F2, F5). */
    closingWithinDays: integer('closing_within_days').notNull().default(30),
    /** Further per-org settings that need no column of their own (validated by the app). */
    settings: jsonb('settings').$type<OrgSettingsColumn>().notNull().default({}),
    createdAt: timestamp('created_at', { withTimezone: true }).notNull().defaultNow(),
  },
  () => [
    check('orgs_rollback_window_hours_positive', sql`rollback_window_hours >= 0`),
    check('orgs_closing_within_days_positive', sql`closing_within_days >= 0`),
    pgPolicy('orgs: the current org is readable and editable', {
      for: 'all',
      using: sql`id = ${currentOrgId}`,
      withCheck: sql`id = ${currentOrgId}`,
    }),
    // The org switcher lists every org the signed-in user belongs to (memberships has its own RLS).
    pgPolicy('orgs: members see the orgs they belong to', {
      for: 'select',
      using: sql`exists (select 1 from memberships m where m.org_id = orgs.id and m.user_id = ${currentUserId})`,
    }),
  ],
);
