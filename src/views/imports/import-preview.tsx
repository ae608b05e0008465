/** The preview of an import: the column mapping, every row error and the first records as they will be stored. */
import { FIELDS } from '../../import/fields.ts';
import type { ColumnMapping } from '../../import/mapping.ts';
import type { ScanReport } from '../../import/scan.ts';
import { IMPORT_KINDS } from '../../import/types.ts';
import { DATE_FORMATS } from '../../import/values/dates.ts';
import { CsrfField } from '../layout.tsx';
import { Crumbs, Stat } from '../shared/components.tsx';
import { num } from '../shared/format.ts';
import { ErrorsTable } from './import-errors-table.tsx';
import { KIND_LABELS, presetLabel } from './import-labels.ts';
import { ModeChoice } from './new-import-form.tsx';

const DATE_LABELS: Record<string, string> = {
  iso: 'ISO (2026-03-31)',
  us: 'US (03/31/2026; ISO 2026-03-31 is read too)',
  eu: 'EU (31/03/2026; ISO 2026-03-31 is read too)',
};

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

function PreviewRecords({ report }: { report: ScanReport }) {
  if (report.preview.length === 0) return null;
  const rows = report.preview.map((r) => new Map<string, unknown>(Object.entries(r)));
  const keys = [...(rows[0]?.keys() ?? [])].filter((k) => k !== 'row' && k !== 'custom').slice(0, 8);
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
                  <td>{cell(r.get(k))}</td>
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
        {report && <PreviewSummary report={report} />}
      </section>
      {report && report.errors.length > 0 && (
        <PreviewErrors report={report} token={token} shownErrors={shownErrors} />
      )}
      {report && report.summary.noAmount > 0 && <BlankAmounts report={report} />}
      {report && <PreviewRecords report={report} />}
      <section class="card" aria-labelledby="mapping-title">
        <h2 id="mapping-title">Column mapping</h2>
        <MappingForm {...props} />
      </section>
      {report && <ApplyForm report={report} token={token} csrfToken={csrfToken} mode={mode} />}
    </>
  );
}

/** What the file holds: its layout and kind, the rows read, valid and rejected, and what was skipped. */
function PreviewSummary({ report }: { report: ScanReport }) {
  return (
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
        {report.file.delimiter === '\t' ? 'tab' : report.file.delimiter}”, {num(report.file.bytes)} bytes
        {report.summary.blankRows > 0 && `, ${num(report.summary.blankRows)} blank line(s) skipped`}.
      </p>
      {report.summary.noRevenue > 0 && (
        <p id="no-revenue">
          {num(report.summary.noRevenue)} account(s) have no revenue: stored as unknown, not as 0. A run
          counts unknown revenue as its rules say ($0 by default, or the median known revenue with
          targets.unknownRevenue: median); the book lists these accounts.
        </p>
      )}
      {report.summary.footerLines > 0 && (
        <p id="footer-skipped">
          {num(report.summary.footerLines)} footer line(s) skipped: the report's closing lines (title,
          copyright, “Generated By”…) after the data are not rows.
        </p>
      )}
    </>
  );
}

/** Opportunities whose amount is blank: imported with the amount unknown (not $0), each by row and column. */
function BlankAmounts({ report }: { report: ScanReport }) {
  const { noAmount } = report.summary;
  return (
    <section class="card" aria-labelledby="no-amount-title">
      <h2 id="no-amount-title">{num(noAmount)} opportunity(ies) with a blank amount, imported as unknown</h2>
      <p id="no-amount">
        Their amount is stored as unknown, not as $0: pages show “unknown”, totals leave them out, and no
        deal-size segment of a commission run takes them (the next segment or the default does). Enter the
        amounts in the CRM and import its export again once they are known.
        {report.warnings.length < noAmount && ` The first ${num(report.warnings.length)} are listed.`}
      </p>
      <ErrorsTable id="row-warnings" errors={report.warnings} caption="Rows imported with a blank amount" />
    </section>
  );
}

/** The row errors, the first `shownErrors` of them on the page and every one as a CSV file. */
function PreviewErrors({
  report,
  token,
  shownErrors,
}: {
  report: ScanReport;
  token: string;
  shownErrors: number;
}) {
  return (
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
  );
}

/** The apply form: the mode, the mapping to save, and why applying is blocked when it is. */
function ApplyForm({
  report,
  token,
  csrfToken,
  mode,
}: {
  report: ScanReport;
  token: string;
  csrfToken: string;
  mode?: string | undefined;
}) {
  const canApply = (report.errors.length === 0 || mode === 'valid-rows-only') && report.summary.valid > 0;
  return (
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
            <input id="save-mapping" name="saveAs" type="text" maxlength={100} aria-describedby="save-hint" />
            <p class="hint" id="save-hint">
              The next file with the same columns is mapped the same way.
            </p>
          </>
        )}
        {report.summary.valid === 0 && (
          <p class="field-error" id="apply-blocked">
            No row of this file can be imported as it is: fix the problems listed above and upload it again.
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
  );
}
