/** The run actions route group: handlers validate (by route), call a service verb, shape the response. */

import type { Context } from 'hono';
import { cancelRun } from '../../../services/after/cancel-run.ts';
import { approveRun } from '../../../services/approve/approve-run.ts';
import { commitRun } from '../../../services/commit/commit-run.ts';
import type { AppBindings } from '../../context.ts';
import { createRouter } from '../../openapi.ts';
import { orgContext } from '../../service-context.ts';
import * as routes from './run-actions.routes.ts';

function appBaseUrl(c: Context<AppBindings>) {
  return c.get('deps').env.APP_BASE_URL ?? new URL(c.req.url).origin;
}

export const runActionsRouter = createRouter()
  .openapi(routes.approveRun, async (c) => {
    const { id } = c.req.valid('param');
    const body = c.req.valid('json');
    const run = await approveRun({
      ctx: orgContext(c),
      input: {
        runId: id,
        expectedVersion: body.expectedVersion,
        expectedHash: body.expectedHash,
        note: body.note,
      },
    });
    return c.json(routes.ApproveResponseSchema.parse({ run }), 200);
  })
  .openapi(routes.commitRun, async (c) => {
    const { id } = c.req.valid('param');
    const result = await commitRun({ ctx: orgContext(c), input: { runId: id, appBaseUrl: appBaseUrl(c) } });
    return c.json(routes.CommitResponseSchema.parse(result), 200);
  })
  .openapi(routes.cancelRun, async (c) => {
    const { id } = c.req.valid('param');
    const { reason } = c.req.valid('json');
    const result = await cancelRun({ ctx: orgContext(c), input: { runId: id, reason } });
    return c.json(routes.CancelResponseSchema.parse(result), 200);
  });
