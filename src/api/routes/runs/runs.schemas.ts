/**
 * Request and response contracts of the runs API (F3–F6), each field described, with examples: a run, its list and
 * its solve job. The review read model is in review.schemas.ts, the changes a reviewer makes in changes.schemas.ts.
 */
import { z } from '@hono/zod-openapi';
import { RUN_KINDS, RUN_SCOPES } from '../../../services/run-records/run-params.ts';
import { RUN_ACTIONS, RUN_STATUSES } from '../../../workflow/run-status.ts';

export const uuid = (example: string) => z.uuid().openapi({ example });
export const RUN_ID = '5b7c1d2e-3f40-4a51-8b62-7c8d9e0f1a2b';
export const REP_ID = '3f0e7c3a-9d4b-4b1e-8a47-2c5d6e7f8a90';
export const ACCOUNT_ID = '8a9b0c1d-2e3f-4a5b-9c6d-7e8f9a0b1c2d';
export const stamp = z.iso.datetime().openapi({ example: '2026-03-02T09:30:00.000Z' });

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
