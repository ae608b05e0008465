/** Validates a ruleset document against the schema, the org's roster and its book, without saving it. */
import { orgScope } from '../../auth/principal.ts';
import { withOrg } from '../../db/tenancy.ts';
import { crossValidateRuleset } from '../../rules/cross-validate.ts';
import { parseRulesetText, type RulesetIssue, validateRuleset } from '../../rules/parse-ruleset.ts';
import type { OrgContext } from '../auth/context.ts';
import { rosterAndLoad } from './rulesets.ts';

export async function crossValidateRulesetInOrg({
  ctx,
  input,
}: {
  ctx: OrgContext;
  input: { source: string | Record<string, unknown> };
}): Promise<RulesetIssue[]> {
  const parsed =
    typeof input.source === 'string' ? parseRulesetText(input.source) : validateRuleset(input.source);
  if (!parsed.ok) return parsed.issues;
  return withOrg(
    ctx.db,
    orgScope(ctx.principal),
    async (tx) => {
      const { roster, load, accounts } = await rosterAndLoad(tx);
      return crossValidateRuleset(parsed.ruleset, roster, load, (id) => accounts.has(id));
    },
    { transaction: { accessMode: 'read only' } },
  );
}
