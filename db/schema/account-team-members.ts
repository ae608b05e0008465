/** Account teams: further reps on a co-owned strategic account (protected from moves, F2). */
import { foreignKey, index, pgTable, text, timestamp, unique, uuid } from 'drizzle-orm/pg-core';
import { accounts } from './accounts.ts';
import { orgs } from './orgs.ts';
import { reps } from './reps.ts';
import { orgId, tenantPolicy } from './tenant.ts';

export const accountTeamMembers = pgTable(
  'account_team_members',
  {
    id: uuid('id').primaryKey().defaultRandom(),
    orgId: orgId().references(() => orgs.id, { onDelete: 'cascade' }),
    accountId: uuid('account_id').notNull(),
    repId: uuid('rep_id').notNull(),
    teamRole: text('team_role'),
    createdAt: timestamp('created_at', { withTimezone: true }).notNull().defaultNow(),
  },
  (t) => [
    unique('account_team_members_account_rep_unique').on(t.accountId, t.repId),
    index('account_team_members_org_id_idx').on(t.orgId),
    foreignKey({
      name: 'account_team_members_account_fk',
      columns: [t.orgId, t.accountId],
      foreignColumns: [accounts.orgId, accounts.id],
    }).onDelete('cascade'),
    foreignKey({
      name: 'account_team_members_rep_fk',
      columns: [t.orgId, t.repId],
      foreignColumns: [reps.orgId, reps.id],
    }).onDelete('cascade'),
    tenantPolicy('account_team_members'),
  ],
);
