/**
 * The "Commission decisions" panel of a manual-queue run (seed 003 level 3, "Manual Queue"): the opportunities of
 * the proposal, paginated and filtered, each with its current split and a small form to decide its type (A/B/C, the
 * type C share, the receiving rep), and a bulk form that applies one decision to the ticked or to all filtered
 * opportunities. Real forms: without JavaScript they post and come back to the same page; with htmx only the panel
 * is swapped.
 */
import { CsrfField } from '../layout.tsx';
import { Pager, query } from '../shared/components.tsx';
import { money, num, pct } from '../shared/format.ts';

export type SplitPart = { repId: string; role: 'house' | 'rep' | 'subagent'; bps: number };

export interface DecisionPanelRow {
  opportunityId: string;
  crmId: string;
  name: string;
  accountName: string;
  stage: string;
  amountCents: number;
  toRepId: string | null;
  before: SplitPart[];
  after: SplitPart[] | null;
  error: string | null;
  decision: {
    commissionType: 'house_absorbs' | 'direct_transfer' | 'custom';
    customBps?: number | undefined;
    receiverRepId?: string | undefined;
  } | null;
}

export interface DecisionPanelFilter {
  q: string;
  show: 'all' | 'undecided' | 'decided';
  page: number;
}

export interface DecisionPanelProps {
  runId: string;
  runStatus: string;
  version: number;
  strategy: string;
  rows: DecisionPanelRow[];
  total: number;
  all: number;
  undecided: number;
  pageSize: number;
  filter: DecisionPanelFilter;
  names: Map<string, string>;
  /** Who may receive a share (active people and House reps, none leaving in this run). */
  receivers: { id: string; name: string; kind: string }[];
  canEdit: boolean;
  csrfToken: string;
  /** Errors of the last post: the whole form's, or one row's (by opportunity id). */
  errors?: { form?: string | undefined; rows?: Record<string, string> | undefined } | undefined;
  /** What the last post did, for the status line. */
  notice?: string | undefined;
}

const TYPES = [
  ['house_absorbs', 'A — House absorbs'],
  ['direct_transfer', 'B — direct transfer'],
  ['custom', 'C — custom %'],
] as const;

export const PANEL_ID = 'commission-decisions';

export const decisionsHref = (runId: string, f: Partial<DecisionPanelFilter>) =>
  `/runs/${runId}/commission-decisions${query({
    q: f.q || undefined,
    show: f.show && f.show !== 'all' ? f.show : undefined,
    page: f.page && f.page > 1 ? f.page : undefined,
  })}`;

function splitText(parts: readonly SplitPart[] | null, names: Map<string, string>) {
  if (!parts || parts.length === 0) return '—';
  const order = { house: 0, rep: 1, subagent: 2 } as const;
  // One order whatever the rows' storage order: House, reps, subagents; larger shares first.
  return [...parts]
    .filter((p) => p.bps > 0)
    .sort((a, b) => order[a.role] - order[b.role] || b.bps - a.bps || a.repId.localeCompare(b.repId))
    .map((p) => `${p.role === 'house' ? 'House' : (names.get(p.repId) ?? p.repId)} ${pct(p.bps)}`)
    .join(' · ');
}

function FilterFields({ filter }: { filter: DecisionPanelFilter }) {
  return (
    <>
      <input type="hidden" name="q" value={filter.q} />
      <input type="hidden" name="show" value={filter.show} />
      <input type="hidden" name="page" value={String(filter.page)} />
    </>
  );
}

function ReceiverSelect({
  id,
  name,
  value,
  receivers,
  label,
}: {
  id: string;
  name: string;
  value: string;
  receivers: DecisionPanelProps['receivers'];
  label: string;
}) {
  return (
    <select id={id} name={name} aria-label={label}>
      <option value="">The account’s new owner</option>
      {receivers.map((r) => (
        <option value={r.id} selected={value === r.id}>
          {r.name}
          {r.kind === 'house' ? ' (House rep)' : ''}
        </option>
      ))}
    </select>
  );
}

