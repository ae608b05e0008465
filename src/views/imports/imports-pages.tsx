/** The import pages: list, new import (upload or Google Sheet link), preview with mapping and every row error, progress, result. */
import { FIELDS } from '../../import/fields.ts';
import type { ColumnMapping } from '../../import/mapping.ts';
import { PRESETS } from '../../import/presets.ts';
import type { ScanReport } from '../../import/scan.ts';
import { IMPORT_KINDS, type ImportKind, type RowError } from '../../import/types.ts';
import { DATE_FORMATS } from '../../import/values/dates.ts';
import type { ImportSummaryRow, StoredRowError } from '../../services/imports/import-history.ts';
import { CsrfField } from '../layout.tsx';
import { Crumbs, describedBy, FieldError, Pager, Stat } from '../shared/components.tsx';
import { num, when } from '../shared/format.ts';
import type { ApplyState } from './import-progress.ts';

export const KIND_LABELS: Record<ImportKind, string> = {
  accounts: 'Accounts (the book)',
  reps: 'Reps (the roster)',
  opportunities: 'Opportunities (with splits)',
  splits: 'Commission splits',
  schedules: 'Revenue schedules',
};

const DATE_LABELS: Record<string, string> = {
  iso: 'ISO (2026-03-31)',
  us: 'US (03/31/2026; ISO 2026-03-31 is read too)',
  eu: 'EU (31/03/2026; ISO 2026-03-31 is read too)',
};

export function presetLabel(id: string | null) {
  if (!id) return 'Custom mapping';
  return PRESETS.find((p) => p.id === id)?.label ?? id;
}

function ImportRow({ i }: { i: ImportSummaryRow }) {
  return (
    <tr>
      <td>{when(i.createdAt)}</td>
      <td>
        <a href={`/imports/${i.id}`}>{i.sourceName ?? '(no name)'}</a>
      </td>
      <td>{KIND_LABELS[i.kind] ?? i.kind}</td>
      <td>{presetLabel(i.preset)}</td>
      <td>
        <span class={`badge import-${i.status}`}>{i.status}</span>
      </td>
      <td class="num">{num(i.rowsRead)}</td>
      <td class="num">{num(i.rowsInserted)}</td>
      <td class="num">{num(i.rowsUpdated)}</td>
      <td class="num">{num(i.rowsRejected)}</td>
    </tr>
  );
}

export function ImportsList({
  rows,
  page,
  hasNext,
}: {
  rows: ImportSummaryRow[];
  page: number;
  hasNext: boolean;
}) {
  return (
    <>
      <div class="page-head">
        <h1>Imports</h1>
        <a class="button" href="/imports/new">
          New import
        </a>
      </div>
      <section class="card">
        {rows.length === 0 ? (
          <p class="empty">
            No imports yet. Import the book (accounts), the roster (reps) or open opportunities.
          </p>
        ) : (
          <div class="table-wrap">
            <table id="imports-table">
              <thead>
                <tr>
                  <th scope="col">When</th>
                  <th scope="col">File or sheet</th>
                  <th scope="col">Kind</th>
                  <th scope="col">Layout</th>
                  <th scope="col">Status</th>
                  <th scope="col" class="num">
                    Rows
                  </th>
                  <th scope="col" class="num">
                    New
                  </th>
                  <th scope="col" class="num">
                    Updated
                  </th>
                  <th scope="col" class="num">
                    Rejected
                  </th>
                </tr>
              </thead>
              <tbody>
                {rows.map((i) => (
                  <ImportRow i={i} />
                ))}
              </tbody>
            </table>
          </div>
        )}
        <nav class="pager" aria-label="Pages">
          {page > 1 && <a href={`/imports?page=${page - 1}`}>← Newer</a>}
          {hasNext && <a href={`/imports?page=${page + 1}`}>Older →</a>}
        </nav>
      </section>
    </>
  );
}

export interface NewImportState {
  kind?: string;
  mode?: string;
  sheetUrl?: string;
  errors?: { file?: string; sheetUrl?: string; form?: string; hint?: string };
}

