/** The book route group: validated queries in, the book queries' rows shaped by the response schemas out. */
import { listAccounts } from '../../../services/book/account-list.ts';
import { getOpportunity, listOpportunities } from '../../../services/book/opportunity-queries.ts';
import { listReps } from '../../../services/book/rep-list.ts';
import { createRouter } from '../../openapi.ts';
import { orgContext } from '../../service-context.ts';
import { AccountSchema, listAccountsRoute, listRepsRoute, RepSchema } from './book.routes.ts';
import { getOpportunityRoute, listOpportunitiesRoute, OpportunitySchema } from './opportunities.routes.ts';

export const bookRouter = createRouter()
  .openapi(listRepsRoute, async (c) => {
    const { active, ...query } = c.req.valid('query');
    const out = await listReps({
      ctx: orgContext(c),
      input: { ...query, active: active === undefined ? undefined : active === 'true' },
    });
    return c.json({ data: out.rows.map((r) => RepSchema.parse(r)), total: out.total }, 200);
  })
  .openapi(listAccountsRoute, async (c) => {
    const out = await listAccounts({ ctx: orgContext(c), input: c.req.valid('query') });
    return c.json({ data: out.rows.map((a) => AccountSchema.parse(a)), total: out.total }, 200);
  })
  .openapi(listOpportunitiesRoute, async (c) => {
    const out = await listOpportunities({ ctx: orgContext(c), input: c.req.valid('query') });
    return c.json({ data: out.rows.map((o) => OpportunitySchema.parse(o)), total: out.total }, 200);
  })
  .openapi(getOpportunityRoute, async (c) => {
    const out = await getOpportunity({ ctx: orgContext(c), input: c.req.valid('param') });
    return c.json(out, 200);
  });
