/**
 * Applies an import to the book in ONE transaction of the org: validate the file against the roster and
 * book, then upsert its valid records on the CRM id. All-or-nothing (default): any row error writes nothing
 * to the book. Valid-rows-only: rejected rows are left out. Every attempt is kept as an import snapshot
 * with its counts and errors; re-importing the same file changes nothing (all rows "unchanged").
 */
import { sql } from 'drizzle-orm';
import { orgScope } from '../../auth/principal.ts';
import { appendAudit } from '../../db/audit.ts';
import type { Tx } from '../../db/client.ts';
import { queryRows } from '../../db/query-rows.ts';
import { withOrg } from '../../db/tenancy.ts';
import { inspectSource } from '../../import/inspect.ts';
import type { ColumnMappingInput } from '../../import/mapping.ts';
import { type ImportScan, scanImport } from '../../import/scan.ts';
import type { ImportSource } from '../../import/source.ts';
import type { ImportKind, RowError } from '../../import/types.ts';
import { conflict } from '../../lib/errors.ts';
import type { OrgContext } from '../auth/context.ts';
import {
  loadAccountIds,
  loadOpportunities,
  loadRoster,
  loadSavedMappings,
  type OpportunityLookup,
} from './book-lookups.ts';
import {
  type ImportCounts,
  type ImportOutcome,
  recordFailedImport,
  saveImportErrors,
  storedKind,
} from './import-records.ts';
import { type ImportProgress, kindWriter, SINGLE_PASS_KINDS, type WriteContext } from './kind-writers.ts';
import { PipelinedBatches, writeAll } from './pipelined-batches.ts';

export type ImportMode = 'all-or-nothing' | 'valid-rows-only';

export interface ApplyImportInput {
  source: ImportSource;
  sourceName?: string | null;
  sourceKind?: 'upload' | 'google_sheet' | 'api';
  kind?: ImportKind;
  mapping?: ColumnMappingInput;
  mode?: ImportMode;
  /** The SHA-256 of the file the person previewed: a different file is refused (409). */
  expectedSha256?: string;
  maxRows: number;
  batchSize?: number;
  onProgress?: (progress: ImportProgress) => void;
}

/** Thrown inside the transaction to roll the book back; carries what to record about the attempt. */
class ImportAborted extends Error {
  constructor(
    readonly scan: ImportScan,
    readonly applyErrors: RowError[],
    readonly reason: string,
  ) {
    super(reason);
  }
}

export async function applyImport({
  ctx,
  input,
}: {
  ctx: OrgContext;
  input: ApplyImportInput;
}): Promise<ImportOutcome> {
  const mode = input.mode ?? 'all-or-nothing';
  try {
    return await withOrg(ctx.db, orgScope(ctx.principal), (tx) => applyInTransaction(tx, ctx, input, mode));
  } catch (error) {
    if (!(error instanceof ImportAborted)) throw error;
    return recordFailedImport(ctx, {
      scan: error.scan,
      applyErrors: error.applyErrors,
      reason: error.reason,
      mode,
      sourceName: input.sourceName ?? null,
      sourceKind: input.sourceKind ?? 'upload',
    });
  }
}

async function applyInTransaction(
  tx: Tx,
  ctx: OrgContext,
  input: ApplyImportInput,
  mode: ImportMode,
): Promise<ImportOutcome> {
  const file = await inspectSource(input.source);
  if (input.expectedSha256 && input.expectedSha256 !== file.sha256) {
    throw conflict('The file differs from the one that was previewed; preview it again before applying.', {
      previewed: input.expectedSha256,
      received: file.sha256,
    });
  }
  const w = await startImport(tx, ctx, input, file);
  // All-or-nothing imports of kinds whose rows are final when read are written while they are validated
  // (one pass over the file); any error found later rolls the whole transaction back.
  const singlePass =
    mode === 'all-or-nothing' && input.kind !== undefined && SINGLE_PASS_KINDS.includes(input.kind);
  const stream: { batches: PipelinedBatches | null } = { batches: null };
  let scan: ImportScan;
  try {
    scan = await scanImport(input.source, {
      ...(input.kind ? { kind: input.kind } : {}),
      ...(input.mapping ? { mapping: input.mapping } : {}),
      file,
      savedMappings: await loadSavedMappings(tx, input.kind),
      maxRows: input.maxRows,
      onProgress: (rows) => input.onProgress?.({ phase: singlePass ? 'writing' : 'validating', rows }),
      context: {
        roster: w.roster.directory,
        // Opportunities must name imported accounts; splits and schedules, imported opportunities.
        ...(needsAccounts(input) ? { accountExists: (id: string) => w.accountIds.has(id) } : {}),
        ...(needsOpportunities(input) ? { opportunity: (id: string) => w.opportunities.get(id) } : {}),
      },
      ...(singlePass
        ? {
            onStart: ({ mapping, header }) => {
              stream.batches = new PipelinedBatches(
                kindWriter(tx, mapping.kind, mapping, header, { ...w, onProgress: undefined }),
                w.batchSize,
              );
            },
            onValidRecord: (record) => stream.batches!.add(record),
          }
        : {}),
    });
  } catch (error) {
    await stream.batches?.settle();
    throw error;
  }
  if (!scan.ok && mode === 'all-or-nothing') {
    await stream.batches?.settle();
    throw new ImportAborted(
      scan,
      [],
      `${scan.report.summary.rejected} row(s) have errors; nothing was imported (all-or-nothing).`,
    );
  }
  const written = stream.batches ? await stream.batches.drain() : await writeAll(tx, scan, w);
  if (written.errors.length > 0 && mode === 'all-or-nothing') {
    throw new ImportAborted(
      scan,
      written.errors,
      `${new Set(written.errors.map((e) => e.row)).size} row(s) could not be written; nothing was imported (all-or-nothing).`,
    );
  }
  return finishImport(tx, ctx, { importId: w.importId, mode, scan, applyErrors: written.errors, written });
}

