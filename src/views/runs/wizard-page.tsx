/**
 * The reassignment wizard (seed 003: Scope → Strategy → Assignment → Review → Execute) as one real form: it
 * works without JavaScript (each kind's fields are shown or hidden by CSS alone), errors sit next to their
 * field, and "Preview impact" shows what is at stake before anything is solved (htmx swaps just that part).
 */

import type { Principal } from '../../auth/principal.ts';
import type { RepChoice } from '../../services/book/rep-list.ts';
import type { RunDiagnosis } from '../../services/plan/diagnose-run.ts';
import type { Impact } from '../../services/plan/draft-impact.ts';
import type { CommissionLine, ScopeAccountRow } from '../../services/plan/wizard-choices.ts';
import { MAX_SCOPE_ACCOUNTS } from '../../services/run-records/run-params.ts';
import { CsrfField } from '../layout.tsx';
import { describedBy, FieldError, Stat, TextField } from '../shared/components.tsx';
import {
  COMMISSION_TYPE_LABELS,
  money,
  num,
  pct,
  RUN_KIND_LABELS,
  RUN_SCOPE_LABELS,
} from '../shared/format.ts';
import {
  emptySegmentRows,
  type SegmentChoices,
  SegmentRowsTable,
  type SegmentRowValues,
  SegmentsHint,
} from './commission-strategy-fields.tsx';
import { DiagnosisPanel } from './diagnosis-panel.tsx';

export interface WizardValues {
  kind: string;
  departingRepIds: string[];
  regions: string[];
  segments: string[];
  hireRepIds: string[];
  rampTargetPct: string;
  accountCrmId: string;
  opportunityCrmId: string;
  newOwnerRepId: string;
  scope: string;
  reason: string;
  commissionEndDate: string;
  reassignmentDate: string;
  strategy: string;
  objective: string;
  rulesetId: string;
  commissionType: string;
  customPct: string;
  /** '' for the rules' own target mode, or equal / seniority / capacity / ramp. */
  targetMode: string;
  /** This run's caps on top of each rep's own ('' for none): accounts, and revenue in dollars. */
  maxAccountsPerRep: string;
  maxRevenuePerRep: string;
  /**
   * uniform: one type for every open opportunity; segmented: segment rows first, the type above for the rest;
   * manual: a person decides each opportunity on the run's review page.
   */
  commissionStrategy: string;
  segmentRows: SegmentRowValues[];
  /** all: every account matching the filter below; selected: only the ticked accounts. */
  accountMode: string;
  accountIds: string[];
  acctOwner: string;
  acctRegion: string;
  acctQ: string;
  acctPage: number;
}

export const EMPTY_WIZARD: WizardValues = {
  kind: 'rep_departure',
  departingRepIds: [],
  regions: [],
  segments: [],
  hireRepIds: [],
  rampTargetPct: '',
  accountCrmId: '',
  opportunityCrmId: '',
  newOwnerRepId: '',
  scope: 'open_opportunities',
  reason: '',
  commissionEndDate: '',
  reassignmentDate: '',
  strategy: 'optimal',
  objective: 'l1',
  rulesetId: '',
  commissionType: 'direct_transfer',
  customPct: '',
  targetMode: '',
  maxAccountsPerRep: '',
  maxRevenuePerRep: '',
  commissionStrategy: 'uniform',
  segmentRows: emptySegmentRows(),
  accountMode: 'all',
  accountIds: [],
  acctOwner: '',
  acctRegion: '',
  acctQ: '',
  acctPage: 1,
};

/** The target modes a run may choose; '' keeps the rules' own. */
export const TARGET_MODE_CHOICES: readonly (readonly [string, string])[] = [
  ['', 'As the rules say'],
  ['equal', 'Equal shares of the receiving reps'],
  ['seniority', 'Weighted by seniority'],
  ['capacity', 'Weighted by capacity (each rep’s weight)'],
  ['ramp', 'Weighted by ramp target (new hires take less)'],
];

export type WizardErrors = Partial<Record<keyof WizardValues | 'form' | `seg-${number}`, string>>;

