/**
 * The what-if page (analysts and managers, as the API's what-if): a scenario on today's book, several variants
 * solved side by side through the same service as `POST /v1/what-if/compare` — the org's time limit, the shared
 * solver slots (a full queue is a 429 in words) — and the answer in names. Nothing is written.
 */
import { type Context, Hono } from 'hono';
import type { AppBindings } from '../../api/context.ts';
import { requireRole } from '../../auth/require-role.ts';
import { AppError, type FieldIssue } from '../../lib/errors.ts';
import { envSolveTimeLimitMs } from '../../lib/solve-time-limit.ts';
import { segmentChoices } from '../../services/book/book-choices.ts';
import { listReps } from '../../services/book/rep-list.ts';
import type { RunsContext } from '../../services/run-records/run-records.ts';
import { solveSlotLimits, solveSlotsFor } from '../../services/solve/solve-slots.ts';
import { type WhatIfVariant, whatIfCompare, whatIfTimeLimitMs } from '../../services/solve/what-if.ts';
import { renderPage } from '../layout.tsx';
import { orgCtx } from '../shared/context.ts';
import {
  emptyWhatIf,
  type WhatIfErrors,
  WhatIfForm,
  type WhatIfValues,
  whatIfValues,
} from './what-if-form.tsx';
import { type WhatIfAnswer, WhatIfResult } from './what-if-result.tsx';

function runsCtx(c: Context<AppBindings>): RunsContext {
  const ctx = orgCtx(c);
  return {
    ...ctx,
    requestId: ctx.requestId ?? '',
    solverTimeLimitMs: envSolveTimeLimitMs(c.get('deps').env),
  };
}

/** The service input of the form, or the fields a person must fix. */
function toCompareInput(v: WhatIfValues): {
  input?: {
    kind: WhatIfValues['kind'];
    params: Record<string, unknown>;
    timeLimitMs?: number;
    variants: WhatIfVariant[];
  };
  errors: WhatIfErrors;
} {
  const errors: WhatIfErrors = {};
  if (v.kind === 'rep_departure' && v.departingRepIds.length === 0)
    errors.departingRepIds = 'Tick at least one rep who leaves, or choose “Re-balance these regions”.';
  let timeLimitMs: number | undefined;
  if (v.timeLimitSeconds !== '') {
    const seconds = Number(v.timeLimitSeconds);
    if (!Number.isFinite(seconds) || seconds <= 0)
      errors.timeLimitSeconds = 'Give the time limit in seconds, more than 0 (or leave it blank).';
    else timeLimitMs = Math.max(100, Math.round(seconds * 1000));
  }
  const variants: WhatIfVariant[] = [];
  v.variants.forEach((variant, i) => {
    if (i > 0 && variant.name === '') return;
    const out: WhatIfVariant = {
      name: variant.name || `Variant ${i + 1}`,
      strategy: variant.strategy as WhatIfVariant['strategy'],
      objective: variant.objective as WhatIfVariant['objective'],
    };
    if (variant.maxAccountsEach !== '') {
      const cap = Number(variant.maxAccountsEach);
      if (!Number.isInteger(cap) || cap < 0)
        errors[`variant${i + 1}.maxAccountsEach`] =
          'A cap is a whole number of accounts, 0 or more (or blank).';
      else out.maxAccountsEach = cap;
    }
    variants.push(out);
  });
  if (new Set(variants.map((x) => x.name)).size !== variants.length)
    errors.form = 'Give each variant its own name: the answer lines them up by name.';
  if (Object.keys(errors).length > 0) return { errors };
  const params =
    v.kind === 'rep_departure'
      ? { departingRepIds: v.departingRepIds }
      : v.regions.length > 0
        ? { regions: v.regions }
        : {};
  return { input: { kind: v.kind, params, ...(timeLimitMs ? { timeLimitMs } : {}), variants }, errors };
}

export function whatIfPages() {
  const router = new Hono<AppBindings>();
  const planners = requireRole('manager', 'analyst');

  const show = async (
    c: Context<AppBindings>,
    values: WhatIfValues | null,
    errors: WhatIfErrors,
    answer: WhatIfAnswer | null,
    status: 200 | 400 = 200,
  ) => {
    const ctx = orgCtx(c);
    const [reps, choices, limitMs] = await Promise.all([
      listReps({ ctx, input: { order: 'region' } }),
      segmentChoices(ctx),
      whatIfTimeLimitMs(runsCtx(c)),
    ]);
    const limitSeconds = Math.max(1, Math.floor(limitMs / 1000));
    return renderPage(
      c,
      'What-if',
      <>
        <h1>What-if</h1>
        <p class="muted">
          Try a departure or a re-balance on today’s book with different rules, side by side, before starting
          a run. The solver is the one runs use; the book is not changed.
        </p>
        <WhatIfForm
          values={values ?? emptyWhatIf(reps.rows, limitSeconds)}
          errors={errors}
          reps={reps.rows}
          regions={choices.regions}
          limitSeconds={limitSeconds}
          csrfToken={c.get('csrfToken')}
        />
        {answer && <WhatIfResult answer={answer} limitSeconds={limitSeconds} />}
      </>,
      status,
    );
  };

  router.get('/what-if', planners, (c) => show(c, null, {}, null));

  router.post('/what-if', planners, async (c) => {
    const values = whatIfValues(await c.req.parseBody({ all: true }));
    const { input, errors } = toCompareInput(values);
    if (!input)
      return show(
        c,
        values,
        { form: errors.form ?? 'Some fields need attention: see the messages next to them.', ...errors },
        null,
        400,
      );
    try {
      const answer = await whatIfCompare({
        ctx: runsCtx(c),
        input: {
          reference: { kind: input.kind, params: input.params },
          variants: input.variants,
          ...(input.timeLimitMs ? { timeLimitMs: input.timeLimitMs } : {}),
        },
        signal: c.req.raw.signal,
        slots: solveSlotsFor(c.get('deps').db, solveSlotLimits(c.get('deps').env)),
      });
      return show(c, values, {}, answer);
    } catch (error) {
      // The scenario cannot be solved as asked: say why on the form (a full solver queue stays a 429 page).
      if (error instanceof AppError && ['VALIDATION_FAILED', 'UNPROCESSABLE'].includes(error.code)) {
        const details = (Array.isArray(error.details) ? error.details : []) as FieldIssue[];
        const more = details.map((d) => d.message).slice(0, 5);
        return show(c, values, { form: [error.message, ...more].join(' ') }, null, 400);
      }
      throw error;
    }
  });

  return router;
}
