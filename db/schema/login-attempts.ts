/** Failed-login counters per key (e.g. hashed email or IP) and time window, for throttling before anyone is signed in. */
import { sql } from 'drizzle-orm';
import { integer, pgPolicy, pgTable, primaryKey, text, timestamp } from 'drizzle-orm/pg-core';

export const loginAttempts = pgTable(
  'login_attempts',
  {
    /** What is throttled, e.g. `email:<sha256>` or `ip:<address>`; callers should hash personal data. */
    key: text('key').notNull(),
    windowStart: timestamp('window_start', { withTimezone: true }).notNull(),
    count: integer('count').notNull().default(0),
    lastAttemptAt: timestamp('last_attempt_at', { withTimezone: true }).notNull().defaultNow(),
  },
  (t) => [
    primaryKey({ name: 'login_attempts_pk', columns: [t.key, t.windowStart] }),
    // Throttling happens before authentication, so there is nothing to key a policy on: these rows are
    // counters only (no personal data when keys are hashed), open to the app role by design.
    pgPolicy('login_attempts: open counters for throttling', {
      for: 'all',
      using: sql`true`,
      withCheck: sql`true`,
    }),
  ],
);
