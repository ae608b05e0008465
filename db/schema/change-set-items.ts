/** One change of a change set: which record, its values before and after; the rows an export or rollback reads. */
import { date, foreignKey, index, integer, jsonb, pgTable, text, unique, uuid } from 'drizzle-orm/pg-core';
import { changeSets } from './change-sets.ts';
import { changeObject } from './enums.ts';
import { orgs } from './orgs.ts';
import { orgId, tenantPolicy } from './tenant.ts';

export const changeSetItems = pgTable(
  'change_set_items',
  {
    id: uuid('id').primaryKey().defaultRandom(),
    orgId: orgId().references(() => orgs.id, { onDelete: 'cascade' }),
    changeSetId: uuid('change_set_id').notNull(),
    /** Order within the change set (stable exports). */
    seq: integer('seq').notNull(),
    object: changeObject('object').notNull(),
    /** The account, opportunity or split row changed (no FK: the history outlives the record). */
    recordId: uuid('record_id').notNull(),
    crmId: text('crm_id'),
    recordName: text('record_name'),
    fromRepId: uuid('from_rep_id'),
    toRepId: uuid('to_rep_id'),
    effectiveDate: date('effective_date', { mode: 'string' }),
    before: jsonb('before').$type<Record<string, unknown>>(),
    after: jsonb('after').$type<Record<string, unknown>>(),
    reason: text('reason'),
  },
  (t) => [
    unique('change_set_items_set_seq_unique').on(t.changeSetId, t.seq),
    index('change_set_items_org_id_idx').on(t.orgId),
    foreignKey({
      name: 'change_set_items_change_set_fk',
      columns: [t.orgId, t.changeSetId],
      foreignColumns: [changeSets.orgId, changeSets.id],
    }).onDelete('cascade'),
    tenantPolicy('change_set_items'),
  ],
);
