/** Commission impact preview and reconciliation of a run (C1–C6): JSON for systems, CSV for finance. */
import { createRoute, z } from '@hono/zod-openapi';
import { COMMISSION_READERS } from '../../../services/review/commission-impact.ts';
import { documentedDownloadHeaders } from '../../downloads.ts';
import { commonErrorResponses, conflictResponse, ErrorBodySchema, notFoundResponse } from '../../errors.ts';
import { access } from '../../openapi.ts';
import { CommissionImpactSchema, CommissionReconciliationSchema, RUN_ID } from './commission.schemas.ts';

const tags = ['Commission'];

export const RunIdParams = z.object({
  id: z.uuid('The run id is a UUID.').openapi({ param: { name: 'id', in: 'path' }, example: RUN_ID }),
});

export const ImpactQuery = z.object({
  months: z.coerce
    .number()
    .int('Months is a whole number.')
    .min(1, 'Show at least 1 month.')
    .max(36, 'Show at most 36 months.')
    .optional()
    .openapi({
      param: { name: 'months', in: 'query' },
      description:
        'Months in the window, starting with the month after the end date (default 12: the annual figure).',
      example: 12,
    }),
});

const errorsOfARun = {
  ...notFoundResponse,
  ...conflictResponse,
  422: {
    description:
      'The run has no commission end date or reassignment date, or commission parameters that cannot be read (code UNPROCESSABLE).',
    content: { 'application/json': { schema: ErrorBodySchema } },
  },
  ...commonErrorResponses,
};

const csvFile = (description: string, example: string) => ({
  description,
  headers: documentedDownloadHeaders('bookshift-run-3b9d6c1e-commission-impact.csv'),
  content: { 'text/csv': { schema: z.string().openapi({ example }) } },
});

const IMPACT_DESCRIPTION =
  'Per person (departing rep, new reps, House, subagents): commission per month and per year before and after the change, in cents; ' +
  'counts of accounts, opportunities and affected revenue schedules; the next payment date; the days between the end date and the reassignment date that go to House. ' +
  'Before commit it is planned exactly as the commit will write it; after commit it is what the commit wrote. Each period is pro-rated by days ' +
  '(the end date belongs to the old split) and its parts always sum to its amount to the cent.';

export const getCommissionImpact = createRoute({
  method: 'get',
  path: '/runs/{id}/commission-impact',
  operationId: 'getCommissionImpact',
  tags,
  summary: 'Commission impact preview of a run',
  description: IMPACT_DESCRIPTION,
  ...access(...COMMISSION_READERS),
  request: { params: RunIdParams, query: ImpactQuery },
  responses: {
    200: {
      description: 'The impact preview.',
      content: { 'application/json': { schema: CommissionImpactSchema } },
    },
    ...errorsOfARun,
  },
});

export const downloadCommissionImpact = createRoute({
  method: 'get',
  path: '/runs/{id}/commission-impact.csv',
  operationId: 'downloadCommissionImpact',
  tags,
  summary: 'Commission impact preview of a run, as CSV',
  description: `${IMPACT_DESCRIPTION} One row per person, then a before/after column pair per month. Cells are safe against spreadsheet formula injection.`,
  ...access(...COMMISSION_READERS),
  request: { params: RunIdParams, query: ImpactQuery },
  responses: {
    200: csvFile(
      'The impact file, as an attachment.',
      'participant_id,name,role,category,monthly_before_cents,monthly_after_cents,annual_before_cents,annual_after_cents,annual_delta_cents,2026-06_before_cents,2026-06_after_cents\r\n…',
    ),
    ...errorsOfARun,
  },
});

const RECONCILIATION_DESCRIPTION =
  'Adjustment entries for schedule periods after the end date that are already marked paid or reconciled: each such period is taken as paid ' +
  'exactly as the old split allocates it, and the entries (new − old, per participant; negative = clawback from the old rep, positive = credit to the new) ' +
  'sum to zero per period. Before commit they are what the commit would require; after commit what it requires.';

export const getCommissionReconciliation = createRoute({
  method: 'get',
  path: '/runs/{id}/commission-reconciliation',
  operationId: 'getCommissionReconciliation',
  tags,
  summary: 'Commission reconciliation entries of a run',
  description: RECONCILIATION_DESCRIPTION,
  ...access(...COMMISSION_READERS),
  request: { params: RunIdParams },
  responses: {
    200: {
      description: 'The adjustment entries and totals per participant.',
      content: { 'application/json': { schema: CommissionReconciliationSchema } },
    },
    ...errorsOfARun,
  },
});

export const downloadCommissionReconciliation = createRoute({
  method: 'get',
  path: '/runs/{id}/commission-reconciliation.csv',
  operationId: 'downloadCommissionReconciliation',
  tags,
  summary: 'Commission reconciliation entries of a run, as CSV',
  description: `${RECONCILIATION_DESCRIPTION} One row per entry. Cells are safe against spreadsheet formula injection.`,
  ...access(...COMMISSION_READERS),
  request: { params: RunIdParams },
  responses: {
    200: csvFile(
      'The reconciliation file, as an attachment.',
      'opportunity_id,opportunity_crm_id,opportunity_name,account_id,account_name,period_id,period_start,period_end,period_status,participant_id,participant_name,role,category,kind,amount_cents\r\n…',
    ),
    ...errorsOfARun,
  },
});
