/** The book as imported: each account and its owner at import time, so a run knows its book and can spot stale owners. */
import { bigint, foreignKey, index, pgTable, primaryKey, text, uuid } from 'drizzle-orm/pg-core';
import { imports } from './imports.ts';
import { orgs } from './orgs.ts';
import { orgId, tenantPolicy } from './tenant.ts';

export const importSnapshotAccounts = pgTable(
  'import_snapshot_accounts',
  {
    orgId: orgId().references(() => orgs.id, { onDelete: 'cascade' }),
    importId: uuid('import_id').notNull(),
    crmId: text('crm_id').notNull(),
    /** The account row the import wrote (no FK: the snapshot outlives deleted accounts). */
    accountId: uuid('account_id'),
    ownerRepId: uuid('owner_rep_id'),
    /** The owner as the file named it (CRM user id, email or name). */
    ownerCrmRef: text('owner_crm_ref'),
    annualRevenueCents: bigint('annual_revenue_cents', { mode: 'number' }).notNull().default(0),
  },
  (t) => [
    primaryKey({ name: 'import_snapshot_accounts_pk', columns: [t.importId, t.crmId] }),
    index('import_snapshot_accounts_org_id_idx').on(t.orgId),
    foreignKey({
      name: 'import_snapshot_accounts_import_fk',
      columns: [t.orgId, t.importId],
      foreignColumns: [imports.orgId, imports.id],
    }).onDelete('cascade'),
    tenantPolicy('import_snapshot_accounts'),
  ],
);
