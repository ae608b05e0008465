/**
 * The what-if form: a scenario on today's book (a departure of chosen reps, or a realignment of chosen regions)
 * and up to three rule variants solved side by side, within the org's time limit. Nothing is written.
 */
import type { RepRow } from '../../services/book/rep-list.ts';
import { CsrfField } from '../layout.tsx';
import { FieldError } from '../shared/components.tsx';

export const STRATEGIES = [
  ['optimal', 'Optimal balance (the solver)'],
  ['least-loaded', 'Least loaded first'],
  ['round-robin', 'Round robin'],
  ['territory', 'Territory (keep regions together)'],
  ['weighted', 'Weighted by seniority and capacity'],
] as const;
export const OBJECTIVES = [
  ['l1', 'Sum of every rep’s deviation'],
  ['minimax', 'Largest deviation of any rep'],
] as const;
export const VARIANTS = [1, 2, 3] as const;

export interface VariantValues {
  name: string;
  strategy: string;
  objective: string;
  maxAccountsEach: string;
}

export interface WhatIfValues {
  kind: 'rep_departure' | 'realignment';
  departingRepIds: string[];
  regions: string[];
  timeLimitSeconds: string;
  variants: VariantValues[];
}

export type WhatIfErrors = Partial<Record<string, string>>;

export function emptyWhatIf(reps: RepRow[], limitSeconds: number): WhatIfValues {
  return {
    kind: 'rep_departure',
    departingRepIds: reps.filter((r) => r.kind === 'person' && r.endDate).map((r) => r.id),
    regions: [],
    timeLimitSeconds: String(Math.min(10, limitSeconds)),
    variants: [
      { name: 'Optimal balance', strategy: 'optimal', objective: 'l1', maxAccountsEach: '' },
      { name: 'Round robin', strategy: 'round-robin', objective: 'l1', maxAccountsEach: '' },
      { name: '', strategy: 'optimal', objective: 'minimax', maxAccountsEach: '' },
    ],
  };
}

const oneOf = <T extends string>(value: unknown, allowed: readonly T[], fallback: T): T =>
  allowed.includes(value as T) ? (value as T) : fallback;

const list = (v: unknown): string[] =>
  (Array.isArray(v) ? v : v === undefined ? [] : [v]).map(String).filter((x) => x.trim() !== '');

/** The form's values from a posted body (parseBody with all: true). */
export function whatIfValues(body: Record<string, unknown>): WhatIfValues {
  const text = (k: string) => String(body[k] ?? '').trim();
  return {
    kind: oneOf(text('kind'), ['rep_departure', 'realignment'] as const, 'rep_departure'),
    departingRepIds: list(body.departingRepIds),
    regions: list(body.regions),
    timeLimitSeconds: text('timeLimitSeconds'),
    variants: VARIANTS.map((i) => ({
      name: text(`variant${i}.name`).slice(0, 100),
      strategy: oneOf(
        text(`variant${i}.strategy`),
        STRATEGIES.map(([v]) => v),
        'optimal',
      ),
      objective: oneOf(
        text(`variant${i}.objective`),
        OBJECTIVES.map(([v]) => v),
        'l1',
      ),
      maxAccountsEach: text(`variant${i}.maxAccountsEach`),
    })),
  };
}

function Options({ items, value }: { items: readonly (readonly [string, string])[]; value: string }) {
  return (
    <>
      {items.map(([v, label]) => (
        <option value={v} selected={v === value}>
          {label}
        </option>
      ))}
    </>
  );
}

