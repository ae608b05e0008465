/** Step 2: what the run moves, in the words of its kind; why; and from when. */
import type { RepChoice } from '../../../services/book/rep-list.ts';
import { isRunKind, SCOPES_BY_KIND } from '../../../services/run-records/run-params.ts';
import { describedBy, FieldError, TextField } from '../../shared/components.tsx';
import { money, num, scopeLabel } from '../../shared/format.ts';
import { AccountPicker } from './account-picker.tsx';
import { type AccountPickerData, kindWords, type WizardErrors, type WizardValues } from './model.ts';

/** htmx: when the scope changes, the account list below follows (without JavaScript, "Filter accounts" does). */
const REFRESH_PICKER = {
  'hx-post': '/runs/new/accounts',
  'hx-trigger': 'change',
  'hx-target': '#account-picker',
  'hx-swap': 'outerHTML',
  'hx-include': 'closest form',
};

function repLine(r: RepChoice) {
  const bits = [r.region, `${num(r.accounts)} accounts`, money(r.revenueCents)];
  if (r.endDate) bits.push(`last day ${r.endDate}`);
  return bits.filter(Boolean).join(' · ');
}

function RepCheckboxes(props: {
  name: 'departingRepIds' | 'hireRepIds';
  reps: RepChoice[];
  checked: string[];
  error?: string | undefined;
  legend: string;
  hint: string;
}) {
  const { name, reps, checked, error } = props;
  const refresh = name === 'departingRepIds' ? REFRESH_PICKER : {};
  return (
    <fieldset
      id={name}
      {...refresh}
      class="rep-choices"
      aria-describedby={[`${name}-hint`, error ? `${name}-error` : ''].filter(Boolean).join(' ')}
    >
      <legend>{props.legend}</legend>
      <p class="hint" id={`${name}-hint`}>
        {props.hint}
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

function OwnerSelect({
  values,
  errors,
  reps,
}: {
  values: WizardValues;
  errors: WizardErrors;
  reps: RepChoice[];
}) {
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

function Choices({
  name,
  id,
  list,
  checked,
  legend,
  hint,
}: {
  name: 'regions' | 'segments';
  id: string;
  list: string[];
  checked: string[];
  legend: string;
  hint: string;
}) {
  return (
    <fieldset id={id} aria-describedby={`${name}-hint`} {...REFRESH_PICKER}>
      <legend>{legend}</legend>
      <p class="hint" id={`${name}-hint`}>
        {hint}
      </p>
      {list.map((r) => (
        <label class="choice">
          <input type="checkbox" name={name} value={r} checked={checked.includes(r)} />
          <span>{r}</span>
        </label>
      ))}
    </fieldset>
  );
}

/** What the kind moves: the leavers, the regions, the new hires, or one account or opportunity and its new owner. */
function KindScope(props: ScopeStepProps) {
  const { values, errors, reps } = props;
  switch (values.kind) {
    case 'rep_departure':
      return <DepartureScope {...props} />;
    case 'realignment':
      return <RealignmentScope {...props} />;
    case 'new_hire':
      return <NewHireScope {...props} />;
    case 'account':
      return (
        <>
          <TextField
            id="accountCrmId"
            label="Account (CRM id)"
            value={values.accountCrmId}
            error={errors.accountCrmId}
            hint="All of the account’s opportunities follow it. Tip: use “Reassign” on the account’s page."
          />
          <OwnerSelect values={values} errors={errors} reps={reps} />
        </>
      );
    case 'opportunity':
      return (
        <>
          <TextField
            id="opportunityCrmId"
            label="Opportunity (CRM id)"
            value={values.opportunityCrmId}
            error={errors.opportunityCrmId}
            hint="Only this opportunity’s commission split changes."
          />
          <OwnerSelect values={values} errors={errors} reps={reps} />
        </>
      );
    default:
      return <FieldError id="f-kind" message="Choose the kind of run first." />;
  }
}

function DepartureScope({ values, errors, reps }: ScopeStepProps) {
  const people = reps.filter((r) => r.kind === 'person');
  // Departing reps first (soonest last day), then the rest with a book.
  const leavers = [
    ...people.filter((r) => r.endDate).sort((a, b) => (a.endDate! < b.endDate! ? -1 : 1)),
    ...people.filter((r) => !r.endDate && r.accounts > 0),
  ];
  return (
    <RepCheckboxes
      name="departingRepIds"
      reps={leavers}
      checked={values.departingRepIds}
      error={errors.departingRepIds}
      legend="Who is leaving"
      hint="Their accounts are shared among the receiving reps; reps with a last day are listed first."
    />
  );
}

function RealignmentScope({ values, regions, segments }: ScopeStepProps) {
  return (
    <>
      <Choices
        name="regions"
        id="regions"
        list={regions}
        checked={values.regions}
        legend="Regions to re-balance"
        hint="None chosen means every region."
      />
      <Choices
        name="segments"
        id="segment-choices"
        list={segments}
        checked={values.segments}
        legend="Segments to re-balance"
        hint="None chosen means every segment."
      />
    </>
  );
}

function NewHireScope({ values, errors, reps }: ScopeStepProps) {
  const people = reps.filter((r) => r.kind === 'person');
  return (
    <>
      <RepCheckboxes
        name="hireRepIds"
        reps={people.filter((r) => r.active && r.mayReceive).sort((a, b) => a.accounts - b.accounts)}
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
    </>
  );
}

export interface ScopeStepProps {
  values: WizardValues;
  errors: WizardErrors;
  reps: RepChoice[];
  regions: string[];
  segments: string[];
  accountPicker: AccountPickerData | null;
}

export function ScopeStep(props: ScopeStepProps) {
  const { values, errors } = props;
  const words = kindWords(values.kind);
  const picks = values.kind === 'rep_departure' || values.kind === 'realignment';
  // Only the scopes that apply to the kind (an opportunity run has one: that opportunity).
  const scopes = isRunKind(values.kind) ? SCOPES_BY_KIND[values.kind] : [];
  return (
    <>
      <KindScope {...props} />
      {picks && (
        <AccountPicker
          values={values}
          errors={errors}
          reps={props.reps}
          regions={props.regions}
          data={props.accountPicker}
        />
      )}
      <fieldset>
        <legend>What changes</legend>
        {scopes.map((k) => (
          <label class="choice">
            <input type="radio" name="scope" value={k} checked={values.scope === k || scopes.length === 1} />
            <span>{scopeLabel(values.kind, k)}</span>
          </label>
        ))}
        <FieldError id="f-scope" message={errors.scope} />
      </fieldset>
      <TextField
        id="reason"
        label="Reason (required)"
        value={values.reason}
        error={errors.reason}
        hint={`Shown to approvers, in the notices and in the audit trail, e.g. “${words.reasonExample}”.`}
        extra={{ maxlength: 2000 }}
      />
      <div class="two-fields">
        <TextField
          id="commissionEndDate"
          label="Commission end date"
          type="date"
          value={values.commissionEndDate}
          error={errors.commissionEndDate}
          hint={words.endDateHint}
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
    </>
  );
}
