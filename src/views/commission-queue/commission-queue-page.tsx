/**
 * The commission queue dashboard: counts per status, runs waiting for a person (bulk cancel), the item table with
 * bulk retry, and one item's history timeline.
 */
import type { Principal } from '../../auth/principal.ts';
import { CANCEL_ROLES } from '../../services/after/cancel-run.ts';
import type { QueuePage } from '../../services/commission-queue/list.ts';
import type { CancelRunsResult, RetryResult } from '../../services/commission-queue/retry.ts';
import type { QueueStatus } from '../../services/commission-queue/settle.ts';
import { QUEUE_STATUSES } from '../../services/commission-queue/settle.ts';
import { CsrfField } from '../layout.tsx';
import { Alert, Crumbs, Pager, query, StatusBadge } from '../shared/components.tsx';
import { COMMISSION_TYPE_LABELS, kindLabel, pct, when } from '../shared/format.ts';

export const QUEUE_STATUS_LABELS: Record<QueueStatus, string> = {
  pending: 'Pending',
  processing: 'Processing (retry run open)',
  complete: 'Complete',
  error: 'Error',
  rolled_back: 'Rolled back',
  cancelled: 'Cancelled',
};

export interface QueueFilterValues {
  status?: QueueStatus | undefined;
  runId?: string | undefined;
  page: number;
}

export interface QueueFlash {
  kind: 'error' | 'success';
  message: string;
  retried?: RetryResult['retried'];
  failed?: RetryResult['failed'];
  refused?: CancelRunsResult['refused'];
}

const hrefOf = (f: QueueFilterValues, page: number) =>
  `/commissions${query({ status: f.status, runId: f.runId, page: page > 1 ? page : undefined })}`;

export function ItemBadge({ status }: { status: QueueStatus }) {
  return <span class={`badge queue-${status.replaceAll('_', '-')}`}>{QUEUE_STATUS_LABELS[status]}</span>;
}

/** The item table (the htmx target of the filter and the pager). */
export function QueueTable({
  page,
  filter,
  canRetry,
  csrfToken,
}: {
  page: QueuePage;
  filter: QueueFilterValues;
  canRetry: boolean;
  csrfToken: string;
}) {
  const retryable = canRetry && page.items.some((i) => i.status === 'error');
  const table = (
    <table class="data" id="queue-items">
      <caption class="visually-hidden">Commission queue items</caption>
      <thead>
        <tr>
          {canRetry && <th scope="col">Retry</th>}
          <th scope="col">Opportunity</th>
          <th scope="col">Change</th>
          <th scope="col">Commission</th>
          <th scope="col">Status</th>
          <th scope="col">Reason</th>
          <th scope="col">Run</th>
          <th scope="col">Updated</th>
        </tr>
      </thead>
      <tbody>
        {page.items.map((item) => (
          <ItemRow item={item} canRetry={canRetry} />
        ))}
      </tbody>
    </table>
  );
  return (
    <section class="card" id="queue-table" aria-labelledby="queue-items-title">
      <h2 id="queue-items-title">Items</h2>
      {page.items.length === 0 ? (
        <p class="muted">No queue items match.</p>
      ) : retryable ? (
        <form method="post" action="/commissions/retry" id="retry-form">
          <CsrfField token={csrfToken} />
          {table}
          <p class="hint">
            Fix the data first (for example add the opportunity’s split), then retry: each selected item
            becomes a new opportunity-level run to review, approve and commit.
          </p>
          <button type="submit" class="primary">
            Retry selected
          </button>
        </form>
      ) : (
        table
      )}
      <Pager
        href={(p) => hrefOf(filter, p)}
        page={page.page}
        pageSize={page.pageSize}
        total={page.total}
        target="#queue-table"
        label="Queue pages"
      />
    </section>
  );
}

/** An approved run is cancelled by a manager only (cancel-run.ts): analysts get no box on it. */
const mayCancelRun = (role: string, status: string) => status !== 'approved' || role === 'manager';

