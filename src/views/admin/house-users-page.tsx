/** The admin page for the House user of each CRM (exports/house-users.ts): one form, each id checked on save. */
import { HOUSE_CRMS, HOUSE_ID_FORMS, type HouseCrm, type HouseUserIds } from '../../exports/house-users.ts';
import { CsrfField } from '../layout.tsx';

export interface HouseUsersState {
  saved: HouseUserIds;
  csrfToken: string;
  /** What was typed, when the save was refused. */
  form?: Partial<Record<HouseCrm, string>>;
  errors?: Partial<Record<HouseCrm, string>>;
  notice?: string;
}

const LABEL: Record<HouseCrm, string> = {
  salesforce: 'Salesforce user id',
  hubspot: 'HubSpot owner id',
  dynamics: 'Dynamics 365 user GUID',
};

/** The swappable part of the page (htmx targets #house-users). */
export function HouseUsersSection(state: HouseUsersState) {
  const errors = state.errors ?? {};
  return (
    <div id="house-users">
      {state.notice && (
        <p class="alert success" role="status">
          {state.notice}
        </p>
      )}
      <section class="card" aria-labelledby="house-users-title">
        <h2 id="house-users-title">House user per CRM</h2>
        <form
          method="post"
          action="/admin/house-users"
          hx-post="/admin/house-users"
          hx-target="#house-users"
          hx-swap="outerHTML"
        >
          <CsrfField token={state.csrfToken} />
          {HOUSE_CRMS.map((crm) => (
            <>
              <label for={`house-${crm}`}>{LABEL[crm]}</label>
              <input
                id={`house-${crm}`}
                name={crm}
                type="text"
                maxlength={200}
                value={state.form?.[crm] ?? state.saved[crm] ?? ''}
                aria-invalid={errors[crm] ? 'true' : undefined}
                aria-describedby={errors[crm] ? `house-${crm}-error` : `house-${crm}-hint`}
              />
              {errors[crm] ? (
                <p class="field-error" id={`house-${crm}-error`}>
                  {errors[crm]}
                </p>
              ) : (
                <p class="hint" id={`house-${crm}-hint`}>
                  {HOUSE_ID_FORMS[crm][0]!.toUpperCase()}
                  {HOUSE_ID_FORMS[crm].slice(1)}. Empty: no House user.
                </p>
              )}
            </>
          ))}
          <div class="actions">
            <button type="submit">Save House users</button>
          </div>
        </form>
      </section>
    </div>
  );
}

export function HouseUsersContent(state: HouseUsersState) {
  return (
    <>
      <h1>House users</h1>
      <p>
        House (the company) earns a share of many commission splits but is rarely a CRM user. Name the CRM
        user that holds House’s share in each CRM, and the export files give it House’s split rows and
        records. Without one, the Salesforce split files leave House’s share as the remainder, and the read-me
        of each CRM lists what goes to House.
      </p>
      <HouseUsersSection {...state} />
    </>
  );
}
