/** The book, read-only (F1): the roster and the accounts, so another system can name them in the runs it creates. */
import { createRoute, z } from '@hono/zod-openapi';
import { commonErrorResponses } from '../../errors.ts';
import { access } from '../../openapi.ts';

export const BOOK_READERS = ['admin', 'manager', 'analyst', 'finance'] as const;
const UUID_EXAMPLE = '3f0e7c3a-9d4b-4b1e-8a47-2c5d6e7f8a90';

export const RepSchema = z
  .object({
    id: z.uuid().openapi({ example: UUID_EXAMPLE }),
    kind: z.string().openapi({ description: 'person, house or subagent.', example: 'person' }),
    crmUserId: z.string().nullable().openapi({ example: '0055e000001AbCdAAK' }),
    name: z.string().openapi({ example: 'Dana Lee' }),
    email: z.string().nullable().openapi({ example: 'dana@acme.example' }),
    region: z.string().nullable().openapi({ example: 'West' }),
    segment: z.string().nullable().openapi({ example: 'Enterprise' }),
    active: z.boolean().openapi({ example: true }),
    mayReceive: z.boolean().openapi({ description: 'May receive accounts in a run.', example: true }),
    maxAccounts: z.number().int().nullable().openapi({ description: 'Count cap.', example: 40 }),
    maxRevenueCents: z
      .number()
      .int()
      .nullable()
      .openapi({ description: 'Revenue cap, in cents.', example: null }),
    weightBps: z.number().int().openapi({ description: 'Share weight in basis points.', example: 10000 }),
    endDate: z
      .string()
      .nullable()
      .openapi({ description: 'Last day (ISO date), if leaving.', example: null }),
    managerRepId: z.uuid().nullable().openapi({ example: null }),
  })
  .openapi('Rep');

export const AccountSchema = z
  .object({
    id: z.uuid().openapi({ example: '8a9b0c1d-2e3f-4a5b-9c6d-7e8f9a0b1c2d' }),
    crmId: z.string().openapi({ example: '0015e00000AbCdEAAV' }),
    name: z.string().openapi({ example: 'Acme Corp' }),
    ownerRepId: z.uuid().nullable().openapi({ example: UUID_EXAMPLE }),
    annualRevenueCents: z
      .number()
      .int()
      .nullable()
      .openapi({ example: 120_000_000, description: 'null: unknown (the CRM export left it blank)' }),
    region: z.string().nullable().openapi({ example: 'West' }),
    tier: z.string().nullable().openapi({ example: 'A' }),
    type: z.string().nullable().openapi({ example: 'Customer' }),
    industry: z.string().nullable().openapi({ example: 'Retail' }),
    segment: z.string().nullable().openapi({ example: 'Enterprise' }),
    isHouse: z.boolean().openapi({ example: false }),
    isCoOwned: z.boolean().openapi({ example: false }),
  })
  .openapi('Account');

const paging = {
  limit: z.coerce
    .number()
    .int()
    .min(1, 'limit is at least 1.')
    .max(1000, 'limit is at most 1000: page with offset.')
    .default(100)
    .openapi({ param: { name: 'limit', in: 'query' }, example: 100 }),
  offset: z.coerce
    .number()
    .int()
    .min(0, 'offset is 0 or more.')
    .default(0)
    .openapi({ param: { name: 'offset', in: 'query' }, example: 0 }),
};
const text = (name: string, example: string, description: string) =>
  z
    .string()
    .trim()
    .min(1)
    .max(200)
    .optional()
    .openapi({ param: { name, in: 'query' }, example, description });

export const listRepsRoute = createRoute({
  method: 'get',
  path: '/reps',
  operationId: 'listReps',
  tags: ['Book'],
  summary: 'The roster: reps, House and subagents, by name',
  ...access(...BOOK_READERS),
  request: {
    query: z.object({
      ...paging,
      q: text('q', 'dana', 'Part of the name or email.'),
      region: text('region', 'West', 'Exact region.'),
      active: z
        .enum(['true', 'false'], 'active is true or false.')
        .optional()
        .openapi({ param: { name: 'active', in: 'query' }, example: 'true' }),
    }),
  },
  responses: {
    200: {
      description: 'A page of reps and how many match.',
      content: {
        'application/json': {
          schema: z.object({ data: z.array(RepSchema), total: z.number().int() }).openapi('RepList'),
        },
      },
    },
    ...commonErrorResponses,
  },
});

export const listAccountsRoute = createRoute({
  method: 'get',
  path: '/accounts',
  operationId: 'listAccounts',
  tags: ['Book'],
  summary: 'The accounts, by CRM id, with their current owner',
  ...access(...BOOK_READERS),
  request: {
    query: z.object({
      ...paging,
      q: text('q', 'acme', 'Part of the name or CRM id.'),
      region: text('region', 'West', 'Exact region.'),
      owner: z
        .union([z.uuid(), z.literal('none')], "owner is a rep's id, or none for accounts without an owner.")
        .optional()
        .openapi({ param: { name: 'owner', in: 'query' }, example: UUID_EXAMPLE }),
    }),
  },
  responses: {
    200: {
      description: 'A page of accounts and how many match.',
      content: {
        'application/json': {
          schema: z.object({ data: z.array(AccountSchema), total: z.number().int() }).openapi('AccountList'),
        },
      },
    },
    ...commonErrorResponses,
  },
});
