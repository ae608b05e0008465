/** Step 3: how accounts are shared (balancing kinds), the rules, and the commission strategy on open deals. */
import { FieldError, TextField } from '../../shared/components.tsx';
import { COMMISSION_TYPE_LABELS } from '../../shared/format.ts';
import { type SegmentChoices, SegmentRowsTable, SegmentsHint } from '../commission-strategy-fields.tsx';
import { isBalancing, type WizardErrors, type WizardValues } from './model.ts';

export const STRATEGIES: Record<string, string> = {
  optimal: 'Balanced (recommended) — an exact optimisation of count and revenue against each rep’s target',
  'least-loaded': 'Least-loaded — each account to the rep with the lightest book',
  'round-robin': 'Round-robin — in turn, in a fixed order',
  territory: 'Territory — by the ruleset’s region and segment rules',
  weighted: 'Weighted — by seniority and weight from the roster',
};

function CommissionStrategyChoice({ values, manualQueue }: { values: WizardValues; manualQueue: boolean }) {
  const choice = (value: string, title: string, text: string) => (
    <label class="choice">
      <input
        type="radio"
        name="commissionStrategy"
        value={value}
        checked={
          value === 'uniform'
            ? values.commissionStrategy !== 'segmented' && values.commissionStrategy !== 'manual'
            : values.commissionStrategy === value
        }
      />
      <span>
        <strong>{title}</strong> — {text}
      </span>
    </label>
  );
  return (
    <fieldset id="commissionStrategy">
      <legend>Commission strategy on open opportunities</legend>
      {choice('uniform', 'Uniform', 'one type for every open opportunity')}
      {choice(
        'segmented',
        'Segmented',
        'a type per segment (account type, stage, region, deal size); the type below for every opportunity no segment matches',
      )}
      {manualQueue &&
        choice(
          'manual',
          'Manual queue',
          'a person decides each opportunity’s type (and receiving rep) on the run’s review page; approval waits until every one is decided',
        )}
    </fieldset>
  );
}

export function StrategyStep(props: {
  values: WizardValues;
  errors: WizardErrors;
  rulesets: { id: string; name: string; version: number }[];
  segmentChoices: SegmentChoices;
  manualQueue: boolean;
}) {
  const { values, errors } = props;
  return (
    <>
      {isBalancing(values.kind) && (
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
      )}
      <div class="field">
        <label for="f-rulesetId">Rules (eligibility, caps, protections and segments)</label>
        <select id="f-rulesetId" name="rulesetId" aria-describedby="f-rulesetId-hint">
          <option value="">The org’s default rules</option>
          {props.rulesets.map((r) => (
            <option value={r.id} selected={values.rulesetId === r.id}>
              {r.name} (version {r.version})
            </option>
          ))}
        </select>
        <p class="hint" id="f-rulesetId-hint">
          Different receivers per account type, segment or region come from the ruleset; the commission type
          per segment is chosen below. Any account can be placed by hand in the review: overrides are pinned
          and always win.
        </p>
      </div>
      <CommissionStrategyChoice values={values} manualQueue={props.manualQueue} />
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
    </>
  );
}
