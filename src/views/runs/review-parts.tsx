/** The review's parts: per-rep before/after table and charts, conflict kinds' titles, approval and commit panels (a conflict's card: conflict-card.tsx). */
import type { Principal } from '../../auth/principal.ts';
import type { listConflicts } from '../../services/review/changes.ts';
import type { RepLoad, RunSummary } from '../../services/review/review.ts';
import { LoadChart } from '../charts/load-chart.tsx';
import { CsrfField } from '../layout.tsx';
import { query } from '../shared/components.tsx';
import { money, moneyDelta, moneyShort, num, numDelta, when } from '../shared/format.ts';
import type { RunRecord } from './run-page.tsx';

/** A conflict as the review lists it. */
export type ConflictRow = Awaited<ReturnType<typeof listConflicts>>[number];

/** Reps worth showing: those whose book changes, those balanced against a target, the leavers. */
export function repsToShow(summary: RunSummary): RepLoad[] {
  return summary.reps
    .filter((r) => r.kind === 'person')
    .filter((r) => r.countDelta !== 0 || r.targetCount !== null || r.departing || r.accountsIn > 0)
    .sort((a, b) => Number(b.departing) - Number(a.departing) || a.name.localeCompare(b.name));
}

/** Reps whose book this run changes (leavers first): what a reviewer looks at first. */
export function changedReps(reps: RepLoad[]): RepLoad[] {
  return reps.filter((r) => r.departing || r.accountsIn > 0 || r.accountsOut > 0);
}

function Delta({ n, f }: { n: number; f: (n: number) => string }) {
  return <span class={n > 0 ? 'delta-up' : n < 0 ? 'delta-down' : 'muted'}>{f(n)}</span>;
}

/** `id` tells the changed reps' table (rep-table) from the table of every receiving rep below it. */
export function RepTable({ reps, runId, id = 'rep-table' }: { reps: RepLoad[]; runId: string; id?: string }) {
  return (
    <div class="table-wrap">
      <table id={id}>
        <caption class="muted">
          Each rep’s book before and after this run. Rows in red are over a cap.
        </caption>
        <thead>
          <tr>
            <th scope="col">Rep</th>
            <th scope="col" class="num">
              Accounts before → after
            </th>
            <th scope="col" class="num">
              Change
            </th>
            <th scope="col" class="num">
              Revenue before → after
            </th>
            <th scope="col" class="num">
              Change
            </th>
            <th scope="col" class="num">
              In / out
            </th>
            <th scope="col" class="num">
              Cap (accounts · revenue)
            </th>
            <th scope="col" class="num">
              Target
            </th>
          </tr>
        </thead>
        <tbody>
          {reps.map((r) => (
            <tr class={r.overCountCap || r.overRevenueCap ? 'over' : undefined}>
              <th scope="row">
                <a href={`/runs/${runId}/accounts${query({ rep: r.repId })}`}>{r.name}</a>
                {r.departing && <span class="badge warning">leaving</span>}
                {(r.overCountCap || r.overRevenueCap) && <span class="badge blocking">over cap</span>}
              </th>
              <td class="num">
                {num(r.countBefore)} → {num(r.countAfter)}
              </td>
              <td class="num">
                <Delta n={r.countDelta} f={numDelta} />
              </td>
              <td class="num">
                {money(r.revenueBeforeCents)} → {money(r.revenueAfterCents)}
              </td>
              <td class="num">
                <Delta n={r.revenueDeltaCents} f={moneyDelta} />
              </td>
              <td class="num">
                +{num(r.accountsIn)} / −{num(r.accountsOut)}
              </td>
              <td class="num">
                {r.maxAccounts ?? '—'} · {r.maxRevenueCents === null ? '—' : moneyShort(r.maxRevenueCents)}
              </td>
              <td class="num">
                {r.targetCount === null
                  ? '—'
                  : `${num(Math.round(r.targetCount))} · ${moneyShort(r.targetRevenueCents)}`}
              </td>
            </tr>
          ))}
        </tbody>
      </table>
    </div>
  );
}

