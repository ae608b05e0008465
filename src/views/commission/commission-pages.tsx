/**
 * The opportunity page (its split now and every structure it had, change by change, side by side) with
 * "Manage commissions" (level 1), and "Reassign all opportunities" of an account (level 2, uniform). Plain forms
 * that work without JavaScript; errors sit next to their field.
 */
import type { Principal } from '../../auth/principal.ts';
import type { AccountForReassign, OpportunityDetail } from '../../services/review/commission-reads.ts';
import { CsrfField } from '../layout.tsx';
import { Alert, Crumbs, describedBy, FieldError, Stat, TextField } from '../shared/components.tsx';
import { amountOrUnknown, COMMISSION_TYPE_LABELS, pct } from '../shared/format.ts';
import type { CommissionFormErrors, CommissionFormValues } from './commission-form.ts';
import { HistoryTimeline, SharesTable } from './split-history.tsx';
import type { TimelineChange, TimelinePeriod, TimelineShare } from './timeline.ts';

export interface ReceiverChoice {
  id: string;
  name: string;
  region: string | null;
}

/** The fields both levels share: new owner, type A/B/C with the custom %, the two dates and the reason. */
function CommissionFields({
  values,
  errors,
  receivers,
}: {
  values: CommissionFormValues;
  errors: CommissionFormErrors;
  receivers: readonly ReceiverChoice[];
}) {
  return (
    <>
      <div class="field">
        <label for="f-newOwnerRepId">New owner</label>
        <select
          id="f-newOwnerRepId"
          name="newOwnerRepId"
          {...describedBy('f-newOwnerRepId', errors.newOwnerRepId)}
        >
          <option value="">Choose a rep</option>
          {receivers.map((r) => (
            <option value={r.id} selected={values.newOwnerRepId === r.id}>
              {r.name}
              {r.region ? ` (${r.region})` : ''}
            </option>
          ))}
        </select>
        <FieldError id="f-newOwnerRepId" message={errors.newOwnerRepId} />
      </div>
      <fieldset id="commissionType" {...describedBy('commissionType', errors.commissionType)}>
        <legend>Commission type</legend>
        <FieldError id="commissionType" message={errors.commissionType} />
        {Object.entries(COMMISSION_TYPE_LABELS).map(([k, label]) => (
          <label class="choice">
            <input type="radio" name="commissionType" value={k} checked={values.commissionType === k} />
            <span>{label}</span>
          </label>
        ))}
        <TextField
          id="customPct"
          label="Type C: the new rep’s share (%)"
          type="number"
          value={values.customPct}
          error={errors.customPct}
          hint="House takes what is left so the split stays exactly 100%; a Subagent keeps their share. Refused when House would go below 0%."
          extra={{ min: 0, max: 100, step: '0.01' }}
        />
      </fieldset>
      <div class="two-fields">
        <TextField
          id="commissionEndDate"
          label="Commission end date"
          type="date"
          value={values.commissionEndDate}
          error={errors.commissionEndDate}
          hint="Last day the current split is paid; not before the opportunity was created."
        />
        <TextField
          id="reassignmentDate"
          label="Reassignment date"
          type="date"
          value={values.reassignmentDate}
          error={errors.reassignmentDate}
          hint="First day of the new split; on or after the end date (days in between go to House)."
        />
      </div>
      <TextField
        id="reason"
        label="Reason"
        value={values.reason}
        error={errors.reason}
        hint="Required; kept in the audit trail and the notices."
        extra={{ maxlength: 2000 }}
      />
    </>
  );
}

