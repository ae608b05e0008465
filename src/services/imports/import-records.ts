/** The import snapshot rows: kinds as stored, errors as stored, and the record of a failed attempt. */
import { sql } from 'drizzle-orm';
import type { ImportOptionsColumn } from '../../../db/schema/index.ts';
import { orgScope } from '../../auth/principal.ts';
import { appendAudit } from '../../db/audit.ts';
import type { Tx } from '../../db/client.ts';
import { queryRows } from '../../db/query-rows.ts';
import { withOrg } from '../../db/tenancy.ts';
import type { SourceInfo } from '../../import/inspect.ts';
import type { ColumnMapping } from '../../import/mapping.ts';
import type { ImportScan } from '../../import/scan.ts';
import type { ImportKind, RowError, RowWarning } from '../../import/types.ts';
import type { OrgContext } from '../auth/context.ts';

export interface ImportCounts {
  rowsRead: number;
  inserted: number;
  updated: number;
  unchanged: number;
  rejected: number;
}

export interface ImportOutcome {
  importId: string;
  status: 'applied' | 'failed';
  kind: ImportKind;
  presetId: string | null;
  mapping: ColumnMapping;
  file: SourceInfo;
  counts: ImportCounts;
  errors: RowError[];
  /** Valid rows imported with something to know (an opportunity's blank amount: unknown, not $0). */
  warnings: RowWarning[];
  failureReason: string | null;
}

/**
 * The imports table's kind enum has no `splits` (a split file is stored as an opportunities import with
 * options.fileKind = 'splits') and calls schedules `revenue_schedules`.
 */
export function storedKind(kind: ImportKind): 'accounts' | 'reps' | 'opportunities' | 'revenue_schedules' {
  if (kind === 'splits') return 'opportunities';
  if (kind === 'schedules') return 'revenue_schedules';
  return kind;
}

export function fileKind(stored: string, options: ImportOptionsColumn): ImportKind {
  if (options.fileKind) return options.fileKind;
  return stored === 'revenue_schedules' ? 'schedules' : (stored as ImportKind);
}

/** import_errors has one reason column: the hint follows the reason after " — ". */
export async function saveImportErrors(tx: Tx, orgId: string, importId: string, errors: readonly RowError[]) {
  for (let i = 0; i < errors.length; i += 5000) {
    const rows = errors.slice(i, i + 5000).map((e) => ({
      row_number: e.row,
      column: e.column || null,
      value: e.value || null,
      reason: e.hint ? `${e.reason} — ${e.hint}` : e.reason,
    }));
    await tx.execute(sql`insert into import_errors (org_id, import_id, row_number, "column", value, reason)
      select ${orgId}::uuid, ${importId}::uuid, x.row_number, x."column", x.value, x.reason
      from jsonb_to_recordset(${JSON.stringify(rows)}::jsonb) as x(row_number integer, "column" text, value text, reason text)`);
  }
}

/** Keeps a failed attempt (all-or-nothing with errors) as a snapshot, in its own transaction: the book is untouched. */
export async function recordFailedImport(
  ctx: OrgContext,
  input: {
    scan: ImportScan;
    applyErrors: RowError[];
    reason: string;
    mode: string;
    sourceName: string | null;
    sourceKind: string;
  },
): Promise<ImportOutcome> {
  const { report } = input.scan;
  const errors = [...report.errors, ...input.applyErrors].sort((a, b) => a.row - b.row);
  const rejected = new Set(errors.map((e) => e.row)).size;
  const counts: ImportCounts = {
    rowsRead: report.summary.rowsRead,
    inserted: 0,
    updated: 0,
    unchanged: 0,
    rejected,
  };
  const errorsCsv = await input.scan.errorFile(input.applyErrors);
  const orgId = ctx.principal.orgId;
  const importId = await withOrg(ctx.db, orgScope(ctx.principal), async (tx) => {
    const [created] = await queryRows<{ id: string }>(
      tx,
      sql`insert into imports (org_id, kind, source, source_name, file_hash, byte_size, preset, mapping, options, status,
                               rows_read, rows_rejected, errors_csv, failure_reason, created_by, finished_at)
          values (${orgId}::uuid, ${storedKind(report.kind)}::import_kind, ${input.sourceKind}::import_source, ${input.sourceName},
                  ${report.file.sha256}, ${report.file.bytes}, ${report.presetId}, ${JSON.stringify(report.mapping)}::jsonb,
                  ${JSON.stringify({ mode: input.mode, fileKind: report.kind, encoding: report.file.encoding })}::jsonb, 'failed',
                  ${counts.rowsRead}, ${counts.rejected}, ${errorsCsv}, ${input.reason}, ${ctx.principal.userId ?? null}, now())
          returning id`,
    );
    const id = created!.id;
    await saveImportErrors(tx, orgId, id, errors);
    await appendAudit(tx, {
      action: 'import.failed',
      entityType: 'import',
      entityId: id,
      actorUserId: ctx.principal.userId ?? null,
      actorApiKeyId: ctx.principal.apiKeyId ?? null,
      requestId: ctx.requestId ?? null,
      after: { kind: report.kind, fileHash: report.file.sha256, reason: input.reason, counts },
    });
    return id;
  });
  return {
    importId,
    status: 'failed',
    kind: report.kind,
    presetId: report.presetId,
    mapping: report.mapping,
    file: report.file,
    counts,
    errors,
    warnings: report.warnings,
    failureReason: input.reason,
  };
}
