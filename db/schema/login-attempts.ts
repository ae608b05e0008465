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
    // Throttling happens before authentication, so no policy could key these rows on a user or an org: the app
    // role reaches them only through three SECURITY DEFINER functions (count, record a failure, forget a key's
    // failures), never by reading or clearing the table itself.
    pgPolicy('login_attempts: no direct access', {
      for: 'all',
      using: sql`false`,
      withCheck: sql`false`,
    }),
  ],
);
