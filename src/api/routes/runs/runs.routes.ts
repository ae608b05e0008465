/** The runs API (F3–F6): create, list and read runs; solve as a job; review, conflicts, overrides, comparison. */
import { createRoute, type z } from '@hono/zod-openapi';
import { MAX_BULK_ACCOUNTS } from '../../../services/review/changes.ts';
import { createRunSchema } from '../../../services/run-records/run-params.ts';
import { commonErrorResponses, conflictResponse, ErrorBodySchema, notFoundResponse } from '../../errors.ts';
import { IdempotencyHeaders, replayable } from '../../middleware/idempotency.ts';
import { access, idempotentAccess } from '../../openapi.ts';
import {
  BulkChangeResultSchema,
  BulkChangeSchema,
  ChangeResultSchema,
  ExcludeSchema,
  PinSchema,
  ResolveConflictSchema,
  ResolveResultSchema,
} from './changes.schemas.ts';
import {
  AccountExplanationSchema,
  CompareQuery,
  CompareSchema,
  ConflictListQuery,
  ConflictListSchema,
  RunAccountListSchema,
  RunAccountsQuery,
  RunDiagnosisSchema,
  RunSummarySchema,
} from './review.schemas.ts';
import {
  RunAccountParams,
  RunConflictParams,
  RunIdParams,
  RunListQuery,
  RunListSchema,
  RunSchema,
  SolveAcceptedSchema,
} from './runs.schemas.ts';

/** Draft, solve, review and change a run: managers and analysts (src/lib/roles.ts). */
export const RUN_WRITERS = ['manager', 'analyst'] as const;
/** Read runs and their review data: also admins and finance. */
export const RUN_READERS = ['admin', 'manager', 'analyst', 'finance'] as const;

const json = <S extends z.ZodType>(schema: S) => ({ content: { 'application/json': { schema } } });
const body = <S extends z.ZodType>(schema: S) => ({ body: { required: true, ...json(schema) } });
const tags = ['Runs'];
const reviewTags = ['Review'];

export const createRun = createRoute({
  method: 'post',
  path: '/runs',
  operationId: 'createRun',
  tags,
  summary: 'Create a run',
  description:
    'A run of one kind (rep_departure, realignment, new_hire, account, opportunity) with its scope, reason and dates. ' +
    'It plans on the latest applied account import unless importId names another.',
  ...idempotentAccess(...RUN_WRITERS),
  request: { ...body(createRunSchema), headers: IdempotencyHeaders },
  responses: {
    201: { description: 'The new draft run.', ...replayable(json(RunSchema)) },
    ...conflictResponse,
    ...commonErrorResponses,
    422: {
      description:
        'The scope does not apply to the kind of run: details name the field scope and the scopes the kind takes (code UNPROCESSABLE).',
      content: { 'application/json': { schema: ErrorBodySchema } },
    },
  },
});

export const listRuns = createRoute({
  method: 'get',
  path: '/runs',
  operationId: 'listRuns',
  tags,
  summary: 'List runs',
  ...access(...RUN_READERS),
  request: { query: RunListQuery },
  responses: { 200: { description: 'Runs, newest first.', ...json(RunListSchema) }, ...commonErrorResponses },
});

export const getRun = createRoute({
  method: 'get',
  path: '/runs/{id}',
  operationId: 'getRun',
  tags,
  summary: 'Get a run, with its solve job’s progress',
  ...access(...RUN_READERS),
  request: { params: RunIdParams },
  responses: {
    200: { description: 'The run.', ...json(RunSchema) },
    ...notFoundResponse,
    ...commonErrorResponses,
  },
});

export const solveRun = createRoute({
  method: 'post',
  path: '/runs/{id}/solve',
  operationId: 'solveRun',
  tags,
  summary: 'Solve (or re-solve) a run',
  description:
    'Moves the run to solving and queues a solve job; poll GET /v1/runs/{id}. Pins and exclusions are kept. ' +
    'Re-solving an approved run voids its approval. Solves wait for a free solver slot (per org and for the ' +
    'server); when the org already has SOLVE_MAX_QUEUED_PER_ORG runs queued or solving, 429 with Retry-After.',
  ...access(...RUN_WRITERS),
  request: { params: RunIdParams },
  responses: {
    202: { description: 'The solve is queued.', ...json(SolveAcceptedSchema) },
    ...notFoundResponse,
    ...conflictResponse,
    ...commonErrorResponses,
  },
});

export const getRunSummary = createRoute({
  method: 'get',
  path: '/runs/{id}/summary',
  operationId: 'getRunSummary',
  tags: reviewTags,
  summary: 'Per-rep book before and after, and the balance metrics',
  ...access(...RUN_READERS),
  request: { params: RunIdParams },
  responses: {
    200: { description: 'The review summary of the current proposal.', ...json(RunSummarySchema) },
    ...notFoundResponse,
    ...commonErrorResponses,
  },
});

export const getRunDiagnosis = createRoute({
  method: 'get',
  path: '/runs/{id}/diagnosis',
  operationId: 'getRunDiagnosis',
  tags: reviewTags,
  summary: 'The rules in force and the rules that contradict the book, before solving',
  description:
    'The ruleset in force (the run’s, else the org’s default ruleset), its eligibility rule in words, and each rule that contradicts the book with numbers and the fix: reps already over a cap, targets above caps, a pool whose caps hold less than it must place, an account larger than any cap, accounts nobody may receive. blocking: no answer can hold every rule.',
  ...access(...RUN_READERS),
  request: { params: RunIdParams },
  responses: {
    200: { description: 'The diagnosis of the run as it stands.', ...json(RunDiagnosisSchema) },
    ...notFoundResponse,
    ...commonErrorResponses,
  },
});

