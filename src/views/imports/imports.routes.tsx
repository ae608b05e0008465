/**
 * Import pages (F1): upload a CSV (or link a Google Sheet), preview with the detected layout, the column mapping
 * and every row error, apply in the background with progress, then the import with its error file. Each step
 * is a plain form (works without JavaScript); the progress box polls with htmx.
 */
import { type Context, Hono } from 'hono';
import type { AppBindings } from '../../api/context.ts';
import { principalOf, requireRole } from '../../auth/require-role.ts';
import { toCsv } from '../../exports/csv-safe.ts';
import { ImportFileError } from '../../import/import-file-error.ts';
import { type ColumnMapping, type ColumnMappingInput, mappingOptionsSchema } from '../../import/mapping.ts';
import { IMPORT_KINDS, type ImportKind } from '../../import/types.ts';
import { AppError } from '../../lib/errors.ts';
import { applyImport, type ImportMode } from '../../services/imports/apply-import.ts';
import { saveColumnMapping } from '../../services/imports/column-mappings.ts';
import {
  getImport,
  getImportErrorFile,
  listImportErrors,
  listImports,
} from '../../services/imports/import-history.ts';
import { previewImport } from '../../services/imports/preview-import.ts';
import { isFragmentRequest, renderPage } from '../layout.tsx';
import { hxTargetId, orgCtx } from '../shared/context.ts';
import { pageNumber, text } from '../shared/format.ts';
import { PreviewPage, type PreviewProps } from './import-preview.tsx';
import { startTracking, tracked } from './import-progress.ts';
import { ProgressBox, ProgressPage } from './import-progress-page.tsx';
import { ImportDetail, ImportsList } from './imports-list.tsx';
import { NewImportForm, type NewImportState } from './new-import-form.tsx';
import { readUpload, stashUpload } from './upload-stash.ts';

const IMPORT_ROLES = ['admin', 'manager', 'analyst'] as const;
const SHOWN_ERRORS = 200;
const PAGE_SIZE = 50;
const UUID = /^[0-9a-f-]{36}$/i;

function kindOf(value: unknown): ImportKind | undefined {
  const v = text(value);
  return (IMPORT_KINDS as readonly string[]).includes(v) ? (v as ImportKind) : undefined;
}

function modeOf(value: unknown): ImportMode {
  return text(value) === 'valid-rows-only' ? 'valid-rows-only' : 'all-or-nothing';
}

function owner(c: Context<AppBindings>) {
  const p = principalOf(c);
  return { orgId: p.orgId, userId: p.userId ?? p.apiKeyId ?? 'anonymous' };
}

/** The mapping a person set in the mapping form: a column per field, the date format, other options kept. */
function mappingFromForm(form: Record<string, unknown>, kind: ImportKind): ColumnMappingInput {
  const columns: Record<string, string> = {};
  for (const [key, value] of Object.entries(form)) {
    if (key.startsWith('col_') && text(value) !== '') columns[key.slice(4)] = text(value);
  }
  let options: Record<string, unknown> = {};
  try {
    const parsed = mappingOptionsSchema.safeParse(JSON.parse(text(form.options) || '{}'));
    if (parsed.success) options = parsed.data;
  } catch {
    // A tampered hidden field: fall back to the defaults.
  }
  const dateFormat = text(form.dateFormat);
  if (dateFormat) options.dateFormat = dateFormat;
  return { kind, columns, options: options as ColumnMappingInput['options'] };
}

export function importPages() {
  const router = new Hono<AppBindings>();
  const guard = requireRole(...IMPORT_ROLES);
  router.get('/imports', guard, importsListPage);
  router.get('/imports/new', guard, (c) => showNew(c, { kind: c.req.query('kind') ?? '' }));
  router.post('/imports/preview', guard, previewPost);
  router.get('/imports/preview/:token/errors.csv', guard, previewErrorFile);
  router.post('/imports/apply', guard, applyPost);
  router.get('/imports/progress/:token', guard, progressPage);
  router.get('/imports/:id', guard, importPage);
  router.get('/imports/:id/errors.csv', guard, importErrorFile);
  return router;
}

type PageContext = Context<AppBindings>;

async function importsListPage(c: PageContext) {
  const page = pageNumber(c.req.query('page'));
  const rows = await listImports({
    ctx: orgCtx(c),
    input: { limit: PAGE_SIZE + 1, offset: (page - 1) * PAGE_SIZE },
  });
  return renderPage(
    c,
    'Imports',
    <ImportsList rows={rows.slice(0, PAGE_SIZE)} page={page} hasNext={rows.length > PAGE_SIZE} />,
  );
}

function showNew(c: PageContext, state: NewImportState, status: 200 | 400 | 413 | 422 = 200) {
  return renderPage(c, 'New import', <NewImportForm state={state} csrfToken={c.get('csrfToken')} />, status);
}

const expiredUpload = (c: PageContext) =>
  showNew(
    c,
    { errors: { form: 'That upload has expired (uploads are kept for an hour). Choose the file again.' } },
    400,
  );

