/** The review read model of a run over the API (F5, F6): summary, accounts, conflicts, explanations, comparison, diagnosis. */
import { z } from '@hono/zod-openapi';
import { ACCOUNT_SORTS, MAX_PAGE_SIZE } from '../../../services/review/review.ts';
import { RUN_STATUSES } from '../../../workflow/run-status.ts';
import { ACCOUNT_ID, REP_ID, RUN_ID, stamp, uuid } from './runs.schemas.ts';

const SpreadSchema = z
  .object({
    min: z.number().openapi({ example: 10 }),
    max: z.number().openapi({ example: 12 }),
    mean: z.number().openapi({ example: 11 }),
    spread: z.number().openapi({ description: 'max − min', example: 2 }),
    maxOverMin: z.number().nullable().openapi({ example: 1.2 }),
    cv: z
      .number()
      .openapi({ description: 'Coefficient of variation (standard deviation / mean).', example: 0.07 }),
  })
  .openapi('Spread');

export const RepLoadSchema = z
  .object({
    repId: uuid(REP_ID),
    name: z.string().openapi({ example: 'Ana Ruiz' }),
    kind: z.string().openapi({ example: 'person' }),
    departing: z.boolean().openapi({ example: false }),
    countBefore: z.number().int().openapi({ example: 10 }),
    countAfter: z.number().int().openapi({ example: 13 }),
    countDelta: z.number().int().openapi({ example: 3 }),
    revenueBeforeCents: z.number().int().openapi({ example: 120_000_000 }),
    revenueAfterCents: z.number().int().openapi({ example: 150_000_000 }),
    revenueDeltaCents: z.number().int().openapi({ example: 30_000_000 }),
    accountsIn: z.number().int().openapi({ example: 3 }),
    accountsOut: z.number().int().openapi({ example: 0 }),
    maxAccounts: z.number().int().nullable().openapi({ example: 15 }),
    maxRevenueCents: z.number().int().nullable().openapi({ example: null }),
    overCountCap: z.boolean().openapi({ example: false }),
    overRevenueCap: z.boolean().openapi({ example: false }),
    targetCount: z
      .number()
      .nullable()
      .openapi({ description: 'The solver’s target for the rep.', example: 12.5 }),
    targetRevenueCents: z.number().nullable().openapi({ example: 145_000_000 }),
  })
  .openapi('RepLoad');

export const RunSummarySchema = z
  .object({
    reps: z.array(RepLoadSchema),
    balance: z.object({
      count: SpreadSchema,
      revenueCents: SpreadSchema,
      countBefore: SpreadSchema,
      revenueCentsBefore: SpreadSchema,
      objective: z.number().nullable().openapi({ example: 0.42 }),
      lowerBound: z.number().nullable().openapi({ example: 0.42 }),
      gap: z.number().nullable().openapi({ example: 0 }),
      solverStatus: z.string().nullable().openapi({ example: 'optimal' }),
    }),
    moved: z.number().int().openapi({ example: 12 }),
    unassigned: z.number().int().openapi({ example: 0 }),
    excluded: z.number().int().openapi({ example: 1 }),
    pinned: z.number().int().openapi({ example: 2 }),
  })
  .openapi('RunSummary');

const boolQuery = (name: string, description: string) =>
  z
    .enum(['true', 'false'])
    .transform((v) => v === 'true')
    .optional()
    .openapi({ param: { name, in: 'query' }, description, example: 'true' });

