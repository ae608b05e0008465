/**
 * The dashboard: who is signed in, the queue of runs waiting for someone (with bulk cancel), every run with
 * filters and search (paginated), reps leaving soon with a "Reassign this book" link, and recent imports.
 */
import type { Principal } from '../../auth/principal.ts';
import type { LeavingRep, RunListFilter, RunListRow } from '../../services/dashboard/dashboard.ts';
import type { ImportSummaryRow } from '../../services/imports/import-history.ts';
import { RUN_STATUSES } from '../../workflow/run-status.ts';
import { CsrfField, principalLabel, roleLabel } from '../layout.tsx';
import { Pager, query, StatusBadge } from '../shared/components.tsx';
import { kindLabel, num, RUN_KIND_LABELS, statusLabel, when } from '../shared/format.ts';
import { canDraft, ImportsSection, LeavingSection } from './home-sections.tsx';

function RunLink({ run }: { run: RunListRow }) {
  return <a href={`/runs/${run.id}`}>{run.reason}</a>;
}

export function RunsTable({ runs }: { runs: RunListRow[] }) {
  if (runs.length === 0) {
    return (
      <p class="empty" id="runs-empty">
        No runs yet. A run plans one reassignment — a departure, a realignment or a starter book — from import
        to commit.
      </p>
    );
  }
  return (
    <table id="runs-table">
      <caption class="muted">Most recent first</caption>
      <thead>
        <tr>
          <th scope="col">Started</th>
          <th scope="col">Kind</th>
          <th scope="col">Reason</th>
          <th scope="col">Status</th>
          <th scope="col" class="num">
            Accounts
          </th>
          <th scope="col" class="num">
            Moving
          </th>
        </tr>
      </thead>
      <tbody>
        {runs.map((run) => (
          <tr>
            <td>{when(run.createdAt)}</td>
            <td>{kindLabel(run.kind)}</td>
            <td>
              <RunLink run={run} />
              {run.draftedBy && <span class="muted small"> · drafted by {run.draftedBy}</span>}
            </td>
            <td>
              <StatusBadge status={run.status} />
            </td>
            <td class="num">{num(run.accounts)}</td>
            <td class="num">{num(run.moving)}</td>
          </tr>
        ))}
      </tbody>
    </table>
  );
}

export interface RunsSectionProps {
  filter: RunListFilter;
  total: number;
  runs: RunListRow[];
  /** No run at all in the org (not just none matching the filter). */
  anyRuns: boolean;
}

/** The filtered runs list: the htmx target of the filter form and the pager. */
export function RunsSection({ filter, total, runs, anyRuns }: RunsSectionProps) {
  const href = (page: number) =>
    `/${query({ q: filter.q, status: filter.status, kind: filter.kind, page: page > 1 ? page : undefined })}`;
  return (
    <div id="runs-list">
      {anyRuns && runs.length === 0 ? (
        <p class="empty" id="runs-none-match">
          No run matches these filters. <a href="/">Clear the filters</a>
        </p>
      ) : (
        <RunsTable runs={runs} />
      )}
      {total > filter.pageSize && (
        <Pager href={href} page={filter.page} pageSize={filter.pageSize} total={total} target="#runs-list" />
      )}
    </div>
  );
}

function FilterForm({ filter }: { filter: RunListFilter }) {
  return (
    <form
      method="get"
      action="/"
      class="filters"
      aria-label="Filter runs"
      hx-get="/"
      hx-target="#runs-list"
      hx-swap="outerHTML"
      hx-trigger="submit, change, input delay:400ms from:#runs-q"
      hx-push-url="true"
    >
      <div>
        <label for="runs-q">Search</label>
        <input id="runs-q" name="q" type="search" value={filter.q ?? ''} placeholder="Reason or run id" />
      </div>
      <div>
        <label for="runs-status">Status</label>
        <select id="runs-status" name="status">
          <option value="">Any status</option>
          {RUN_STATUSES.map((s) => (
            <option value={s} selected={filter.status === s}>
              {statusLabel(s)}
            </option>
          ))}
        </select>
      </div>
      <div>
        <label for="runs-kind">Kind</label>
        <select id="runs-kind" name="kind">
          <option value="">Any kind</option>
          {Object.entries(RUN_KIND_LABELS).map(([k, label]) => (
            <option value={k} selected={filter.kind === k}>
              {label}
            </option>
          ))}
        </select>
      </div>
      <div class="filters-submit">
        <button type="submit" class="secondary">
          Filter
        </button>
      </div>
    </form>
  );
}

