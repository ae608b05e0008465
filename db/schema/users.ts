/** Users are global (one person, one login, possibly several orgs); RLS shows the user themself and members of the current org. */
import { sql } from 'drizzle-orm';
import { pgPolicy, pgTable, text, timestamp, uniqueIndex, uuid } from 'drizzle-orm/pg-core';
import { currentOrgId, currentUserId } from './tenant.ts';

export const users = pgTable(
  'users',
  {
    id: uuid('id').primaryKey().defaultRandom(),
    /** Stored as typed; uniqueness and lookups are case-insensitive (lower(email)). */
    email: text('email').notNull(),
    name: text('name').notNull(),
    /** `scrypt$N$r$p$saltB64$hashB64` (src/auth/password.ts). */
    passwordHash: text('password_hash').notNull(),
    disabledAt: timestamp('disabled_at', { withTimezone: true }),
    createdAt: timestamp('created_at', { withTimezone: true }).notNull().defaultNow(),
    passwordChangedAt: timestamp('password_changed_at', { withTimezone: true }),
  },
  (t) => [
    uniqueIndex('users_email_lower_unique').on(sql`lower(${t.email})`),
    pgPolicy('users: a user sees themself', {
      for: 'select',
      using: sql`id = ${currentUserId}`,
    }),
    pgPolicy('users: members of the current org are visible', {
      for: 'select',
      using: sql`exists (select 1 from memberships m where m.user_id = users.id and m.org_id = ${currentOrgId})`,
    }),
    pgPolicy('users: a user edits their own profile', {
      for: 'update',
      using: sql`id = ${currentUserId}`,
      withCheck: sql`id = ${currentUserId}`,
    }),
    // An admin adds people while working in an org; the membership row (tenant RLS) ties them to it.
    pgPolicy('users: created only while working in an org', {
      for: 'insert',
      withCheck: sql`${currentOrgId} is not null`,
    }),
  ],
);
