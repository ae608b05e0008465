/** Reconciliation entries (C6): clawbacks and credits for periods already paid under the old split. */
import { bigint, date, foreignKey, index, pgTable, text, timestamp, uuid } from 'drizzle-orm/pg-core';
import { opportunities } from './opportunities.ts';
import { orgs } from './orgs.ts';
import { reps } from './reps.ts';
import { runs } from './runs.ts';
import { orgId, tenantPolicy } from './tenant.ts';

export const commissionAdjustments = pgTable(
  'commission_adjustments',
  {
    id: uuid('id').primaryKey().defaultRandom(),
    orgId: orgId().references(() => orgs.id, { onDelete: 'cascade' }),
    runId: uuid('run_id').notNull(),
    opportunityId: uuid('opportunity_id').notNull(),
    /** The schedule period adjusted (no FK: kept if the schedule is re-imported). */
    revenueScheduleId: uuid('revenue_schedule_id'),
    repId: uuid('rep_id').notNull(),
    periodStart: date('period_start', { mode: 'string' }).notNull(),
    periodEnd: date('period_end', { mode: 'string' }).notNull(),
    /** Signed: negative is a clawback from the rep, positive a credit. */
    amountCents: bigint('amount_cents', { mode: 'number' }).notNull(),
    note: text('note'),
    createdAt: timestamp('created_at', { withTimezone: true }).notNull().defaultNow(),
  },
  (t) => [
    index('commission_adjustments_org_id_idx').on(t.orgId),
    index('commission_adjustments_org_run_idx').on(t.orgId, t.runId),
    foreignKey({
      name: 'commission_adjustments_run_fk',
      columns: [t.orgId, t.runId],
      foreignColumns: [runs.orgId, runs.id],
    }).onDelete('cascade'),
    foreignKey({
      name: 'commission_adjustments_opportunity_fk',
      columns: [t.orgId, t.opportunityId],
      foreignColumns: [opportunities.orgId, opportunities.id],
    }).onDelete('cascade'),
    foreignKey({
      name: 'commission_adjustments_rep_fk',
      columns: [t.orgId, t.repId],
      foreignColumns: [reps.orgId, reps.id],
    }),
    tenantPolicy('commission_adjustments'),
  ],
);
