/**
 * The reassignment wizard as real steps, one per screen (Kind → Scope → Strategy → Assignment → Review): each
 * step is a plain form that posts what was entered, the server checks that step's fields before moving on, and
 * every other step's values travel as hidden inputs, so back and forward keep everything; it works without
 * JavaScript (htmx only pages the account list in place). The last step shows every choice and the impact, then
 * creates the run (and solves it). The steps' parts live in ./wizard/.
 */
import { CsrfField } from '../layout.tsx';
import { AssignmentStep } from './wizard/assignment-step.tsx';
import { HiddenValues } from './wizard/hidden-values.tsx';
import { KindStep } from './wizard/kind-step.tsx';
import { kindWords, STEP_TITLES, type StepId, stepsOf, type WizardProps } from './wizard/model.ts';
import { ReviewStep } from './wizard/review-step.tsx';
import { ScopeStep } from './wizard/scope-step.tsx';
import { StrategyStep } from './wizard/strategy-step.tsx';

/** Where the person is: done steps are buttons back to them (they keep what was entered), later ones are text. */
function Stepper({ steps, current }: { steps: StepId[]; current: StepId }) {
  const at = steps.indexOf(current);
  return (
    <ol class="steps" aria-label="Steps" id="wizard-steps">
      {steps.map((s, i) => (
        <li class={i < at ? 'step done' : 'step'} aria-current={s === current ? 'step' : undefined}>
          {i < at ? (
            <button type="submit" form="wizard" name="go" value={s} class="link" formnovalidate>
              {STEP_TITLES[s]}
            </button>
          ) : (
            STEP_TITLES[s]
          )}
        </li>
      ))}
    </ol>
  );
}

function StepBody({ props }: { props: WizardProps }) {
  const { values, errors } = props;
  switch (props.step) {
    case 'kind':
      return <KindStep values={values} errors={errors} />;
    case 'scope':
      return (
        <ScopeStep
          values={values}
          errors={errors}
          reps={props.reps}
          regions={props.regions}
          segments={props.segments}
          accountPicker={props.accountPicker}
        />
      );
    case 'strategy':
      return (
        <StrategyStep
          values={values}
          errors={errors}
          rulesets={props.rulesets}
          segmentChoices={props.segmentChoices}
          manualQueue={Boolean(props.manualQueue)}
        />
      );
    case 'assignment':
      return <AssignmentStep values={values} errors={errors} />;
    case 'review':
      return <ReviewStep props={props} />;
  }
}

const HEADINGS: Record<StepId, (kind: string) => string> = {
  kind: () => 'What kind of run is this?',
  scope: (kind) => kindWords(kind).scopeTitle,
  strategy: () => 'How accounts and commission are shared',
  assignment: () => 'Targets and caps',
  review: () => 'Check your choices, then create the run',
};

export function WizardPage(props: WizardProps) {
  const { csrfToken, values, errors, step } = props;
  const steps = stepsOf(values.kind);
  const at = Math.max(0, steps.indexOf(step));
  const prev = steps[at - 1];
  const next = steps[at + 1];
  return (
    <>
      <h1>Start a run</h1>
      <Stepper steps={steps} current={step} />
      {errors.form && (
        <div class="alert error" role="alert" id="wizard-error">
          {errors.form}
        </div>
      )}
      <form method="post" action="/runs/new" id="wizard" class="wizard" novalidate>
        {/* Enter in a field moves on (the first submit button of a form is the one Enter presses). */}
        <button type="submit" name="go" value={next ?? step} class="visually-hidden" tabindex={-1}>
          Continue
        </button>
        <CsrfField token={csrfToken} />
        <input type="hidden" name="step" value={step} />
        <HiddenValues values={values} step={step} />
        <section class="card" id={`step-${step}`} aria-labelledby="step-title">
          <h2 id="step-title">
            Step {at + 1} of {steps.length}: {HEADINGS[step](values.kind)}
          </h2>
          <StepBody props={props} />
        </section>
        <div class="actions" id="wizard-nav">
          {prev && (
            <button type="submit" name="go" value={prev} class="secondary" id="wizard-back" formnovalidate>
              ← Back: {STEP_TITLES[prev]}
            </button>
          )}
          {next && (
            <button type="submit" name="go" value={next} id="wizard-next">
              Next: {STEP_TITLES[next]} →
            </button>
          )}
          <a href="/">Cancel</a>
        </div>
      </form>
    </>
  );
}
