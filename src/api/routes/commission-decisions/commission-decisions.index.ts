/** The commission decisions route group (manual-queue strategy): validate, call the service, parse the answer. */
import type { Context } from 'hono';
import { principalOf } from '../../../auth/require-role.ts';
import {
  listCommissionDecisions,
  setCommissionDecisions,
} from '../../../services/review/commission-decisions.ts';
import type { RunsContext } from '../../../services/run-records/run-records.ts';
import type { AppBindings } from '../../context.ts';
import { createRouter } from '../../openapi.ts';
import * as routes from './commission-decisions.routes.ts';

function runsCtx(c: Context<AppBindings>): RunsContext {
  const { db, clock } = c.get('deps');
  return { db, clock, principal: principalOf(c), requestId: c.get('requestId') };
}

export const commissionDecisionsRouter = createRouter()
  .openapi(routes.listCommissionDecisions, async (c) => {
    const { id } = c.req.valid('param');
    const q = c.req.valid('query');
    const list = await listCommissionDecisions({
      ctx: runsCtx(c),
      input: { runId: id, page: q.page, pageSize: q.pageSize, filter: { q: q.q, show: q.show } },
    });
    const { rows, ...rest } = list;
    return c.json(routes.DecisionListSchema.parse({ ...rest, data: rows }), 200);
  })
  .openapi(routes.setCommissionDecisions, async (c) => {
    const { id } = c.req.valid('param');
    const body = c.req.valid('json');
    const result = await setCommissionDecisions({
      ctx: runsCtx(c),
      input: { runId: id, decisions: body.decisions, clear: body.clear, note: body.note },
    });
    return c.json(
      routes.SetDecisionsResultSchema.parse({
        run: {
          id: result.run.id,
          status: result.run.status,
          version: result.run.version,
          proposalHash: result.run.proposalHash,
        },
        decided: result.decided,
        undecided: result.undecided,
      }),
      200,
    );
  });
