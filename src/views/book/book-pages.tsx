/** Rep and account pages: the roster with loads, a rep's book against their caps, an account's owner history and commission structure, and a rep's own view. */
import type { Child } from 'hono/jsx';
import type { Principal } from '../../auth/principal.ts';
import type { AccountRow } from '../../services/book/account-list.ts';
import type { RepDetail } from '../../services/book/book-reads.ts';
import type { RepRow } from '../../services/book/rep-list.ts';
import { Crumbs, Pager, query } from '../shared/components.tsx';
import { money, moneyShort, num } from '../shared/format.ts';

function Load({ value, cap, format }: { value: number; cap: number | null; format: (n: number) => string }) {
  if (cap === null) return <span>{format(value)} (no cap)</span>;
  const share = cap > 0 ? Math.round((value / cap) * 100) : 100;
  return (
    <span>
      {format(value)} of {format(cap)} ({share}%){' '}
      <meter
        min={0}
        max={cap}
        value={value}
        high={cap * 0.9}
        optimum={cap * 0.5}
        aria-label="Load against the cap"
      />
      {value > cap && <span class="badge blocking">over cap</span>}
    </span>
  );
}

export function RepsList({ reps }: { reps: RepRow[] }) {
  return (
    <>
      <h1>Reps</h1>
      <section class="card">
        <div class="table-wrap">
          <table id="reps-table">
            <thead>
              <tr>
                <th scope="col">Rep</th>
                <th scope="col">Region</th>
                <th scope="col" class="num">
                  Accounts (cap)
                </th>
                <th scope="col" class="num">
                  Revenue (cap)
                </th>
                <th scope="col">Status</th>
              </tr>
            </thead>
            <tbody>
              {reps.map((r) => (
                <tr class={r.maxAccounts !== null && r.accounts > r.maxAccounts ? 'over' : undefined}>
                  <th scope="row">
                    <a href={`/reps/${r.id}`}>{r.name}</a>
                    {r.kind !== 'person' && <span class="badge">{r.kind}</span>}
                  </th>
                  <td>{r.region ?? '—'}</td>
                  <td class="num">
                    {num(r.accounts)} ({r.maxAccounts ?? '—'})
                  </td>
                  <td class="num">
                    {moneyShort(r.revenueCents)} (
                    {r.maxRevenueCents === null ? '—' : moneyShort(r.maxRevenueCents)})
                  </td>
                  <td>
                    {r.endDate ? (
                      <span class="badge warning">leaves {r.endDate}</span>
                    ) : !r.active ? (
                      'inactive'
                    ) : r.mayReceive ? (
                      'receives'
                    ) : (
                      'does not receive'
                    )}
                  </td>
                </tr>
              ))}
            </tbody>
          </table>
        </div>
      </section>
    </>
  );
}

export function AccountsTable({ rows, showOwner }: { rows: AccountRow[]; showOwner: boolean }) {
  if (rows.length === 0) return <p class="empty">No accounts.</p>;
  return (
    <div class="table-wrap">
      <table id="book-table">
        <thead>
          <tr>
            <th scope="col">Account</th>
            <th scope="col">Region</th>
            {showOwner && <th scope="col">Owner</th>}
            <th scope="col" class="num">
              Revenue
            </th>
            <th scope="col" class="num">
              Open deals
            </th>
            <th scope="col">Next close</th>
          </tr>
        </thead>
        <tbody>
          {rows.map((a) => (
            <tr>
              <td>
                <a href={`/accounts/${a.id}`}>{a.name}</a> <span class="muted small">{a.crmId}</span>
                {(a.isHouse || a.isCoOwned) && <span class="badge">protected</span>}
              </td>
              <td>{a.region ?? '—'}</td>
              {showOwner && (
                <td>{a.ownerRepId ? <a href={`/reps/${a.ownerRepId}`}>{a.ownerName}</a> : '—'}</td>
              )}
              <td class="num">
                {a.annualRevenueCents === null ? (
                  <span class="muted">unknown</span>
                ) : (
                  money(a.annualRevenueCents)
                )}
              </td>
              <td class="num">{num(a.openOpportunities)}</td>
              <td>{a.nextClose ?? '—'}</td>
            </tr>
          ))}
        </tbody>
      </table>
    </div>
  );
}