export function NewImportForm({ state, csrfToken }: { state: NewImportState; csrfToken: string }) {
  const errors = state.errors ?? {};
  return (
    <>
      <Crumbs items={[{ href: '/imports', label: 'Imports' }, { label: 'New import' }]} />
      <section class="card" aria-labelledby="new-import-title">
        <h1 id="new-import-title">Import a file or a Google Sheet</h1>
        <p class="muted">
          CSV exports of Salesforce (report or Data Loader), HubSpot and Dynamics are recognised from their
          header row; any other layout is mapped once and remembered. Nothing is written until you apply the
          preview.
        </p>
        {errors.form && (
          <div class="alert error" role="alert" id="form-error">
            <p>{errors.form}</p>
            {errors.hint && <p>{errors.hint}</p>}
          </div>
        )}
        <form method="post" action="/imports/preview" enctype="multipart/form-data" id="new-import-form">
          <CsrfField token={csrfToken} />
          <fieldset>
            <legend>Where the data comes from</legend>
            <label for="import-file">CSV file</label>
            <input
              id="import-file"
              name="file"
              type="file"
              accept=".csv,.txt,text/csv"
              {...describedBy('import-file', errors.file, true)}
            />
            <p class="hint" id="import-file-hint">
              Comma, semicolon or tab separated; UTF-8 or Latin-1.
            </p>
            <FieldError id="import-file" message={errors.file} />
            <label for="sheet-url">…or the link of a shared Google Sheet</label>
            <input
              id="sheet-url"
              name="sheetUrl"
              type="url"
              value={state.sheetUrl ?? ''}
              placeholder="https://docs.google.com/spreadsheets/d/…/edit#gid=0"
              {...describedBy('sheet-url', errors.sheetUrl, true)}
            />
            <p class="hint" id="sheet-url-hint">
              Share the sheet as “anyone with the link can view”; the tab in the link is the one imported.
            </p>
            <FieldError id="sheet-url" message={errors.sheetUrl} />
          </fieldset>
          <label for="import-kind">What the file holds</label>
          <select id="import-kind" name="kind">
            <option value="">Detect from the header row</option>
            {IMPORT_KINDS.map((k) => (
              <option value={k} selected={state.kind === k}>
                {KIND_LABELS[k]}
              </option>
            ))}
          </select>
          <ModeChoice mode={state.mode} />
          <div class="actions">
            <button type="submit">Preview</button>
            <a href="/imports">Cancel</a>
          </div>
        </form>
      </section>
    </>
  );
}

function ModeChoice({ mode }: { mode?: string | undefined }) {
  return (
    <fieldset>
      <legend>When some rows have errors</legend>
      <label class="choice">
        <input type="radio" name="mode" value="all-or-nothing" checked={mode !== 'valid-rows-only'} />
        <span>
          <strong>Import nothing</strong> — fix the file and import it again (recommended)
        </span>
      </label>
      <label class="choice">
        <input type="radio" name="mode" value="valid-rows-only" checked={mode === 'valid-rows-only'} />
        <span>
          <strong>Import the valid rows</strong> and keep the rejected ones in the error file
        </span>
      </label>
    </fieldset>
  );
}

export interface PreviewProps {
  csrfToken: string;
  token: string;
  name: string;
  mode: string;
  /** The report when the file could be read with the mapping. */
  report?: ScanReport;
  /** The mapping to show in the form (the report's, or a suggestion for an unknown layout). */
  mapping: ColumnMapping;
  header: string[];
  /** A whole-file problem (unknown layout, missing columns…). */
  problem?: { message: string; hint?: string };
  shownErrors: number;
}