/** What a queued run is waiting for, in words. */
function waitingFor(run: RunListRow): string {
  switch (run.status) {
    case 'solving':
      return 'The solver is working';
    case 'solved':
    case 'in_review':
      return run.openBlocking > 0
        ? `Review: ${run.openBlocking} blocking conflict(s) to resolve`
        : 'Review, then a manager approves';
    case 'approved':
      return 'A manager commits';
    case 'committing':
      return 'Commit in progress';
    case 'failed':
      return 'Failed: look at the run, solve again or cancel';
    default:
      return '';
  }
}

export function QueueSection({
  queue,
  principal,
  csrfToken,
  notice,
  error,
}: {
  queue: RunListRow[];
  principal: Principal;
  csrfToken: string;
  notice?: string | undefined;
  error?: string | undefined;
}) {
  const bulk = canDraft(principal);
  return (
    <section class="card" aria-labelledby="queue-title" id="queue">
      <h2 id="queue-title">Pending reassignments</h2>
      {notice && (
        <p class="alert success" role="status">
          {notice}
        </p>
      )}
      {error && (
        <p class="alert error" role="alert">
          {error}
        </p>
      )}
      {queue.length === 0 ? (
        <p class="muted" id="queue-empty">
          Nothing is waiting: no run is being solved, reviewed, approved or committed.
        </p>
      ) : (
        <form
          method="post"
          action="/runs/bulk-cancel"
          hx-post="/runs/bulk-cancel"
          hx-target="#queue"
          hx-swap="outerHTML"
          hx-confirm="Cancel the selected runs? They stop here and cannot be resumed."
        >
          <CsrfField token={csrfToken} />
          <QueueTable queue={queue} bulk={bulk} />
          {bulk && (
            <div class="bulk-actions">
              <label for="bulk-reason">Reason for cancelling (required)</label>
              <input id="bulk-reason" name="reason" type="text" maxlength={500} />
              <button type="submit" class="danger">
                Cancel selected runs
              </button>
            </div>
          )}
        </form>
      )}
    </section>
  );
}

/** The runs waiting for a person, with a box each for the bulk cancel when the principal may draft. */
function QueueTable({ queue, bulk }: { queue: RunListRow[]; bulk: boolean }) {
  return (
    <table id="queue-table">
      <thead>
        <tr>
          {bulk && (
            <th scope="col">
              <span class="visually-hidden">Select</span>
            </th>
          )}
          <th scope="col">Run</th>
          <th scope="col">Status</th>
          <th scope="col">Waiting for</th>
          <th scope="col" class="num">
            Moving
          </th>
        </tr>
      </thead>
      <tbody>
        {queue.map((run) => (
          <tr>
            {bulk && (
              <td>
                <input
                  type="checkbox"
                  name="runId"
                  value={run.id}
                  id={`q-${run.id}`}
                  aria-label={`Select “${run.reason}”`}
                  disabled={run.status === 'committing'}
                />
              </td>
            )}
            <td>
              <a href={`/runs/${run.id}`}>{run.reason}</a>
              <div class="muted small">{kindLabel(run.kind)}</div>
            </td>
            <td>
              <StatusBadge status={run.status} />
            </td>
            <td>{waitingFor(run)}</td>
            <td class="num">{num(run.moving)}</td>
          </tr>
        ))}
      </tbody>
    </table>
  );
}

export interface DashboardProps {
  principal: Principal;
  csrfToken: string;
  runs: RunsSectionProps;
  queue: RunListRow[];
  leaving: LeavingRep[];
  imports: ImportSummaryRow[];
  notice?: string | undefined;
  error?: string | undefined;
}

export function HomeContent({
  principal,
  csrfToken,
  runs,
  queue,
  leaving,
  imports,
  notice,
  error,
}: DashboardProps) {
  return (
    <>
      <div class="page-head">
        <div>
          <h1 id="who-title">{principal.orgName}</h1>
          <dl class="facts inline" id="signed-in">
            <dt>Signed in as</dt>
            <dd>
              {principalLabel(principal)}
              {principal.email && ` (${principal.email})`}
            </dd>
            <dt>Role</dt>
            <dd>
              <span class="badge">{roleLabel(principal.role)}</span>
            </dd>
          </dl>
        </div>
        {canDraft(principal) && (
          <a class="button" href="/runs/new" id="start-run">
            Start a run
          </a>
        )}
      </div>
      <QueueSection queue={queue} principal={principal} csrfToken={csrfToken} notice={notice} error={error} />
      <section class="card" aria-labelledby="runs-title">
        <h2 id="runs-title">Runs</h2>
        <FilterForm filter={runs.filter} />
        <RunsSection {...runs} />
      </section>
      <div class="columns">
        <LeavingSection reps={leaving} principal={principal} />
        <ImportsSection imports={imports} principal={principal} />
      </div>
    </>
  );
}
