/** Row-level problems of an import: row number, column, value and a reason a person can act on. */
import { foreignKey, index, integer, pgTable, text, uuid } from 'drizzle-orm/pg-core';
import { imports } from './imports.ts';
import { orgs } from './orgs.ts';
import { orgId, tenantPolicy } from './tenant.ts';

export const importErrors = pgTable(
  'import_errors',
  {
    id: uuid('id').primaryKey().defaultRandom(),
    orgId: orgId().references(() => orgs.id, { onDelete: 'cascade' }),
    importId: uuid('import_id').notNull(),
    /** 1-based line of the file (the header is row 1). */
    rowNumber: integer('row_number').notNull(),
    column: text('column'),
    value: text('value'),
    reason: text('reason').notNull(),
  },
  (t) => [
    index('import_errors_org_id_idx').on(t.orgId),
    index('import_errors_import_row_idx').on(t.importId, t.rowNumber),
    foreignKey({
      name: 'import_errors_import_fk',
      columns: [t.orgId, t.importId],
      foreignColumns: [imports.orgId, imports.id],
    }).onDelete('cascade'),
    tenantPolicy('import_errors'),
  ],
);