/** One page of the accounts in scope for the multi-select, with the count of all that match the filter. */
export interface AccountPickerData {
  rows: ScopeAccountRow[];
  total: number;
  page: number;
  pageSize: number;
}

export interface WizardProps {
  principal: Principal;
  csrfToken: string;
  values: WizardValues;
  errors: WizardErrors;
  reps: RepChoice[];
  regions: string[];
  segments: string[];
  rulesets: { id: string; name: string; version: number }[];
  impact?: Impact | null;
  commission?: CommissionLine[] | null;
  diagnosis?: RunDiagnosis | null;
  segmentChoices: SegmentChoices;
  accountPicker: AccountPickerData | null;
  /**
   * Offer the manual-queue strategy (each opportunity decided on the run's review page): set by a route that turns
   * commissionStrategy=manual into params.commissionStrategy (see commission-decisions.routes.tsx).
   */
  manualQueue?: boolean | undefined;
}

const STRATEGIES: Record<string, string> = {
  optimal: 'Balanced (recommended) — an exact optimisation of count and revenue against each rep’s target',
  'least-loaded': 'Least-loaded — each account to the rep with the lightest book',
  'round-robin': 'Round-robin — in turn, in a fixed order',
  territory: 'Territory — by the ruleset’s region and segment rules',
  weighted: 'Weighted — by seniority and weight from the roster',
};

const STEPS = [
  ['step-scope', 'Scope'],
  ['step-strategy', 'Strategy'],
  ['step-assignment', 'Assignment'],
  ['step-review', 'Review'],
  ['step-execute', 'Execute'],
] as const;

function repLine(r: RepChoice) {
  const bits = [r.region, `${num(r.accounts)} accounts`, money(r.revenueCents)];
  if (r.endDate) bits.push(`last day ${r.endDate}`);
  return bits.filter(Boolean).join(' · ');
}

function RepCheckboxes({
  name,
  reps,
  checked,
  error,
  legend,
  hint,
}: {
  name: 'departingRepIds' | 'hireRepIds';
  reps: RepChoice[];
  checked: string[];
  error?: string | undefined;
  legend: string;
  hint: string;
}) {
  return (
    <fieldset
      id={name}
      class="rep-choices"
      aria-describedby={[`${name}-hint`, error ? `${name}-error` : ''].filter(Boolean).join(' ')}
    >
      <legend>{legend}</legend>
      <p class="hint" id={`${name}-hint`}>
        {hint}
      </p>
      <FieldError id={name} message={error} />
      <div class="choice-grid">
        {reps.map((r) => (
          <label class="choice">
            <input type="checkbox" name={name} value={r.id} checked={checked.includes(r.id)} />
            <span>
              <strong>{r.name}</strong> <span class="muted small">{repLine(r)}</span>
            </span>
          </label>
        ))}
      </div>
    </fieldset>
  );
}

function OwnerSelect({ values, errors, reps }: Pick<WizardProps, 'values' | 'errors' | 'reps'>) {
  return (
    <div class="field">
      <label for="f-newOwnerRepId">New owner</label>
      <select
        id="f-newOwnerRepId"
        name="newOwnerRepId"
        {...describedBy('f-newOwnerRepId', errors.newOwnerRepId)}
      >
        <option value="">Choose a rep</option>
        {reps
          .filter((r) => r.kind === 'person' && r.active && r.mayReceive)
          .map((r) => (
            <option value={r.id} selected={values.newOwnerRepId === r.id}>
              {r.name} ({repLine(r)})
            </option>
          ))}
      </select>
      <FieldError id="f-newOwnerRepId" message={errors.newOwnerRepId} />
    </div>
  );
}

const TYPE_LETTER: Record<string, string> = { house_absorbs: 'A', direct_transfer: 'B', custom: 'C' };

