/**
 * The manual-queue commission strategy over the API: list a run's opportunities to decide (with each decision) and
 * set or withdraw decisions. Setting voids an approval, like any change of the proposal.
 */
import { createRoute, z } from '@hono/zod-openapi';
import {
  commissionDecision,
  MAX_COMMISSION_DECISIONS,
} from '../../../services/run-records/commission-params.ts';
import { commonErrorResponses, conflictResponse, notFoundResponse } from '../../errors.ts';
import { access } from '../../openapi.ts';
import { RUN_READERS, RUN_WRITERS } from '../runs/runs.routes.ts';
import { RunIdParams } from '../runs/runs.schemas.ts';

const OPP_ID = '0c1d2e3f-4a5b-4c6d-8e7f-9a0b1c2d3e4f';
const json = <S extends z.ZodType>(schema: S) => ({ content: { 'application/json': { schema } } });
const tags = ['Review'];

const share = z.object({
  repId: z.string().openapi({ example: '3f0e7c3a-9d4b-4b1e-8a47-2c5d6e7f8a90' }),
  role: z.enum(['house', 'rep', 'subagent']),
  bps: z.number().int().openapi({ example: 5500 }),
});

export const DecisionRowSchema = z
  .object({
    opportunityId: z.uuid().openapi({ example: OPP_ID }),
    crmId: z.string().openapi({ example: '006000000000123' }),
    name: z.string().openapi({ example: 'Northwind renewal' }),
    accountId: z.uuid(),
    accountName: z.string().openapi({ example: 'Northwind' }),
    stage: z.string().openapi({ example: 'Negotiation' }),
    amountCents: z
      .number()
      .int()
      .nullable()
      .openapi({ example: 12_000_000, description: 'null: unknown (the CRM export left it blank), not $0' }),
    fromRepId: z.uuid().nullable().openapi({ description: 'The rep whose share moves.' }),
    toRepId: z.uuid().nullable().openapi({ description: 'The account’s new owner.' }),
    before: z.array(share).openapi({ description: 'The split in force now.' }),
    after: z
      .array(share)
      .nullable()
      .openapi({ description: 'The split the proposal would write; null while undecided or refused.' }),
    error: z
      .string()
      .nullable()
      .openapi({ description: 'Why the decided split cannot be made.', example: null }),
    decision: commissionDecision.nullable(),
  })
  .openapi('CommissionDecisionRow');

export const DecisionListSchema = z
  .object({
    run: z.object({
      id: z.uuid(),
      status: z.string().openapi({ example: 'in_review' }),
      version: z.number().int(),
      proposalHash: z.string().nullable(),
    }),
    strategy: z.enum(['uniform', 'segmented', 'manual']),
    data: z.array(DecisionRowSchema),
    total: z.number().int().openapi({ description: 'Rows matching the filter.' }),
    all: z.number().int().openapi({ description: 'The run’s opportunities to decide.' }),
    undecided: z
      .number()
      .int()
      .openapi({ description: 'Of which undecided: approval is refused while > 0.' }),
    page: z.number().int(),
    pageSize: z.number().int(),
  })
  .openapi('CommissionDecisionList');

export const DecisionListQuery = z.object({
  page: z.coerce
    .number()
    .int()
    .min(1)
    .optional()
    .openapi({ param: { name: 'page', in: 'query' }, example: 1 }),
  pageSize: z.coerce
    .number()
    .int()
    .min(1)
    .max(200)
    .optional()
    .openapi({ param: { name: 'pageSize', in: 'query' }, example: 25 }),
  q: z
    .string()
    .max(200)
    .optional()
    .openapi({ param: { name: 'q', in: 'query' }, description: 'Opportunity, account or CRM id contains.' }),
  show: z
    .enum(['all', 'undecided', 'decided'])
    .optional()
    .openapi({ param: { name: 'show', in: 'query' }, example: 'undecided' }),
});

export const SetDecisionsSchema = z
  .object({
    decisions: z
      .array(
        z
          .object({ opportunityId: z.uuid('The opportunity id is a UUID.').openapi({ example: OPP_ID }) })
          .extend(commissionDecision.shape)
          .strict(),
      )
      .max(MAX_COMMISSION_DECISIONS)
      .default([])
      .openapi({
        description: 'Decisions to set; each replaces any earlier decision of its opportunity.',
        example: [{ opportunityId: OPP_ID, commissionType: 'custom', customBps: 3500 }],
      }),
    clear: z
      .array(z.uuid('The opportunity id is a UUID.'))
      .max(MAX_COMMISSION_DECISIONS)
      .optional()
      .openapi({ description: 'Opportunities whose decision is withdrawn (undecided again).' }),
    note: z.string().trim().max(2000).optional().openapi({ description: 'Why (kept in the audit trail).' }),
  })
  .strict()
  .openapi('SetCommissionDecisions');

export const SetDecisionsResultSchema = z
  .object({
    run: z.object({
      id: z.uuid(),
      status: z.string().openapi({ example: 'in_review' }),
      version: z.number().int(),
      proposalHash: z.string().nullable(),
    }),
    decided: z.number().int(),
    undecided: z.number().int().openapi({ description: 'Approval is refused while > 0.' }),
  })
  .openapi('SetCommissionDecisionsResult');

export const listCommissionDecisions = createRoute({
  method: 'get',
  path: '/runs/{id}/commission-decisions',
  operationId: 'listCommissionDecisions',
  tags,
  summary: 'The opportunities of a manual-queue run to decide, with each decision',
  description:
    'The open opportunities of the accounts the proposal moves (paginated, filtered), with their current split, the decision taken and the split it gives.',
  ...access(...RUN_READERS),
  request: { params: RunIdParams, query: DecisionListQuery },
  responses: {
    200: { description: 'One page of opportunities to decide.', ...json(DecisionListSchema) },
    ...notFoundResponse,
    ...commonErrorResponses,
  },
});

export const setCommissionDecisions = createRoute({
  method: 'put',
  path: '/runs/{id}/commission-decisions',
  operationId: 'setCommissionDecisions',
  tags,
  summary: 'Decide the commission type (and receiving rep) of opportunities of a manual-queue run',
  description:
    'Only while the run is a draft or under review. Changes the proposal hash and voids an approval; approval is refused while an opportunity is undecided.',
  ...access(...RUN_WRITERS),
  request: {
    params: RunIdParams,
    body: { required: true, ...json(SetDecisionsSchema) },
  },
  responses: {
    200: {
      description: 'The run after the change, and how many remain undecided.',
      ...json(SetDecisionsResultSchema),
    },
    ...notFoundResponse,
    ...conflictResponse,
    ...commonErrorResponses,
  },
});