function MappingForm({ csrfToken, token, mode, mapping, header }: PreviewProps) {
  const fields = FIELDS[mapping.kind];
  return (
    <form method="post" action="/imports/preview" id="mapping-form">
      <CsrfField token={csrfToken} />
      <input type="hidden" name="token" value={token} />
      <input type="hidden" name="mode" value={mode} />
      <input type="hidden" name="options" value={JSON.stringify(mapping.options)} />
      <label for="map-kind">What the file holds</label>
      <select id="map-kind" name="kind">
        {IMPORT_KINDS.map((k) => (
          <option value={k} selected={mapping.kind === k}>
            {KIND_LABELS[k]}
          </option>
        ))}
      </select>
      <div class="table-wrap">
        <table id="mapping-table">
          <caption class="muted">
            Which column of the file feeds each field (required fields are marked)
          </caption>
          <thead>
            <tr>
              <th scope="col">Field</th>
              <th scope="col">Column of the file</th>
              <th scope="col">What it is</th>
            </tr>
          </thead>
          <tbody>
            {fields.map((f) => (
              <tr>
                <td>
                  <label for={`col-${f.key}`} class="inline-label">
                    <code>{f.key}</code>
                    {f.required && <span class="badge blocking">required</span>}
                  </label>
                </td>
                <td>
                  <select id={`col-${f.key}`} name={`col_${f.key}`}>
                    <option value="">— not in this file —</option>
                    {header
                      .filter((h) => h !== '')
                      .map((h) => (
                        <option value={h} selected={mapping.columns[f.key] === h}>
                          {h}
                        </option>
                      ))}
                  </select>
                </td>
                <td class="muted small">{f.description}</td>
              </tr>
            ))}
          </tbody>
        </table>
      </div>
      <label for="date-format">Dates in the file are written as</label>
      <select id="date-format" name="dateFormat">
        {DATE_FORMATS.map((d) => (
          <option value={d} selected={mapping.options.dateFormat === d}>
            {DATE_LABELS[d] ?? d}
          </option>
        ))}
      </select>
      <div class="actions">
        <button type="submit" class="secondary">
          Preview again with this mapping
        </button>
      </div>
    </form>
  );
}

export function ErrorsTable({
  errors,
  caption,
}: {
  errors: readonly (RowError | StoredRowError)[];
  caption: string;
}) {
  return (
    <div class="table-wrap">
      <table id="row-errors">
        <caption class="muted">{caption}</caption>
        <thead>
          <tr>
            <th scope="col" class="num">
              Row
            </th>
            <th scope="col">Column</th>
            <th scope="col">Value</th>
            <th scope="col">What is wrong, and what to do</th>
          </tr>
        </thead>
        <tbody>
          {errors.map((e) => (
            <tr>
              <td class="num">{e.row}</td>
              <td>{e.column || '(whole row)'}</td>
              <td>
                <code>{e.value ?? ''}</code>
              </td>
              <td>
                {e.reason}
                {'hint' in e && e.hint && <div class="muted small">{e.hint}</div>}
              </td>
            </tr>
          ))}
        </tbody>
      </table>
    </div>
  );
}

function PreviewRecords({ report }: { report: ScanReport }) {
  if (report.preview.length === 0) return null;
  const rows = report.preview as unknown as Record<string, unknown>[];
  const keys = Object.keys(rows[0] ?? {})
    .filter((k) => k !== 'row' && k !== 'custom')
    .slice(0, 8);
  const cell = (v: unknown) =>
    v === null || v === undefined ? '' : typeof v === 'object' ? JSON.stringify(v) : String(v);
  return (
    <details>
      <summary>The first {rows.length} records as they will be stored</summary>
      <div class="table-wrap">
        <table id="preview-records">
          <thead>
            <tr>
              {keys.map((k) => (
                <th scope="col">{k}</th>
              ))}
            </tr>
          </thead>
          <tbody>
            {rows.map((r) => (
              <tr>
                {keys.map((k) => (
                  <td>{cell(r[k])}</td>
                ))}
              </tr>
            ))}
          </tbody>
        </table>
      </div>
    </details>
  );
}

