/**
 * The "Commission decisions" panel of a manual-queue run (seed 003 level 3, "Manual Queue"): the opportunities of
 * the proposal, paginated and filtered, each with its current split and a small form to decide its type (A/B/C, the
 * type C share, the receiving rep), and a bulk form that applies one decision to the ticked or to all filtered
 * opportunities. Real forms: without JavaScript they post and come back to the same page; with htmx only the panel
 * is swapped.
 */
import { Pager, query } from '../shared/components.tsx';
import { num } from '../shared/format.ts';
import {
  BulkDecisionForm,
  type DecisionPanelFilter,
  type DecisionPanelProps,
  DecisionsTable,
  PANEL_ID,
} from './commission-decisions-parts.tsx';

export const decisionsHref = (runId: string, f: Partial<DecisionPanelFilter>) =>
  `/runs/${runId}/commission-decisions${query({
    q: f.q || undefined,
    show: f.show && f.show !== 'all' ? f.show : undefined,
    page: f.page && f.page > 1 ? f.page : undefined,
  })}`;

export function CommissionDecisionsPanel(props: DecisionPanelProps) {
  const { runId, filter, canEdit } = props;
  const bulkId = 'decisions-bulk';
  return (
    <section class="card" id={PANEL_ID} aria-labelledby={`${PANEL_ID}-title`}>
      <h2 id={`${PANEL_ID}-title`}>Commission decisions</h2>
      <DecisionsStatus props={props} />
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
      <DecisionsFilterForm runId={runId} filter={filter} />
      {canEdit && props.all > 0 && <BulkDecisionForm props={props} bulkId={bulkId} />}
      <DecisionsTable props={props} bulkId={bulkId} />
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

function DecisionsStatus({ props }: { props: DecisionPanelProps }) {
  return (
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
  );
}

function DecisionsFilterForm({ runId, filter }: { runId: string; filter: DecisionPanelFilter }) {
  return (
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
