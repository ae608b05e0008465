/**
 * The parts of the "Commission decisions" panel (commission-decisions-panel.tsx): its types, the table of
 * opportunities with a decision form per row, and the bulk form that applies one decision to several.
 */
import { CsrfField } from '../layout.tsx';
import { amountOrUnknown, num, pct } from '../shared/format.ts';

export type SplitPart = { repId: string; role: 'house' | 'rep' | 'subagent'; bps: number };

export interface DecisionPanelRow {
  opportunityId: string;
  crmId: string;
  name: string;
  accountName: string;
  stage: string;
  amountCents: number | null;
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

export function BulkDecisionForm({ props, bulkId }: { props: DecisionPanelProps; bulkId: string }) {
  const { runId, filter } = props;
  return (
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
  );
}

export function DecisionsTable({ props, bulkId }: { props: DecisionPanelProps; bulkId: string }) {
  const { filter, rows, canEdit } = props;
  return (
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
            <DecisionRow props={props} row={row} bulkId={bulkId} />
          ))}
        </tbody>
      </table>
    </div>
  );
}

function DecisionRow({
  props,
  row,
  bulkId,
}: {
  props: DecisionPanelProps;
  row: DecisionPanelRow;
  bulkId: string;
}) {
  const { canEdit } = props;
  return (
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
      <td class="num">{amountOrUnknown(row.amountCents)}</td>
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
          decisionText(row.decision, props.names)
        ) : (
          'Undecided'
        )}
      </td>
    </tr>
  );
}

/** A decision in words, for those who may not change it: "Type C 20%", "Type B to Ana". */
function decisionText(d: NonNullable<DecisionPanelRow['decision']>, names: Map<string, string>) {
  return `Type ${d.commissionType === 'house_absorbs' ? 'A' : d.commissionType === 'direct_transfer' ? 'B' : `C ${pct(d.customBps ?? 0)}`}${d.receiverRepId ? ` to ${names.get(d.receiverRepId) ?? d.receiverRepId}` : ''}`;
}