export const listRunAccounts = createRoute({
  method: 'get',
  path: '/runs/{id}/accounts',
  operationId: 'listRunAccounts',
  tags: reviewTags,
  summary: 'The account table of a run',
  description:
    'Filter by rep, region, moved, conflict; sort; paginate. A rep sees only accounts leaving or reaching them.',
  ...access(...RUN_READERS, 'rep'),
  request: { params: RunIdParams, query: RunAccountsQuery },
  responses: {
    200: { description: 'One page of accounts.', ...json(RunAccountListSchema) },
    ...notFoundResponse,
    ...commonErrorResponses,
  },
});

export const getRunAccount = createRoute({
  method: 'get',
  path: '/runs/{id}/accounts/{accountId}',
  operationId: 'getRunAccount',
  tags: reviewTags,
  summary: 'Why an account goes where it goes',
  ...access(...RUN_READERS),
  request: { params: RunAccountParams },
  responses: {
    200: {
      description: 'The account’s line, explanation, conflicts and opportunity changes.',
      ...json(AccountExplanationSchema),
    },
    ...notFoundResponse,
    ...commonErrorResponses,
  },
});

const changeResponses = {
  200: {
    description: 'The change, and the run (its version bumped, any approval voided).',
    ...json(ChangeResultSchema),
  },
  ...notFoundResponse,
  ...conflictResponse,
  ...commonErrorResponses,
};

export const pinRunAccount = createRoute({
  method: 'put',
  path: '/runs/{id}/accounts/{accountId}/pin',
  operationId: 'pinRunAccount',
  tags: reviewTags,
  summary: 'Manual override: pin an account to a rep',
  description: 'The pin wins over every rule and survives re-solves. Voids an approval.',
  ...access(...RUN_WRITERS),
  request: { params: RunAccountParams, ...body(PinSchema) },
  responses: changeResponses,
});

export const unpinRunAccount = createRoute({
  method: 'delete',
  path: '/runs/{id}/accounts/{accountId}/pin',
  operationId: 'unpinRunAccount',
  tags: reviewTags,
  summary: 'Remove a manual override',
  description: 'The account keeps its proposed owner until the next solve rebalances it. Voids an approval.',
  ...access(...RUN_WRITERS),
  request: { params: RunAccountParams },
  responses: changeResponses,
});

export const excludeRunAccount = createRoute({
  method: 'put',
  path: '/runs/{id}/accounts/{accountId}/exclusion',
  operationId: 'excludeRunAccount',
  tags: reviewTags,
  summary: 'Exclude an account from the run',
  description: 'It stays with the owner the run planned from. Voids an approval.',
  ...access(...RUN_WRITERS),
  request: { params: RunAccountParams, ...body(ExcludeSchema) },
  responses: changeResponses,
});

export const includeRunAccount = createRoute({
  method: 'delete',
  path: '/runs/{id}/accounts/{accountId}/exclusion',
  operationId: 'includeRunAccount',
  tags: reviewTags,
  summary: 'Take an excluded account back into the run',
  description: 'Solve the run again to place it. Voids an approval.',
  ...access(...RUN_WRITERS),
  request: { params: RunAccountParams },
  responses: changeResponses,
});

export const bulkChangeRunAccounts = createRoute({
  method: 'post',
  path: '/runs/{id}/accounts/bulk',
  operationId: 'bulkChangeRunAccounts',
  tags: reviewTags,
  summary: 'Change many accounts at once: accept, exclude, include, pin or unpin',
  description: `One change in one transaction (all or nothing), at most ${MAX_BULK_ACCOUNTS} accounts; every account gets its own audit event with the note. Voids an approval.`,
  ...access(...RUN_WRITERS),
  request: { params: RunIdParams, ...body(BulkChangeSchema) },
  responses: {
    200: { description: 'What was applied, and the run.', ...json(BulkChangeResultSchema) },
    ...notFoundResponse,
    ...conflictResponse,
    ...commonErrorResponses,
  },
});

export const listRunConflicts = createRoute({
  method: 'get',
  path: '/runs/{id}/conflicts',
  operationId: 'listRunConflicts',
  tags: reviewTags,
  summary: 'Conflicts of the current proposal',
  ...access(...RUN_READERS),
  request: { params: RunIdParams, query: ConflictListQuery },
  responses: {
    200: { description: 'Blocking conflicts first.', ...json(ConflictListSchema) },
    ...notFoundResponse,
    ...commonErrorResponses,
  },
});

export const resolveRunConflict = createRoute({
  method: 'post',
  path: '/runs/{id}/conflicts/{conflictId}/resolve',
  operationId: 'resolveRunConflict',
  tags: reviewTags,
  summary: 'Resolve a conflict: accept, override the owner, or exclude the account',
  description: 'A note is required; who resolved it is recorded. Voids an approval.',
  ...access(...RUN_WRITERS),
  request: { params: RunConflictParams, ...body(ResolveConflictSchema) },
  responses: {
    200: { description: 'The resolved conflict and the run.', ...json(ResolveResultSchema) },
    ...notFoundResponse,
    ...conflictResponse,
    ...commonErrorResponses,
  },
});

export const compareRuns = createRoute({
  method: 'get',
  path: '/runs/{id}/compare',
  operationId: 'compareRuns',
  tags: reviewTags,
  summary: 'Compare two runs’ proposals side by side',
  ...access(...RUN_READERS),
  request: { params: RunIdParams, query: CompareQuery },
  responses: {
    200: {
      description: 'Per-rep loads and metrics of both proposals, and the accounts placed differently.',
      ...json(CompareSchema),
    },
    ...notFoundResponse,
    ...commonErrorResponses,
  },
});
