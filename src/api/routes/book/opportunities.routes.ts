/** Opportunities, read-only: list and filter, and one with its split history (for opportunity-level runs). */
import { createRoute, z } from '@hono/zod-openapi';
import { commonErrorResponses, notFoundResponse } from '../../errors.ts';
import { access } from '../../openapi.ts';
import { BOOK_READERS } from './book.routes.ts';

const ISO_DATE = /^\d{4}-\d{2}-\d{2}$/;
const query = (name: string, example: string, description: string) => ({
  param: { name, in: 'query' as const },
  example,
  description,
});

export const SplitRowSchema = z
  .object({
    repId: z.uuid(),
    repName: z.string().openapi({ example: 'House' }),
    repCrmUserId: z.string().nullable().openapi({ example: '0055e000001AbCdAAK' }),
    role: z.enum(['house', 'rep', 'subagent']),
    bps: z.number().int().openapi({ description: 'Share in basis points (10000 = 100%).', example: 5500 }),
    effectiveFrom: z.string().openapi({ example: '2026-01-01' }),
    effectiveTo: z
      .string()
      .nullable()
      .openapi({ description: 'Last day; null while in force.', example: null }),
    runId: z.uuid().nullable().openapi({ description: 'The run that wrote the row; null if imported.' }),
  })
  .openapi('SplitRow');

export const OpportunitySchema = z
  .object({
    id: z.uuid(),
    crmId: z.string().openapi({ example: '0065e00000AbCdEAAV' }),
    name: z.string().openapi({ example: 'Acme renewal' }),
    accountId: z.uuid(),
    accountCrmId: z.string().openapi({ example: '0015e00000AbCdEAAV' }),
    ownerRepId: z.uuid().nullable(),
    stage: z.string().openapi({ example: 'Negotiation' }),
    status: z.enum(['open', 'closed_won', 'closed_lost']),
    isBillingStage: z.boolean(),
    amountCents: z
      .number()
      .int()
      .nullable()
      .openapi({ example: 12_000_000, description: 'null: unknown (the CRM export left it blank), not $0' }),
    closeDate: z.string().nullable().openapi({ example: '2027-03-01' }),
    createdDate: z.string().openapi({ example: '2026-11-01' }),
  })
  .openapi('Opportunity');

const date = (name: string, description: string) =>
  z
    .string()
    .regex(ISO_DATE, `${name} is an ISO date (YYYY-MM-DD).`)
    .optional()
    .openapi(query(name, '2027-03-01', description));

export const listOpportunitiesRoute = createRoute({
  method: 'get',
  path: '/opportunities',
  operationId: 'listOpportunities',
  tags: ['Book'],
  summary: 'Opportunities, filtered by account, owner, stage, status and close date',
  ...access(...BOOK_READERS),
  request: {
    query: z.object({
      limit: z.coerce
        .number()
        .int()
        .min(1, 'limit is at least 1.')
        .max(1000, 'limit is at most 1000: page with offset.')
        .default(100)
        .openapi(query('limit', '100', 'Page size.')),
      offset: z.coerce
        .number()
        .int()
        .min(0, 'offset is 0 or more.')
        .default(0)
        .openapi(query('offset', '0', 'Rows to skip.')),
      q: z
        .string()
        .trim()
        .min(1)
        .max(200)
        .optional()
        .openapi(query('q', 'renewal', 'Part of the name or CRM id.')),
      account: z
        .uuid('account is an account id (uuid).')
        .optional()
        .openapi(query('account', '8a9b0c1d-2e3f-4a5b-9c6d-7e8f9a0b1c2d', "The account's id.")),
      owner: z
        .union([z.uuid(), z.literal('none')], "owner is a rep's id, or none.")
        .optional()
        .openapi(query('owner', 'none', "The owner rep's id, or none.")),
      stage: z
        .string()
        .trim()
        .min(1)
        .max(200)
        .optional()
        .openapi(query('stage', 'Negotiation', 'Exact stage.')),
      status: z
        .enum(['open', 'closed_won', 'closed_lost'], 'status is open, closed_won or closed_lost.')
        .optional()
        .openapi(query('status', 'open', 'open, closed_won or closed_lost.')),
      closeFrom: date('closeFrom', 'Close date on or after.'),
      closeTo: date('closeTo', 'Close date on or before.'),
    }),
  },
  responses: {
    200: {
      description: 'A page of opportunities and how many match.',
      content: {
        'application/json': {
          schema: z
            .object({ data: z.array(OpportunitySchema), total: z.number().int() })
            .openapi('OpportunityList'),
        },
      },
    },
    ...commonErrorResponses,
  },
});

export const getOpportunityRoute = createRoute({
  method: 'get',
  path: '/opportunities/{id}',
  operationId: 'getOpportunity',
  tags: ['Book'],
  summary: 'One opportunity with its commission split history',
  ...access(...BOOK_READERS),
  request: {
    params: z.object({
      id: z.uuid('id is an opportunity id (uuid).').openapi({ param: { name: 'id', in: 'path' } }),
    }),
  },
  responses: {
    200: {
      description: 'The opportunity and every split row it has had, oldest first.',
      content: {
        'application/json': {
          schema: OpportunitySchema.extend({ splits: z.array(SplitRowSchema) }).openapi('OpportunityDetail'),
        },
      },
    },
    ...notFoundResponse,
    ...commonErrorResponses,
  },
});
