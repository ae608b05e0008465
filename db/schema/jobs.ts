/**
 * Background jobs in Postgres (solves, imports, notice sending). Workers claim across orgs through the
 * SECURITY DEFINER function claim_jobs() (FOR UPDATE SKIP LOCKED) and then do the work inside withOrg(job.org_id).
 */
import { sql } from 'drizzle-orm';
import {
  check,
  index,
  integer,
  jsonb,
  pgTable,
  text,
  timestamp,
  uniqueIndex,
  uuid,
} from 'drizzle-orm/pg-core';
import { jobStatus } from './enums.ts';
import { orgs } from './orgs.ts';
import { orgId, tenantPolicy } from './tenant.ts';

export const jobs = pgTable(
  'jobs',
  {
    id: uuid('id').primaryKey().defaultRandom(),
    orgId: orgId().references(() => orgs.id, { onDelete: 'cascade' }),
    /** e.g. solve, import, send_notices, commission_batch. */
    kind: text('kind').notNull(),
    payload: jsonb('payload').$type<Record<string, unknown>>().notNull().default({}),
    status: jobStatus('status').notNull().default('queued'),
    priority: integer('priority').notNull().default(0),
    runAt: timestamp('run_at', { withTimezone: true }).notNull().defaultNow(),
    lockedBy: text('locked_by'),
    lockedUntil: timestamp('locked_until', { withTimezone: true }),
    attempts: integer('attempts').notNull().default(0),
    maxAttempts: integer('max_attempts').notNull().default(5),
    /** Free-form progress the pages poll, e.g. { done, total, phase }. */
    progress: jsonb('progress').$type<Record<string, unknown>>(),
    result: jsonb('result'),
    error: text('error'),
    /** Set to ask a running job to stop; the worker checks it between steps. */
    cancelRequestedAt: timestamp('cancel_requested_at', { withTimezone: true }),
    /** At most one queued or running job per key (e.g. `solve:<run id>`). */
    dedupeKey: text('dedupe_key'),
    runId: uuid('run_id'),
    createdAt: timestamp('created_at', { withTimezone: true }).notNull().defaultNow(),
    updatedAt: timestamp('updated_at', { withTimezone: true }).notNull().defaultNow(),
    finishedAt: timestamp('finished_at', { withTimezone: true }),
  },
  (t) => [
    index('jobs_org_id_idx').on(t.orgId),
    index('jobs_claim_idx').on(t.status, t.runAt),
    uniqueIndex('jobs_active_dedupe_unique')
      .on(t.orgId, t.dedupeKey)
      .where(sql`dedupe_key is not null and status in ('queued', 'running')`),
    check('jobs_attempts_nonnegative', sql`attempts >= 0 and max_attempts >= 1`),
    tenantPolicy('jobs'),
  ],
);
