/** Reading past imports: the list, one import with its counts, its row errors (paged) and its error file. */
import { sql } from 'drizzle-orm';
import { orgScope } from '../../auth/principal.ts';
import { queryRows } from '../../db/query-rows.ts';
import { withOrg } from '../../db/tenancy.ts';
import type { ImportKind } from '../../import/types.ts';
import { notFound } from '../../lib/errors.ts';
import type { OrgContext } from '../auth/context.ts';
import { parseImportOptions } from './import-columns.ts';
import { fileKind } from './import-records.ts';

export interface ImportSummaryRow {
  id: string;
  kind: ImportKind;
  source: string;
  sourceName: string | null;
  fileHash: string;
  byteSize: number | null;
  preset: string | null;
  status: string;
  mode: string | null;
  rowsRead: number;
  rowsInserted: number;
  rowsUpdated: number;
  rowsUnchanged: number;
  rowsRejected: number;
  failureReason: string | null;
  createdBy: string | null;
  createdAt: string;
  finishedAt: string | null;
}

type Row = {
  id: string;
  kind: string;
  source: string;
  source_name: string | null;
  file_hash: string;
  byte_size: number | null;
  preset: string | null;
  status: string;
  options: unknown;
  rows_read: number;
  rows_inserted: number;
  rows_updated: number;
  rows_unchanged: number;
  rows_rejected: number;
  failure_reason: string | null;
  created_by: string | null;
  created_at: string;
  finished_at: string | null;
};

const COLUMNS = sql`id, kind::text as kind, source::text as source, source_name, file_hash, byte_size, preset, status::text as status,
  options, rows_read, rows_inserted, rows_updated, rows_unchanged, rows_rejected, failure_reason, created_by,
  to_char(created_at at time zone 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.MS"Z"') as created_at,
  to_char(finished_at at time zone 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.MS"Z"') as finished_at`;

function toSummary(r: Row): ImportSummaryRow {
  const options = parseImportOptions(r.options, r.id);
  return {
    id: r.id,
    kind: fileKind(r.kind, options),
    source: r.source,
    sourceName: r.source_name,
    fileHash: r.file_hash,
    byteSize: r.byte_size === null ? null : Number(r.byte_size),
    preset: r.preset,
    status: r.status,
    mode: options.mode ?? null,
    rowsRead: Number(r.rows_read),
    rowsInserted: Number(r.rows_inserted),
    rowsUpdated: Number(r.rows_updated),
    rowsUnchanged: Number(r.rows_unchanged),
    rowsRejected: Number(r.rows_rejected),
    failureReason: r.failure_reason,
    createdBy: r.created_by,
    createdAt: r.created_at,
    finishedAt: r.finished_at,
  };
}

export async function listImports({
  ctx,
  input,
}: {
  ctx: OrgContext;
  input: { limit: number; offset: number };
}) {
  return withOrg(ctx.db, orgScope(ctx.principal), async (tx) => {
    const rows = await queryRows<Row>(
      tx,
      sql`select ${COLUMNS} from imports order by created_at desc, id limit ${input.limit} offset ${input.offset}`,
    );
    return rows.map(toSummary);
  });
}

export async function getImport({ ctx, input }: { ctx: OrgContext; input: { importId: string } }) {
  return withOrg(ctx.db, orgScope(ctx.principal), async (tx) => {
    const [row] = await queryRows<Row>(
      tx,
      sql`select ${COLUMNS} from imports where id = ${input.importId}::uuid`,
    );
    if (!row) throw notFound('The import');
    return toSummary(row);
  });
}

export interface StoredRowError {
  row: number;
  column: string | null;
  value: string | null;
  reason: string;
}

export async function listImportErrors({
  ctx,
  input,
}: {
  ctx: OrgContext;
  input: { importId: string; limit: number; offset: number };
}) {
  return withOrg(ctx.db, orgScope(ctx.principal), async (tx) => {
    const [exists] = await queryRows<{ n: number }>(
      tx,
      sql`select count(*)::int as n from import_errors where import_id = ${input.importId}::uuid`,
    );
    const [found] = await queryRows<{ id: string }>(
      tx,
      sql`select id from imports where id = ${input.importId}::uuid`,
    );
    if (!found) throw notFound('The import');
    const rows = await queryRows<{
      row_number: number;
      column: string | null;
      value: string | null;
      reason: string;
    }>(
      tx,
      sql`select row_number, "column", value, reason from import_errors where import_id = ${input.importId}::uuid
          order by row_number, id limit ${input.limit} offset ${input.offset}`,
    );
    return {
      total: Number(exists?.n ?? 0),
      errors: rows.map(
        (r): StoredRowError => ({
          row: Number(r.row_number),
          column: r.column,
          value: r.value,
          reason: r.reason,
        }),
      ),
    };
  });
}

/** The error file kept with the import (CSV, formula-safe); null when the import had no errors. */
export async function getImportErrorFile({ ctx, input }: { ctx: OrgContext; input: { importId: string } }) {
  return withOrg(ctx.db, orgScope(ctx.principal), async (tx) => {
    const [row] = await queryRows<{ errors_csv: string | null }>(
      tx,
      sql`select errors_csv from imports where id = ${input.importId}::uuid`,
    );
    if (!row) throw notFound('The import');
    return row.errors_csv;
  });
}