export function OpportunityPage({
  opp,
  periods,
  changes,
  current,
  principal,
  csrfToken,
  values,
  errors,
  receivers,
}: {
  opp: OpportunityDetail;
  periods: readonly TimelinePeriod[];
  changes: readonly TimelineChange[];
  current: readonly TimelineShare[];
  principal: Principal;
  csrfToken: string;
  values: CommissionFormValues;
  errors: CommissionFormErrors;
  receivers: readonly ReceiverChoice[];
}) {
  return (
    <>
      <Crumbs
        items={[
          { href: '/accounts', label: 'Accounts' },
          { href: `/accounts/${opp.accountId}`, label: opp.accountName },
          { label: opp.name },
        ]}
      />
      <div class="page-head">
        <div>
          <h1>{opp.name}</h1>
          <p class="muted">
            {opp.crmId} · <a href={`/accounts/${opp.accountId}`}>{opp.accountName}</a>
          </p>
        </div>
      </div>
      <OpportunityFacts opp={opp} current={current} />
      <HistoryTimeline periods={periods} changes={changes} runs={opp.runs} />
      {principal.role === 'manager' && (
        <ManageCommissions
          opp={opp}
          csrfToken={csrfToken}
          values={values}
          errors={errors}
          receivers={receivers}
        />
      )}
    </>
  );
}

/** The level-2 page's and its form's inputs: the account, the form's values and errors, who may receive. */
interface ReassignProps {
  account: AccountForReassign;
  csrfToken: string;
  values: CommissionFormValues;
  errors: CommissionFormErrors;
  receivers: readonly ReceiverChoice[];
  skipped: readonly { opportunityId: string; reason: string }[];
}

export function ReassignOpportunitiesPage({
  account,
  csrfToken,
  values,
  errors,
  receivers,
  skipped,
}: ReassignProps) {
  return (
    <>
      <Crumbs
        items={[
          { href: '/accounts', label: 'Accounts' },
          { href: `/accounts/${account.id}`, label: account.name },
          { label: 'Reassign all opportunities' },
        ]}
      />
      <div class="page-head">
        <div>
          <h1>Reassign all opportunities of {account.name}</h1>
          <p class="muted">
            {account.crmId} · owner{' '}
            {account.ownerId ? <a href={`/reps/${account.ownerId}`}>{account.ownerName}</a> : 'none'}
          </p>
        </div>
      </div>
      <OpenOpportunities account={account} />
      <ReassignForm
        account={account}
        csrfToken={csrfToken}
        values={values}
        errors={errors}
        receivers={receivers}
        skipped={skipped}
      />
    </>
  );
}

/** The opportunity's owner, stage, amount, status and dates, and its split now. */
function OpportunityFacts({ opp, current }: { opp: OpportunityDetail; current: readonly TimelineShare[] }) {
  const open = opp.status === 'open';
  return (
    <section class="card" aria-labelledby="opp-title">
      <h2 id="opp-title">Opportunity</h2>
      <dl class="stats" id="opp-facts">
        <Stat label="Owner">
          {opp.ownerId ? <a href={`/reps/${opp.ownerId}`}>{opp.ownerName}</a> : 'No owner'}
        </Stat>
        <Stat label="Stage">
          {opp.stage}
          {opp.isBillingStage && <span class="badge">protected (billing)</span>}
        </Stat>
        <Stat label="Amount">{amountOrUnknown(opp.amountCents)}</Stat>
        <Stat label="Status">{open ? 'Open' : `Closed (${opp.status.replaceAll('_', ' ')})`}</Stat>
        <Stat label="Created">{opp.createdDate}</Stat>
        <Stat label="Close date">{opp.closeDate ?? '—'}</Stat>
      </dl>
      <h3>Current split</h3>
      <div id="current-split">
        <SharesTable shares={current} />
      </div>
    </section>
  );
}