export function WhatIfForm({
  values,
  errors,
  reps,
  regions,
  limitSeconds,
  csrfToken,
}: {
  values: WhatIfValues;
  errors: WhatIfErrors;
  reps: RepRow[];
  regions: string[];
  limitSeconds: number;
  csrfToken: string;
}) {
  return (
    <form method="post" action="/what-if" id="what-if-form" class="card">
      <CsrfField token={csrfToken} />
      {errors.form && (
        <p class="alert error" role="alert" id="what-if-error">
          {errors.form}
        </p>
      )}
      <ScenarioFields values={values} errors={errors} reps={reps} regions={regions} />
      <div class="field">
        <label for="f-timeLimitSeconds">Time limit per variant (seconds)</label>
        <input
          id="f-timeLimitSeconds"
          name="timeLimitSeconds"
          type="number"
          min={1}
          max={limitSeconds}
          step={1}
          value={values.timeLimitSeconds}
          aria-describedby="f-timeLimitSeconds-hint"
        />
        <p class="hint" id="f-timeLimitSeconds-hint">
          At most {limitSeconds} s (your organisation’s limit); a longer ask is cut to it.
        </p>
        <FieldError id="f-timeLimitSeconds" message={errors.timeLimitSeconds} />
      </div>
      <div class="variants">
        {VARIANTS.map((i) => (
          <VariantFields i={i} v={values.variants[i - 1]!} errors={errors} />
        ))}
      </div>
      <button type="submit" id="run-what-if">
        Solve the variants
      </button>{' '}
      <span class="muted small">Nothing is written: the book stays as it is.</span>
    </form>
  );
}

/** A departure of chosen reps or a realignment of chosen regions. */
function ScenarioFields({
  values,
  errors,
  reps,
  regions,
}: {
  values: WhatIfValues;
  errors: WhatIfErrors;
  reps: RepRow[];
  regions: string[];
}) {
  const people = reps.filter((r) => r.kind === 'person');
  return (
    <>
      <fieldset>
        <legend>Scenario</legend>
        <label>
          <input type="radio" name="kind" value="rep_departure" checked={values.kind === 'rep_departure'} />{' '}
          These reps leave
        </label>{' '}
        <label>
          <input type="radio" name="kind" value="realignment" checked={values.kind === 'realignment'} />{' '}
          Re-balance these regions
        </label>
      </fieldset>
      <details open={values.kind === 'rep_departure'}>
        <summary>Who leaves (a departure)</summary>
        <div class="check-list" id="f-departingRepIds">
          {people.map((r) => (
            <label>
              <input
                type="checkbox"
                name="departingRepIds"
                value={r.id}
                checked={values.departingRepIds.includes(r.id)}
              />{' '}
              {r.name}{' '}
              <span class="muted small">
                {[r.region, r.endDate ? `leaves ${r.endDate}` : null].filter(Boolean).join(' · ')}
              </span>
            </label>
          ))}
        </div>
        <FieldError id="f-departingRepIds" message={errors.departingRepIds} />
      </details>
      <details open={values.kind === 'realignment'}>
        <summary>Which regions (a realignment)</summary>
        <div class="check-list" id="f-regions">
          {regions.map((r) => (
            <label>
              <input type="checkbox" name="regions" value={r} checked={values.regions.includes(r)} /> {r}
            </label>
          ))}
        </div>
        <p class="hint">None ticked: every region.</p>
      </details>
    </>
  );
}

/** One rule variant: its name, strategy, objective and cap. */
function VariantFields({ i, v, errors }: { i: number; v: VariantValues; errors: WhatIfErrors }) {
  return (
    <fieldset id={`variant${i}`}>
      <legend>Variant {i}</legend>
      <div class="field">
        <label for={`f-variant${i}-name`}>
          Name {i > 1 && <span class="muted">(blank: not solved)</span>}
        </label>
        <input
          id={`f-variant${i}-name`}
          name={`variant${i}.name`}
          type="text"
          value={v.name}
          maxlength={100}
        />
      </div>
      <div class="field">
        <label for={`f-variant${i}-strategy`}>Strategy</label>
        <select id={`f-variant${i}-strategy`} name={`variant${i}.strategy`}>
          <Options items={STRATEGIES} value={v.strategy} />
        </select>
      </div>
      <div class="field">
        <label for={`f-variant${i}-objective`}>Balance objective</label>
        <select id={`f-variant${i}-objective`} name={`variant${i}.objective`}>
          <Options items={OBJECTIVES} value={v.objective} />
        </select>
      </div>
      <div class="field">
        <label for={`f-variant${i}-maxAccountsEach`}>Cap every receiving rep at (accounts)</label>
        <input
          id={`f-variant${i}-maxAccountsEach`}
          name={`variant${i}.maxAccountsEach`}
          type="number"
          min={0}
          value={v.maxAccountsEach}
        />
        <FieldError id={`f-variant${i}-maxAccountsEach`} message={errors[`variant${i}.maxAccountsEach`]} />
      </div>
    </fieldset>
  );
}