/** How the chosen commission strategy treats the open opportunities in scope (type by deciding segment). */
function CommissionPreview({ lines, values }: { lines: CommissionLine[]; values: WizardValues }) {
  const strategy =
    values.commissionStrategy === 'segmented'
      ? 'segmented strategy'
      : values.commissionStrategy === 'manual'
        ? 'manual queue'
        : 'uniform strategy';
  return (
    <table id="impact-commission">
      <caption>Commission on open opportunities — {strategy}</caption>
      <thead>
        <tr>
          <th scope="col">Decided by</th>
          <th scope="col">Type</th>
          <th scope="col">Open opportunities</th>
          <th scope="col">Amount</th>
        </tr>
      </thead>
      <tbody>
        {lines.map((l) => (
          <tr data-type={l.type ?? 'undecided'} data-segment={l.segment ?? 'default'}>
            <td>
              {l.type === null
                ? 'A person, on the review page'
                : l.segment === null
                  ? 'Default type'
                  : `Segment ${l.segment}`}
            </td>
            <td>
              {l.type === null ? 'To decide' : `Type ${TYPE_LETTER[l.type] ?? l.type}`}
              {l.type === 'custom' && l.customBps !== null ? ` (new rep ${pct(l.customBps)})` : ''}
              {l.receiverName ? `, the share to ${l.receiverName}` : ''}
            </td>
            <td>{num(l.opportunities)}</td>
            <td>{money(l.amountCents)}</td>
          </tr>
        ))}
      </tbody>
    </table>
  );
}

export function ImpactPanel({
  impact,
  values,
  commission,
  diagnosis,
}: {
  impact: Impact | null | undefined;
  values: WizardValues;
  commission?: CommissionLine[] | null | undefined;
  diagnosis?: RunDiagnosis | null | undefined;
}) {
  return (
    <div id="impact" aria-live="polite">
      {!impact ? (
        <p class="muted">
          Choose the scope above, then preview the impact: what this run would touch before anything is
          solved.
        </p>
      ) : (
        <>
          <dl class="stats" id="impact-stats">
            <Stat label="Accounts in scope">{num(impact.accounts)}</Stat>
            <Stat label="Annual revenue">{money(impact.revenueCents)}</Stat>
            <Stat label="Open opportunities">{num(impact.openOpportunities)}</Stat>
            <Stat label="Open pipeline">{money(impact.openAmountCents)}</Stat>
            <Stat label="Revenue schedules ahead">
              {num(impact.schedules)} <span class="small muted">({money(impact.scheduledCents)})</span>
            </Stat>
          </dl>
          <ul>
            {impact.closingSoon > 0 && (
              <li>
                <strong>{num(impact.closingSoon)}</strong> open deal(s) close within 30 days: moving their
                account is flagged as a conflict for you to decide.
              </li>
            )}
            {impact.protectedAccounts > 0 && (
              <li>
                <strong>{num(impact.protectedAccounts)}</strong> house or co-owned account(s) are protected
                and stay where they are.
              </li>
            )}
            {impact.closedOpportunities > 0 && values.scope !== 'complete' && (
              <li>
                {num(impact.closedOpportunities)} closed opportunity(ies) keep their commission split (scope “
                {RUN_SCOPE_LABELS[values.scope] ?? values.scope}”).
              </li>
            )}
            {impact.accounts === 0 && (
              <li>Nothing is in scope yet: choose reps, regions, an account or an opportunity.</li>
            )}
          </ul>
          {diagnosis && <DiagnosisPanel diagnosis={diagnosis} />}
          {commission && commission.length > 0 && <CommissionPreview lines={commission} values={values} />}
        </>
      )}
    </div>
  );
}

/**
 * Accounts in scope (departure and realignment): "all matching" by default, or only the ticked accounts. The list
 * is filtered (owner, region, search) and paginated on the server; ticks on other pages travel as hidden inputs,
 * so the selection survives paging with or without JavaScript (htmx swaps just this part when it is there).
 */
