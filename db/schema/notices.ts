/** The notice outbox (F10): written in the commit transaction, sent afterwards with an idempotency key, never twice. */
import { sql } from 'drizzle-orm';
import { check, foreignKey, index, integer, pgTable, text, timestamp, uuid } from 'drizzle-orm/pg-core';
import { noticeStatus } from './enums.ts';
import { orgs } from './orgs.ts';
import { runs } from './runs.ts';
import { orgId, tenantPolicy } from './tenant.ts';

export const notices = pgTable(
  'notices',
  {
    id: uuid('id').primaryKey().defaultRandom(),
    orgId: orgId().references(() => orgs.id, { onDelete: 'cascade' }),
    runId: uuid('run_id'),
    /** e.g. receiver_digest, departing_digest, manager_summary, finance_summary, correction. */
    kind: text('kind').notNull(),
    recipientEmail: text('recipient_email').notNull(),
    recipientName: text('recipient_name'),
    recipientRepId: uuid('recipient_rep_id'),
    recipientUserId: uuid('recipient_user_id'),
    subject: text('subject').notNull(),
    html: text('html').notNull(),
    text: text('text').notNull(),
    status: noticeStatus('status').notNull().default('pending'),
    /** Sent to the provider as Idempotency-Key (≤ 256 chars); unique so a notice can never be queued twice. */
    idempotencyKey: text('idempotency_key').notNull().unique(),
    attempts: integer('attempts').notNull().default(0),
    nextAttemptAt: timestamp('next_attempt_at', { withTimezone: true }).notNull().defaultNow(),
    lastError: text('last_error'),
    providerId: text('provider_id'),
    sentAt: timestamp('sent_at', { withTimezone: true }),
    cancelledAt: timestamp('cancelled_at', { withTimezone: true }),
    createdAt: timestamp('created_at', { withTimezone: true }).notNull().defaultNow(),
    updatedAt: timestamp('updated_at', { withTimezone: true }).notNull().defaultNow(),
  },
  (t) => [
    index('notices_org_id_idx').on(t.orgId),
    index('notices_org_run_idx').on(t.orgId, t.runId),
    index('notices_due_idx').on(t.status, t.nextAttemptAt),
    foreignKey({
      name: 'notices_run_fk',
      columns: [t.orgId, t.runId],
      foreignColumns: [runs.orgId, runs.id],
    }),
    check('notices_idempotency_key_length', sql`length(idempotency_key) between 1 and 256`),
    check('notices_attempts_nonnegative', sql`attempts >= 0`),
    tenantPolicy('notices'),
  ],
);
