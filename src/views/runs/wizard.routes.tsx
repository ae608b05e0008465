/**
 * The run wizard: GET/POST /runs/new step by step (each step checked before the next; back and forward keep what
 * was entered), the impact preview and the scope step's account list (htmx).
 */
import type { Context, Hono } from 'hono';
import type { AppBindings } from '../../api/context.ts';
import { principalOf } from '../../auth/require-role.ts';
import { AppError, type FieldIssue } from '../../lib/errors.ts';
import { listRegionsAndSegments, segmentChoices } from '../../services/book/book-choices.ts';
import { listRepChoices } from '../../services/book/rep-list.ts';
import { createRun } from '../../services/plan/create-run.ts';
import { listRulesetChoices } from '../../services/rulesets/rulesets.ts';
import { listRuns } from '../../services/run-records/run-list.ts';
import { requestSolve } from '../../services/solve/solve-run.ts';
import { type PageStatus, renderPage } from '../layout.tsx';
import { orgCtx } from '../shared/context.ts';
import { RUN_KIND_LABELS, text } from '../shared/format.ts';
import { drafters, runsCtx, UUID } from './run-route-context.ts';
import { AccountPicker } from './wizard/account-picker.tsx';
import { ImpactPanel } from './wizard/impact-panel.tsx';
import {
  EMPTY_WIZARD,
  isStep,
  type SolveRefusal,
  type StepId,
  stepOfError,
  stepsOf,
  type WizardErrors,
  type WizardValues,
} from './wizard/model.ts';
import { accountPickerOf, fieldOf, previewOf, toRunInput, wizardValues } from './wizard-form.ts';
import { WizardPage } from './wizard-page.tsx';

const ATTENTION = 'Some fields need attention: see the messages next to them.';

interface Shown {
  step: StepId;
  values: WizardValues;
  errors?: WizardErrors;
  preview?: Awaited<ReturnType<typeof previewOf>> | null;
  refusal?: SolveRefusal;
  status?: PageStatus;
}

async function showWizard(c: Context<AppBindings>, shown: Shown) {
  const ctx = orgCtx(c);
  const { values } = shown;
  const step = stepsOf(values.kind).includes(shown.step) ? shown.step : 'review';
  const preview =
    shown.preview ?? (step === 'review' ? await previewOf(c, await toRunInput(c, values)) : null);
  const { regions, segments } = await listRegionsAndSegments(ctx);
  return renderPage(
    c,
    'Start a run',
    <WizardPage
      principal={principalOf(c)}
      csrfToken={c.get('csrfToken')}
      step={step}
      values={values}
      errors={shown.errors ?? {}}
      reps={await listRepChoices(ctx)}
      regions={regions}
      segments={segments}
      rulesets={await listRulesetChoices({ ctx })}
      impact={preview?.impact ?? null}
      commission={preview?.commission ?? null}
      diagnosis={preview?.diagnosis ?? null}
      segmentChoices={await segmentChoices(ctx)}
      accountPicker={step === 'scope' ? await accountPickerOf(c, values) : null}
      refusal={shown.refusal ?? null}
      manualQueue
    />,
    shown.status ?? 200,
  );
}

/** The first of `steps` with an error, and that step's errors (the form's message on top). */
function firstWrongStep(errors: WizardErrors, steps: StepId[]) {
  const keys = Object.keys(errors) as (keyof WizardErrors)[];
  for (const s of steps) {
    const mine = keys.filter((k) => stepOfError(k) === s);
    if (mine.length === 0) continue;
    const own: WizardErrors = { form: errors.form ?? ATTENTION };
    for (const k of mine) own[k] = errors[k];
    return { step: s, errors: own };
  }
  return null;
}