export function AccountPicker({
  values,
  errors,
  reps,
  regions,
  data,
}: {
  values: WizardValues;
  errors: WizardErrors;
  reps: RepChoice[];
  regions: string[];
  data: AccountPickerData | null;
}) {
  const owners =
    values.kind === 'rep_departure'
      ? reps.filter((r) => values.departingRepIds.includes(r.id))
      : reps.filter((r) => r.kind === 'person' && r.accounts > 0);
  const onPage = new Set(data?.rows.map((r) => r.id) ?? []);
  const elsewhere = values.accountIds.filter((id) => !onPage.has(id));
  const pages = data ? Math.max(1, Math.ceil(data.total / data.pageSize)) : 1;
  const pageButton = (page: number, label: string, id: string) => (
    <button
      type="submit"
      name="acctPage"
      value={String(page)}
      id={id}
      class="secondary"
      formnovalidate
      hx-post="/runs/new/accounts"
      hx-target="#account-picker"
      hx-swap="outerHTML"
      hx-include="closest form"
    >
      {label}
    </button>
  );
  return (
    <fieldset
      id="account-picker"
      class="for-kind for-rep_departure for-realignment"
      aria-describedby={['account-picker-hint', errors.accountIds ? 'account-picker-error' : '']
        .filter(Boolean)
        .join(' ')}
    >
      <legend>Accounts in scope</legend>
      <p class="hint" id="account-picker-hint">
        Only the accounts in scope may move; every other account stays where it is and still counts for
        balance. In a departure only the departing reps’ accounts can be chosen.
      </p>
      <FieldError id="account-picker" message={errors.accountIds} />
      <label class="choice">
        <input type="radio" name="accountMode" value="all" checked={values.accountMode !== 'selected'} />
        <span>
          All accounts matching the filter below
          {data ? ` (${num(data.total)})` : ''}
        </span>
      </label>
      <label class="choice">
        <input type="radio" name="accountMode" value="selected" checked={values.accountMode === 'selected'} />
        <span>
          Only the accounts I tick ({num(values.accountIds.length)} ticked; at most {num(MAX_SCOPE_ACCOUNTS)})
        </span>
      </label>
      <div class="filters">
        <div class="field">
          <label for="f-acctOwner">Owner</label>
          <select id="f-acctOwner" name="acctOwner">
            <option value="">{values.kind === 'rep_departure' ? 'Any departing rep' : 'Any owner'}</option>
            {owners.map((r) => (
              <option value={r.id} selected={values.acctOwner === r.id}>
                {r.name}
              </option>
            ))}
          </select>
        </div>
        <div class="field">
          <label for="f-acctRegion">Region</label>
          <select id="f-acctRegion" name="acctRegion">
            <option value="">Any region</option>
            {regions.map((r) => (
              <option value={r} selected={values.acctRegion === r}>
                {r}
              </option>
            ))}
          </select>
        </div>
        <div class="field">
          <label for="f-acctQ">Search name or CRM id</label>
          <input id="f-acctQ" name="acctQ" type="search" value={values.acctQ} maxlength={200} />
        </div>
        <div class="field">{pageButton(1, 'Filter accounts', 'account-filter')}</div>
      </div>
      {!data ? (
        <p class="muted" id="account-list-empty">
          {values.kind === 'rep_departure' && values.departingRepIds.length === 0
            ? 'Choose who is leaving, then filter to list their accounts.'
            : 'Filter to list the accounts and tick the ones to move.'}
        </p>
      ) : data.rows.length === 0 ? (
        <p class="muted" id="account-list-empty">
          No account matches the filter.
        </p>
      ) : (
        <>
          <table id="account-list">
            <caption>
              Page {num(data.page)} of {num(pages)} — {num(data.total)} matching account(s)
            </caption>
            <thead>
              <tr>
                <th scope="col">Move</th>
                <th scope="col">Account</th>
                <th scope="col">Owner</th>
                <th scope="col">Region</th>
                <th scope="col">Revenue</th>
              </tr>
            </thead>
            <tbody>
              {data.rows.map((a) => (
                <tr>
                  <td>
                    <input
                      type="checkbox"
                      name="accountIds"
                      value={a.id}
                      id={`acct-${a.id}`}
                      checked={values.accountIds.includes(a.id)}
                    />
                  </td>
                  <td>
                    <label for={`acct-${a.id}`}>
                      {a.name} <span class="muted small">{a.crmId}</span>
                    </label>
                  </td>
                  <td>{a.ownerName ?? 'nobody'}</td>
                  <td>{a.region ?? '—'}</td>
                  <td>{money(a.revenueCents)}</td>
                </tr>
              ))}
            </tbody>
          </table>
          <div class="actions" id="account-pages">
            {data.page > 1 && pageButton(data.page - 1, 'Previous page', 'account-prev')}
            {data.page < pages && pageButton(data.page + 1, 'Next page', 'account-next')}
          </div>
        </>
      )}
      {elsewhere.map((id) => (
        <input type="hidden" name="accountIds" value={id} />
      ))}
    </fieldset>
  );
}