export function RepPage({
  rep,
  rows,
  total,
  page,
  pageSize,
  principal,
  own,
  extra,
}: {
  rep: RepDetail;
  rows: AccountRow[];
  total: number;
  page: number;
  pageSize: number;
  principal: Principal;
  own: boolean;
  /** What the rep's own view adds between the load and the book (notices, changes). */
  extra?: Child;
}) {
  const canReassign =
    !own && (principal.role === 'manager' || principal.role === 'analyst') && rep.accounts > 0;
  // Level 3 (seed 003): only managers initiate a commission change; House and subagents are not terminated.
  const canTerminate = !own && principal.role === 'manager' && rep.kind === 'person';
  return (
    <>
      {!own && <Crumbs items={[{ href: '/reps', label: 'Reps' }, { label: rep.name }]} />}
      <RepHead rep={rep} own={own} canReassign={canReassign} canTerminate={canTerminate} />
      <RepLoad rep={rep} />
      {extra}
      <section class="card" aria-labelledby="book-title">
        <h2 id="book-title">{own ? 'My accounts' : 'Accounts'}</h2>
        <AccountsTable rows={rows} showOwner={false} />
        <Pager
          href={(p) => (own ? `/me?page=${p}` : `/reps/${rep.id}?page=${p}`)}
          page={page}
          pageSize={pageSize}
          total={total}
        />
      </section>
    </>
  );
}

export function AccountsPage({
  rows,
  total,
  page,
  pageSize,
  q,
  noRevenue = 0,
}: {
  rows: AccountRow[];
  total: number;
  page: number;
  pageSize: number;
  q: string;
  noRevenue?: number;
}) {
  return (
    <>
      <h1>Accounts</h1>
      {noRevenue > 0 && (
        <p class="alert" id="no-revenue">
          {noRevenue} account(s){q ? ' found' : ''} have no revenue (blank in the CRM export): it is unknown,
          not 0. The balance counts it as 0 until an import carries it.
        </p>
      )}
      <section class="card">
        <form method="get" action="/accounts" class="filters" aria-label="Search accounts">
          <div>
            <label for="acc-q">Search by name or CRM id</label>
            <input id="acc-q" name="q" type="search" value={q} />
          </div>
          <div class="filters-submit">
            <button type="submit" class="secondary">
              Search
            </button>
          </div>
        </form>
        <AccountsTable rows={rows} showOwner />
        <Pager
          href={(p) => `/accounts${query({ q, page: p })}`}
          page={page}
          pageSize={pageSize}
          total={total}
        />
      </section>
    </>
  );
}

/** The rep's name and facts, with the book reassignment and commission termination the principal may start. */
function RepHead({
  rep,
  own,
  canReassign,
  canTerminate,
}: {
  rep: RepDetail;
  own: boolean;
  canReassign: boolean;
  canTerminate: boolean;
}) {
  return (
    <div class="page-head">
      <div>
        <h1 id="rep-title">{own ? `My book — ${rep.name}` : rep.name}</h1>
        <p class="muted">
          {[
            rep.region,
            rep.segment,
            rep.manager ? `manager ${rep.manager}` : null,
            rep.endDate ? `last day ${rep.endDate}` : null,
          ]
            .filter(Boolean)
            .join(' · ')}
        </p>
      </div>
      {canReassign && (
        <a
          class="button"
          href={`/runs/new${query({ kind: 'rep_departure', rep: rep.id })}`}
          id="reassign-book"
        >
          Reassign this book
        </a>
      )}
      {canTerminate && (
        <a class="button secondary" href={`/reps/${rep.id}/terminate-commissions`} id="terminate-commissions">
          Terminate all commissions
        </a>
      )}
    </div>
  );
}

/** The rep's accounts and revenue against their caps, and their open opportunities. */
function RepLoad({ rep }: { rep: RepDetail }) {
  return (
    <section class="card" aria-labelledby="load-title">
      <h2 id="load-title">Load against caps</h2>
      <dl class="facts" id="rep-load">
        <dt>Accounts</dt>
        <dd>
          <Load value={rep.accounts} cap={rep.maxAccounts} format={num} />
        </dd>
        <dt>Annual revenue</dt>
        <dd>
          <Load value={rep.revenueCents} cap={rep.maxRevenueCents} format={moneyShort} />
        </dd>
        <dt>Open opportunities</dt>
        <dd>{num(rep.openOpportunities)}</dd>
      </dl>
    </section>
  );
}
