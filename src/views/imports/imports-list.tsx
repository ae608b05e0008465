/** The list of imports, and one import's result with its row errors. */
import type { ImportSummaryRow, StoredRowError } from '../../services/imports/import-history.ts';
import { Crumbs, Pager } from '../shared/components.tsx';
import { num, when } from '../shared/format.ts';
import { ErrorsTable } from './import-errors-table.tsx';
import { KIND_LABELS, presetLabel } from './import-labels.ts';

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
