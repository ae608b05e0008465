/** Opportunities (deals) of an account: stage, amount, dates and whether they are still open. */
import { sql } from 'drizzle-orm';
import {
  bigint,
  boolean,
  check,
  date,
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
import { opportunityStatus } from './enums.ts';
import { orgs } from './orgs.ts';
import { reps } from './reps.ts';
import { orgId, tenantPolicy } from './tenant.ts';

/**
 * What `opportunities.custom` holds: the term a file gave the opportunity (ISO dates); parsed by
 * src/services/imports/opportunity-custom-column.ts.
 */
export type OpportunityCustomColumn = { start_date?: string | undefined; end_date?: string | undefined };

export const opportunities = pgTable(
  'opportunities',
  {
    id: uuid('id').primaryKey().defaultRandom(),
    orgId: orgId().references(() => orgs.id, { onDelete: 'cascade' }),
    crmId: text('crm_id').notNull(),
    accountId: uuid('account_id').notNull(),
    name: text('name').notNull(),
    ownerRepId: uuid('owner_rep_id'),
    stage: text('stage').notNull(),
    /** Stages from billing onwards are protected from commission cascades (C-rules). */
    isBillingStage: boolean('is_billing_stage').notNull().default(false),
    status: opportunityStatus('status').notNull().default('open'),
    /** Amount in cents; null when the CRM export left it blank (unknown is not $0: early-stage deals). */
    amountCents: bigint('amount_cents', { mode: 'number' }).default(0),
    closeDate: date('close_date', { mode: 'string' }),
    createdDate: date('created_date', { mode: 'string' }).notNull(),
    custom: jsonb('custom').$type<OpportunityCustomColumn>().notNull().default({}),
    lastImportId: uuid('last_import_id'),
    createdAt: timestamp('created_at', { withTimezone: true }).notNull().defaultNow(),
    updatedAt: timestamp('updated_at', { withTimezone: true }).notNull().defaultNow(),
  },
  (t) => [
    unique('opportunities_org_id_id_unique').on(t.orgId, t.id),
    unique('opportunities_org_crm_id_unique').on(t.orgId, t.crmId),
    index('opportunities_org_id_idx').on(t.orgId),
    index('opportunities_org_account_idx').on(t.orgId, t.accountId),
    foreignKey({
      name: 'opportunities_account_fk',
      columns: [t.orgId, t.accountId],
      foreignColumns: [accounts.orgId, accounts.id],
    }).onDelete('cascade'),
    foreignKey({
      name: 'opportunities_owner_fk',
      columns: [t.orgId, t.ownerRepId],
      foreignColumns: [reps.orgId, reps.id],
    }),
    check('opportunities_amount_nonnegative', sql`amount_cents >= 0`),
    tenantPolicy('opportunities'),
  ],
);
