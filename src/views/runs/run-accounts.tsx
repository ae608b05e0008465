/** The run's account table (filter, sort, paginate; from, to and why per row), one account's explanation, and the approval confirmation. */
import { MAX_BULK_ACCOUNTS } from '../../services/review/changes.ts';
import { CsrfField } from '../layout.tsx';
import { Crumbs, Pager, query } from '../shared/components.tsx';
import { money, num } from '../shared/format.ts';
import type { RunRecord } from './run-page.tsx';

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

export interface AccountFilter {
  rep?: string | undefined;
  region?: string | undefined;
  moved?: string | undefined;
  conflict?: string | undefined;
  sort: string;
  order: 'asc' | 'desc';
  page: number;
  pageSize: number;
}

export function accountHref(runId: string, f: AccountFilter, changes: Partial<AccountFilter> = {}) {
  const g = { ...f, ...changes };
  return `/runs/${runId}/accounts${query({
    rep: g.rep,
    region: g.region,
    moved: g.moved,
    conflict: g.conflict,
    sort: g.sort === 'revenue' ? undefined : g.sort,
    order: g.order === 'desc' ? undefined : g.order,
    page: g.page > 1 ? g.page : undefined,
  })}`;
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

/** What a person who may change the proposal gets: the CSRF token and the reps an account can be pinned to. */
export interface AccountEdit {
  csrfToken: string;
  receivers: { id: string; name: string }[];
}

export const ACCOUNT_ACTIONS = {
  accept: 'Accept their open conflicts as proposed',
  exclude: 'Exclude from the run (they stay with their owner)',
  pin: 'Give them to this rep (pinned through every re-solve)',
  unpin: 'Remove the override (the next solve places them)',
  include: 'Include again (the next solve places them)',
} as const;
export type AccountAction = keyof typeof ACCOUNT_ACTIONS;

/**
 * The changes a person makes to selected accounts of a proposal, as one plain form: the account table's
 * checkboxes (or the one account of its page) carry `accountId`, `back` says where to return. In the table,
 * `matching` offers the change for every account the filter matches (`all=1` with the filter and the count seen).
 */
export function AccountChangeFields({
  edit,
  idPrefix,
  back,
  legend,
  matching,
}: {
  edit: AccountEdit;
  idPrefix: string;
  back: string;
  legend: string;
  matching?: { total: number; filter: AccountFilter } | undefined;
}) {
  return (
    <fieldset class="account-change filters">
      <legend>{legend}</legend>
      <CsrfField token={edit.csrfToken} />
      <input type="hidden" name="back" value={back} />
      <div>
        <label for={`${idPrefix}-action`}>Change</label>
        <select id={`${idPrefix}-action`} name="action">
          <option value="">Choose…</option>
          {Object.entries(ACCOUNT_ACTIONS).map(([value, label]) => (
            <option value={value}>{label}</option>
          ))}
        </select>
      </div>
      <div>
        <label for={`${idPrefix}-rep`}>Rep (to give them to)</label>
        <select id={`${idPrefix}-rep`} name="repId">
          <option value="">—</option>
          {edit.receivers.map((r) => (
            <option value={r.id}>{r.name}</option>
          ))}
        </select>
      </div>
      <div class="wide">
        <label for={`${idPrefix}-note`}>Note — why (required to accept, exclude or give to a rep)</label>
        <input id={`${idPrefix}-note`} name="note" type="text" maxlength={1000} />
      </div>
      {matching && <AllMatching idPrefix={idPrefix} {...matching} />}
      <div class="filters-submit">
        <button type="submit" class="secondary" id={`${idPrefix}-apply`}>
          Apply
        </button>
      </div>
    </fieldset>
  );
}

/** "All N matching": the filter travels with the form, and the count seen, so a table that changed meanwhile is refused. */
function AllMatching({
  idPrefix,
  total,
  filter,
}: {
  idPrefix: string;
  total: number;
  filter: AccountFilter;
}) {
  const tooMany = total > MAX_BULK_ACCOUNTS;
  return (
    <div class="wide">
      <input
        type="checkbox"
        id={`${idPrefix}-all`}
        name="all"
        value="1"
        disabled={tooMany}
        aria-describedby={tooMany ? `${idPrefix}-all-limit` : undefined}
      />{' '}
      <label for={`${idPrefix}-all`}>
        Apply to all {num(total)} account(s) matching these filters, not only those ticked on this page
      </label>
      {tooMany && (
        <p class="muted small" id={`${idPrefix}-all-limit`}>
          One change takes at most {num(MAX_BULK_ACCOUNTS)} accounts: narrow the filters (a rep or a region)
          to change them all.
        </p>
      )}
      <input type="hidden" name="matching" value={String(total)} />
      {filter.rep && <input type="hidden" name="rep" value={filter.rep} />}
      {filter.region && <input type="hidden" name="region" value={filter.region} />}
      {filter.moved && <input type="hidden" name="moved" value={filter.moved} />}
      {filter.conflict && <input type="hidden" name="conflict" value={filter.conflict} />}
    </div>
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
  const who = (id: string | null) => (id ? (names.get(id) ?? id) : 'nobody (no eligible receiver)');
  const table =
    rows.length === 0 ? (
      <p class="empty">No account matches these filters.</p>
    ) : (
      <div class="table-wrap">
        <table>
          <caption class="muted">Each account in the run: where it was, where it goes, and why.</caption>
          <thead>
            <tr>
              {edit && (
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
              <tr class={r.moved ? 'moved' : undefined}>
                {edit && (
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
            ))}
          </tbody>
        </table>
      </div>
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

export function AccountFilters({
  runId,
  filter,
  reps,
  regions,
}: {
  runId: string;
  filter: AccountFilter;
  reps: { id: string; name: string }[];
  regions: string[];
}) {
  return (
    <form
      method="get"
      action={`/runs/${runId}/accounts`}
      class="filters"
      aria-label="Filter accounts"
      hx-get={`/runs/${runId}/accounts`}
      hx-target="#account-table"
      hx-swap="outerHTML"
      hx-trigger="change, submit"
      hx-push-url="true"
    >
      <div>
        <label for="af-rep">Rep (from or to)</label>
        <select id="af-rep" name="rep">
          <option value="">Any rep</option>
          {reps.map((r) => (
            <option value={r.id} selected={filter.rep === r.id}>
              {r.name}
            </option>
          ))}
        </select>
      </div>
      <div>
        <label for="af-region">Region</label>
        <select id="af-region" name="region">
          <option value="">Any region</option>
          {regions.map((r) => (
            <option value={r} selected={filter.region === r}>
              {r}
            </option>
          ))}
        </select>
      </div>
      <div>
        <label for="af-moved">Moves</label>
        <select id="af-moved" name="moved">
          <option value="">Moving or staying</option>
          <option value="1" selected={filter.moved === '1'}>
            Moving only
          </option>
          <option value="0" selected={filter.moved === '0'}>
            Staying only
          </option>
        </select>
      </div>
      <div>
        <label for="af-conflict">Conflicts</label>
        <select id="af-conflict" name="conflict">
          <option value="">Any</option>
          <option value="1" selected={filter.conflict === '1'}>
            With an open conflict
          </option>
        </select>
      </div>
      <input type="hidden" name="sort" value={filter.sort} />
      <input type="hidden" name="order" value={filter.order} />
      <div class="filters-submit">
        <button type="submit" class="secondary">
          Filter
        </button>
      </div>
    </form>
  );
}

export function ApproveConfirm({
  run,
  csrfToken,
  moves,
  moved,
  names,
  error,
  blocking = [],
}: {
  run: RunRecord;
  /** Open blocking conflicts: approval is refused while any remain, so the page says which. */
  blocking?: { kind: string; message: string }[];
  csrfToken: string;
  moves: { from: string | null; to: string | null; accounts: number; revenueCents: number }[];
  moved: number;
  names: Map<string, string>;
  error?: string | undefined;
}) {
  const who = (id: string | null) => (id ? (names.get(id) ?? id) : 'nobody');
  return (
    <>
      <Crumbs
        items={[
          { href: '/', label: 'Runs' },
          { href: `/runs/${run.id}`, label: run.reason },
          { label: 'Approve' },
        ]}
      />
      <section class="card" aria-labelledby="confirm-title">
        <h1 id="confirm-title">Approve “{run.reason}”?</h1>
        {error && (
          <p class="alert error" role="alert" id="approve-error">
            {error}
          </p>
        )}
        {blocking.length > 0 && (
          <div class="alert error" role="alert" id="approve-blocking">
            <p>
              {num(blocking.length)} blocking conflict(s) are still open; approval is refused until each is
              resolved on the <a href={`/runs/${run.id}#conflicts`}>review page</a>:
            </p>
            <ul>
              {blocking.slice(0, 20).map((k) => (
                <li data-kind={k.kind}>{k.message}</li>
              ))}
            </ul>
            {blocking.length > 20 && <p>… and {num(blocking.length - 20)} more.</p>}
          </div>
        )}
        <p>
          Approving pins exactly this proposal (version {run.version}). When it is committed,{' '}
          <strong id="confirm-count">{num(moved)} account(s)</strong> change owner:
        </p>
        <ul class="confirm-list" id="confirm-moves">
          {moves.map((m) => (
            <li class="confirm-item">
              {num(m.accounts)} from <strong>{who(m.from)}</strong> to <strong>{who(m.to)}</strong> (
              {money(m.revenueCents)} revenue)
            </li>
          ))}
        </ul>
        <p class="muted">Any later change (an override, an exclusion, a re-solve) voids this approval.</p>
        <form method="post" action={`/runs/${run.id}/approve`}>
          <CsrfField token={csrfToken} />
          <input type="hidden" name="version" value={String(run.version)} />
          <input type="hidden" name="hash" value={run.proposalHash ?? ''} />
          <label for="approve-note">Note (optional)</label>
          <input id="approve-note" name="note" type="text" maxlength={1000} />
          <div class="actions">
            <button type="submit" id="confirm-approve">
              Approve these changes
            </button>
            <a href={`/runs/${run.id}`}>Back to the review</a>
          </div>
        </form>
      </section>
    </>
  );
}
