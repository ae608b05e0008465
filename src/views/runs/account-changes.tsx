/** Changing accounts of a run from its account table: the actions, their fields, and taking every account the filter matches. */
import { MAX_BULK_ACCOUNTS } from '../../services/review/changes.ts';
import { CsrfField } from '../layout.tsx';
import { num } from '../shared/format.ts';
import type { AccountFilter } from './account-filter.tsx';
export interface AccountEdit {
  csrfToken: string;
  receivers: { id: string; name: string }[];
}

export const ACCOUNT_ACTIONS = {
  accept: 'Accept their open conflicts as proposed',
  exclude: 'Exclude from the run (they stay with their owner)',
  pin: 'Give them to this rep (pinned through every re-solve)',
  unpin: 'Remove the override (the next solve places them)',
  include: 'Include again (the next solve places them)',
} as const;
export type AccountAction = keyof typeof ACCOUNT_ACTIONS;

/**
 * The changes a person makes to selected accounts of a proposal, as one plain form: the account table's
 * checkboxes (or the one account of its page) carry `accountId`, `back` says where to return. In the table,
 * `matching` offers the change for every account the filter matches (`all=1` with the filter and the count seen).
 */
export function AccountChangeFields({
  edit,
  idPrefix,
  back,
  legend,
  matching,
}: {
  edit: AccountEdit;
  idPrefix: string;
  back: string;
  legend: string;
  matching?: { total: number; filter: AccountFilter } | undefined;
}) {
  return (
    <fieldset class="account-change filters">
      <legend>{legend}</legend>
      <CsrfField token={edit.csrfToken} />
      <input type="hidden" name="back" value={back} />
      <div>
        <label for={`${idPrefix}-action`}>Change</label>
        <select id={`${idPrefix}-action`} name="action">
          <option value="">Choose…</option>
          {Object.entries(ACCOUNT_ACTIONS).map(([value, label]) => (
            <option value={value}>{label}</option>
          ))}
        </select>
      </div>
      <div>
        <label for={`${idPrefix}-rep`}>Rep (to give them to)</label>
        <select id={`${idPrefix}-rep`} name="repId">
          <option value="">—</option>
          {edit.receivers.map((r) => (
            <option value={r.id}>{r.name}</option>
          ))}
        </select>
      </div>
      <div class="wide">
        <label for={`${idPrefix}-note`}>Note — why (required to accept, exclude or give to a rep)</label>
        <input id={`${idPrefix}-note`} name="note" type="text" maxlength={1000} />
      </div>
      {matching && <AllMatching idPrefix={idPrefix} {...matching} />}
      <div class="filters-submit">
        <button type="submit" class="secondary" id={`${idPrefix}-apply`}>
          Apply
        </button>
      </div>
    </fieldset>
  );
}

/** "All N matching": the filter travels with the form, and the count seen, so a table that changed meanwhile is refused. */
function AllMatching({
  idPrefix,
  total,
  filter,
}: {
  idPrefix: string;
  total: number;
  filter: AccountFilter;
}) {
  const tooMany = total > MAX_BULK_ACCOUNTS;
  return (
    <div class="wide">
      <input
        type="checkbox"
        id={`${idPrefix}-all`}
        name="all"
        value="1"
        disabled={tooMany}
        aria-describedby={tooMany ? `${idPrefix}-all-limit` : undefined}
      />{' '}
      <label for={`${idPrefix}-all`}>
        Apply to all {num(total)} account(s) matching these filters, not only those ticked on this page
      </label>
      {tooMany && (
        <p class="muted small" id={`${idPrefix}-all-limit`}>
          One change takes at most {num(MAX_BULK_ACCOUNTS)} accounts: narrow the filters (a rep or a region)
          to change them all.
        </p>
      )}
      <input type="hidden" name="matching" value={String(total)} />
      {filter.rep && <input type="hidden" name="rep" value={filter.rep} />}
      {filter.region && <input type="hidden" name="region" value={filter.region} />}
      {filter.moved && <input type="hidden" name="moved" value={filter.moved} />}
      {filter.conflict && <input type="hidden" name="conflict" value={filter.conflict} />}
    </div>
  );
}
