/** The run's account table: filter, sort, paginate; from, to and why per row. */
import { Pager } from '../shared/components.tsx';
import { money } from '../shared/format.ts';
import { AccountChangeFields, type AccountEdit } from './account-changes.tsx';
import { type AccountFilter, accountHref } from './account-filter.tsx';

export interface AccountRow {
  accountId: string;
  crmId: string;
  name: string;
  region: string | null;
  revenueCents: number;
  fromRepId: string | null;
  toRepId: string | null;
  pinned: boolean;
  excluded: boolean;
  moved: boolean;
  reason: string | null;
  openConflicts: number;
}

function SortHeader({
  runId,
  f,
  col,
  label,
  num: isNum,
}: {
  runId: string;
  f: AccountFilter;
  col: string;
  label: string;
  num?: boolean;
}) {
  const active = f.sort === col;
  const next = active && f.order === 'desc' ? 'asc' : 'desc';
  return (
    <th
      scope="col"
      class={isNum ? 'num' : undefined}
      aria-sort={active ? (f.order === 'asc' ? 'ascending' : 'descending') : undefined}
    >
      <a
        href={accountHref(runId, f, { sort: col, order: next, page: 1 })}
        hx-get={accountHref(runId, f, { sort: col, order: next, page: 1 })}
        hx-target="#account-table"
        hx-swap="outerHTML"
        hx-push-url="true"
      >
        {label}
        {active ? (f.order === 'asc' ? ' ▲' : ' ▼') : ''}
      </a>
    </th>
  );
}

export function AccountTable({
  runId,
  rows,
  total,
  filter,
  names,
  edit,
}: {
  runId: string;
  rows: AccountRow[];
  total: number;
  filter: AccountFilter;
  names: Map<string, string>;
  edit?: AccountEdit | undefined;
}) {
  const table =
    rows.length === 0 ? (
      <p class="empty">No account matches these filters.</p>
    ) : (
      <AccountRowsTable
        runId={runId}
        rows={rows}
        filter={filter}
        names={names}
        selectable={edit !== undefined}
      />
    );
  return (
    <div id="account-table">
      {edit && rows.length > 0 ? (
        <form method="post" action={`/runs/${runId}/accounts/change`} id="account-change">
          {table}
          <AccountChangeFields
            edit={edit}
            idPrefix="bulk"
            back={accountHref(runId, filter)}
            legend="With the selected accounts"
            matching={{ total, filter }}
          />
        </form>
      ) : (
        table
      )}
      <Pager
        href={(p) => accountHref(runId, filter, { page: p })}
        page={filter.page}
        pageSize={filter.pageSize}
        total={total}
        target="#account-table"
        label="Account pages"
      />
    </div>
  );
}

function AccountRowsTable({
  runId,
  rows,
  filter,
  names,
  selectable,
}: {
  runId: string;
  rows: AccountRow[];
  filter: AccountFilter;
  names: Map<string, string>;
  /** A tick per row, for those who may change the proposal. */
  selectable: boolean;
}) {
  return (
    <div class="table-wrap">
      <table>
        <caption class="muted">Each account in the run: where it was, where it goes, and why.</caption>
        <thead>
          <tr>
            {selectable && (
              <th scope="col">
                <span class="visually-hidden">Select</span>
              </th>
            )}
            <SortHeader runId={runId} f={filter} col="name" label="Account" />
            <SortHeader runId={runId} f={filter} col="region" label="Region" />
            <SortHeader runId={runId} f={filter} col="revenue" label="Revenue" num />
            <th scope="col">From</th>
            <th scope="col">To</th>
            <th scope="col">Why</th>
          </tr>
        </thead>
        <tbody>
          {rows.map((r) => (
            <AccountTableRow runId={runId} r={r} names={names} selectable={selectable} />
          ))}
        </tbody>
      </table>
    </div>
  );
}

function AccountTableRow({
  runId,
  r,
  names,
  selectable,
}: {
  runId: string;
  r: AccountRow;
  names: Map<string, string>;
  selectable: boolean;
}) {
  const who = (id: string | null) => (id ? (names.get(id) ?? id) : 'nobody (no eligible receiver)');
  return (
    <tr class={r.moved ? 'moved' : undefined}>
      {selectable && (
        <td>
          <input
            type="checkbox"
            name="accountId"
            value={r.accountId}
            id={`select-${r.accountId}`}
            aria-label={`Select ${r.name}`}
          />
        </td>
      )}
      <td>
        <a href={`/runs/${runId}/accounts/${r.accountId}`}>{r.name}</a>
        <div class="muted small">{r.crmId}</div>
      </td>
      <td>{r.region ?? '—'}</td>
      <td class="num">{money(r.revenueCents)}</td>
      <td>{who(r.fromRepId)}</td>
      <td>
        {r.excluded ? (
          <span class="muted">stays (excluded)</span>
        ) : r.moved ? (
          <strong>{who(r.toRepId)}</strong>
        ) : (
          <span class="muted">stays</span>
        )}
        {r.pinned && <span class="badge">override</span>}
        {r.openConflicts > 0 && <span class="badge blocking">{r.openConflicts} conflict(s)</span>}
      </td>
      <td class="why">{r.reason ?? '—'}</td>
    </tr>
  );
}
