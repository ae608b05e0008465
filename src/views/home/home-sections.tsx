/** The dashboard's side sections: reps leaving soon (with "Reassign this book") and recent imports. */
import type { Principal } from '../../auth/principal.ts';
import type { LeavingRep } from '../../services/dashboard/dashboard.ts';
import type { ImportSummaryRow } from '../../services/imports/import-history.ts';
import { money, num, when } from '../shared/format.ts';

/** Managers and analysts start runs. */
export function canDraft(principal: Principal) {
  return principal.role === 'manager' || principal.role === 'analyst';
}

export function LeavingSection({ reps, principal }: { reps: LeavingRep[]; principal: Principal }) {
  return (
    <section class="card" aria-labelledby="leaving-title">
      <h2 id="leaving-title">Reps leaving soon</h2>
      {reps.length === 0 ? (
        <p class="muted">No rep has a last day in the next 90 days.</p>
      ) : (
        <table id="leaving-table">
          <thead>
            <tr>
              <th scope="col">Rep</th>
              <th scope="col">Last day</th>
              <th scope="col" class="num">
                Accounts
              </th>
              <th scope="col" class="num">
                Revenue
              </th>
              <th scope="col">Next step</th>
            </tr>
          </thead>
          <tbody>
            {reps.map((r) => (
              <tr>
                <td>
                  <a href={`/reps/${r.id}`}>{r.name}</a>
                  {r.region && <div class="muted small">{r.region}</div>}
                </td>
                <td>{r.endDate}</td>
                <td class="num">{num(r.accounts)}</td>
                <td class="num">{money(r.revenueCents)}</td>
                <td>
                  {r.activeRunId ? (
                    <a href={`/runs/${r.activeRunId}`}>Open the run</a>
                  ) : canDraft(principal) && r.accounts > 0 ? (
                    <a class="button small" href={`/runs/new?kind=rep_departure&rep=${r.id}`}>
                      Reassign this book
                    </a>
                  ) : (
                    <span class="muted">{r.accounts === 0 ? 'No accounts' : '—'}</span>
                  )}
                </td>
              </tr>
            ))}
          </tbody>
        </table>
      )}
    </section>
  );
}

export function ImportsSection({
  imports,
  principal,
}: {
  imports: ImportSummaryRow[];
  principal: Principal;
}) {
  return (
    <section class="card" aria-labelledby="imports-title">
      <h2 id="imports-title">Recent imports</h2>
      {imports.length === 0 ? (
        <p class="muted">No imports yet.</p>
      ) : (
        <ul class="plain" id="recent-imports">
          {imports.map((i) => (
            <li>
              {/* Import pages are for those who import (finance reads the list, not the import). */}
              {principal.role === 'finance' ? (
                (i.sourceName ?? i.kind)
              ) : (
                <a href={`/imports/${i.id}`}>{i.sourceName ?? i.kind}</a>
              )}{' '}
              · {i.kind} · <span class={`badge import-${i.status}`}>{i.status}</span> · {num(i.rowsRead)} rows
              {i.rowsRejected > 0 && `, ${num(i.rowsRejected)} rejected`} ·{' '}
              <span class="muted">{when(i.createdAt)}</span>
            </li>
          ))}
        </ul>
      )}
      {(principal.role === 'manager' || principal.role === 'analyst' || principal.role === 'admin') && (
        <p>
          <a href="/imports/new">Import a file or a Google Sheet</a> · <a href="/imports">All imports</a>
        </p>
      )}
    </section>
  );
}