const needsAccounts = (input: ApplyImportInput) => input.kind === undefined || input.kind === 'opportunities';
const needsOpportunities = (input: ApplyImportInput) =>
  input.kind === undefined || input.kind === 'splits' || input.kind === 'schedules';

/** The import's record (status applying) and what its writers need: the roster and the book's lookups it uses. */
async function startImport(
  tx: Tx,
  ctx: OrgContext,
  input: ApplyImportInput,
  file: Awaited<ReturnType<typeof inspectSource>>,
): Promise<WriteContext> {
  const orgId = ctx.principal.orgId;
  const roster = await loadRoster(tx);
  const accountIds = needsAccounts(input) ? await loadAccountIds(tx) : new Map<string, string>();
  const opportunities = needsOpportunities(input)
    ? await loadOpportunities(tx)
    : new Map<string, OpportunityLookup>();
  const [created] = await queryRows<{ id: string }>(
    tx,
    sql`insert into imports (org_id, kind, source, source_name, file_hash, byte_size, status, created_by)
        values (${orgId}::uuid, ${storedKind(input.kind ?? 'accounts')}::import_kind, ${input.sourceKind ?? 'upload'}::import_source,
                ${input.sourceName ?? null}, ${file.sha256}, ${file.bytes}, 'applying', ${ctx.principal.userId ?? null})
        returning id`,
  );
  return {
    orgId,
    importId: created!.id,
    roster,
    accountIds,
    opportunities,
    today: ctx.clock().toISOString().slice(0, 10),
    batchSize: input.batchSize ?? 5000,
    onProgress: input.onProgress,
  };
}

/** The applied import recorded: its counts, its row errors (and their file), and the audit event. */
async function finishImport(
  tx: Tx,
  ctx: OrgContext,
  done: {
    importId: string;
    mode: ImportMode;
    scan: ImportScan;
    applyErrors: RowError[];
    written: { inserted: number; updated: number };
  },
): Promise<ImportOutcome> {
  const { importId, mode, scan, applyErrors, written } = done;
  const { report } = scan;
  const errors = [...report.errors, ...applyErrors].sort((a, b) => a.row - b.row);
  const rejectedRows = new Set(errors.map((e) => e.row)).size;
  const counts: ImportCounts = {
    rowsRead: report.summary.rowsRead,
    inserted: written.inserted,
    updated: written.updated,
    unchanged: report.summary.rowsRead - rejectedRows - written.inserted - written.updated,
    rejected: rejectedRows,
  };
  await saveImportErrors(tx, ctx.principal.orgId, importId, errors);
  await tx.execute(sql`update imports set kind = ${storedKind(report.kind)}::import_kind, preset = ${report.presetId},
      mapping = ${JSON.stringify(report.mapping)}::jsonb,
      options = ${JSON.stringify({ mode, fileKind: report.kind, encoding: report.file.encoding })}::jsonb,
      status = 'applied', rows_read = ${counts.rowsRead}, rows_inserted = ${counts.inserted},
      rows_updated = ${counts.updated}, rows_unchanged = ${counts.unchanged}, rows_rejected = ${counts.rejected},
      errors_csv = ${errors.length > 0 ? await scan.errorFile(applyErrors) : null}, finished_at = now()
    where id = ${importId}::uuid`);
  await appendAudit(tx, {
    action: 'import.applied',
    entityType: 'import',
    entityId: importId,
    actorUserId: ctx.principal.userId ?? null,
    actorApiKeyId: ctx.principal.apiKeyId ?? null,
    requestId: ctx.requestId ?? null,
    after: { kind: report.kind, fileHash: report.file.sha256, mode, counts },
  });
  return {
    importId,
    status: 'applied',
    kind: report.kind,
    presetId: report.presetId,
    mapping: report.mapping,
    file: report.file,
    counts,
    errors,
    warnings: report.warnings,
    failureReason: null,
  };
}
