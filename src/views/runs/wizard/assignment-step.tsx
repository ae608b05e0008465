/** Step 4 (kinds that balance many accounts): what "balanced" means, the targets and this run's caps. */
import { describedBy, FieldError, TextField } from '../../shared/components.tsx';
import { TARGET_MODE_CHOICES, type WizardErrors, type WizardValues } from './model.ts';

export function AssignmentStep({ values, errors }: { values: WizardValues; errors: WizardErrors }) {
  return (
    <>
      <fieldset>
        <legend>What “balanced” means</legend>
        <label class="choice">
          <input type="radio" name="objective" value="l1" checked={values.objective !== 'minimax'} />
          <span>
            <strong>Everyone close to target</strong> — the smallest total distance of each rep’s count and
            revenue from their target
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
        <select id="f-targetMode" name="targetMode" {...describedBy('f-targetMode', errors.targetMode, true)}>
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
    </>
  );
}
