/** Who belongs to which org with which role; a signed-in user can read all of their own memberships. */
import { sql } from 'drizzle-orm';
import { foreignKey, index, pgPolicy, pgTable, timestamp, unique, uuid } from 'drizzle-orm/pg-core';
import { memberRole } from './enums.ts';
import { orgs } from './orgs.ts';
import { reps } from './reps.ts';
import { currentUserId, orgId, tenantPolicy } from './tenant.ts';
import { users } from './users.ts';

export const memberships = pgTable(
  'memberships',
  {
    id: uuid('id').primaryKey().defaultRandom(),
    orgId: orgId().references(() => orgs.id, { onDelete: 'cascade' }),
    userId: uuid('user_id')
      .notNull()
      .references(() => users.id, { onDelete: 'cascade' }),
    role: memberRole('role').notNull(),
    /** For the rep role: the roster entry whose book, notices and commissions this user sees. */
    repId: uuid('rep_id'),
    createdAt: timestamp('created_at', { withTimezone: true }).notNull().defaultNow(),
  },
  (t) => [
    unique('memberships_org_user_unique').on(t.orgId, t.userId),
    index('memberships_org_id_idx').on(t.orgId),
    index('memberships_user_id_idx').on(t.userId),
    foreignKey({
      name: 'memberships_rep_fk',
      columns: [t.orgId, t.repId],
      foreignColumns: [reps.orgId, reps.id],
    }),
    tenantPolicy('memberships'),
    // Before an org is chosen (login, org switcher) the user must see where they belong.
    pgPolicy('memberships: a user sees their own memberships', {
      for: 'select',
      using: sql`user_id = ${currentUserId}`,
    }),
  ],
);
