/** The rulesets API (F2): create, revise (a new version), read, list versions, and validate without saving. */
import { createRoute, z } from '@hono/zod-openapi';
import { commonErrorResponses, conflictResponse, notFoundResponse } from '../../errors.ts';
import { IdempotencyHeaders, replayable } from '../../middleware/idempotency.ts';
import { access, idempotentAccess } from '../../openapi.ts';

export const RULESET_WRITERS = ['admin', 'manager', 'analyst'] as const;
export const RULESET_READERS = ['admin', 'manager', 'analyst', 'finance'] as const;
const tags = ['Rulesets'];
const json = <S extends z.ZodType>(schema: S) => ({ content: { 'application/json': { schema } } });

const IssueSchema = z
  .object({
    path: z.string().openapi({ example: 'segments[1].receivingReps[0]' }),
    message: z.string().openapi({ example: 'unknown rep "r-77" — add the rep to the roster or remove it' }),
    severity: z.enum(['error', 'warning']),
  })
  .openapi('RulesetIssue');

export const RulesetSchema = z
  .object({
    id: z.uuid(),
    name: z.string().openapi({ example: 'FY26 West realignment' }),
    version: z.number().int().openapi({ example: 3 }),
    body: z
      .record(z.string(), z.unknown())
      .openapi({ description: 'The validated ruleset, defaults filled in.' }),
    note: z.string().nullable(),
    createdBy: z.string().nullable(),
    createdAt: z.string(),
  })
  .openapi('Ruleset');

export const SavedRulesetSchema = RulesetSchema.extend({ warnings: z.array(IssueSchema) }).openapi(
  'SavedRuleset',
);
export const ValidationSchema = z
  .object({ ok: z.boolean(), issues: z.array(IssueSchema) })
  .openapi('RulesetValidation');

const rulesetBody = {
  body: {
    required: true,
    description:
      'The ruleset document as JSON (application/json) or YAML (application/yaml). Validation errors come back as 400 ' +
      'VALIDATION_FAILED with one `{ path, message }` per problem.',
    content: {
      'application/json': {
        schema: z.record(z.string(), z.unknown()).openapi({
          example: {
            schemaVersion: 1,
            name: 'FY26 West realignment',
            protections: { closingWithinDays: 30 },
          },
        }),
      },
      'application/yaml': {
        schema: z.string().openapi({ example: 'schemaVersion: 1\nname: FY26 West realignment\n' }),
      },
    },
  },
};

const IdParams = z.object({
  id: z.uuid('The ruleset id is a UUID.').openapi({ param: { name: 'id', in: 'path' } }),
});
const NoteQuery = z.object({
  note: z.string().max(1000).optional().openapi({ description: 'Why this version.' }),
});

export const createRulesetRoute = createRoute({
  method: 'post',
  path: '/rulesets',
  operationId: 'createRuleset',
  tags,
  summary: 'Save a ruleset (a new version when the name exists)',
  ...idempotentAccess(...RULESET_WRITERS),
  request: { query: NoteQuery, ...rulesetBody, headers: IdempotencyHeaders },
  responses: {
    201: { description: 'Saved, with warnings.', ...replayable(json(SavedRulesetSchema)) },
    ...conflictResponse,
    ...commonErrorResponses,
  },
});

export const validateRulesetRoute = createRoute({
  method: 'post',
  path: '/rulesets/validate',
  operationId: 'validateRuleset',
  tags,
  summary: 'Validate a ruleset against the schema, the roster and the book, without saving',
  ...access(...RULESET_WRITERS),
  request: rulesetBody,
  responses: {
    200: { description: 'Every issue found.', ...json(ValidationSchema) },
    ...commonErrorResponses,
  },
});

export const listRulesetsRoute = createRoute({
  method: 'get',
  path: '/rulesets',
  operationId: 'listRulesets',
  tags,
  summary: 'The latest version of each ruleset',
  ...access(...RULESET_READERS),
  responses: {
    200: {
      description: 'Rulesets.',
      ...json(z.object({ data: z.array(RulesetSchema.extend({ versions: z.number().int() })) })),
    },
    ...commonErrorResponses,
  },
});

export const getRulesetRoute = createRoute({
  method: 'get',
  path: '/rulesets/{id}',
  operationId: 'getRuleset',
  tags,
  summary: 'One version of a ruleset',
  ...access(...RULESET_READERS),
  request: { params: IdParams },
  responses: {
    200: { description: 'The ruleset.', ...json(RulesetSchema) },
    ...notFoundResponse,
    ...commonErrorResponses,
  },
});

export const listRulesetVersionsRoute = createRoute({
  method: 'get',
  path: '/rulesets/{id}/versions',
  operationId: 'listRulesetVersions',
  tags,
  summary: 'Every version of the ruleset, newest first',
  ...access(...RULESET_READERS),
  request: { params: IdParams },
  responses: {
    200: { description: 'Versions.', ...json(z.object({ data: z.array(RulesetSchema) })) },
    ...notFoundResponse,
    ...commonErrorResponses,
  },
});

export const reviseRulesetRoute = createRoute({
  method: 'put',
  path: '/rulesets/{id}',
  operationId: 'reviseRuleset',
  tags,
  summary: 'Revise a ruleset: saves the document as its next version (versions are never edited)',
  ...access(...RULESET_WRITERS),
  request: { params: IdParams, query: NoteQuery, ...rulesetBody },
  responses: {
    201: { description: 'The new version, with warnings.', ...json(SavedRulesetSchema) },
    ...notFoundResponse,
    ...commonErrorResponses,
  },
});