/** Creates the run (and asks for its solve); a solve the limits refuse leaves the draft and says so on the wizard. */
async function create(c: Context<AppBindings>, values: WizardValues, intent: string) {
  const built = await toRunInput(c, values);
  const steps = stepsOf(values.kind);
  const wrong = firstWrongStep(built.errors, steps);
  if (!built.input || wrong)
    return showWizard(c, {
      values,
      ...(wrong ?? { step: 'scope', errors: { form: ATTENTION } }),
      status: 400,
    });
  let run: { id: string };
  try {
    run = await createRun({ ctx: runsCtx(c), input: built.input });
  } catch (error) {
    // A field the service refuses (VALIDATION_FAILED, or UNPROCESSABLE: a scope the kind does not take) goes beside it.
    if (!(error instanceof AppError) || !['VALIDATION_FAILED', 'UNPROCESSABLE'].includes(error.code))
      throw error;
    const issues = (Array.isArray(error.details) ? error.details : []) as FieldIssue[];
    const fieldErrors: WizardErrors = { form: error.message };
    for (const i of issues) {
      const f = fieldOf(i.path);
      if (!fieldErrors[f] || f === 'form') fieldErrors[f] = i.message;
    }
    const at = firstWrongStep(fieldErrors, steps) ?? { step: 'review' as const, errors: fieldErrors };
    return showWizard(c, {
      values,
      step: at.step,
      errors: { ...at.errors, form: error.message },
      status: 400,
    });
  }
  if (intent !== 'draft') {
    try {
      await requestSolve({ ctx: runsCtx(c), input: { runId: run.id } });
    } catch (error) {
      if (!(error instanceof AppError) || error.code !== 'TOO_MANY_REQUESTS') throw error;
      const solving = await listRuns({
        ctx: orgCtx(c),
        input: { statuses: ['solving'], limit: 10, offset: 0 },
      });
      c.header('Retry-After', '30');
      return showWizard(c, {
        values,
        step: 'review',
        refusal: {
          draftId: run.id,
          message: error.message,
          solving: solving.rows.map((r) => ({ id: r.id, reason: r.reason })),
        },
        status: 429,
      });
    }
  }
  return c.redirect(`/runs/${run.id}`, 303);
}

export function wizardRoutes(router: Hono<AppBindings>) {
  router.get('/runs/new', drafters, async (c) => {
    const kind = c.req.query('kind');
    const rep = c.req.query('rep');
    const account = c.req.query('account');
    const known = kind !== undefined && kind in RUN_KIND_LABELS;
    const values: WizardValues = {
      ...EMPTY_WIZARD,
      ...(known ? { kind } : {}),
      ...(rep && UUID.test(rep) ? { departingRepIds: [rep] } : {}),
      ...(account ? { accountCrmId: account } : {}),
    };
    // A link that names the kind (a rep's "Reassign this book", an account's "Reassign") starts at the scope.
    return showWizard(c, { step: known ? 'scope' : 'kind', values });
  });

  router.post('/runs/new/impact', drafters, async (c) => {
    const values = wizardValues(await c.req.parseBody({ all: true }));
    const preview = await previewOf(c, await toRunInput(c, values));
    return c.html(
      <ImpactPanel
        impact={preview.impact}
        values={values}
        commission={preview.commission}
        diagnosis={preview.diagnosis}
      />,
    );
  });

  // The scope step's account list (htmx): filter and page, keeping the ticked accounts.
  router.post('/runs/new/accounts', drafters, async (c) => {
    const values = wizardValues(await c.req.parseBody({ all: true }));
    const ctx = orgCtx(c);
    const reps = await listRepChoices(ctx);
    const { regions } = await listRegionsAndSegments(ctx);
    return c.html(
      <AccountPicker
        values={values}
        errors={{}}
        reps={reps}
        regions={regions}
        data={await accountPickerOf(c, values)}
      />,
    );
  });

  router.post('/runs/new', drafters, async (c) => {
    const body = await c.req.parseBody({ all: true });
    const values = wizardValues(body);
    const intent = text(body.intent);
    const go = text(body.go);
    const from = text(body.step);
    if (!(values.kind in RUN_KIND_LABELS))
      return showWizard(c, {
        step: 'kind',
        values,
        errors: { kind: 'Choose the kind of run.' },
        status: 400,
      });
    const paging = text(body.acctPage) !== '';
    // The whole form posted at once (a script, or a browser without the steps' buttons) creates and solves.
    if (intent === 'solve' || intent === 'draft' || (!intent && !go && !from && !paging))
      return create(c, values, intent || 'solve');
    const steps = stepsOf(values.kind);
    const current: StepId = isStep(from) && steps.includes(from) ? from : 'review';
    // Paging or filtering the account list without JavaScript, or the preview without it: the same step again.
    if (!go) {
      const built = intent === 'preview' ? await toRunInput(c, values) : null;
      return showWizard(c, { step: paging ? 'scope' : current, values, errors: built?.errors ?? {} });
    }
    const target: StepId = isStep(go) ? (steps.includes(go) ? go : 'review') : current;
    // Forward: every step before the target must be right; back: nothing is checked, nothing is lost.
    if (steps.indexOf(target) > steps.indexOf(current)) {
      const built = await toRunInput(c, values);
      const wrong = firstWrongStep(built.errors, steps.slice(0, steps.indexOf(target)));
      if (wrong) return showWizard(c, { values, ...wrong, status: 400 });
    }
    return showWizard(c, { step: target, values });
  });
}
