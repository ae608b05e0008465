/** The commission decisions route group (manual-queue strategy): validate, call the service, parse the answer. */

import {
  listCommissionDecisions,
  setCommissionDecisions,
} from '../../../services/review/commission-decisions.ts';
import { createRouter } from '../../openapi.ts';
import { orgContext } from '../../service-context.ts';
import * as routes from './commission-decisions.routes.ts';

export const commissionDecisionsRouter = createRouter()
  .openapi(routes.listCommissionDecisions, async (c) => {
    const { id } = c.req.valid('param');
    const q = c.req.valid('query');
    const list = await listCommissionDecisions({
      ctx: orgContext(c),
      input: { runId: id, page: q.page, pageSize: q.pageSize, filter: { q: q.q, show: q.show } },
    });
    const { rows, ...rest } = list;
    return c.json(routes.DecisionListSchema.parse({ ...rest, data: rows }), 200);
  })
  .openapi(routes.setCommissionDecisions, async (c) => {
    const { id } = c.req.valid('param');
    const body = c.req.valid('json');
    const result = await setCommissionDecisions({
      ctx: orgContext(c),
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