/** A new file, or a new look at a stashed one with a changed mapping. */
async function previewPost(c: PageContext) {
  const form = await c.req.parseBody();
  const mode = modeOf(form.mode);
  const kind = kindOf(form.kind);
  const token = text(form.token);
  if (token) {
    const upload = await readUpload(owner(c), token);
    if (!upload) return expiredUpload(c);
    const mapping = kind ? mappingFromForm(form, kind) : undefined;
    return previewOf(c, upload, kind, mapping, mode);
  }
  const file = form.file;
  if (file instanceof File && file.size > 0) return previewNewFile(c, file, kind, mode);
  const sheetUrl = text(form.sheetUrl);
  if (sheetUrl) {
    const sheetError =
      'Importing straight from a Google Sheet link is not available on this server yet. In the sheet choose File → Download → Comma-separated values, then upload that file.';
    return showNew(c, { kind: kind ?? '', mode, sheetUrl, errors: { sheetUrl: sheetError } }, 400);
  }
  return showNew(
    c,
    {
      kind: kind ?? '',
      mode,
      errors: { file: 'Choose a CSV file to upload, or paste the link of a Google Sheet.' },
    },
    400,
  );
}

/** An uploaded file within the size limit is stashed (for the mapping form and the apply) and previewed. */
async function previewNewFile(c: PageContext, file: File, kind: ImportKind | undefined, mode: ImportMode) {
  const { env } = c.get('deps');
  if (file.size > env.UPLOAD_MAX_BYTES) {
    return showNew(
      c,
      {
        kind: kind ?? '',
        mode,
        errors: {
          file: `The file is ${num(file.size)} bytes; the limit is ${num(env.UPLOAD_MAX_BYTES)}. Split it into smaller files.`,
        },
      },
      413,
    );
  }
  const bytes = new Uint8Array(await file.arrayBuffer());
  const stashed = await stashUpload(owner(c), file.name || 'upload.csv', bytes);
  return previewOf(c, { token: stashed, name: file.name || 'upload.csv', bytes }, kind, undefined, mode);
}

interface StashedUpload {
  token: string;
  name: string;
  bytes: Uint8Array;
}

/** The preview of a stashed file; a whole-file problem shows the mapping form with the problem instead. */
async function previewOf(
  c: PageContext,
  upload: StashedUpload,
  kind: ImportKind | undefined,
  mapping: ColumnMappingInput | undefined,
  mode: ImportMode,
) {
  try {
    const report = await previewImport({
      ctx: orgCtx(c),
      input: {
        source: upload.bytes,
        ...(kind ? { kind } : {}),
        ...(mapping ? { mapping } : {}),
        maxRows: c.get('deps').env.IMPORT_MAX_ROWS,
      },
    });
    const props: PreviewProps = {
      ...previewBase(c, upload, mode),
      report,
      mapping: report.mapping,
      header: report.header,
    };
    return renderPage(c, 'Import preview', <PreviewPage {...props} />);
  } catch (error) {
    if (!(error instanceof ImportFileError)) throw error;
    return previewProblem(c, error, upload, kind, mapping, mode);
  }
}

const previewBase = (c: PageContext, upload: StashedUpload, mode: ImportMode) => ({
  csrfToken: c.get('csrfToken'),
  token: upload.token,
  name: upload.name,
  mode,
  shownErrors: SHOWN_ERRORS,
});

/** The mapping form for a file the preview could not read: the suggested (or the person's) mapping and the problem. */
async function previewProblem(
  c: PageContext,
  error: ImportFileError,
  upload: StashedUpload,
  kind: ImportKind | undefined,
  mapping: ColumnMappingInput | undefined,
  mode: ImportMode,
) {
  const data = ((error.details as { data?: Record<string, unknown> } | undefined)?.data ?? {}) as {
    header?: string[];
    suggestedMapping?: ColumnMapping;
  };
  const fallbackKind = kind ?? 'accounts';
  const shown: ColumnMapping =
    data.suggestedMapping ??
    ({
      kind: mapping?.kind ?? fallbackKind,
      columns: mapping?.columns ?? {},
      options: mappingOptionsSchema.parse(mapping?.options ?? {}),
    } as ColumnMapping);
  const header = data.header ?? (await headerOf(upload.bytes));
  if (header.length === 0) {
    return showNew(c, { kind: kind ?? '', mode, errors: { form: error.message, hint: error.hint } }, 422);
  }
  const props: PreviewProps = {
    ...previewBase(c, upload, mode),
    mapping: shown,
    header,
    problem: { message: error.message, hint: error.hint },
  };
  return renderPage(c, 'Import preview', <PreviewPage {...props} />, 422);
}

async function previewErrorFile(c: PageContext) {
  const upload = await readUpload(owner(c), c.req.param('token') ?? '');
  if (!upload) throw new AppError('NOT_FOUND', 'That upload has expired; preview the file again.');
  const report = await previewImport({
    ctx: orgCtx(c),
    input: { source: upload.bytes, maxRows: c.get('deps').env.IMPORT_MAX_ROWS, previewRows: 0 },
  });
  const body = toCsv(
    ['row', 'column', 'field', 'value', 'reason', 'hint'],
    report.errors.map((e) => [e.row, e.column, e.field, e.value, e.reason, e.hint]),
  );
  c.header('Content-Type', 'text/csv; charset=utf-8');
  c.header('Content-Disposition', `attachment; filename="problems-${safeName(upload.name)}"`);
  return c.body(body);
}

