/** Accounts of the book: one owner each, keyed by the CRM id within an org. */
import { sql } from 'drizzle-orm';
import {
  bigint,
  boolean,
  check,
  foreignKey,
  index,
  jsonb,
  pgTable,
  text,
  timestamp,
  unique,
  uuid,
} from 'drizzle-orm/pg-core';
import { orgs } from './orgs.ts';
import { reps } from './reps.ts';
import { orgId, tenantPolicy } from './tenant.ts';

export const accounts = pgTable(
  'accounts',
  {
    id: uuid('id').primaryKey().defaultRandom(),
    orgId: orgId().references(() => orgs.id, { onDelete: 'cascade' }),
    crmId: text('crm_id').notNull(),
    name: text('name').notNull(),
    ownerRepId: uuid('owner_rep_id'),
    /** Annual revenue in cents; null when the CRM export left it blank (unknown is not zero). */
    annualRevenueCents: bigint('annual_revenue_cents', { mode: 'number' }).default(0),
    region: text('region'),
    country: text('country'),
    tier: text('tier'),
    type: text('type'),
    industry: text('industry'),
    segment: text('segment'),
    /** House accounts belong to the company and are protected from moves (F2). */
    isHouse: boolean('is_house').notNull().default(false),
    /** Co-owned strategic accounts (account teams) are protected (F2). */
    isCoOwned: boolean('is_co_owned').notNull().default(false),
    /**
     * Fields of the import that have no column of their own (unmapped columns, state, protected, next close date);
     * readers parse the field they take by src/services/book/account-custom-column.ts.
     */
    custom: jsonb('custom').$type<Record<string, unknown>>().notNull().default({}),
    lastImportId: uuid('last_import_id'),
    createdAt: timestamp('created_at', { withTimezone: true }).notNull().defaultNow(),
    updatedAt: timestamp('updated_at', { withTimezone: true }).notNull().defaultNow(),
    /** When the owner last changed (import or commit); rollback uses it to spot changes since a run. */
    ownerChangedAt: timestamp('owner_changed_at', { withTimezone: true }).notNull().defaultNow(),
  },
  (t) => [
    unique('accounts_org_id_id_unique').on(t.orgId, t.id),
    unique('accounts_org_crm_id_unique').on(t.orgId, t.crmId),
    index('accounts_org_id_idx').on(t.orgId),
    index('accounts_org_owner_idx').on(t.orgId, t.ownerRepId),
    foreignKey({
      name: 'accounts_owner_fk',
      columns: [t.orgId, t.ownerRepId],
      foreignColumns: [reps.orgId, reps.id],
    }),
    check('accounts_revenue_nonnegative', sql`annual_revenue_cents >= 0`),
    tenantPolicy('accounts'),
  ],
);