export const RunAccountsQuery = z.object({
  repId: z
    .uuid()
    .optional()
    .openapi({
      param: { name: 'repId', in: 'query' },
      description: 'Accounts leaving or reaching this rep.',
    }),
  region: z
    .string()
    .max(200)
    .optional()
    .openapi({ param: { name: 'region', in: 'query' }, example: 'West' }),
  moved: boolQuery('moved', 'Only accounts that change owner (true) or that do not (false).'),
  conflict: boolQuery('conflict', 'Only accounts with (true) or without (false) an open conflict.'),
  pinned: boolQuery('pinned', 'Only pinned (manually overridden) accounts.'),
  excluded: boolQuery('excluded', 'Only accounts excluded from the run.'),
  sort: z
    .enum(ACCOUNT_SORTS)
    .default('name')
    .openapi({ param: { name: 'sort', in: 'query' }, example: 'revenue' }),
  order: z
    .enum(['asc', 'desc'])
    .default('asc')
    .openapi({ param: { name: 'order', in: 'query' }, example: 'desc' }),
  page: z.coerce
    .number()
    .int()
    .min(1)
    .default(1)
    .openapi({ param: { name: 'page', in: 'query' }, example: 1 }),
  pageSize: z.coerce
    .number()
    .int()
    .min(1)
    .max(MAX_PAGE_SIZE, `At most ${MAX_PAGE_SIZE} accounts per page.`)
    .default(100)
    .openapi({ param: { name: 'pageSize', in: 'query' }, example: 100 }),
});

const AccountLine = {
  accountId: uuid(ACCOUNT_ID),
  crmId: z.string().openapi({ example: '0015g00000AbCdEAAV' }),
  name: z.string().openapi({ example: 'Northwind Traders' }),
  region: z.string().nullable().openapi({ example: 'West' }),
  segment: z.string().nullable().openapi({ example: 'Mid-Market' }),
  revenueCents: z.number().int().openapi({ example: 12_500_000 }),
  fromRepId: z.uuid().nullable().openapi({ description: 'The owner the run planned from.', example: REP_ID }),
  toRepId: z
    .uuid()
    .nullable()
    .openapi({ description: 'The proposed owner; null when nobody may receive it.', example: REP_ID }),
  moved: z.boolean().openapi({ example: true }),
  pinned: z.boolean().openapi({ example: false }),
  excluded: z.boolean().openapi({ example: false }),
  reason: z.string().nullable().openapi({ example: 'departure: moved to Ana Ruiz (closest to her target)' }),
};

export const RunAccountSchema = z
  .object({ ...AccountLine, openConflicts: z.number().int().openapi({ example: 0 }) })
  .openapi('RunAccount');

export const RunAccountListSchema = z
  .object({
    data: z.array(RunAccountSchema),
    page: z.number().int().openapi({ example: 1 }),
    pageSize: z.number().int().openapi({ example: 100 }),
    total: z.number().int().openapi({ example: 240 }),
  })
  .openapi('RunAccountList');

export const ConflictSchema = z
  .object({
    id: uuid('1c2d3e4f-5a6b-4c7d-8e9f-0a1b2c3d4e5f'),
    kind: z.string().openapi({
      description: 'e.g. deal_closing_soon, over_count_cap, unassigned, stale_owner …',
      example: 'deal_closing_soon',
    }),
    severity: z
      .enum(['blocking', 'warning'])
      .openapi({ description: 'Blocking conflicts stop approval until resolved.', example: 'blocking' }),
    message: z.string().openapi({ example: 'Renewal on Northwind closes on 2026-03-20, within 30 days; …' }),
    key: z.string().openapi({
      description: 'Stable identity: a resolution survives a re-solve that finds the same conflict.',
      example: 'deal_closing_soon:…',
    }),
    accountId: z.uuid().nullable().openapi({ example: ACCOUNT_ID }),
    opportunityId: z.uuid().nullable().openapi({ example: null }),
    repId: z.uuid().nullable().openapi({ example: null }),
    resolution: z.enum(['accept', 'override', 'exclude', 'commission']).nullable().openapi({
      description:
        'commission: another type or share was chosen for the opportunity (only in the answer that resolves it: the split can then be written, so the conflict is gone from the list).',
      example: null,
    }),
    overrideRepId: z.uuid().nullable().openapi({ example: null }),
    resolvedBy: z.uuid().nullable().openapi({ example: null }),
    resolvedByLabel: z
      .string()
      .nullable()
      .openapi({ description: 'Who resolved it (user email or API key name).', example: null }),
    resolvedAt: stamp.nullable(),
    note: z.string().nullable().openapi({ example: null }),
  })
  .openapi('Conflict');

export const ConflictListQuery = z.object({
  open: boolQuery('open', 'Only unresolved (true) or resolved (false) conflicts.'),
  severity: z
    .enum(['blocking', 'warning'])
    .optional()
    .openapi({ param: { name: 'severity', in: 'query' }, example: 'blocking' }),
  kind: z
    .string()
    .max(100)
    .optional()
    .openapi({ param: { name: 'kind', in: 'query' }, example: 'over_count_cap' }),
});

