/** Request and response contracts of the runs API (F3–F6): each field described, with examples. */
import { z } from '@hono/zod-openapi';
import { BULK_ACTIONS, MAX_BULK_ACCOUNTS } from '../../../services/review/changes.ts';
import { ACCOUNT_SORTS, MAX_PAGE_SIZE } from '../../../services/review/review.ts';
import { RUN_KINDS, RUN_SCOPES } from '../../../services/run-records/run-params.ts';
import { RUN_ACTIONS, RUN_STATUSES } from '../../../workflow/run-status.ts';

const uuid = (example: string) => z.uuid().openapi({ example });
const RUN_ID = '5b7c1d2e-3f40-4a51-8b62-7c8d9e0f1a2b';
const REP_ID = '3f0e7c3a-9d4b-4b1e-8a47-2c5d6e7f8a90';
const ACCOUNT_ID = '8a9b0c1d-2e3f-4a5b-9c6d-7e8f9a0b1c2d';
const stamp = z.iso.datetime().openapi({ example: '2026-03-02T09:30:00.000Z' });

/** Who acted: the id in `<verb>By` is a user's or an API key's, as this says; an API key is named as a person is. */
export const ActorTypeSchema = z.enum(['user', 'api_key']).nullable().openapi('ActorType', {
  description: 'Whether the id beside it is a user id or an API key id; null when nobody did it yet.',
  example: 'user',
});
const actorId = (what: string) =>
  z
    .uuid()
    .nullable()
    .openapi({ description: `The user or API key that ${what} (see the type beside it).`, example: null });

export const RunIdParams = z.object({
  id: z.uuid('The run id is a UUID.').openapi({ param: { name: 'id', in: 'path' }, example: RUN_ID }),
});
export const RunAccountParams = RunIdParams.extend({
  accountId: z
    .uuid('The account id is a UUID.')
    .openapi({ param: { name: 'accountId', in: 'path' }, example: ACCOUNT_ID }),
});
export const RunConflictParams = RunIdParams.extend({
  conflictId: z
    .uuid('The conflict id is a UUID.')
    .openapi({ param: { name: 'conflictId', in: 'path' }, example: '1c2d3e4f-5a6b-4c7d-8e9f-0a1b2c3d4e5f' }),
});

export const JobSchema = z
  .object({
    id: uuid('9d8c7b6a-5f4e-4d3c-8b2a-1f0e9d8c7b6a'),
    status: z.enum(['queued', 'running', 'succeeded', 'failed', 'cancelled']).openapi({ example: 'running' }),
    progress: z
      .record(z.string(), z.unknown())
      .nullable()
      .openapi({
        description: 'What the solve is doing now, e.g. { phase: "solving" }.',
        example: { phase: 'solving' },
      }),
    error: z.string().nullable().openapi({ example: null }),
    attempts: z.number().int().openapi({ example: 1 }),
    createdAt: stamp,
    finishedAt: stamp.nullable(),
  })
  .openapi('SolveJob');

