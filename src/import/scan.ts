/**
 * Validates a whole import in one streaming pass — every row-level error as data, duplicates with both
 * rows, whole-file checks — then streams the valid records in batches on demand (a second pass), so no
 * more than one batch of parsed rows is ever held. The same scan writes the downloadable error file.
 */
import { stringify } from 'csv-stringify/sync';
import { displayText } from '../lib/text.ts';
import { readCsv } from './csv-rows.ts';
import { FIELDS, missingRequired } from './fields.ts';
import { ImportFileError } from './import-file-error.ts';
import { inspectSource, type SourceInfo } from './inspect.ts';
import type { ImportContext, KindHandler } from './kinds/handler.ts';
import { handlerFor } from './kinds/index.ts';
import {
  type ColumnMapping,
  type ColumnMappingInput,
  headerSignature,
  parseMapping,
  type ResolvedMapping,
  resolveMapping,
} from './mapping.ts';
import { detectPreset, detectPresets, suggestMapping } from './presets.ts';
import type { RecordByKind } from './records.ts';
import { RowReader } from './row-reader.ts';
import { safeCell } from './safe-cell.ts';
import { type PassHooks, ScanPass } from './scan-pass.ts';
import type { ImportSource } from './source.ts';
import type { ImportKind, ImportSummary, RowError, RowWarning } from './types.ts';

export interface ScanOptions {
  /** The kind of import; detected from the header when absent. */
  kind?: ImportKind;
  /** The column mapping; else a saved mapping for this exact header, else the detected preset's. */
  mapping?: ColumnMappingInput;
  /** Mappings the org saved, by header signature (see headerSignature). */
  savedMappings?: readonly { signature: string; mapping: ColumnMappingInput }[];
  context?: ImportContext;
  maxRows: number;
  /** How many valid records to keep as a preview (default 20). */
  previewRows?: number;
  /** Called every few thousand rows with the rows read so far. */
  onProgress?: (rowsRead: number) => void;
  /** The file's inspection when the caller already made it (skips a pass over the bytes). */
  file?: SourceInfo;
  /** Called once the header is read and the mapping resolved, before any data row. */
  onStart?: (start: { file: SourceInfo; mapping: ColumnMapping; header: string[] }) => void | Promise<void>;
  /**
   * Called with each record that passed its row checks, as the file streams (single-pass writing). A later
   * row can still reveal a duplicate or a whole-file error: callers must then discard what they wrote
   * (all-or-nothing). Awaited only when it returns a promise.
   */
  onValidRecord?: (record: { row: number }) => void | Promise<void>;
}

export interface ScanReport<K extends ImportKind = ImportKind> {
  kind: K;
  presetId: string | null;
  mapping: ColumnMapping;
  file: SourceInfo;
  header: string[];
  summary: ImportSummary;
  errors: RowError[];
  /** Valid rows imported with something to know (a blank amount), the first MAX_LISTED_WARNINGS. */
  warnings: RowWarning[];
  preview: RecordByKind[K][];
}

export class ImportScan<K extends ImportKind = ImportKind> {
  constructor(
    readonly report: ScanReport<K>,
    private readonly source: ImportSource,
    private readonly resolved: ResolvedMapping,
    private readonly handler: KindHandler<RecordByKind[K]>,
    private readonly context: ImportContext,
    private readonly rejected: ReadonlySet<number>,
    private readonly maxRows: number,
    private readonly footer: ReadonlySet<number> = new Set(),
  ) {}

  get ok(): boolean {
    return this.report.errors.length === 0;
  }

  /** The valid records, in file order, in batches (rows with any error are left out). */
  async *records(batchSize = 1000): AsyncGenerator<RecordByKind[K][]> {
    let batch: RecordByKind[K][] = [];
    for await (const event of this.rows()) {
      if (event.type !== 'row' || this.rejected.has(event.row) || this.footer.has(event.row)) continue;
      const reader = new RowReader(event.cells, event.row, this.resolved);
      const record = this.handler.build(reader, this.context);
      if (!record) {
        // Only possible when the book changed between the passes (the checks read it).
        throw new ImportFileError(`Row ${event.row} became invalid while the import was being applied.`, {
          problem: 'MALFORMED_CSV',
          row: event.row,
          hint: 'The book changed during the import; run the import again.',
        });
      }
      batch.push(this.handler.complete ? this.handler.complete(record) : record);
      if (batch.length >= batchSize) {
        yield batch;
        batch = [];
      }
    }
    if (batch.length > 0) yield batch;
  }

