/** The commission route group: impact preview and reconciliation of a run, as JSON and as CSV downloads. */

import { commissionReconciliation, reconciliationCsv } from '../../../services/after/reconciliation.ts';
import { commissionImpact, impactCsv } from '../../../services/review/commission-impact.ts';
import { downloadHeaders } from '../../downloads.ts';
import { createRouter } from '../../openapi.ts';
import { orgContext } from '../../service-context.ts';
import {
  downloadCommissionImpact,
  downloadCommissionReconciliation,
  getCommissionImpact,
  getCommissionReconciliation,
} from './commission.routes.ts';
import { CommissionImpactSchema, CommissionReconciliationSchema } from './commission.schemas.ts';

const csvHeaders = (filename: string) => downloadHeaders(filename, 'text/csv; charset=utf-8');

export const commissionRouter = createRouter()
  .openapi(getCommissionImpact, async (c) => {
    const { id } = c.req.valid('param');
    const { months } = c.req.valid('query');
    const impact = await commissionImpact({ ctx: orgContext(c), input: { runId: id, months } });
    // Parsed through the response schema, so a field added to the service never leaks unannounced.
    return c.json(CommissionImpactSchema.parse(impact), 200);
  })
  .openapi(downloadCommissionImpact, async (c) => {
    const { id } = c.req.valid('param');
    const { months } = c.req.valid('query');
    const impact = await commissionImpact({ ctx: orgContext(c), input: { runId: id, months } });
    return c.body(
      impactCsv(impact),
      200,
      csvHeaders(`bookshift-run-${id.slice(0, 8)}-commission-impact.csv`),
    ) as never;
  })
  .openapi(getCommissionReconciliation, async (c) => {
    const { id } = c.req.valid('param');
    const rec = await commissionReconciliation({ ctx: orgContext(c), input: { runId: id } });
    return c.json(CommissionReconciliationSchema.parse(rec), 200);
  })
  .openapi(downloadCommissionReconciliation, async (c) => {
    const { id } = c.req.valid('param');
    const rec = await commissionReconciliation({ ctx: orgContext(c), input: { runId: id } });
    return c.body(
      reconciliationCsv(rec),
      200,
      csvHeaders(`bookshift-run-${id.slice(0, 8)}-commission-reconciliation.csv`),
    ) as never;
  });