export function PreviewPage(props: PreviewProps) {
  const { report, problem, name, token, csrfToken, mode, shownErrors } = props;
  const canApply =
    report && (report.errors.length === 0 || mode === 'valid-rows-only') && report.summary.valid > 0;
  return (
    <>
      <Crumbs
        items={[
          { href: '/imports', label: 'Imports' },
          { href: '/imports/new', label: 'New import' },
          { label: 'Preview' },
        ]}
      />
      <section class="card" aria-labelledby="preview-title">
        <h1 id="preview-title">Preview of “{name}”</h1>
        <p class="muted">Nothing has been written yet.</p>
        {problem && (
          <div class="alert error" role="alert" id="file-problem">
            <p>{problem.message}</p>
            {problem.hint && <p>{problem.hint}</p>}
          </div>
        )}
        {report && (
          <>
            <dl class="stats" id="preview-summary">
              <Stat label="Detected layout" valueId="detected-preset">
                {presetLabel(report.presetId)}
              </Stat>
              <Stat label="Kind">{KIND_LABELS[report.kind]}</Stat>
              <Stat label="Rows read">{num(report.summary.rowsRead)}</Stat>
              <Stat label="Valid">{num(report.summary.valid)}</Stat>
              <Stat label="With errors">{num(report.summary.rejected)}</Stat>
            </dl>
            <p class="muted small">
              Encoding {report.file.encoding}, separator “
              {report.file.delimiter === '\t' ? 'tab' : report.file.delimiter}”, {num(report.file.bytes)}{' '}
              bytes
              {report.summary.blankRows > 0 && `, ${num(report.summary.blankRows)} blank line(s) skipped`}.
            </p>
            {report.summary.noRevenue > 0 && (
              <p id="no-revenue">
                {num(report.summary.noRevenue)} account(s) have no revenue: stored as unknown, not as 0 (the
                balance counts unknown revenue as 0; the book lists these accounts).
              </p>
            )}
            {report.summary.footerLines > 0 && (
              <p id="footer-skipped">
                {num(report.summary.footerLines)} footer line(s) skipped: the report's closing lines (title,
                copyright, “Generated By”…) after the data are not rows.
              </p>
            )}
          </>
        )}
      </section>
      {report && report.errors.length > 0 && (
        <section class="card" aria-labelledby="errors-title">
          <h2 id="errors-title">
            {num(report.errors.length)} problem(s) in {num(report.summary.rejected)} row(s)
          </h2>
          <p>
            Each problem names the row as your spreadsheet numbers it (the header is row 1).{' '}
            <a href={`/imports/preview/${token}/errors.csv`} download>
              Download every problem as a CSV file
            </a>
            {shownErrors < report.errors.length && ` (the first ${num(shownErrors)} are shown below)`}.
          </p>
          <ErrorsTable
            errors={report.errors.slice(0, shownErrors)}
            caption={`Row errors${shownErrors < report.errors.length ? ` (first ${shownErrors})` : ''}`}
          />
        </section>
      )}
      {report && <PreviewRecords report={report} />}
      <section class="card" aria-labelledby="mapping-title">
        <h2 id="mapping-title">Column mapping</h2>
        <MappingForm {...props} />
      </section>
      {report && (
        <section class="card" aria-labelledby="apply-title">
          <h2 id="apply-title">Apply</h2>
          <form method="post" action="/imports/apply" id="apply-form">
            <CsrfField token={csrfToken} />
            <input type="hidden" name="token" value={token} />
            <input type="hidden" name="sha256" value={report.file.sha256} />
            <input type="hidden" name="mapping" value={JSON.stringify(report.mapping)} />
            <input type="hidden" name="header" value={JSON.stringify(report.header)} />
            <ModeChoice mode={mode} />
            {!report.presetId && (
              <>
                <label for="save-mapping">Save this mapping as (optional)</label>
                <input
                  id="save-mapping"
                  name="saveAs"
                  type="text"
                  maxlength={100}
                  aria-describedby="save-hint"
                />
                <p class="hint" id="save-hint">
                  The next file with the same columns is mapped the same way.
                </p>
              </>
            )}
            {report.summary.valid === 0 && (
              <p class="field-error" id="apply-blocked">
                No row of this file can be imported as it is: fix the problems listed above and upload it
                again.
              </p>
            )}
            {!canApply && report.summary.valid > 0 && (
              <p class="field-error" id="apply-blocked">
                With “Import nothing” chosen, fix the rows above first — or choose “Import the valid rows”.
              </p>
            )}
            <div class="actions">
              <button type="submit" id="apply-button" disabled={report.summary.valid === 0}>
                {report.errors.length === 0 ? (
                  `Apply ${num(report.summary.valid)} row(s)`
                ) : (
                  <>
                    <span class="when-valid-rows">Apply the {num(report.summary.valid)} valid row(s)</span>
                    <span class="when-all-or-nothing">
                      Apply nothing ({num(report.summary.rejected)} row(s) have errors)
                    </span>
                  </>
                )}
              </button>
              <a href="/imports/new">Start over</a>
            </div>
          </form>
        </section>
      )}
    </>
  );
}

