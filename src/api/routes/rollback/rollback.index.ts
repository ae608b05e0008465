/** The rollback route group. */
import { rollbackRun } from '../../../services/after/rollback-run.ts';
import { createRouter } from '../../openapi.ts';
import { orgContext } from '../../service-context.ts';
import { RollbackResultSchema, rollbackRunRoute } from './rollback.routes.ts';

export const rollbackRouter = createRouter().openapi(rollbackRunRoute, async (c) => {
  const { id } = c.req.valid('param');
  const { env } = c.get('deps');
  const appBaseUrl = env.APP_BASE_URL ?? new URL(c.req.url).origin;
  const body = c.req.valid('json') as { reason?: string } | undefined;
  const { result } = await rollbackRun({
    ctx: { ...orgContext(c), appBaseUrl },
    input: { runId: id, reason: body?.reason },
  });
  return c.json(RollbackResultSchema.parse(result), 200);
});
