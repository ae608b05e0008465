/**
 * Accounts in scope (departure and realignment): "all matching" by default, or only the ticked accounts. The list
 * is filtered (owner, region, search) and paginated on the server; ticks on other pages travel as hidden inputs,
 * so the selection survives paging with or without JavaScript (htmx swaps just this part when it is there).
 */
import type { RepChoice } from '../../../services/book/rep-list.ts';
import { MAX_SCOPE_ACCOUNTS } from '../../../services/run-records/run-params.ts';
import { FieldError } from '../../shared/components.tsx';
import { money, num } from '../../shared/format.ts';
import { type AccountPickerData, kindWords, type WizardErrors, type WizardValues } from './model.ts';

function PageButton({ page, label, id }: { page: number; label: string; id: string }) {
  return (
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
}

function AccountList({ values, data }: { values: WizardValues; data: AccountPickerData }) {
  const pages = Math.max(1, Math.ceil(data.total / data.pageSize));
  return (
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
        {data.page > 1 && <PageButton page={data.page - 1} label="Previous page" id="account-prev" />}
        {data.page < pages && <PageButton page={data.page + 1} label="Next page" id="account-next" />}
      </div>
    </>
  );
}

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
  const words = kindWords(values.kind);
  const owners =
    values.kind === 'rep_departure'
      ? reps.filter((r) => values.departingRepIds.includes(r.id))
      : reps.filter((r) => r.kind === 'person' && r.accounts > 0);
  const onPage = new Set(data?.rows.map((r) => r.id) ?? []);
  const elsewhere = values.accountIds.filter((id) => !onPage.has(id));
  return (
    <fieldset
      id="account-picker"
      aria-describedby={['account-picker-hint', errors.accountIds ? 'account-picker-error' : '']
        .filter(Boolean)
        .join(' ')}
    >
      <legend>Accounts in scope</legend>
      <p class="hint" id="account-picker-hint">
        Only the accounts in scope may move; every other account stays where it is and still counts for
        balance. {words.pickerHint}
      </p>
      <FieldError id="account-picker" message={errors.accountIds} />
      <AccountModeChoice values={values} data={data} />
      <AccountFilterFields values={values} owners={owners} regions={regions} anyOwner={words.anyOwner} />
      {!data ? (
        <p class="muted" id="account-list-empty">
          {words.pickerEmpty}
        </p>
      ) : data.rows.length === 0 ? (
        <p class="muted" id="account-list-empty">
          No account matches the filter.
        </p>
      ) : (
        <AccountList values={values} data={data} />
      )}
      {elsewhere.map((id) => (
        <input type="hidden" name="accountIds" value={id} />
      ))}
    </fieldset>
  );
}

/** All accounts matching the filter, or only the ticked ones. */
function AccountModeChoice({ values, data }: { values: WizardValues; data: AccountPickerData | null }) {
  return (
    <>
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
    </>
  );
}

/** The list's filter: owner, region, search, and the button that applies it. */
function AccountFilterFields({
  values,
  owners,
  regions,
  anyOwner,
}: {
  values: WizardValues;
  owners: RepChoice[];
  regions: string[];
  anyOwner: string;
}) {
  return (
    <div class="filters">
      <div class="field">
        <label for="f-acctOwner">Owner</label>
        <select id="f-acctOwner" name="acctOwner">
          <option value="">{anyOwner}</option>
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
      <div class="field">
        <PageButton page={1} label="Filter accounts" id="account-filter" />
      </div>
    </div>
  );
}
