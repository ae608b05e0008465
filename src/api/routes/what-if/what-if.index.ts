/** The what-if route group: validate, solve off the event loop, answer through the response schema. */

import type { Context } from 'hono';
import { solveSlotLimits, solveSlotsFor } from '../../../services/solve/solve-slots.ts';
import { whatIfCompare, whatIfSolve } from '../../../services/solve/what-if.ts';
import type { SolveResult } from '../../../solver/index.ts';
import type { AppBindings } from '../../context.ts';
import { createRouter } from '../../openapi.ts';
import { runsCtx } from '../runs/runs.index.ts';
import * as routes from './what-if.routes.ts';
import { WhatIfComparisonSchema, WhatIfResultSchema } from './what-if.routes.ts';

/** Every solve (what-ifs and run solves, on every instance) shares the solver slots (global and per org). */
function slotsOf(c: Context<AppBindings>) {
  return solveSlotsFor(c.get('deps').db, solveSlotLimits(c.get('deps').env));
}

export function toWhatIfJson(result: SolveResult) {
  if (result.status === 'invalid')
    throw new Error('invalid results are refused before they reach the response');
  return WhatIfResultSchema.parse(result);
}

export const whatIfRouter = createRouter()
  .openapi(routes.whatIfSolve, async (c) => {
    const body = c.req.valid('json');
    const result = await whatIfSolve({
      ctx: runsCtx(c),
      input: body,
      signal: c.req.raw.signal,
      slots: slotsOf(c),
    });
    return c.json(toWhatIfJson(result), 200);
  })
  .openapi(routes.whatIfCompare, async (c) => {
    const body = c.req.valid('json');
    const out = await whatIfCompare({
      ctx: runsCtx(c),
      input: body,
      signal: c.req.raw.signal,
      slots: slotsOf(c),
    });
    return c.json(
      WhatIfComparisonSchema.parse({
        variants: out.variants.map((v) => ({ name: v.name, result: toWhatIfJson(v.result) })),
        reps: out.reps,
      }),
      200,
    );
  });
