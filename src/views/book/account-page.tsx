/** An account's page: its owner and owner history, and each opportunity's commission structure. */
import type { Principal } from '../../auth/principal.ts';
import type { getAccount } from '../../services/book/book-reads.ts';
import { Crumbs, query } from '../shared/components.tsx';
import { money, pct, when } from '../shared/format.ts';

type Account = NonNullable<Awaited<ReturnType<typeof getAccount>>>;

export function AccountPage({ account, principal }: { account: Account; principal: Principal }) {
  const canReassign = principal.role === 'manager' || principal.role === 'analyst';
  // Commission changes of one opportunity (level 1) or all of the account's (level 2): managers only.
  const canManage = principal.role === 'manager';
  // A rep reads their own account from My book; rep and run pages are for staff, so they are named, not linked.
  const staff = principal.role !== 'rep';
  return (
    <>
      <Crumbs
        items={[
          staff ? { href: '/accounts', label: 'Accounts' } : { href: '/me', label: 'My book' },
          { label: account.name },
        ]}
      />
      <AccountHead account={account} canManage={canManage} canReassign={canReassign} />
      <OwnerSection account={account} staff={staff} />
      <OpportunitiesSection account={account} canManage={canManage} />
    </>
  );
}

/** The account's name and facts, with the reassignments the principal may start. */
function AccountHead({
  account,
  canManage,
  canReassign,
}: {
  account: Account;
  canManage: boolean;
  canReassign: boolean;
}) {
  return (
    <div class="page-head">
      <div>
        <h1>{account.name}</h1>
        <p class="muted">
          {account.crmId} ·{' '}
          {[account.region, account.tier, account.type, account.industry].filter(Boolean).join(' · ')}
        </p>
      </div>
      <div class="actions">
        {canManage && (
          <a
            class="button"
            href={`/accounts/${account.id}/reassign-opportunities`}
            id="reassign-opportunities"
          >
            Reassign all opportunities
          </a>
        )}{' '}
        {canReassign && (
          <a
            class="button secondary"
            href={`/runs/new${query({ kind: 'account', account: account.crmId })}`}
            id="reassign-account-run"
          >
            Reassign this account in a run
          </a>
        )}
      </div>
    </div>
  );
}

/** The owner since when, and each run that moved the account. */
function OwnerSection({ account, staff }: { account: Account; staff: boolean }) {
  return (
    <section class="card" aria-labelledby="owner-title">
      <h2 id="owner-title">Owner</h2>
      <p>
        {account.ownerId && staff ? (
          <a href={`/reps/${account.ownerId}`}>{account.owner}</a>
        ) : (
          (account.owner ?? 'No owner')
        )}{' '}
        since {when(account.ownerSince)}
        {account.isHouse && <span class="badge">house account</span>}
        {account.isCoOwned && <span class="badge">co-owned</span>} ·{' '}
        {account.revenueCents === null
          ? 'annual revenue unknown'
          : `${money(account.revenueCents)} annual revenue`}
      </p>
      <h3>Owner history</h3>
      {account.history.length === 0 ? (
        <p class="muted">No run has moved this account.</p>
      ) : (
        <ol class="timeline" id="owner-history">
          {account.history.map((h) => (
            <li>
              {h.committed_at ?? '—'}: {h.from_name ?? 'nobody'} → <strong>{h.to_name ?? 'nobody'}</strong> (
              {staff ? <a href={`/runs/${h.run_id}`}>{h.reason}</a> : h.reason}
              {h.status === 'rolled_back' && ', rolled back'})
            </li>
          ))}
        </ol>
      )}
    </section>
  );
}

/** Each opportunity with its split rows, past and current. */
function OpportunitiesSection({ account, canManage }: { account: Account; canManage: boolean }) {
  const byOpp = new Map<string, typeof account.splits>();
  for (const s of account.splits) byOpp.set(s.opportunity_id, [...(byOpp.get(s.opportunity_id) ?? []), s]);
  return (
    <section class="card" aria-labelledby="opps-title">
      <h2 id="opps-title">Opportunities and commission structure</h2>
      {account.opportunities.length === 0 ? (
        <p class="muted">No opportunities.</p>
      ) : (
        account.opportunities.map((o) => (
          <div class="conflict">
            <h3 class="small">
              {o.name} <span class="muted">{o.crm_id}</span> · {o.stage ?? o.status} ·{' '}
              {o.amountCents === null ? 'amount unknown' : money(o.amountCents)} · closes{' '}
              {o.close_date ?? '—'}
              {canManage && o.status === 'open' && (
                <>
                  {' '}
                  · <a href={`/opportunities/${o.id}`}>Manage commissions</a>
                </>
              )}
            </h3>
            <SplitRows splits={byOpp.get(o.id) ?? []} />
          </div>
        ))
      )}
    </section>
  );
}

function SplitRows({ splits }: { splits: Account['splits'] }) {
  if (splits.length === 0) return <p class="muted">No commission split recorded.</p>;
  return (
    <table>
      <thead>
        <tr>
          <th scope="col">Participant</th>
          <th scope="col">Role</th>
          <th scope="col" class="num">
            Share
          </th>
          <th scope="col">From</th>
          <th scope="col">Until</th>
        </tr>
      </thead>
      <tbody>
        {splits.map((s) => (
          <tr class={s.effective_to ? 'muted' : undefined}>
            <td>{s.rep}</td>
            <td>{s.role}</td>
            <td class="num">{pct(s.bps)}</td>
            <td>{s.effective_from}</td>
            <td>{s.effective_to ?? 'current'}</td>
          </tr>
        ))}
      </tbody>
    </table>
  );
}