function PendingTable({ page, selectable, role }: { page: QueuePage; selectable: boolean; role: string }) {
  return (
    <table class="data" id="pending-runs">
      <thead>
        <tr>
          {selectable && <th scope="col">Cancel</th>}
          <th scope="col">Run</th>
          <th scope="col">Status</th>
          <th scope="col">Reason</th>
          <th scope="col" class="num">
            Items
          </th>
        </tr>
      </thead>
      <tbody>
        {page.pendingReassignments.map((r) => (
          <tr data-run={r.runId}>
            {selectable && (
              <td>
                {mayCancelRun(role, r.status) ? (
                  <input
                    type="checkbox"
                    name="runIds"
                    value={r.runId}
                    id={`cancel-${r.runId}`}
                    aria-label={`Cancel run: ${r.reason}`}
                  />
                ) : (
                  <span class="muted" title="An approved run is cancelled by a manager">
                    Manager only
                  </span>
                )}
              </td>
            )}
            <th scope="row">
              <a href={`/runs/${r.runId}`}>{kindLabel(r.kind)}</a>
            </th>
            <td>
              <StatusBadge status={r.status} />
            </td>
            <td>{r.reason}</td>
            <td class="num">
              <a href={hrefOf({ runId: r.runId, page: 1 }, 1)}>{r.items}</a>
            </td>
          </tr>
        ))}
      </tbody>
    </table>
  );
}

export function CommissionQueuePage({
  page,
  filter,
  principal,
  csrfToken,
  flash,
}: {
  page: QueuePage;
  filter: QueueFilterValues;
  principal: Principal;
  csrfToken: string;
  flash?: QueueFlash | undefined;
}) {
  const canCancel = (CANCEL_ROLES as readonly string[]).includes(principal.role);
  return (
    <>
      <Crumbs items={[{ href: '/', label: 'Runs' }, { label: 'Commission queue' }]} />
      <div class="page-head">
        <div>
          <h1>Commission queue</h1>
          <p class="muted">Opportunity-level commission changes of every run, and what their commit did.</p>
        </div>
      </div>
      {flash && <FlashAlert flash={flash} />}
      <StatusCounts counts={page.counts} />
      <PendingReassignments page={page} canCancel={canCancel} role={principal.role} csrfToken={csrfToken} />
      <QueueFilter filter={filter} />
      <QueueTable page={page} filter={filter} canRetry={principal.role === 'manager'} csrfToken={csrfToken} />
    </>
  );
}

function ItemRow({ item, canRetry }: { item: QueuePage['items'][number]; canRetry: boolean }) {
  return (
    <tr id={`item-${item.id}`} data-status={item.status}>
      {canRetry && (
        <td>
          {item.status === 'error' ? (
            <input
              type="checkbox"
              name="itemIds"
              value={item.id}
              id={`retry-${item.id}`}
              aria-label={`Retry ${item.opportunityName}`}
            />
          ) : null}
        </td>
      )}
      <th scope="row">
        <a href={`/opportunities/${item.opportunityId}`} title="Opportunity and its split history">
          {item.opportunityName}
        </a>
        <div class="muted small">{item.opportunityCrmId}</div>
      </th>
      <td>
        {item.fromRepName ?? 'nobody'} → {item.toRepName ?? 'nobody'}
      </td>
      <td>
        {item.commissionType ? (COMMISSION_TYPE_LABELS[item.commissionType] ?? item.commissionType) : '—'}
        {item.customBps !== null && ` (${pct(item.customBps)})`}
      </td>
      <td>
        <ItemBadge status={item.status} />
      </td>
      <td class="reason">
        {item.error ?? ''}
        {item.retryRunId && (
          <div class="small">
            Retry run: <a href={`/runs/${item.retryRunId}`}>{kindLabel('opportunity')}</a>{' '}
            <StatusBadge status={item.retryRunStatus ?? 'draft'} />
          </div>
        )}
        <div class="small">
          <a href={`/commissions/items/${item.id}`} aria-label={`History of ${item.opportunityName}`}>
            History
          </a>
        </div>
      </td>
      <td>
        <a href={`/runs/${item.runId}`}>{kindLabel(item.runKind)}</a> <StatusBadge status={item.runStatus} />
      </td>
      <td>{when(item.updatedAt)}</td>
    </tr>
  );
}

