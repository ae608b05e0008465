/** Import snapshots: each file or sheet imported, with who, when, how it was mapped and what it did (F1). */
import { sql } from 'drizzle-orm';
import { check, index, integer, jsonb, pgTable, text, timestamp, unique, uuid } from 'drizzle-orm/pg-core';
import type { FileEncoding } from '../../src/import/decode.ts';
import type { ColumnMapping } from '../../src/import/mapping.ts';
import type { ImportKind } from '../../src/import/types.ts';
import { importKind, importSource, importStatus } from './enums.ts';
import { orgs } from './orgs.ts';
import { orgId, tenantPolicy } from './tenant.ts';
import { users } from './users.ts';

/**
 * What `imports.options` holds: how the import was applied and what file it read (`{}` while it runs); parsed by
 * src/services/imports/import-columns.ts.
 */
export type ImportOptionsColumn = {
  mode?: 'all-or-nothing' | 'valid-rows-only' | undefined;
  fileKind?: ImportKind | undefined;
  encoding?: FileEncoding | undefined;
};

export const imports = pgTable(
  'imports',
  {
    id: uuid('id').primaryKey().defaultRandom(),
    orgId: orgId().references(() => orgs.id, { onDelete: 'cascade' }),
    kind: importKind('kind').notNull(),
    source: importSource('source').notNull(),
    /** File name of an upload, or the sheet URL. */
    sourceName: text('source_name'),
    /** sha256 of the raw bytes; the same file imported again is recognised. */
    fileHash: text('file_hash').notNull(),
    byteSize: integer('byte_size'),
    /** The CRM preset used (salesforce, hubspot, dynamics, generic) or NULL for a custom mapping. */
    preset: text('preset'),
    mapping: jsonb('mapping').$type<ColumnMapping | Record<string, never>>().notNull().default({}),
    /** Options such as the date format and all-or-nothing. */
    options: jsonb('options').$type<ImportOptionsColumn>().notNull().default({}),
    status: importStatus('status').notNull().default('pending'),
    rowsRead: integer('rows_read').notNull().default(0),
    rowsInserted: integer('rows_inserted').notNull().default(0),
    rowsUpdated: integer('rows_updated').notNull().default(0),
    rowsUnchanged: integer('rows_unchanged').notNull().default(0),
    rowsRejected: integer('rows_rejected').notNull().default(0),
    /** The downloadable error file (CSV), kept with the snapshot. */
    errorsCsv: text('errors_csv'),
    failureReason: text('failure_reason'),
    createdBy: uuid('created_by').references(() => users.id, { onDelete: 'set null' }),
    createdAt: timestamp('created_at', { withTimezone: true }).notNull().defaultNow(),
    finishedAt: timestamp('finished_at', { withTimezone: true }),
  },
  (t) => [
    unique('imports_org_id_id_unique').on(t.orgId, t.id),
    index('imports_org_id_idx').on(t.orgId),
    index('imports_org_file_hash_idx').on(t.orgId, t.fileHash),
    check(
      'imports_counts_nonnegative',
      sql`rows_read >= 0 and rows_inserted >= 0 and rows_updated >= 0 and rows_unchanged >= 0 and rows_rejected >= 0`,
    ),
    tenantPolicy('imports'),
  ],
);