export const ConflictListSchema = z
  .object({
    data: z.array(ConflictSchema),
    openBlocking: z
      .number()
      .int()
      .openapi({ description: 'Approval is refused while this is above 0.', example: 1 }),
  })
  .openapi('ConflictList');

export const AccountExplanationSchema = z
  .object({
    ...AccountLine,
    explanation: z
      .record(z.string(), z.unknown())
      .nullable()
      .openapi({ description: 'The rule that placed the account, the reason, protections, the engine.' }),
    conflicts: z.array(ConflictSchema),
    opportunityChanges: z.array(
      z.object({
        opportunityId: z.uuid(),
        fromRepId: z.uuid().nullable(),
        toRepId: z.uuid().nullable(),
        commissionType: z.string().nullable().openapi({ example: 'direct_transfer' }),
        beforeSplits: z.array(z.unknown()).nullable(),
        afterSplits: z.array(z.unknown()).nullable(),
        error: z.string().nullable(),
      }),
    ),
  })
  .openapi('RunAccountExplanation');

export const CompareQuery = z.object({
  with: z.uuid('The other run id is a UUID.').openapi({
    param: { name: 'with', in: 'query' },
    description: 'The run to compare with.',
    example: RUN_ID,
  }),
});

const CompareSide = z.object({
  runId: z.uuid(),
  status: z.enum(RUN_STATUSES),
  version: z.number().int(),
  moved: z.number().int(),
  unassigned: z.number().int(),
  countCv: z.number(),
  revenueCv: z.number(),
  countSpread: z.number(),
  revenueSpreadCents: z.number(),
  objective: z.number().nullable(),
  lowerBound: z.number().nullable(),
  gap: z.number().nullable(),
});

export const CompareSchema = z
  .object({
    left: CompareSide,
    right: CompareSide,
    reps: z.array(
      z.object({
        repId: z.uuid(),
        name: z.string(),
        leftCount: z.number().int(),
        rightCount: z.number().int(),
        countDelta: z.number().int(),
        leftRevenueCents: z.number().int(),
        rightRevenueCents: z.number().int(),
        revenueDeltaCents: z.number().int(),
      }),
    ),
    differingAccounts: z
      .number()
      .int()
      .openapi({ description: 'Accounts the two proposals place differently.', example: 4 }),
    differences: z.array(
      z.object({
        accountId: z.uuid(),
        crmId: z.string().nullable(),
        name: z.string().nullable(),
        leftToRepId: z.uuid().nullable(),
        rightToRepId: z.uuid().nullable(),
      }),
    ),
  })
  .openapi('RunComparison');

export const RunDiagnosisSchema = z
  .object({
    ruleset: z
      .object({ id: z.uuid(), name: z.string(), version: z.number().int() })
      .nullable()
      .openapi({ description: 'The ruleset in force; null: the built-in default rules.' }),
    eligibility: z
      .string()
      .openapi({ example: 'Same region: an account goes only to a rep of its own region.' }),
    unknownRevenue: z.string().openapi({
      description:
        'What accounts with unknown (blank) revenue count as when balancing: the ruleset’s targets.unknownRevenue.',
      example:
        '23 account(s) have no revenue; unknown revenue counts as $0 (only their count is balanced) (targets.unknownRevenue: zero).',
    }),
    diagnosis: z.array(
      z.object({
        code: z.string(),
        severity: z.enum(['blocking', 'warning']),
        message: z.string(),
        fix: z.string(),
        repIds: z.array(z.string()).optional(),
        accountIds: z.array(z.string()).optional(),
      }),
    ),
    hireBounds: z.array(
      z.object({
        repId: z.string(),
        name: z.string(),
        targetCount: z.number(),
        targetRevenueCents: z.number(),
        toleranceBps: z.number().int(),
        maxAccounts: z.number().int(),
        maxRevenueCents: z.number(),
        cause: z.string().optional(),
      }),
    ),
  })
  .openapi('RunDiagnosis');
