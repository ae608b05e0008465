/**
 * Solver slots held now, one row per solve running anywhere (what-ifs and run solves), so that
 * SOLVE_MAX_CONCURRENT and SOLVE_MAX_PER_ORG hold across every app instance on this database. A row is a lease:
 * its holder (one process) renews it while the solve runs and deletes it when the solve ends; a crashed
 * holder's row stops counting when `expires_at` passes. Rows are added only by the SECURITY DEFINER function
 * solve_slot_claim() (migration 0012), which counts every org's live rows under one lock; the app role may read,
 * renew and delete its own org's rows (tenant policy) but not insert.
 */
import { sql } from 'drizzle-orm';
import { check, index, pgTable, text, timestamp, uuid } from 'drizzle-orm/pg-core';
import { orgs } from './orgs.ts';
import { orgId, tenantPolicy } from './tenant.ts';

export const solveSlots = pgTable(
  'solve_slots',
  {
    id: uuid('id').primaryKey().defaultRandom(),
    orgId: orgId().references(() => orgs.id, { onDelete: 'cascade' }),
    /** `run` (a solve_run job) or `what_if` (a request). */
    kind: text('kind').notNull(),
    /** The process holding it (host, pid and a random part): operations read who solves where. */
    holder: text('holder').notNull(),
    claimedAt: timestamp('claimed_at', { withTimezone: true }).notNull().defaultNow(),
    heartbeatAt: timestamp('heartbeat_at', { withTimezone: true }).notNull().defaultNow(),
    expiresAt: timestamp('expires_at', { withTimezone: true }).notNull(),
  },
  (t) => [
    index('solve_slots_org_id_idx').on(t.orgId),
    check('solve_slots_kind', sql`kind in ('run', 'what_if')`),
    tenantPolicy('solve_slots'),
  ],
);