export function Charts({ reps }: { reps: RepLoad[] }) {
  const shown = reps.slice(0, 40);
  return (
    <>
      <ul class="legend" aria-hidden="true">
        <li>
          <span class="swatch before" />
          before
        </li>
        <li>
          <span class="swatch after" />
          after
        </li>
        <li>
          <span class="swatch cap" />
          cap
        </li>
        <li>
          <span class="swatch target" />
          target
        </li>
      </ul>
      <div class="charts">
        <LoadChart
          title="Accounts per rep"
          format={(v) => num(Math.round(v))}
          rows={shown.map((r) => ({
            name: r.name,
            before: r.countBefore,
            after: r.countAfter,
            cap: r.maxAccounts,
            target: r.targetCount,
          }))}
        />
        <LoadChart
          title="Revenue per rep"
          format={moneyShort}
          rows={shown.map((r) => ({
            name: r.name,
            before: r.revenueBeforeCents,
            after: r.revenueAfterCents,
            cap: r.maxRevenueCents,
            target: r.targetRevenueCents,
          }))}
        />
      </div>
      {reps.length > shown.length && (
        <p class="muted small">
          The charts show the first {shown.length} of {reps.length} reps; the table lists them all.
        </p>
      )}
    </>
  );
}

const KIND_TITLES: Record<string, string> = {
  unassigned: 'No eligible receiver',
  over_count_cap: 'Over the account cap',
  over_revenue_cap: 'Over the revenue cap',
  deal_closing_soon: 'Deal closing soon',
  protected_touched: 'Protected account',
  house_account: 'House account',
  co_owned_account: 'Co-owned account',
  receiver_departing: 'Receiver is leaving',
  receiver_ineligible: 'Receiver not eligible',
  stale_owner: 'Owner changed in the CRM since import',
  split_not_100: 'Commission split cannot be written',
  date_rule: 'Date rule broken',
  owner_not_in_roster: 'Owner not in the roster',
  owner_inactive: 'Owner inactive',
  closed_opportunity_in_scope: 'Closed opportunity in scope',
};

export function kindTitle(kind: string) {
  return KIND_TITLES[kind] ?? kind.replaceAll('_', ' ');
}

export function ApprovePanel({
  run,
  principal,
  openBlocking,
  moved,
  csrfToken,
  oob = false,
}: {
  run: RunRecord;
  principal: Principal;
  openBlocking: number;
  moved: number;
  csrfToken: string;
  oob?: boolean;
}) {
  const isManager = principal.role === 'manager';
  return (
    <section
      class="card"
      id="approve-panel"
      aria-labelledby="approve-title"
      {...(oob ? { 'hx-swap-oob': 'true' } : {})}
    >
      <h2 id="approve-title">{run.status === 'approved' ? 'Commit' : 'Approval'}</h2>
      {run.status === 'approved' ? (
        isManager ? (
          <form
            method="post"
            action={`/runs/${run.id}/commit`}
            hx-post={`/runs/${run.id}/commit`}
            hx-target="#approve-panel"
            hx-swap="outerHTML"
            hx-indicator="#commit-progress"
          >
            <CsrfField token={csrfToken} />
            <p>
              Approved {when(run.approvedAt)}. Committing changes the owner of{' '}
              {run.kind === 'opportunity'
                ? 'the opportunity and its commission split'
                : `${num(moved)} account(s)`}{' '}
              in one transaction, writes the change set, and queues the notices. It can be rolled back within
              the org’s window.
            </p>
            <div class="actions">
              <button type="submit" id="commit-run">
                Commit the change
              </button>
              <span id="commit-progress" class="htmx-indicator" role="status">
                Committing… <progress />
              </span>
            </div>
          </form>
        ) : (
          <p class="muted" id="commit-refused">
            Approved. Only a manager can commit it.
          </p>
        )
      ) : !isManager ? (
        <p class="alert" id="approve-refused">
          Only a manager can approve a run. You are signed in as {principal.role}: ask a manager to review and
          approve it.
        </p>
      ) : openBlocking > 0 ? (
        <p class="alert error" id="approve-blocked">
          {num(openBlocking)} blocking conflict(s) are still open. Resolve each one in the{' '}
          <a href="#conflicts">conflicts list</a> (accept, another owner or exclude) before approving.
        </p>
      ) : moved === 0 && run.kind !== 'opportunity' ? (
        <p class="muted">The proposal moves no account, so there is nothing to approve.</p>
      ) : (
        <p>
          <a class="button" href={`/runs/${run.id}/approve`} id="approve-link">
            Review and approve…
          </a>{' '}
          <span class="muted">You will see exactly what changes before you confirm.</span>
        </p>
      )}
    </section>
  );
}