export function WizardPage(props: WizardProps) {
  const { csrfToken, values, errors, reps, regions, segments, rulesets, impact } = props;
  const people = reps.filter((r) => r.kind === 'person');
  // Departing reps first (soonest last day), then the rest with a book.
  const leavers = [
    ...people.filter((r) => r.endDate).sort((a, b) => (a.endDate! < b.endDate! ? -1 : 1)),
    ...people.filter((r) => !r.endDate && r.accounts > 0),
  ];
  const hires = people.filter((r) => r.active && r.mayReceive).sort((a, b) => a.accounts - b.accounts);
  return (
    <>
      <h1>Start a run</h1>
      <ol class="steps" aria-label="Steps">
        {STEPS.map(([id, label]) => (
          <li class="step">
            <a href={`#${id}`}>{label}</a>
          </li>
        ))}
      </ol>
      {errors.form && (
        <div class="alert error" role="alert" id="wizard-error">
          {errors.form}
        </div>
      )}
      <form method="post" action="/runs/new" id="wizard" class={`wizard kind-is-${values.kind}`} novalidate>
        <CsrfField token={csrfToken} />
        <section class="card" id="step-scope" aria-labelledby="step-scope-title">
          <h2 id="step-scope-title">1. Scope — what happens</h2>
          <fieldset>
            <legend>Kind of run</legend>
            {Object.entries(RUN_KIND_LABELS).map(([k, label]) => (
              <label class="choice">
                <input type="radio" name="kind" value={k} checked={values.kind === k} class={`kind-${k}`} />
                <span>{label}</span>
              </label>
            ))}
          </fieldset>
          <div class="for-kind for-rep_departure">
            <RepCheckboxes
              name="departingRepIds"
              reps={leavers}
              checked={values.departingRepIds}
              error={errors.departingRepIds}
              legend="Who is leaving"
              hint="Their accounts are shared among the receiving reps; reps with a last day are listed first."
            />
          </div>
          <div class="for-kind for-realignment">
            <fieldset id="regions" aria-describedby="regions-hint">
              <legend>Regions to re-balance</legend>
              <p class="hint" id="regions-hint">
                None chosen means every region.
              </p>
              {regions.map((r) => (
                <label class="choice">
                  <input type="checkbox" name="regions" value={r} checked={values.regions.includes(r)} />
                  <span>{r}</span>
                </label>
              ))}
            </fieldset>
            <fieldset id="segments">
              <legend>Segments</legend>
              {segments.map((s) => (
                <label class="choice">
                  <input type="checkbox" name="segments" value={s} checked={values.segments.includes(s)} />
                  <span>{s}</span>
                </label>
              ))}
            </fieldset>
          </div>
          <AccountPicker
            values={values}
            errors={errors}
            reps={reps}
            regions={regions}
            data={props.accountPicker}
          />
          <div class="for-kind for-new_hire">
            <RepCheckboxes
              name="hireRepIds"
              reps={hires}
              checked={values.hireRepIds}
              error={errors.hireRepIds}
              legend="New hires who get a starter book"
              hint="Reps with the smallest books are listed first."
            />
            <TextField
              id="rampTargetPct"
              label="Ramp target (% of a full book)"
              value={values.rampTargetPct}
              error={errors.rampTargetPct}
              type="number"
              hint="For example 50 for half a book; the roster’s ramp target when left blank."
              extra={{ min: 1, max: 100 }}
            />
          </div>
          <div class="for-kind for-account">
            <TextField
              id="accountCrmId"
              label="Account (CRM id)"
              value={values.accountCrmId}
              error={errors.accountCrmId}
              hint="All of the account’s opportunities follow it. Tip: use “Reassign” on the account’s page."
            />
          </div>
          <div class="for-kind for-opportunity">
            <TextField
              id="opportunityCrmId"
              label="Opportunity (CRM id)"
              value={values.opportunityCrmId}
              error={errors.opportunityCrmId}
              hint="Only this opportunity’s commission split changes."
            />
          </div>
          <div class="for-kind for-account for-opportunity">
            <OwnerSelect values={values} errors={errors} reps={reps} />
          </div>
          <fieldset>
            <legend>What changes</legend>
            {Object.entries(RUN_SCOPE_LABELS).map(([k, label]) => (
              <label class="choice">
                <input type="radio" name="scope" value={k} checked={values.scope === k} />
                <span>{label}</span>
              </label>
            ))}
          </fieldset>
          <TextField
            id="reason"
            label="Reason (required)"
            value={values.reason}
            error={errors.reason}
            hint="Shown to approvers, in the notices and in the audit trail, e.g. “Dana Lee leaves on 31 March”."
            extra={{ maxlength: 2000 }}
          />
          <div class="two-fields">
            <TextField
              id="commissionEndDate"
              label="Commission end date"
              type="date"
              value={values.commissionEndDate}
              error={errors.commissionEndDate}
              hint="Last day the old split is paid."
            />
            <TextField
              id="reassignmentDate"
              label="Reassignment date"
              type="date"
              value={values.reassignmentDate}
              error={errors.reassignmentDate}
              hint="First day of the new owner; on or after the end date."
            />
          </div>
        </section>

        <section class="card" id="step-strategy" aria-labelledby="step-strategy-title">
          <h2 id="step-strategy-title">2. Strategy — how accounts are shared</h2>
          <div class="field">
            <label for="f-strategy">Balancing strategy</label>
            <select id="f-strategy" name="strategy">
              {Object.entries(STRATEGIES).map(([k, label]) => (
                <option value={k} selected={values.strategy === k}>
                  {label}
                </option>
              ))}
            </select>
          </div>
          <div class="field">
            <label for="f-rulesetId">Rules (eligibility, caps, protections and segments)</label>
            <select id="f-rulesetId" name="rulesetId" aria-describedby="f-rulesetId-hint">
              <option value="">The org’s default rules</option>
              {rulesets.map((r) => (
                <option value={r.id} selected={values.rulesetId === r.id}>
                  {r.name} (version {r.version})
                </option>
              ))}
            </select>
            <p class="hint" id="f-rulesetId-hint">
              Different receivers per account type, segment or region come from the ruleset; the commission
              type per segment is chosen below. Any account can be placed by hand in the review: overrides are
              pinned and always win.
            </p>
          </div>
          <fieldset id="commissionStrategy">
            <legend>Commission strategy on open opportunities</legend>
            <label class="choice">
              <input
                type="radio"
                name="commissionStrategy"
                value="uniform"
                checked={values.commissionStrategy !== 'segmented' && values.commissionStrategy !== 'manual'}
              />
              <span>
                <strong>Uniform</strong> — one type for every open opportunity
              </span>
            </label>
            <label class="choice">
              <input
                type="radio"
                name="commissionStrategy"
                value="segmented"
                checked={values.commissionStrategy === 'segmented'}
              />
              <span>
                <strong>Segmented</strong> — a type per segment (account type, stage, region, deal size); the
                type below for every opportunity no segment matches
              </span>
            </label>
            {props.manualQueue && (
              <label class="choice">
                <input
                  type="radio"
                  name="commissionStrategy"
                  value="manual"
                  checked={values.commissionStrategy === 'manual'}
                />
                <span>
                  <strong>Manual queue</strong> — a person decides each opportunity’s type (and receiving rep)
                  on the run’s review page; approval waits until every one is decided
                </span>
              </label>
            )}
          </fieldset>
          <fieldset id="commissionType">
            <legend>Type (uniform), or the default type (segmented)</legend>
            {Object.entries(COMMISSION_TYPE_LABELS).map(([k, label]) => (
              <label class="choice">
                <input type="radio" name="commissionType" value={k} checked={values.commissionType === k} />
                <span>{label}</span>
              </label>
            ))}
            <FieldError id="f-commissionType" message={errors.commissionType} />
            <TextField
              id="customPct"
              label="Type C: the new rep’s share (%)"
              value={values.customPct}
              error={errors.customPct}
              hint="House takes what is left so the split stays exactly 100%; a Subagent keeps their share."
              extra={{ inputmode: 'decimal' }}
            />
          </fieldset>
          <fieldset id="commission-segments" aria-describedby="segments-hint">
            <legend>Segments (segmented strategy only)</legend>
            <SegmentsHint />
            <SegmentRowsTable
              rows={values.segmentRows}
              errors={errors}
              choices={props.segmentChoices}
              idPrefix="f"
            />
          </fieldset>
        </section>

        <section class="card" id="step-assignment" aria-labelledby="step-assignment-title">
          <h2 id="step-assignment-title">3. Assignment — targets and caps</h2>
          <fieldset>
            <legend>What “balanced” means</legend>
            <label class="choice">
              <input type="radio" name="objective" value="l1" checked={values.objective !== 'minimax'} />
              <span>
                <strong>Everyone close to target</strong> — the smallest total distance of each rep’s count
                and revenue from their target
              </span>
            </label>
            <label class="choice">
              <input type="radio" name="objective" value="minimax" checked={values.objective === 'minimax'} />
              <span>
                <strong>Nobody far from target</strong> — the smallest largest distance
              </span>
            </label>
          </fieldset>
          <div class="field">
            <label for="f-targetMode">Targets</label>
            <select
              id="f-targetMode"
              name="targetMode"
              {...describedBy('f-targetMode', errors.targetMode, true)}
            >
              {TARGET_MODE_CHOICES.map(([value, label]) => (
                <option value={value} selected={values.targetMode === value}>
                  {label}
                </option>
              ))}
            </select>
            <p class="hint" id="f-targetMode-hint">
              A rep’s target is their share of the accounts and revenue being balanced: equal, or weighted.
            </p>
            <FieldError id="f-targetMode" message={errors.targetMode} />
          </div>
          <TextField
            id="maxAccountsPerRep"
            label="Cap for this run: accounts per rep (optional)"
            value={values.maxAccountsPerRep}
            error={errors.maxAccountsPerRep}
            hint="No receiving rep ends above this many accounts; each rep’s own cap still holds if lower."
            extra={{ inputmode: 'numeric' }}
          />
          <TextField
            id="maxRevenuePerRep"
            label="Cap for this run: annual revenue per rep, in dollars (optional)"
            value={values.maxRevenuePerRep}
            error={errors.maxRevenuePerRep}
            hint="E.g. 5,000,000. A rep over a cap is flagged as a blocking conflict."
            extra={{ inputmode: 'decimal' }}
          />
          <p class="muted">
            Each rep’s own caps come from the roster and the rules: see the{' '}
            <a href="/reps">reps and their caps</a>.
          </p>
        </section>

        <section class="card" id="step-review" aria-labelledby="step-review-title">
          <h2 id="step-review-title">4. Review — impact before solving</h2>
          <ImpactPanel
            impact={impact}
            values={values}
            commission={props.commission}
            diagnosis={props.diagnosis ?? null}
          />
          <div class="actions">
            <button
              type="submit"
              name="intent"
              value="preview"
              class="secondary"
              hx-post="/runs/new/impact"
              hx-target="#impact"
              hx-swap="outerHTML"
              hx-include="closest form"
            >
              Preview impact
            </button>
          </div>
        </section>

        <section class="card" id="step-execute" aria-labelledby="step-execute-title">
          <h2 id="step-execute-title">5. Execute</h2>
          <p>
            Solving proposes a new owner for every account in scope and flags anything a person must decide.
            Nothing changes in the book until a manager approves and commits.
          </p>
          <div class="actions">
            <button type="submit" name="intent" value="solve" id="create-and-solve">
              Create the run and solve
            </button>
            <button type="submit" name="intent" value="draft" class="secondary">
              Save as draft
            </button>
            <a href="/">Cancel</a>
          </div>
        </section>
      </form>
    </>
  );
}