export const RunSchema = z
  .object({
    id: uuid(RUN_ID),
    kind: z.enum(RUN_KINDS).openapi({ example: 'rep_departure' }),
    scope: z.enum(RUN_SCOPES).openapi({ example: 'open_opportunities' }),
    status: z.enum(RUN_STATUSES).openapi({ example: 'solved' }),
    reason: z.string().openapi({ example: 'Dana Lee leaves the company on 31 March' }),
    commissionEndDate: z.string().nullable().openapi({ example: '2026-03-31' }),
    reassignmentDate: z.string().nullable().openapi({ example: '2026-04-01' }),
    rulesetId: z.uuid().nullable().openapi({ example: null }),
    importId: z
      .uuid()
      .nullable()
      .openapi({ description: 'The import snapshot the run plans from.', example: null }),
    params: z
      .record(z.string(), z.unknown())
      .openapi({ description: 'The kind-specific parameters.', example: { departingRepIds: [REP_ID] } }),
    version: z
      .number()
      .int()
      .openapi({ description: 'Bumped by every solve and every change of the proposal.', example: 3 }),
    proposalHash: z
      .string()
      .nullable()
      .openapi({ description: 'Hash of the change set to be; approval pins it.', example: 'a3f1…' }),
    draftedBy: z.uuid().nullable().openapi({ example: null }),
    approvedBy: actorId('approved the run'),
    approvedByType: ActorTypeSchema,
    approvedAt: stamp.nullable(),
    approvedHash: z.string().nullable().openapi({ example: null }),
    committedBy: actorId('committed the run'),
    committedByType: ActorTypeSchema,
    committedAt: stamp.nullable(),
    failureReason: z.string().nullable().openapi({
      description: 'Why the last solve failed (e.g. which caps make it infeasible).',
      example: null,
    }),
    solver: z
      .object({
        engine: z.string().nullable().openapi({ example: 'highs' }),
        status: z.string().nullable().openapi({
          description: 'optimal | feasible | timeout | infeasible | invalid',
          example: 'optimal',
        }),
        objective: z.number().nullable().openapi({ example: 0.42 }),
        bound: z.number().nullable().openapi({ description: 'The proven lower bound.', example: 0.42 }),
        gap: z
          .number()
          .nullable()
          .openapi({ description: '(objective − bound) / objective; 0 when optimal.', example: 0 }),
        solveMs: z.number().int().nullable().openapi({ example: 180 }),
      })
      .openapi({ description: 'The solver’s result for the current proposal.' }),
    metrics: z.record(z.string(), z.unknown()).nullable().openapi({
      description: 'Solver metrics: balance, pools, targets, unassigned accounts, failure reasons.',
    }),
    job: JobSchema.nullable().openapi({ description: 'The latest solve job, for polling progress.' }),
    actions: z.array(z.enum(RUN_ACTIONS)).openapi({
      description: 'What can be done to the run in its current status.',
      example: ['solve', 'change', 'approve', 'cancel'],
    }),
    createdAt: stamp,
    updatedAt: stamp,
  })
  .openapi('Run');

export const RunListQuery = z.object({
  status: z
    .enum(RUN_STATUSES)
    .optional()
    .openapi({ param: { name: 'status', in: 'query' }, example: 'solved' }),
  kind: z
    .enum(RUN_KINDS)
    .optional()
    .openapi({ param: { name: 'kind', in: 'query' }, example: 'realignment' }),
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
    .max(200, 'At most 200 runs per page.')
    .default(50)
    .openapi({ param: { name: 'pageSize', in: 'query' }, example: 50 }),
});

export const RunListSchema = z
  .object({
    data: z.array(RunSchema),
    page: z.number().int().openapi({ example: 1 }),
    pageSize: z.number().int().openapi({ example: 50 }),
    total: z.number().int().openapi({ example: 3 }),
  })
  .openapi('RunList');

export const SolveAcceptedSchema = z
  .object({
    run: RunSchema,
    jobId: z.uuid().openapi({
      description: 'Poll GET /v1/runs/{id} for its progress.',
      example: '9d8c7b6a-5f4e-4d3c-8b2a-1f0e9d8c7b6a',
    }),
    solvesAhead: z
      .number()
      .int()
      .min(0)
      .openapi({
        description:
          "The org's other runs queued or solving when this one was queued. Solves share the server's solver " +
          "slots (global and per org); until one is free the run's job progress says phase 'queued'.",
        example: 0,
      }),
  })
  .openapi('SolveAccepted');

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
  crmId: z.string().openapi({ example: '0015g00000AbCdEAAZ' }),
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
    resolution: z.enum(['accept', 'override', 'exclude']).nullable().openapi({ example: null }),
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

const note = z
  .string()
  .trim()
  .min(1, 'Say why (it is kept in the audit trail).')
  .max(2000)
  .openapi({ example: 'Ana already covers this customer’s parent company' });

