/** What-if solves for analysts: stateless, writing nothing; one book and rules, or several rule variants side by side. */
import { createRoute, z } from '@hono/zod-openapi';
import { RUN_KINDS } from '../../../services/run-records/run-params.ts';
import { MAX_VARIANTS } from '../../../services/solve/what-if.ts';
import { commonErrorResponses, ErrorBodySchema } from '../../errors.ts';
import { access } from '../../openapi.ts';

export const WHAT_IF_ROLES = ['manager', 'analyst'] as const;

const errorResponse = (description: string) => ({
  description,
  content: { 'application/json': { schema: ErrorBodySchema } },
});

const ReferenceSchema = z
  .object({
    importId: z.uuid().optional().openapi({
      description: 'The import snapshot whose owners the book starts from; today’s book when left out.',
    }),
    rulesetId: z
      .uuid()
      .optional()
      .openapi({ description: 'A ruleset version of your org; the default rules when left out.' }),
    kind: z.enum(RUN_KINDS).openapi({ example: 'realignment' }),
    params: z.record(z.string(), z.unknown()).openapi({
      description: 'The run parameters of that kind (see CreateRun).',
      example: { regions: ['West'] },
    }),
    closingWithinDays: z.number().int().min(0).max(3650).optional(),
  })
  .strict()
  .openapi('WhatIfReference');

const source = {
  input: z
    .record(z.string(), z.unknown())
    .optional()
    .openapi({
      description:
        'The book and rules in the solver input format (accounts, reps, kind, strategy, caps …), validated before solving.',
      example: {
        kind: 'realignment',
        accounts: [
          { id: 'A1', ownerId: 'R1', revenueCents: 1_000_000, region: 'West' },
          { id: 'A2', ownerId: 'R1', revenueCents: 2_000_000, region: 'West' },
        ],
        reps: [
          { id: 'R1', region: 'West' },
          { id: 'R2', region: 'West' },
        ],
      },
    }),
  reference: ReferenceSchema.optional(),
  timeLimitMs: z
    .number()
    .int()
    .min(100)
    .max(600_000)
    .optional()
    .openapi({ description: 'Capped by the server’s solver time limit.', example: 5000 }),
};

export const WhatIfSolveSchema = z
  .object(source)
  .strict()
  .refine((b) => (b.input === undefined) !== (b.reference === undefined), {
    message: 'Give exactly one of input (the book inline) or reference (an import and a ruleset).',
    path: ['input'],
  })
  .openapi('WhatIfSolve');

export const VariantSchema = z
  .object({
    name: z.string().trim().min(1).max(100).openapi({ example: 'caps at 12' }),
    strategy: z.enum(['optimal', 'round-robin', 'territory', 'least-loaded', 'weighted']).optional(),
    objective: z.enum(['l1', 'minimax']).optional(),
    engine: z.enum(['auto', 'heuristic', 'highs', 'jslp', 'aggregate']).optional(),
    closingWithinDays: z.number().int().min(0).max(3650).optional(),
    repChanges: z
      .array(
        z
          .object({
            id: z.string().min(1).max(200),
            maxAccounts: z.number().int().min(0).nullable().optional(),
            maxRevenueCents: z.number().int().min(0).nullable().optional(),
            mayReceive: z.boolean().optional(),
            departing: z.boolean().optional(),
            weight: z.number().positive().max(1000).optional(),
          })
          .strict(),
      )
      .max(2000)
      .optional(),
  })
  .strict()
  .openapi('WhatIfVariant');

export const WhatIfCompareSchema = z
  .object({ ...source, variants: z.array(VariantSchema).min(1).max(MAX_VARIANTS) })
  .strict()
  .refine((b) => (b.input === undefined) !== (b.reference === undefined), {
    message: 'Give exactly one of input (the book inline) or reference (an import and a ruleset).',
    path: ['input'],
  })
  .openapi('WhatIfCompare');

export const WhatIfResultSchema = z
  .object({
    status: z.enum(['optimal', 'feasible', 'timeout', 'infeasible']).openapi({ example: 'optimal' }),
    millis: z.number().openapi({ example: 42 }),
    objective: z.number().optional(),
    lowerBound: z.number().nullable().optional(),
    gap: z.number().nullable().optional(),
    engine: z.string().optional(),
    moved: z.number().int().optional(),
    reason: z.string().optional().openapi({ description: 'timeout: why the solve stopped.' }),
    reasons: z
      .array(z.record(z.string(), z.unknown()))
      .optional()
      .openapi({ description: 'infeasible: which caps or protections make it so, and by how much.' }),
    assignments: z
      .array(
        z.object({
          accountId: z.string(),
          fromRepId: z.string().nullable(),
          toRepId: z.string(),
          moved: z.boolean(),
          rule: z.string(),
          reason: z.string(),
        }),
      )
      .nullable()
      .optional(),
    reps: z.array(z.record(z.string(), z.unknown())).optional(),
    balance: z.record(z.string(), z.unknown()).optional(),
    conflicts: z.array(z.record(z.string(), z.unknown())).optional(),
    pools: z.array(z.record(z.string(), z.unknown())).optional(),
  })
  .openapi('WhatIfResult');

export const WhatIfComparisonSchema = z
  .object({
    variants: z.array(z.object({ name: z.string(), result: WhatIfResultSchema })),
    reps: z.array(
      z.object({
        repId: z.string(),
        name: z.string(),
        byVariant: z.array(
          z.object({
            variant: z.string(),
            countAfter: z.number().int().nullable(),
            revenueAfterCents: z.number().int().nullable(),
          }),
        ),
      }),
    ),
  })
  .openapi('WhatIfComparison');

const responses = {
  ...commonErrorResponses,
  422: errorResponse(
    'The problem exceeds the solver’s limits and was refused before solving (code UNPROCESSABLE).',
  ),
};

export const whatIfSolve = createRoute({
  method: 'post',
  path: '/what-if/solve',
  operationId: 'whatIfSolve',
  tags: ['What-if'],
  summary: 'Solve a book and rules without saving anything',
  description: 'Stateless: nothing is written. Runs in a worker thread under a hard time limit.',
  ...access(...WHAT_IF_ROLES),
  request: { body: { required: true, content: { 'application/json': { schema: WhatIfSolveSchema } } } },
  responses: {
    200: {
      description: 'The proposal with metrics, or why there is none.',
      content: { 'application/json': { schema: WhatIfResultSchema } },
    },
    ...responses,
  },
});

export const whatIfCompare = createRoute({
  method: 'post',
  path: '/what-if/compare',
  operationId: 'whatIfCompare',
  tags: ['What-if'],
  summary: 'Solve several rule variants of one book side by side',
  description: `Up to ${MAX_VARIANTS} variants, solved in turn; nothing is written.`,
  ...access(...WHAT_IF_ROLES),
  request: { body: { required: true, content: { 'application/json': { schema: WhatIfCompareSchema } } } },
  responses: {
    200: {
      description: 'Each variant’s result and each rep’s load per variant.',
      content: { 'application/json': { schema: WhatIfComparisonSchema } },
    },
    ...responses,
  },
});