/** The mapping and header the preview form carried (absent when a hidden field was tampered with). */
function appliedMapping(form: Record<string, unknown>): {
  mapping: ColumnMappingInput | undefined;
  header: string[] | undefined;
} {
  try {
    return {
      mapping: JSON.parse(text(form.mapping)) as ColumnMappingInput,
      header: JSON.parse(text(form.header)) as string[],
    };
  } catch {
    return { mapping: undefined, header: undefined };
  }
}

async function applyPost(c: PageContext) {
  const form = await c.req.parseBody();
  const who = owner(c);
  const token = text(form.token);
  const upload = await readUpload(who, token);
  if (!upload) return expiredUpload(c);
  const { mapping, header } = appliedMapping(form);
  const ctx = orgCtx(c);
  const saveAs = text(form.saveAs).slice(0, 100);
  if (saveAs && mapping) {
    await saveColumnMapping({ ctx, input: { name: saveAs, mapping, ...(header ? { header } : {}) } });
  }
  const state = startTracking(token, { ...who, name: upload.name });
  const { env, logger } = c.get('deps');
  // Applied in the background so a large file shows progress; the import record is the lasting outcome.
  void applyImport({
    ctx,
    input: {
      source: upload.bytes,
      sourceName: upload.name,
      sourceKind: upload.sourceKind,
      ...(mapping ? { mapping, kind: mapping.kind } : {}),
      mode: modeOf(form.mode),
      expectedSha256: text(form.sha256) || undefined,
      maxRows: env.IMPORT_MAX_ROWS,
      onProgress: (p) => {
        state.progress = p;
      },
    },
  })
    .then((outcome) => {
      state.outcome = outcome;
    })
    .catch((error: unknown) => {
      state.error =
        error instanceof AppError
          ? error.message
          : 'The import failed unexpectedly; nothing was written. Try again, or report it with the time.';
      if (!(error instanceof AppError)) logger.error('import apply failed', { error: String(error) });
    });
  return c.redirect(`/imports/progress/${token}`, 303);
}

function progressPage(c: PageContext) {
  const token = c.req.param('token') ?? '';
  const state = tracked(token, owner(c));
  if (!state)
    throw new AppError('NOT_FOUND', 'No import is running under that link; see the list of imports.');
  if (hxTargetId(c) === 'import-progress') return c.html(<ProgressBox token={token} state={state} />);
  return renderPage(c, 'Importing', <ProgressPage token={token} state={state} />);
}

/** The import's id from the path; anything but a UUID is a page that does not exist. */
function importId(c: PageContext): string {
  const id = c.req.param('id') ?? '';
  if (!UUID.test(id)) throw new AppError('NOT_FOUND', 'That import does not exist.');
  return id;
}

async function importPage(c: PageContext) {
  const id = importId(c);
  const ctx = orgCtx(c);
  const page = pageNumber(c.req.query('page'));
  const summary = await getImport({ ctx, input: { importId: id } });
  const { total, errors } = await listImportErrors({
    ctx,
    input: { importId: id, limit: PAGE_SIZE, offset: (page - 1) * PAGE_SIZE },
  });
  const content = (
    <ImportDetail summary={summary} errors={errors} total={total} page={page} pageSize={PAGE_SIZE} />
  );
  if (isFragmentRequest(c)) return c.html(content);
  return renderPage(c, summary.sourceName ?? 'Import', content);
}

async function importErrorFile(c: PageContext) {
  const id = importId(c);
  const csv = await getImportErrorFile({ ctx: orgCtx(c), input: { importId: id } });
  if (!csv) throw new AppError('NOT_FOUND', 'This import has no errors, so it has no error file.');
  c.header('Content-Type', 'text/csv; charset=utf-8');
  c.header('Content-Disposition', `attachment; filename="import-${id.slice(0, 8)}-errors.csv"`);
  return c.body(csv);
}

function num(n: number) {
  return n.toLocaleString('en-US');
}

function safeName(name: string) {
  return name.replace(/[^A-Za-z0-9._-]+/g, '_').slice(0, 80) || 'file.csv';
}

/** The header row of a file, for the mapping form when the layout is unknown and the error carries none. */
async function headerOf(bytes: Uint8Array): Promise<string[]> {
  const firstLine = new TextDecoder('utf-8').decode(bytes.subarray(0, 64 * 1024)).split(/\r?\n/)[0] ?? '';
  const delimiter = [',', ';', '\t', '|'].sort(
    (a, b) => firstLine.split(b).length - firstLine.split(a).length,
  )[0]!;
  return firstLine
    .replace(/^\uFEFF/, '')
    .split(delimiter)
    .map((h) => h.trim().replace(/^"|"$/g, ''))
    .filter(Boolean);
}
