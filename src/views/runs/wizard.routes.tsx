/** The run wizard: GET/POST /runs/new, the impact preview and the scope step's account list (htmx). */
import type { Context, Hono } from 'hono';
import type { AppBindings } from '../../api/context.ts';
import { principalOf } from '../../auth/require-role.ts';
import { AppError, type FieldIssue } from '../../lib/errors.ts';
import { listRegionsAndSegments, segmentChoices } from '../../services/book/book-choices.ts';
import { listRepChoices } from '../../services/book/rep-list.ts';
import { createRun } from '../../services/plan/create-run.ts';
import { listRulesetChoices } from '../../services/rulesets/rulesets.ts';
import { requestSolve } from '../../services/solve/solve-run.ts';
import { renderPage } from '../layout.tsx';
import { orgCtx } from '../shared/context.ts';
import { text } from '../shared/format.ts';
import { drafters, runsCtx, UUID } from './run-route-context.ts';
import { accountPickerOf, fieldOf, previewOf, toRunInput, wizardValues } from './wizard-form.ts';
import {
  AccountPicker,
  EMPTY_WIZARD,
  ImpactPanel,
  type WizardErrors,
  WizardPage,
  type WizardValues,
} from './wizard-page.tsx';

export function wizardRoutes(router: Hono<AppBindings>) {
  const showWizard = async (
    c: Context<AppBindings>,
    values: WizardValues,
    errors: WizardErrors,
    preview: Awaited<ReturnType<typeof previewOf>> | null,
    status: 200 | 400 | 409 | 422 = 200,
  ) => {
    const ctx = orgCtx(c);
    const reps = await listRepChoices(ctx);
    const { regions, segments } = await listRegionsAndSegments(ctx);
    const rulesets = await listRulesetChoices({ ctx });
    const choices = await segmentChoices(ctx);
    const accountPicker = await accountPickerOf(c, values);
    return renderPage(
      c,
      'Start a run',
      <WizardPage
        principal={principalOf(c)}
        csrfToken={c.get('csrfToken')}
        values={values}
        errors={errors}
        reps={reps}
        regions={regions}
        segments={segments}
        rulesets={rulesets}
        impact={preview?.impact ?? null}
        commission={preview?.commission ?? null}
        diagnosis={preview?.diagnosis ?? null}
        segmentChoices={choices}
        accountPicker={accountPicker}
        manualQueue
      />,
      status,
    );
  };

  router.get('/runs/new', drafters, async (c) => {
    const kind = c.req.query('kind');
    const rep = c.req.query('rep');
    const account = c.req.query('account');
    const values: WizardValues = {
      ...EMPTY_WIZARD,
      ...(kind ? { kind } : {}),
      ...(rep && UUID.test(rep) ? { departingRepIds: [rep] } : {}),
      ...(account ? { accountCrmId: account } : {}),
    };
    let preview = null;
    if (values.departingRepIds.length > 0) preview = await previewOf(c, await toRunInput(c, values));
    return showWizard(c, values, {}, preview);
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
    const built = await toRunInput(c, values);
    const { errors, input } = built;
    const preview = await previewOf(c, built);
    // Paging or filtering the account list without JavaScript: the same form again, nothing created.
    if (intent === 'preview' || (intent === '' && text(body.acctPage) !== ''))
      return showWizard(c, values, intent === 'preview' ? errors : {}, preview);
    if (!input || Object.keys(errors).length > 0) {
      return showWizard(
        c,
        values,
        { form: 'Some fields need attention: see the messages next to them.', ...errors },
        preview,
        400,
      );
    }
    try {
      const run = await createRun({ ctx: runsCtx(c), input });
      if (intent !== 'draft') await requestSolve({ ctx: runsCtx(c), input: { runId: run.id } });
      return c.redirect(`/runs/${run.id}`, 303);
    } catch (error) {
      if (error instanceof AppError && error.code === 'VALIDATION_FAILED') {
        const issues = (Array.isArray(error.details) ? error.details : []) as FieldIssue[];
        const fieldErrors: WizardErrors = { form: error.message };
        for (const i of issues) {
          const f = fieldOf(i.path);
          if (!fieldErrors[f] || f === 'form') fieldErrors[f] = i.message;
        }
        return showWizard(c, values, fieldErrors, preview, 400);
      }
      throw error;
    }
  });
}
