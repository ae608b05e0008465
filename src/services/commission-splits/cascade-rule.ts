/**
 * The one rule of which opportunities a commission cascade may change (a run that moves accounts, with a scope that
 * includes opportunities: F3, src/commission/types.ts). The review (solve/refresh-proposal.ts), the commit
 * (commit/commit-commission.ts) and the impact preview (review/run-commission.ts) all ask it, so the
 * opportunities the review lists (and the manual queue shows to decide) are exactly the ones the commit changes.
 *
 * - a closed opportunity: never (MISSION C-rules);
 * - scope `ownership`: none (account ownership only);
 * - a protected opportunity — its stage is one of the ruleset's `protections.protectedStages` (compared trimmed and
 *   case-insensitively, as the core compares them), or the import flagged it as billing (`isBillingStage`), billing
 *   onwards: left out of `open_opportunities` (the core's `active`: stages before billing), included in `complete`
 *   (all opportunities, historical where permitted; permitted here, as in the core's default policy);
 * - anything else: included. The core may still skip one for its own reasons (a reconciled period after the end
 *   date, an end date before creation, the departing rep not in its split); those are not stage rules.
 *
 * The commit and the preview also hand the core `commissionPolicyOf(ruleset)`, so its own stage check uses the same
 * list: every opportunity this rule lets through under `open_opportunities` is one the core does not protect either.
 */
import type { CommissionPolicy, ReassignmentScope } from '../../commission/index.ts';
import type { Ruleset } from '../../rules/ruleset-schema.ts';

/** A run's scope as stored (db run_scope). */
export type RunScope = 'ownership' | 'open_opportunities' | 'complete';

/** Whether the `complete` scope may change protected-stage (historical) opportunities. No ruleset setting turns it off. */
export const HISTORICAL_PERMITTED = true;

/** What the rule reads of an opportunity. */
export interface CascadeCandidate {
  stage: string;
  /** Closed (won or lost): the importer decides; the database's status is not 'open'. */
  isClosed: boolean;
  /** The import's billing flag (stage names like "Invoicing" that the ruleset's list does not name). */
  isBillingStage: boolean;
}

export interface CascadeExclusion {
  code: 'OPPORTUNITY_CLOSED' | 'SCOPE_OWNERSHIP_ONLY' | 'PROTECTED_STAGE';
  reason: string;
}

/** The core's scope for a run's scope. */
export function coreScope(scope: RunScope): ReassignmentScope {
  return scope === 'complete' ? 'complete' : scope === 'ownership' ? 'ownership' : 'active';
}

/** The commission policy of a run: the ruleset's protected stages, historical changes permitted, the org's House rep. */
export function commissionPolicyOf(
  ruleset: Pick<Ruleset, 'protections'>,
  houseRepId: string | null,
): CommissionPolicy {
  return {
    protectedStages: [...ruleset.protections.protectedStages],
    historicalPermitted: HISTORICAL_PERMITTED,
    houseParticipantId: houseRepId ?? 'house',
  };
}

const norm = (s: string) => s.trim().toLowerCase();

/** Billing onwards: a stage the policy protects (case-insensitive) or an opportunity flagged as billing. */
export function isProtectedOpportunity(
  o: Pick<CascadeCandidate, 'stage' | 'isBillingStage'>,
  protectedStages: readonly string[],
): boolean {
  if (o.isBillingStage) return true;
  const stage = norm(o.stage);
  return protectedStages.some((p) => norm(p) === stage);
}

/**
 * Why a cascade of a run with this scope leaves the opportunity alone, or null when the cascade includes it.
 * The reasons are the ones the commit reports for its skipped opportunities.
 */
export function cascadeExclusion(
  scope: RunScope,
  o: CascadeCandidate,
  policy: Pick<CommissionPolicy, 'protectedStages' | 'historicalPermitted'>,
): CascadeExclusion | null {
  if (o.isClosed) {
    return {
      code: 'OPPORTUNITY_CLOSED',
      reason: 'The opportunity is closed; closed opportunities cannot be reassigned.',
    };
  }
  if (scope === 'ownership') {
    return {
      code: 'SCOPE_OWNERSHIP_ONLY',
      reason: 'The scope is account ownership only, so no commission changes.',
    };
  }
  if (!isProtectedOpportunity(o, policy.protectedStages)) return null;
  if (scope === 'complete' && policy.historicalPermitted) return null;
  const billing = o.isBillingStage ? ' (a billing stage)' : '';
  return {
    code: 'PROTECTED_STAGE',
    reason:
      `Stage "${o.stage}"${billing} is protected (billing onwards) and excluded from ` +
      (scope === 'complete'
        ? 'cascades by policy (historical changes are not permitted).'
        : 'the open-and-future opportunities scope; choose the complete scope or change this opportunity on its own (level 1).'),
  };
}