export function ProgressBox({ token, state }: { token: string; state: ApplyState }) {
  const done = state.outcome || state.error;
  const p = state.progress;
  const total = p?.total;
  return (
    <div
      id="import-progress"
      class="progress-box"
      aria-live="polite"
      {...(done
        ? {}
        : {
            'hx-get': `/imports/progress/${token}`,
            'hx-trigger': 'every 1s',
            'hx-target': 'this',
            'hx-swap': 'outerHTML',
          })}
    >
      {state.error ? (
        <p class="alert error" role="alert">
          {state.error}
        </p>
      ) : state.outcome ? (
        <>
          <p class={state.outcome.status === 'applied' ? 'alert success' : 'alert error'} id="import-outcome">
            {state.outcome.status === 'applied'
              ? `Imported: ${num(state.outcome.counts.inserted)} new, ${num(state.outcome.counts.updated)} updated, ${num(state.outcome.counts.unchanged)} unchanged, ${num(state.outcome.counts.rejected)} rejected.`
              : `Nothing was imported: ${state.outcome.failureReason ?? 'the file has errors.'}`}
          </p>
          <p>
            <a href={`/imports/${state.outcome.importId}`} id="import-result-link">
              See the import and its error file
            </a>{' '}
            · <a href="/">Back to the dashboard</a>
          </p>
        </>
      ) : (
        <>
          <p>
            {p?.phase === 'writing' ? 'Writing to the book' : 'Checking every row'}: {num(p?.rows ?? 0)}
            {total ? ` of ${num(total)}` : ''} row(s)…
          </p>
          {total ? <progress max={total} value={p?.rows ?? 0} /> : <progress />}
          <p class="muted small">
            This page updates itself. Without JavaScript, <a href={`/imports/progress/${token}`}>reload it</a>
            .
          </p>
        </>
      )}
    </div>
  );
}

export function ProgressPage({ token, state }: { token: string; state: ApplyState }) {
  return (
    <>
      <Crumbs items={[{ href: '/imports', label: 'Imports' }, { label: state.name }]} />
      <section class="card" aria-labelledby="progress-title">
        <h1 id="progress-title">Importing “{state.name}”</h1>
        <ProgressBox token={token} state={state} />
      </section>
    </>
  );
}

export function ImportDetail({
  summary,
  errors,
  total,
  page,
  pageSize,
}: {
  summary: ImportSummaryRow;
  errors: StoredRowError[];
  total: number;
  page: number;
  pageSize: number;
}) {
  return (
    <>
      <Crumbs items={[{ href: '/imports', label: 'Imports' }, { label: summary.sourceName ?? summary.id }]} />
      <section class="card" aria-labelledby="import-title">
        <h1 id="import-title">{summary.sourceName ?? 'Import'}</h1>
        <dl class="facts">
          <dt>Status</dt>
          <dd>
            <span class={`badge import-${summary.status}`}>{summary.status}</span>
            {summary.failureReason && ` — ${summary.failureReason}`}
          </dd>
          <dt>Kind</dt>
          <dd>{KIND_LABELS[summary.kind] ?? summary.kind}</dd>
          <dt>Layout</dt>
          <dd>{presetLabel(summary.preset)}</dd>
          <dt>When</dt>
          <dd>{when(summary.createdAt)}</dd>
          <dt>Rows</dt>
          <dd>
            {num(summary.rowsRead)} read · {num(summary.rowsInserted)} new · {num(summary.rowsUpdated)}{' '}
            updated · {num(summary.rowsUnchanged)} unchanged · {num(summary.rowsRejected)} rejected
          </dd>
          <dt>File identity</dt>
          <dd>
            <code class="small">sha256 {summary.fileHash.slice(0, 16)}…</code>
          </dd>
        </dl>
      </section>
      {total > 0 && (
        <section class="card" aria-labelledby="errors-title" id="import-errors">
          <h2 id="errors-title">{num(total)} row problem(s)</h2>
          <p>
            <a href={`/imports/${summary.id}/errors.csv`} download>
              Download the error file
            </a>{' '}
            — each rejected row as it was in the file, with its problems, ready to fix and import again.
          </p>
          <ErrorsTable errors={errors} caption="Row errors" />
          <Pager
            href={(p) => `/imports/${summary.id}?page=${p}`}
            page={page}
            pageSize={pageSize}
            total={total}
          />
        </section>
      )}
    </>
  );
}
