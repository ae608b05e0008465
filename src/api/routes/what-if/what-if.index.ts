/** The what-if route group: validate, solve off the event loop, answer through the response schema. */

import type { Context } from 'hono';
import { solveSlotsFor } from '../../../services/solve/solve-slots.ts';
import { whatIfCompare, whatIfSolve } from '../../../services/solve/what-if.ts';
import type { SolveResult } from '../../../solver/index.ts';
import type { AppBindings } from '../../context.ts';
import { createRouter } from '../../openapi.ts';
import { runsCtx } from '../runs/runs.index.ts';
import * as routes from './what-if.routes.ts';
import { WhatIfComparisonSchema, WhatIfResultSchema } from './what-if.routes.ts';

/** Every what-if of this process shares one set of solver slots (global and per org). */
function slotsOf(c: Context<AppBindings>) {
  const { env } = c.get('deps');
  return solveSlotsFor({
    global: env.WHAT_IF_MAX_CONCURRENT,
    perOrg: env.WHAT_IF_MAX_PER_ORG,
    waiting: env.WHAT_IF_MAX_WAITING,
  });
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
