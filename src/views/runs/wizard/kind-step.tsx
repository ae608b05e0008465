/** Step 1: what kind of run this is; every later step speaks of what this kind moves. */
import { FieldError } from '../../shared/components.tsx';
import { RUN_KIND_LABELS } from '../../shared/format.ts';
import type { WizardErrors, WizardValues } from './model.ts';

const KIND_HINTS: Record<string, string> = {
  rep_departure: 'A rep leaves: their accounts are shared among the reps who stay.',
  realignment: 'Re-balance the accounts of some regions or segments (or all) across their reps.',
  new_hire: 'Give new hires a starter book taken from the reps with the most.',
  account: 'Move one account, with its opportunities, to a rep you choose.',
  opportunity: 'Move one opportunity’s commission split to a rep you choose.',
};

export function KindStep({ values, errors }: { values: WizardValues; errors: WizardErrors }) {
  return (
    <fieldset id="kind-choices">
      <legend>What happens?</legend>
      <FieldError id="f-kind" message={errors.kind} />
      {Object.entries(RUN_KIND_LABELS).map(([k, label]) => (
        <label class="choice">
          <input type="radio" name="kind" value={k} checked={values.kind === k} id={`kind-${k}`} />
          <span>
            <strong>{label}</strong> <span class="muted small">{KIND_HINTS[k]}</span>
          </span>
        </label>
      ))}
    </fieldset>
  );
}
