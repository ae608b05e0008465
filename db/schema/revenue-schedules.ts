/** Revenue schedule periods of an opportunity; commission per period follows the split in force each day. */
import { sql } from 'drizzle-orm';
import {
  bigint,
  boolean,
  check,
  date,
  foreignKey,
  index,
  pgTable,
  timestamp,
  unique,
  uuid,
} from 'drizzle-orm/pg-core';
import { opportunities } from './opportunities.ts';
import { orgs } from './orgs.ts';
import { orgId, tenantPolicy } from './tenant.ts';

export const revenueSchedules = pgTable(
  'revenue_schedules',
  {
    id: uuid('id').primaryKey().defaultRandom(),
    orgId: orgId().references(() => orgs.id, { onDelete: 'cascade' }),
    opportunityId: uuid('opportunity_id').notNull(),
    periodStart: date('period_start', { mode: 'string' }).notNull(),
    /** Inclusive last day of the period. */
    periodEnd: date('period_end', { mode: 'string' }).notNull(),
    amountCents: bigint('amount_cents', { mode: 'number' }).notNull(),
    paid: boolean('paid').notNull().default(false),
    paidAt: timestamp('paid_at', { withTimezone: true }),
    /** Reconciled periods are protected from commission cascades. */
    reconciled: boolean('reconciled').notNull().default(false),
    createdAt: timestamp('created_at', { withTimezone: true }).notNull().defaultNow(),
  },
  (t) => [
    unique('revenue_schedules_opportunity_period_unique').on(t.opportunityId, t.periodStart),
    index('revenue_schedules_org_id_idx').on(t.orgId),
    foreignKey({
      name: 'revenue_schedules_opportunity_fk',
      columns: [t.orgId, t.opportunityId],
      foreignColumns: [opportunities.orgId, opportunities.id],
    }).onDelete('cascade'),
    check('revenue_schedules_amount_nonnegative', sql`amount_cents >= 0`),
    check('revenue_schedules_period_ordered', sql`period_end >= period_start`),
    tenantPolicy('revenue_schedules'),
  ],
);