  /**
   * The error file: each rejected row as it was in the file, plus the row number and its errors.
   * Every cell is formula-safe. Empty string when there are no errors. `extra`: errors found later
   * (while writing), reported the same way.
   */
  async errorFile(extra: readonly RowError[] = []): Promise<string> {
    const all = [...this.report.errors, ...extra];
    if (all.length === 0) return '';
    const byRow = new Map<number, RowError[]>();
    for (const e of all) byRow.set(e.row, [...(byRow.get(e.row) ?? []), e]);
    const header = [...this.report.header, 'error_row', 'error_columns', 'error_reasons', 'error_hints'];
    const lines: string[] = [stringify([header.map(safeCell)])];
    const headerErrors = byRow.get(1);
    if (headerErrors)
      lines.push(
        stringify([
          errorLine(
            this.report.header.map(() => ''),
            1,
            headerErrors,
          ),
        ]),
      );
    for await (const event of this.rows()) {
      if (event.type !== 'row') continue;
      const errors = byRow.get(event.row);
      if (!errors) continue;
      const cells = this.report.header.map((_, i) => event.cells[i] ?? '');
      lines.push(stringify([errorLine(cells, event.row, errors)]));
    }
    return lines.join('');
  }

  private rows() {
    return readCsv(this.source, {
      maxRows: this.maxRows,
      encoding: this.report.file.encoding,
      delimiter: this.report.mapping.options.delimiter ?? this.report.file.delimiter,
    });
  }
}

/** Cells of the error file are kept whole up to this length (a longer one is the error being reported). */
const ERROR_FILE_CELL_MAX = 10_000;

function errorLine(cells: string[], row: number, errors: RowError[]): string[] {
  const unique = (xs: string[]) => [...new Set(xs.filter(Boolean))];
  return [
    ...cells.map((cell) => displayText(cell, ERROR_FILE_CELL_MAX)),
    String(row),
    unique(errors.map((e) => e.column)).join('; '),
    errors.map((e) => e.reason).join('; '),
    unique(errors.map((e) => e.hint)).join(' '),
  ].map(safeCell);
}

/** Validates a file: throws ImportFileError for whole-file problems, returns row-level ones as data. */
export async function scanImport(source: ImportSource, options: ScanOptions): Promise<ImportScan> {
  const file = options.file ?? (await inspectSource(source));
  const explicit = options.mapping ? parseMapping(options.mapping, options.kind) : undefined;
  const context = options.context ?? {};
  const hooks: PassHooks = {
    previewRows: options.previewRows ?? 20,
    onProgress: options.onProgress,
    onValidRecord: options.onValidRecord,
  };
  let pass: ScanPass | undefined;
  const events = readCsv(source, {
    maxRows: options.maxRows,
    encoding: file.encoding,
    delimiter: explicit?.options.delimiter ?? file.delimiter,
  });
  for await (const event of events) {
    if (event.type === 'header') {
      const mapping = explicit ?? headerMapping(event.cells, options);
      const resolved = resolveMapping(event.cells, mapping);
      pass = new ScanPass(resolved, handlerFor(mapping.kind), context, hooks);
      await options.onStart?.({ file, mapping, header: resolved.header });
    } else if (event.type === 'blank') {
      pass?.blank();
    } else {
      await pass!.row(event.row, event.cells);
    }
  }
  const { summary, preview, warnings } = pass!.finish();
  const { resolved } = pass!;
  const report: ScanReport = {
    kind: resolved.mapping.kind,
    presetId: resolved.mapping.presetId ?? null,
    mapping: resolved.mapping,
    file,
    header: resolved.header,
    summary,
    errors: pass!.errors,
    warnings,
    preview: preview as ScanReport['preview'],
  };
  const handler = pass!.handler as KindHandler<RecordByKind[ImportKind]>;
  return new ImportScan(
    report,
    source,
    resolved,
    handler,
    context,
    pass!.rejected,
    options.maxRows,
    pass!.footer,
  );
}

/** The mapping of a file without one given: a saved mapping for this exact header, else the detected preset's. */
function headerMapping(header: string[], options: ScanOptions): ColumnMapping {
  const signature = headerSignature(header);
  const saved = options.savedMappings?.find(
    (m) => m.signature === signature && (!options.kind || m.mapping.kind === options.kind),
  );
  return saved ? parseMapping(saved.mapping) : detectedMapping(header, options.kind);
}

function detectedMapping(header: string[], kind?: ImportKind): ColumnMapping {
  const detected = detectPreset(header, kind);
  if (detected) return detected.mapping;
  const best = detectPresets(header, kind)[0];
  const suggestedKind = kind ?? best?.preset.kind ?? 'accounts';
  const suggestion = suggestMapping(header, suggestedKind);
  const missing = missingRequired(suggestedKind, (f) => f in suggestion.columns);
  throw new ImportFileError(
    `The columns of this file match no known layout${kind ? ` for ${kind}` : ''}: a column mapping is needed.`,
    {
      problem: 'UNKNOWN_LAYOUT',
      row: 1,
      hint: `Map the file's columns to fields once (required: ${FIELDS[suggestedKind]
        .filter((d) => d.required)
        .map((d) => d.key)
        .join(', ')}); the mapping is kept for the next import.`,
      data: { header, suggestedMapping: suggestion, missingFields: missing },
    },
  );
}