/** What a retry or a cancel just did: the runs it started, and what failed or was refused. */
function FlashAlert({ flash }: { flash: QueueFlash }) {
  return (
    <Alert kind={flash.kind} id="queue-flash">
      <p>{flash.message}</p>
      {flash.retried && flash.retried.length > 0 && (
        <ul>
          {flash.retried.map((r) => (
            <li>
              <a href={`/runs/${r.runId}`}>Retry run for opportunity {r.opportunityId}</a>
            </li>
          ))}
        </ul>
      )}
      {flash.failed && flash.failed.length > 0 && (
        <ul>
          {flash.failed.map((f) => (
            <li>{f.message}</li>
          ))}
        </ul>
      )}
      {flash.refused && flash.refused.length > 0 && (
        <ul>
          {flash.refused.map((r) => (
            <li>
              <a href={`/runs/${r.runId}`}>Run</a>: {r.message}
            </li>
          ))}
        </ul>
      )}
    </Alert>
  );
}

/** The count of items per status, each a link to the table filtered on it. */
function StatusCounts({ counts }: { counts: QueuePage['counts'] }) {
  return (
    <section class="card" aria-labelledby="queue-status-title">
      <h2 id="queue-status-title">Status</h2>
      <dl class="stats" id="queue-counts">
        {QUEUE_STATUSES.map((s) => (
          <div class="stat" data-status={s}>
            <dt class="stat-label">{QUEUE_STATUS_LABELS[s]}</dt>
            <dd class="stat-value">
              <a href={hrefOf({ status: s, page: 1 }, 1)}>{counts[s].toLocaleString('en-US')}</a>
            </dd>
          </div>
        ))}
      </dl>
    </section>
  );
}

/** Runs with commission changes waiting to be committed; those who may cancel get a bulk cancel form. */
function PendingReassignments({
  page,
  canCancel,
  role,
  csrfToken,
}: {
  page: QueuePage;
  canCancel: boolean;
  role: string;
  csrfToken: string;
}) {
  return (
    <section class="card" aria-labelledby="pending-title" id="pending-reassignments">
      <h2 id="pending-title">Pending reassignments</h2>
      {page.pendingReassignments.length === 0 ? (
        <p class="muted">No run with commission changes is waiting to be committed.</p>
      ) : canCancel ? (
        <form method="post" action="/commissions/cancel-runs" id="cancel-runs-form">
          <CsrfField token={csrfToken} />
          <PendingTable page={page} selectable role={role} />
          <label for="cancel-reason">Why are the selected runs cancelled?</label>
          <input id="cancel-reason" name="reason" type="text" required maxlength={2000} />
          <p class="hint">
            Cancelling a run stops its solve if one is running; its items become cancelled, and an item it was
            retrying goes back to error, ready to retry.
          </p>
          <button type="submit" class="danger">
            Cancel selected runs
          </button>
        </form>
      ) : (
        <PendingTable page={page} selectable={false} role={role} />
      )}
    </section>
  );
}

/** The status filter of the item table (htmx swaps the table, the URL keeps the filter). */
function QueueFilter({ filter }: { filter: QueueFilterValues }) {
  return (
    <form
      method="get"
      action="/commissions"
      class="filters"
      hx-get="/commissions"
      hx-target="#queue-table"
      hx-swap="outerHTML"
      hx-push-url="true"
    >
      <label for="queue-status">Status</label>
      <select id="queue-status" name="status">
        <option value="">All</option>
        {QUEUE_STATUSES.map((s) => (
          <option value={s} selected={filter.status === s}>
            {QUEUE_STATUS_LABELS[s]}
          </option>
        ))}
      </select>
      {filter.runId && <input type="hidden" name="runId" value={filter.runId} />}
      <button type="submit">Filter</button>
    </form>
  );
}
