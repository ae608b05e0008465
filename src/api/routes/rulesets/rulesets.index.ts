/** The rulesets route group: read the document (JSON or YAML), call a service verb, shape the response. */

import { z } from '@hono/zod-openapi';
import type { Context } from 'hono';
import { AppError } from '../../../lib/errors.ts';
import {
  getRuleset,
  listRulesets,
  listRulesetVersions,
  reviseRuleset,
  saveRuleset,
} from '../../../services/rulesets/rulesets.ts';
import { crossValidateRulesetInOrg } from '../../../services/rulesets/validate-in-org.ts';
import type { AppBindings } from '../../context.ts';
import { createRouter } from '../../openapi.ts';
import { orgContext } from '../../service-context.ts';
import {
  createRulesetRoute,
  getRulesetRoute,
  listRulesetsRoute,
  listRulesetVersionsRoute,
  RulesetSchema,
  reviseRulesetRoute,
  SavedRulesetSchema,
  ValidationSchema,
  validateRulesetRoute,
} from './rulesets.routes.ts';

const MAX_DOCUMENT_BYTES = 1024 * 1024;

/** The document: a JSON object, or YAML/JSON text for the YAML media types. */
async function documentOf(c: Context<AppBindings>): Promise<string | Record<string, unknown>> {
  const type = c.req.header('content-type') ?? '';
  const text = await c.req.text();
  if (text.length > MAX_DOCUMENT_BYTES) throw new AppError('PAYLOAD_TOO_LARGE', 'A ruleset is at most 1 MB.');
  if (/yaml|text\/plain/i.test(type)) return text;
  if (/json/i.test(type)) {
    try {
      const value: unknown = JSON.parse(text);
      if (value && typeof value === 'object' && !Array.isArray(value))
        return value as Record<string, unknown>;
    } catch {
      // Reported below with the parser's own position through the YAML reader.
      return text;
    }
  }
  throw new AppError('BAD_REQUEST', 'Send the ruleset as application/json (an object) or application/yaml.');
}

const ListedRulesetSchema = RulesetSchema.extend({ versions: z.number().int() });

export const rulesetsRouter = createRouter()
  .openapi(createRulesetRoute, async (c) => {
    const { note } = c.req.valid('query');
    const saved = await saveRuleset({
      ctx: orgContext(c),
      input: { source: await documentOf(c), note: note ?? null },
    });
    return c.json(SavedRulesetSchema.parse(saved), 201);
  })
  .openapi(validateRulesetRoute, async (c) => {
    const issues = await crossValidateRulesetInOrg({
      ctx: orgContext(c),
      input: { source: await documentOf(c) },
    });
    return c.json(ValidationSchema.parse({ ok: !issues.some((i) => i.severity === 'error'), issues }), 200);
  })
  .openapi(listRulesetsRoute, async (c) => {
    const list = await listRulesets({ ctx: orgContext(c) });
    return c.json({ data: list.map((r) => ListedRulesetSchema.parse(r)) }, 200);
  })
  .openapi(getRulesetRoute, async (c) => {
    const found = await getRuleset({ ctx: orgContext(c), input: c.req.valid('param') });
    return c.json(RulesetSchema.parse(found), 200);
  })
  .openapi(listRulesetVersionsRoute, async (c) => {
    const versions = await listRulesetVersions({ ctx: orgContext(c), input: c.req.valid('param') });
    return c.json({ data: versions.map((v) => RulesetSchema.parse(v)) }, 200);
  })
  .openapi(reviseRulesetRoute, async (c) => {
    const { note } = c.req.valid('query');
    const saved = await reviseRuleset({
      ctx: orgContext(c),
      input: { id: c.req.valid('param').id, source: await documentOf(c), note: note ?? null },
    });
    return c.json(SavedRulesetSchema.parse(saved), 201);
  });
