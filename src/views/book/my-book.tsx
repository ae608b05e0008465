/**
 * The parts of a rep's own view (/me) beyond their book: their notices, the accounts committed runs brought or
 * took, and the commission share each changed split gave or took. Only accounts the rep owns now are links (a rep
 * opens their own accounts and nothing else); runs are named, not linked (run pages are for staff).
 */
import type { Child } from 'hono/jsx';
import type { MyAccountMove, MyCommissionChange } from '../../services/book/my-book.ts';
import { Crumbs } from '../shared/components.tsx';
import { money, pct } from '../shared/format.ts';

export interface MyNotice {
  id: string;
  subject: string;
  status: string;
  created_at: string;
}

export function MyNotices({ notices }: { notices: MyNotice[] }) {
  return (
    <section class="card" aria-labelledby="notices-title">
      <h2 id="notices-title">My notices</h2>
      {notices.length === 0 ? (
        <p class="muted">No notices yet.</p>
      ) : (
        <ul class="plain" id="my-notices">
          {notices.map((n) => (
            <li>
              <a href={`/me/notices/${n.id}`}>{n.subject}</a>{' '}
              <span class="muted small">
                · {n.status} · {n.created_at}
              </span>
            </li>
          ))}
        </ul>
      )}
    </section>
  );
}

/** One of the rep's notices: the text exactly as the outbox holds it (and sends it). */
export function MyNoticePage({
  notice,
}: {
  notice: { subject: string; status: string; created_at: string; text: string };
}) {
  return (
    <>
      <Crumbs items={[{ href: '/me', label: 'My book' }, { label: notice.subject }]} />
      <h1>{notice.subject}</h1>
      <p class="muted">
        {notice.status} · written {notice.created_at}
      </p>
      <section class="card">
        <pre class="json notice-text" id="my-notice-text">
          {notice.text}
        </pre>
      </section>
    </>
  );
}

const runLabel = (m: { runReason: string; runStatus: string }) =>
  m.runStatus === 'rolled_back' ? `${m.runReason} (rolled back)` : m.runReason;

function MovesTable({
  id,
  moves,
  direction,
}: {
  id: string;
  moves: MyAccountMove[];
  direction: 'in' | 'out';
}) {
  return (
    <div class="table-wrap" id={id}>
      <table>
        <thead>
          <tr>
            <th scope="col">Account</th>
            <th scope="col">{direction === 'in' ? 'From' : 'To'}</th>
            <th scope="col">Effective</th>
            <th scope="col">Run</th>
          </tr>
        </thead>
        <tbody>
          {moves.map((m) => (
            <tr>
              <td>{m.ownedNow ? <a href={`/accounts/${m.accountId}`}>{m.accountName}</a> : m.accountName}</td>
              <td>{m.otherRepName ?? 'nobody'}</td>
              <td>{m.effectiveDate ?? m.committedAt ?? '—'}</td>
              <td>{runLabel(m)}</td>
            </tr>
          ))}
        </tbody>
      </table>
    </div>
  );
}

export function MyChanges({
  moves,
  commissions,
  moneyPanel,
}: {
  moves: MyAccountMove[];
  commissions: MyCommissionChange[];
  /** Each committed run's money for the rep (MyCommissionMoney), under the share changes. */
  moneyPanel?: Child;
}) {
  const incoming = moves.filter((m) => m.direction === 'in');
  const outgoing = moves.filter((m) => m.direction === 'out');
  return (
    <section class="card" aria-labelledby="changes-title">
      <h2 id="changes-title">Changes to my book</h2>
      {moves.length === 0 && commissions.length === 0 && (
        <p class="muted" id="no-changes">
          No committed run has changed your accounts or commissions yet.
        </p>
      )}
      {incoming.length > 0 && (
        <>
          <h3>Accounts that came to me ({incoming.length})</h3>
          <MovesTable id="incoming-accounts" moves={incoming} direction="in" />
        </>
      )}
      {outgoing.length > 0 && (
        <>
          <h3>Accounts that left me ({outgoing.length})</h3>
          <MovesTable id="outgoing-accounts" moves={outgoing} direction="out" />
        </>
      )}
      {commissions.length > 0 && (
        <>
          <h3>My commission changes ({commissions.length})</h3>
          <div class="table-wrap" id="commission-changes">
            <table>
              <thead>
                <tr>
                  <th scope="col">Opportunity</th>
                  <th scope="col">Account</th>
                  <th scope="col" class="num">
                    Amount
                  </th>
                  <th scope="col" class="num">
                    My share before
                  </th>
                  <th scope="col" class="num">
                    My share after
                  </th>
                  <th scope="col">Effective from</th>
                  <th scope="col">Run</th>
                </tr>
              </thead>
              <tbody>
                {commissions.map((c) => (
                  <tr>
                    <td>{c.opportunityName}</td>
                    <td>{c.accountName ?? '—'}</td>
                    <td class="num">{c.amountCents === null ? '—' : money(c.amountCents)}</td>
                    <td class="num">{pct(c.beforeBps)}</td>
                    <td class="num">{pct(c.afterBps)}</td>
                    <td>{c.effectiveDate ?? '—'}</td>
                    <td>{runLabel(c)}</td>
                  </tr>
                ))}
              </tbody>
            </table>
          </div>
        </>
      )}
      {moneyPanel}
    </section>
  );
}