function RowForm({ props, row }: { props: DecisionPanelProps; row: DecisionPanelRow }) {
  const d = row.decision;
  const base = `decision-${row.opportunityId}`;
  const action = `/runs/${props.runId}/commission-decisions/${row.opportunityId}`;
  const err = props.errors?.rows?.[row.opportunityId];
  return (
    <form
      method="post"
      action={action}
      hx-post={action}
      hx-target={`#${PANEL_ID}`}
      hx-swap="outerHTML"
      class="decision-form"
      id={`${base}-form`}
    >
      <CsrfField token={props.csrfToken} />
      <FilterFields filter={props.filter} />
      <select
        id={`${base}-type`}
        name="commissionType"
        aria-label={`Type for ${row.name}`}
        aria-invalid={err ? 'true' : undefined}
        aria-describedby={err ? `${base}-error` : undefined}
      >
        <option value="">Undecided</option>
        {TYPES.map(([k, label]) => (
          <option value={k} selected={d?.commissionType === k}>
            {label}
          </option>
        ))}
      </select>
      <input
        id={`${base}-pct`}
        name="customPct"
        inputmode="decimal"
        size={5}
        value={d?.customBps !== undefined ? String(d.customBps / 100) : ''}
        aria-label={`Type C share for ${row.name}, percent`}
        placeholder="C %"
      />
      <ReceiverSelect
        id={`${base}-receiver`}
        name="receiverRepId"
        value={d?.receiverRepId ?? ''}
        receivers={props.receivers}
        label={`Receiving rep for ${row.name}`}
      />
      <button type="submit" class="secondary small" id={`${base}-save`}>
        Save
      </button>
      {err && (
        <p class="field-error" id={`${base}-error`} role="alert">
          {err}
        </p>
      )}
    </form>
  );
}