export const ResolveConflictSchema = z
  .object({
    resolution: z.enum(['accept', 'override', 'exclude']).openapi({ example: 'override' }),
    note,
    repId: z.uuid().optional().openapi({ description: 'override: the new owner.', example: REP_ID }),
    accountId: z
      .uuid()
      .optional()
      .openapi({ description: 'For a conflict about a rep (a cap): the account to override or exclude.' }),
  })
  .strict()
  .openapi('ResolveConflict');

export const PinSchema = z
  .object({ repId: z.uuid('The rep id is a UUID.').openapi({ example: REP_ID }), note })
  .strict()
  .openapi('PinAccount');
export const ExcludeSchema = z.object({ note }).strict().openapi('ExcludeAccount');

/** A change to many accounts of a run at once: the ones listed, or every one matching the account list's filter. */
export const BulkChangeSchema = z
  .object({
    action: z.enum(BULK_ACTIONS).openapi({
      description:
        'accept: accept the open conflicts of the accounts; exclude / include: take them out of the run or back in; pin / unpin: give them to repId as a manual override, or remove the override.',
      example: 'exclude',
    }),
    accountIds: z
      .array(z.uuid('An account id is a UUID (the account row id).'))
      .min(1, 'List at least one account, or use matching.')
      .max(MAX_BULK_ACCOUNTS, `At most ${MAX_BULK_ACCOUNTS} accounts per change; split the change.`)
      .optional()
      .openapi({ description: 'The accounts to change (give these or matching).' }),
    matching: z
      .object({
        repId: z.uuid().optional().openapi({ description: 'Accounts leaving or reaching this rep.' }),
        region: z.string().max(200).optional(),
        moved: z.boolean().optional(),
        conflict: z.boolean().optional(),
        pinned: z.boolean().optional(),
        excluded: z.boolean().optional(),
        expected: z.number().int().min(0).optional().openapi({
          description:
            'The number of accounts the caller saw matching; the change is refused (409) when the filter matches another number now.',
        }),
      })
      .strict()
      .optional()
      .openapi({ description: 'Every account of the run matching this filter (as GET …/accounts filters).' }),
    note: note.optional().openapi({ description: 'Why; required for accept, exclude and pin.' }),
    repId: z
      .uuid()
      .optional()
      .openapi({ description: 'pin: the rep who receives the accounts.', example: REP_ID }),
  })
  .strict()
  .superRefine((b, ctx) => {
    if ((b.accountIds === undefined) === (b.matching === undefined))
      ctx.addIssue({
        code: 'custom',
        path: ['accountIds'],
        message: 'Give either accountIds or matching (exactly one of them).',
      });
  })
  .openapi('BulkAccountChange');

export const BulkChangeResultSchema = z
  .object({
    run: RunSchema,
    selected: z
      .number()
      .int()
      .openapi({ description: 'Accounts selected (listed, or matching the filter).' }),
    applied: z
      .number()
      .int()
      .openapi({ description: 'Accounts changed; for accept, the conflicts accepted.', example: 12 }),
    skipped: z.number().int().openapi({
      description:
        'Selected accounts the action did not apply to (unpin: not pinned; include: not excluded).',
    }),
  })
  .openapi('BulkAccountChangeResult');

export const AssignmentSchema = z
  .object({
    accountId: uuid(ACCOUNT_ID),
    fromRepId: z.uuid().nullable().openapi({ example: REP_ID }),
    toRepId: z.uuid().nullable().openapi({ example: REP_ID }),
    pinned: z.boolean().openapi({ example: true }),
    excluded: z.boolean().openapi({ example: false }),
    reason: z.string().nullable().openapi({ example: 'Manual override to Ana Ruiz: …' }),
  })
  .openapi('RunAssignment');

export const ChangeResultSchema = z
  .object({ run: RunSchema, assignment: AssignmentSchema })
  .openapi('RunChange');
export const ResolveResultSchema = z
  .object({ run: RunSchema, conflict: ConflictSchema })
  .openapi('ConflictResolved');

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
