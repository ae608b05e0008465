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
import { type ColumnMapping, type ColumnMappingInput, carriedCustomKeys } from '../../import/mapping.ts';
import type {
  AccountRecord,
  OpportunityRecord,
  RepRecord,
  ScheduleRecord,
  SplitRecord,
} from '../../import/records.ts';
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
  type RosterLookup,
} from './book-lookups.ts';
import {
  type ImportCounts,
  type ImportOutcome,
  recordFailedImport,
  saveImportErrors,
  storedKind,
} from './import-records.ts';
import { writeAccounts, writeManagers, writeOpportunities, writeReps, writeSchedules } from './write-book.ts';
import { type SplitChange, writeSplits } from './write-splits.ts';

export type ImportMode = 'all-or-nothing' | 'valid-rows-only';

export interface ImportProgress {
  phase: 'validating' | 'writing';
  rows: number;
  total?: number;
}

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
  const orgId = ctx.principal.orgId;
  const file = await inspectSource(input.source);
  if (input.expectedSha256 && input.expectedSha256 !== file.sha256) {
    throw conflict('The file differs from the one that was previewed; preview it again before applying.', {
      previewed: input.expectedSha256,
      received: file.sha256,
    });
  }
  const roster = await loadRoster(tx);
  const needsAccounts = input.kind === undefined || input.kind === 'opportunities';
  const needsOpportunities =
    input.kind === undefined || input.kind === 'splits' || input.kind === 'schedules';
  const accountIds = needsAccounts ? await loadAccountIds(tx) : new Map<string, string>();
  const opportunities = needsOpportunities
    ? await loadOpportunities(tx)
    : new Map<string, OpportunityLookup>();
  const [created] = await queryRows<{ id: string }>(
    tx,
    sql`insert into imports (org_id, kind, source, source_name, file_hash, byte_size, status, created_by)
        values (${orgId}::uuid, ${storedKind(input.kind ?? 'accounts')}::import_kind, ${input.sourceKind ?? 'upload'}::import_source,
                ${input.sourceName ?? null}, ${file.sha256}, ${file.bytes}, 'applying', ${ctx.principal.userId ?? null})
        returning id`,
  );
  const importId = created!.id;
  const w: WriteContext = {
    orgId,
    importId,
    roster,
    accountIds,
    opportunities,
    today: ctx.clock().toISOString().slice(0, 10),
    batchSize: input.batchSize ?? 5000,
    onProgress: input.onProgress,
  };

  // All-or-nothing imports of kinds whose rows are final when read are written while they are validated
  // (one pass over the file); any error found later rolls the whole transaction back.
  let streaming: PipelinedBatches | null = null;
  const singlePass =
    mode === 'all-or-nothing' && input.kind !== undefined && SINGLE_PASS_KINDS.includes(input.kind);
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
        roster: roster.directory,
        // Opportunities must name imported accounts; splits and schedules, imported opportunities.
        ...(needsAccounts ? { accountExists: (id: string) => accountIds.has(id) } : {}),
        ...(needsOpportunities ? { opportunity: (id: string) => opportunities.get(id) } : {}),
      },
      ...(singlePass
        ? {
            onStart: ({ mapping, header }) => {
              streaming = new PipelinedBatches(
                kindWriter(tx, mapping.kind, mapping, header, { ...w, onProgress: undefined }),
                w.batchSize,
              );
            },
            onValidRecord: (record) => streaming!.add(record),
          }
        : {}),
    });
  } catch (error) {
    await (streaming as PipelinedBatches | null)?.settle();
    throw error;
  }
  const { report } = scan;
  if (!scan.ok && mode === 'all-or-nothing') {
    await (streaming as PipelinedBatches | null)?.settle();
    throw new ImportAborted(
      scan,
      [],
      `${report.summary.rejected} row(s) have errors; nothing was imported (all-or-nothing).`,
    );
  }
  const written = streaming ? await (streaming as PipelinedBatches).drain() : await writeAll(tx, scan, w);
  if (written.errors.length > 0 && mode === 'all-or-nothing') {
    throw new ImportAborted(
      scan,
      written.errors,
      `${new Set(written.errors.map((e) => e.row)).size} row(s) could not be written; nothing was imported (all-or-nothing).`,
    );
  }
  const errors = [...report.errors, ...written.errors].sort((a, b) => a.row - b.row);
  const rejectedRows = new Set(errors.map((e) => e.row)).size;
  const counts: ImportCounts = {
    rowsRead: report.summary.rowsRead,
    inserted: written.inserted,
    updated: written.updated,
    unchanged: report.summary.rowsRead - rejectedRows - written.inserted - written.updated,
    rejected: rejectedRows,
  };
  await saveImportErrors(tx, orgId, importId, errors);
  await tx.execute(sql`update imports set kind = ${storedKind(report.kind)}::import_kind, preset = ${report.presetId},
      mapping = ${JSON.stringify(report.mapping)}::jsonb,
      options = ${JSON.stringify({ mode, fileKind: report.kind, encoding: report.file.encoding })}::jsonb,
      status = 'applied', rows_read = ${counts.rowsRead}, rows_inserted = ${counts.inserted},
      rows_updated = ${counts.updated}, rows_unchanged = ${counts.unchanged}, rows_rejected = ${counts.rejected},
      errors_csv = ${errors.length > 0 ? await scan.errorFile(written.errors) : null}, finished_at = now()
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
    failureReason: null,
  };
}

interface WriteContext {
  orgId: string;
  importId: string;
  roster: RosterLookup;
  accountIds: Map<string, string>;
  opportunities: Map<string, OpportunityLookup>;
  today: string;
  batchSize: number;
  onProgress: ((progress: ImportProgress) => void) | undefined;
}

interface Written {
  inserted: number;
  updated: number;
  errors: RowError[];
}

/** Writes the records of one kind, batch by batch; `end` finishes what needs the whole file. */
interface KindWriter {
  write(batch: readonly { row: number }[]): Promise<void>;
  end(): Promise<Written>;
}

/** Kinds whose records are final as soon as their row is read, so they can be written during validation. */
export const SINGLE_PASS_KINDS: readonly ImportKind[] = ['accounts', 'opportunities', 'schedules'];

function kindWriter(
  tx: Tx,
  kind: ImportKind,
  mapping: ColumnMapping,
  header: readonly string[],
  w: WriteContext,
  total?: number,
): KindWriter {
  const mapped = new Set(Object.keys(mapping.columns));
  const out: Written = { inserted: 0, updated: 0, errors: [] };
  let done = 0;
  const progress = (n: number) => {
    done += n;
    w.onProgress?.({ phase: 'writing', rows: done, ...(total === undefined ? {} : { total }) });
  };
  const tally = (inserted: Set<string>, updated: Set<string>) => {
    out.inserted += inserted.size;
    out.updated += updated.size;
  };
  const simple = (write: (batch: readonly { row: number }[]) => Promise<void>): KindWriter => ({
    write: async (batch) => {
      await write(batch);
      progress(batch.length);
    },
    end: async () => out,
  });

  switch (kind) {
    case 'accounts':
      return simple(async (batch) => {
        const result = await writeAccounts(
          tx,
          w.orgId,
          w.importId,
          batch as AccountRecord[],
          w.roster,
          mapped,
          { keys: carriedCustomKeys(header, mapping), regionSource: mapping.options.regionSource },
        );
        tally(result.inserted, result.updated);
      });
    case 'schedules':
      return simple(async (batch) => {
        const result = await writeSchedules(tx, w.orgId, batch as ScheduleRecord[], w.opportunities);
        tally(result.inserted, result.updated);
      });
    case 'opportunities':
      return simple(async (batch) => {
        const opps = batch as OpportunityRecord[];
        const result = await writeOpportunities(
          tx,
          w.orgId,
          w.importId,
          opps,
          w.accountIds,
          w.roster,
          mapped,
        );
        const withSplit = opps.filter((o) => o.split !== null);
        const column = mapping.columns.split_house_pct ?? mapping.columns.split_rep_pct ?? '';
        const changes = await inlineSplitChanges(tx, w, withSplit, column, out.errors);
        const split = await writeSplits(tx, w.orgId, changes, w.today);
        out.errors.push(...split.errors);
        for (const k of [...split.inserted, ...split.updated])
          if (!result.inserted.has(k)) result.updated.add(k);
        tally(result.inserted, result.updated);
      });
    case 'reps': {
      const links: { crmId: string; managerCrmId: string }[] = [];
      const inserted = new Set<string>();
      const updated = new Set<string>();
      return {
        write: async (batch) => {
          const reps = batch as RepRecord[];
          const result = await writeReps(tx, w.orgId, reps, mapped);
          for (const k of result.inserted) inserted.add(k);
          for (const k of result.updated) updated.add(k);
          for (const r of reps)
            if (r.managerCrmId) links.push({ crmId: r.crmId, managerCrmId: r.managerCrmId });
          progress(batch.length);
        },
        end: async () => {
          for (const k of await writeManagers(tx, w.orgId, links)) if (!inserted.has(k)) updated.add(k);
          tally(inserted, updated);
          return out;
        },
      };
    }
    case 'splits': {
      const records: SplitRecord[] = [];
      return {
        write: async (batch) => {
          records.push(...(batch as SplitRecord[]));
        },
        end: async () => {
          for (const round of splitFileChanges(records, w, mapping.columns.pct ?? 'pct', out.errors)) {
            const result = await writeSplits(tx, w.orgId, round, w.today);
            out.errors.push(...result.errors);
            for (const change of round) {
              if (result.inserted.has(change.opportunityCrmId)) out.inserted += change.rows.length;
              else if (result.updated.has(change.opportunityCrmId)) out.updated += change.rows.length;
            }
          }
          progress(records.length);
          return out;
        },
      };
    }
  }
}

/**
 * Batches records and writes batch k while the file is parsed for batch k+1: the database works on its own
 * core while this process reads. At most one write is in flight, so batches apply in file order.
 */
class PipelinedBatches {
  private batch: { row: number }[] = [];
  private pending: Promise<void> | null = null;

  constructor(
    private readonly writer: KindWriter,
    private readonly size: number,
  ) {}

  /** Returns a promise only when a batch is handed over, so most rows cost no await. */
  add(record: { row: number }): Promise<void> | undefined {
    this.batch.push(record);
    return this.batch.length >= this.size ? this.flush() : undefined;
  }

  async flush(): Promise<void> {
    if (this.pending) await this.pending;
    const batch = this.batch;
    this.batch = [];
    this.pending = batch.length > 0 ? this.writer.write(batch) : null;
    // Awaited on the next flush or in drain(); this only keeps Node from reporting it unhandled meanwhile.
    this.pending?.catch(() => {});
  }

  async drain(): Promise<Written> {
    await this.flush();
    if (this.pending) await this.pending;
    this.pending = null;
    return this.writer.end();
  }

  /** After a failure elsewhere: let the write in flight settle before the transaction rolls back. */
  async settle(): Promise<void> {
    await this.pending?.catch(() => {});
  }
}

async function writeAll(tx: Tx, scan: ImportScan, w: WriteContext): Promise<Written> {
  const { report } = scan;
  const batches = new PipelinedBatches(
    kindWriter(tx, report.kind, report.mapping, report.header, w, report.summary.valid),
    w.batchSize,
  );
  try {
    for await (const batch of scan.records(w.batchSize)) {
      for (const record of batch) {
        const handedOver = batches.add(record);
        if (handedOver) await handedOver;
      }
    }
  } catch (error) {
    await batches.settle();
    throw error;
  }
  return batches.drain();
}

/** The House share is paid to the org's one House rep; without exactly one, a split naming House cannot be stored. */
function houseRep(roster: RosterLookup, row: number, column: string, errors: RowError[]): string | null {
  if (roster.houseRepIds.length === 1) return roster.houseRepIds[0]!;
  errors.push({
    row,
    column,
    field: 'split_house_pct',
    value: '',
    reason:
      roster.houseRepIds.length === 0
        ? 'the split gives House a share, but the roster has no House rep'
        : `the split gives House a share, but the roster has ${roster.houseRepIds.length} House reps`,
    hint: 'Keep exactly one rep with rep_type house in the roster, then import again.',
  });
  return null;
}

async function inlineSplitChanges(
  tx: Tx,
  w: WriteContext,
  opps: OpportunityRecord[],
  column: string,
  errors: RowError[],
): Promise<SplitChange[]> {
  if (opps.length === 0) return [];
  const rows = await queryRows<{ id: string; crm_id: string }>(
    tx,
    sql`select o.id, o.crm_id from opportunities o
        join jsonb_array_elements_text(${JSON.stringify(opps.map((o) => o.crmId))}::jsonb) as x(crm_id) on o.crm_id = x.crm_id
        where o.org_id = ${w.orgId}::uuid`,
  );
  const idByCrm = new Map(rows.map((r) => [r.crm_id, r.id]));
  const changes: SplitChange[] = [];
  for (const o of opps) {
    const shares: SplitChange['shares'] = [];
    let ok = true;
    for (const s of o.split ?? []) {
      const repId =
        s.participant === 'house'
          ? houseRep(w.roster, o.row, column, errors)
          : (w.roster.repIdByCrm.get(s.repCrmId!) ?? null);
      if (repId === null) ok = false;
      else shares.push({ role: s.participant, repId, bps: s.pctBps });
    }
    if (ok) {
      changes.push({
        rows: [o.row],
        column,
        opportunityId: idByCrm.get(o.crmId)!,
        opportunityCrmId: o.crmId,
        createdDate: o.createdDate,
        effectiveDate: null,
        shares,
      });
    }
  }
  return changes;
}

/** Groups a split file by opportunity and effective date; an opportunity's dates go in successive rounds, oldest first. */
function splitFileChanges(
  records: SplitRecord[],
  w: WriteContext,
  column: string,
  errors: RowError[],
): SplitChange[][] {
  const groups = new Map<string, SplitChange>();
  for (const r of records) {
    const key = `${r.opportunityCrmId}\u0000${r.effectiveDate ?? ''}`;
    const opp = w.opportunities.get(r.opportunityCrmId)!;
    const group: SplitChange = groups.get(key) ?? {
      rows: [],
      column,
      opportunityId: opp.id,
      opportunityCrmId: r.opportunityCrmId,
      createdDate: opp.createdDate ?? w.today,
      effectiveDate: r.effectiveDate,
      shares: [],
    };
    group.rows.push(r.row);
    const repId =
      r.participant === 'house'
        ? houseRep(w.roster, r.row, column, errors)
        : (w.roster.repIdByCrm.get(r.repCrmId!) ?? null);
    if (repId !== null) group.shares.push({ role: r.participant, repId, bps: r.pctBps });
    groups.set(key, group);
  }
  const failed = new Set(errors.map((e) => e.row));
  const byOpportunity = new Map<string, SplitChange[]>();
  for (const g of groups.values()) {
    if (g.rows.some((row) => failed.has(row))) continue;
    byOpportunity.set(g.opportunityId, [...(byOpportunity.get(g.opportunityId) ?? []), g]);
  }
  const rounds: SplitChange[][] = [];
  for (const list of byOpportunity.values()) {
    list.sort((a, b) => (a.effectiveDate ?? '').localeCompare(b.effectiveDate ?? ''));
    list.forEach((g, i) => {
      rounds[i] = [...(rounds[i] ?? []), g];
    });
  }
  return rounds;
}