export function CommissionDecisionsPanel(props: DecisionPanelProps) {
  const { runId, filter, rows, canEdit } = props;
  const bulkId = 'decisions-bulk';
  return (
    <section class="card" id={PANEL_ID} aria-labelledby={`${PANEL_ID}-title`}>
      <h2 id={`${PANEL_ID}-title`}>Commission decisions</h2>
      <p id="decisions-status" role="status" class={props.undecided > 0 ? 'alert warning' : 'muted'}>
        {props.all === 0
          ? props.runStatus === 'draft'
            ? 'Solve the run first: the opportunities to decide come with the proposal.'
            : 'The proposal hands over no open opportunity, so there is nothing to decide.'
          : props.undecided > 0
            ? `${num(props.undecided)} of ${num(props.all)} opportunities are undecided: approval is refused until each has a type.`
            : `All ${num(props.all)} opportunities are decided.`}{' '}
        {props.notice ?? ''}
      </p>
      {props.errors?.form && (
        <p class="alert error" role="alert" id="decisions-error">
          {props.errors.form}
        </p>
      )}
      <p class="hint small">
        Manual queue: each open opportunity of the accounts this run moves gets the type a person chooses.
        Type B and C hand the leaving rep’s share to the account’s new owner, or to the receiving rep you
        pick; type A gives it to House. Deciding changes the proposal, so an approval is voided.
      </p>
      <form
        method="get"
        action={`/runs/${runId}/commission-decisions`}
        hx-get={`/runs/${runId}/commission-decisions`}
        hx-target={`#${PANEL_ID}`}
        hx-swap="outerHTML"
        class="filters"
        aria-label="Filter the opportunities to decide"
      >
        <label for="decisions-q">Opportunity or account</label>
        <input id="decisions-q" name="q" type="search" value={filter.q} maxlength={200} />
        <label for="decisions-show">Show</label>
        <select id="decisions-show" name="show">
          <option value="all" selected={filter.show === 'all'}>
            All
          </option>
          <option value="undecided" selected={filter.show === 'undecided'}>
            Undecided
          </option>
          <option value="decided" selected={filter.show === 'decided'}>
            Decided
          </option>
        </select>
        <button type="submit" class="secondary">
          Filter
        </button>
      </form>
      {canEdit && props.all > 0 && (
        <form
          method="post"
          action={`/runs/${runId}/commission-decisions`}
          hx-post={`/runs/${runId}/commission-decisions`}
          hx-target={`#${PANEL_ID}`}
          hx-swap="outerHTML"
          id={bulkId}
          class="bulk-decision"
        >
          <CsrfField token={props.csrfToken} />
          <FilterFields filter={filter} />
          <fieldset>
            <legend>Apply one decision to several opportunities</legend>
            <label for="bulk-type">Type</label>
            <select id="bulk-type" name="commissionType">
              <option value="">Undecided (withdraw)</option>
              {TYPES.map(([k, label]) => (
                <option value={k}>{label}</option>
              ))}
            </select>
            <label for="bulk-pct">Type C share (%)</label>
            <input id="bulk-pct" name="customPct" inputmode="decimal" size={5} />
            <label for="bulk-receiver">Receiving rep</label>
            <ReceiverSelect
              id="bulk-receiver"
              name="receiverRepId"
              value=""
              receivers={props.receivers}
              label="Receiving rep"
            />
            <label class="choice">
              <input type="radio" name="target" value="selected" checked />
              <span>The ticked opportunities</span>
            </label>
            <label class="choice">
              <input type="radio" name="target" value="filtered" />
              <span>
                All {num(props.total)} opportunities matching the filter
                {filter.q || filter.show !== 'all' ? '' : ' (every one)'}
              </span>
            </label>
            <button type="submit" id="bulk-apply">
              Apply
            </button>
          </fieldset>
        </form>
      )}
      <div class="table-wrap">
        <table id="decisions-table">
          <caption class="muted">
            {num(props.total)} opportunit{props.total === 1 ? 'y' : 'ies'}
            {filter.q || filter.show !== 'all' ? ' matching the filter' : ''}
          </caption>
          <thead>
            <tr>
              {canEdit && (
                <th scope="col">
                  <span class="visually-hidden">Tick</span>
                </th>
              )}
              <th scope="col">Account</th>
              <th scope="col">Opportunity</th>
              <th scope="col">Stage</th>
              <th scope="col" class="num">
                Amount
              </th>
              <th scope="col">Current split</th>
              <th scope="col">After</th>
              <th scope="col">Decision</th>
            </tr>
          </thead>
          <tbody>
            {rows.map((row) => (
              <tr
                id={`decision-row-${row.opportunityId}`}
                data-decided={row.decision ? 'yes' : 'no'}
                data-type={row.decision?.commissionType ?? ''}
              >
                {canEdit && (
                  <td>
                    <input
                      type="checkbox"
                      name="ids"
                      value={row.opportunityId}
                      form={bulkId}
                      aria-label={`Tick ${row.name}`}
                    />
                  </td>
                )}
                <td>{row.accountName}</td>
                <td>
                  {row.name} <span class="muted small">{row.crmId}</span>
                </td>
                <td>{row.stage}</td>
                <td class="num">{money(row.amountCents)}</td>
                <td>{splitText(row.before, props.names)}</td>
                <td>
                  {row.error ? (
                    <span class="field-error">Refused: {row.error}</span>
                  ) : row.decision ? (
                    splitText(row.after, props.names)
                  ) : (
                    <em>undecided</em>
                  )}
                </td>
                <td>
                  {canEdit ? (
                    <RowForm props={props} row={row} />
                  ) : row.decision ? (
                    `Type ${row.decision.commissionType === 'house_absorbs' ? 'A' : row.decision.commissionType === 'direct_transfer' ? 'B' : `C ${pct(row.decision.customBps ?? 0)}`}${row.decision.receiverRepId ? ` to ${props.names.get(row.decision.receiverRepId) ?? row.decision.receiverRepId}` : ''}`
                  ) : (
                    'Undecided'
                  )}
                </td>
              </tr>
            ))}
          </tbody>
        </table>
      </div>
      <Pager
        href={(p) => decisionsHref(runId, { ...filter, page: p })}
        page={filter.page}
        pageSize={props.pageSize}
        total={props.total}
        target={`#${PANEL_ID}`}
        label="Pages of opportunities to decide"
      />
    </section>
  );
}

/** The panel's place on the run's overview: loaded by htmx, a plain link without JavaScript. */
export function CommissionDecisionsSlot({ runId }: { runId: string }) {
  const href = `/runs/${runId}/commission-decisions`;
  return (
    <div id="commission-decisions-slot" hx-get={href} hx-trigger="load" hx-target="this" hx-swap="innerHTML">
      <section class="card">
        <h2>Commission decisions</h2>
        <p>
          <a href={href}>Decide the commission type of each opportunity (manual queue)</a>
        </p>
      </section>
    </div>
  );
}