/** Level 1 (managers): the form that hands this opportunity over, or why a closed one cannot be. */
function ManageCommissions({
  opp,
  csrfToken,
  values,
  errors,
  receivers,
}: {
  opp: OpportunityDetail;
  csrfToken: string;
  values: CommissionFormValues;
  errors: CommissionFormErrors;
  receivers: readonly ReceiverChoice[];
}) {
  const open = opp.status === 'open';
  return (
    <section class="card" aria-labelledby="manage-title" id="manage-commissions">
      <h2 id="manage-title">Manage commissions</h2>
      {errors.form && <Alert kind="error">{errors.form}</Alert>}
      {!open ? (
        <Alert kind="info">
          This opportunity is closed; closed opportunities cannot be reassigned, so its split stays as it is.
        </Alert>
      ) : (
        <form method="post" action={`/opportunities/${opp.id}/commissions`} novalidate>
          <CsrfField token={csrfToken} />
          <p class="muted">
            Hands this opportunity (only) to a new owner and changes its split from the reassignment date. It
            becomes a run: solved, reviewed and approved like any other, and nothing changes until a manager
            commits it.
          </p>
          <CommissionFields values={values} errors={errors} receivers={receivers} />
          <div class="actions">
            <button type="submit" id="create-opportunity-run">
              Create the run and solve
            </button>
          </div>
        </form>
      )}
    </section>
  );
}

/** The account's open opportunities with their current splits. */
function OpenOpportunities({ account }: { account: AccountForReassign }) {
  return (
    <section class="card" aria-labelledby="open-opps-title">
      <h2 id="open-opps-title">Open opportunities and their current splits</h2>
      {account.opportunities.length === 0 ? (
        <p class="muted">This account has no open opportunities; only its ownership would change.</p>
      ) : (
        <div class="table-wrap">
          <table id="open-opportunities">
            <thead>
              <tr>
                <th scope="col">Opportunity</th>
                <th scope="col">Stage</th>
                <th scope="col" class="num">
                  Amount
                </th>
                <th scope="col">Close date</th>
                <th scope="col">Owner</th>
                <th scope="col">Current split</th>
              </tr>
            </thead>
            <tbody>
              {account.opportunities.map((o) => (
                <tr>
                  <td>
                    <a href={`/opportunities/${o.id}`}>{o.name}</a> <span class="muted">{o.crmId}</span>
                  </td>
                  <td>
                    {o.stage}
                    {o.isBillingStage && <span class="badge">protected</span>}
                  </td>
                  <td class="num">{amountOrUnknown(o.amountCents)}</td>
                  <td>{o.closeDate ?? '—'}</td>
                  <td>{o.ownerName ?? '—'}</td>
                  <td>
                    {o.current.length === 0
                      ? 'no split'
                      : o.current.map((s) => `${s.repName} ${pct(s.bps)}`).join(' · ')}
                  </td>
                </tr>
              ))}
            </tbody>
          </table>
        </div>
      )}
    </section>
  );
}

/** Level 2: the new owner and one commission type for every open opportunity, and those that keep their split. */
function ReassignForm({ account, csrfToken, values, errors, receivers, skipped }: ReassignProps) {
  const names = new Map(account.opportunities.map((o) => [o.id, o.name]));
  return (
    <section class="card" aria-labelledby="reassign-title" id="reassign-opportunities">
      <h2 id="reassign-title">New owner and commission</h2>
      <form method="post" action={`/accounts/${account.id}/reassign-opportunities`} novalidate>
        <CsrfField token={csrfToken} />
        {errors.form && <Alert kind="error">{errors.form}</Alert>}
        <p class="muted">
          Uniform: the account and its open opportunities go to the new owner with one commission type for
          all. Opportunities in protected stages (billing onwards), without a split, or whose split does not
          include the current owner keep their split; the run’s review lists them. A different type per
          opportunity is done one at a time from each opportunity’s page.
        </p>
        {skipped.length > 0 && (
          <Alert kind="info">
            <p>These keep their split:</p>
            <ul>
              {skipped.map((s) => (
                <li>
                  {names.get(s.opportunityId) ?? s.opportunityId}: {s.reason}
                </li>
              ))}
            </ul>
          </Alert>
        )}
        <CommissionFields values={values} errors={errors} receivers={receivers} />
        <div class="actions">
          <button type="submit" id="create-account-run">
            Create the run and solve
          </button>
          <a href={`/accounts/${account.id}`}>Cancel</a>
        </div>
      </form>
    </section>
  );
}
