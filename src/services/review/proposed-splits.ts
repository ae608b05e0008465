/**
 * The split changes a run's proposal will make when committed, read in the caller's withOrg transaction: the
 * run's moves (run_assignments) and, for an opportunity-level run, its hand-overs (run_opportunity_changes), planned
 * by the one computation the commit runs (commission-splits/run-split-plan.ts), only without locks. The impact, the
 * review and the approval page show this; the commit writes it.
 */
import { and, asc, eq } from 'drizzle-orm';
import { runAssignments, runOpportunityChanges } from '../../../db/schema/index.ts';
import type { Tx } from '../../db/client.ts';
import { commissionPolicyOf } from '../commission-splits/cascade-rule.ts';
import { type CommissionSettings, runSettings } from '../commission-splits/commission-settings.ts';
import {
  type OpportunityHandover,
  planRunSplits,
  type RunSplitPlan,
} from '../commission-splits/run-split-plan.ts';
import { loadRuleset } from '../plan/planning-context.ts';
import type { RunRow } from '../run-records/run-records.ts';

export interface ProposedSplits {
  settings: CommissionSettings | null;
  plan: RunSplitPlan;
  warnings: string[];
}

/** The hand-overs of an opportunity-level run, as the commit reads them (lockRunOpportunities), unlocked. */
export async function runHandovers(tx: Tx, run: Pick<RunRow, 'id' | 'kind'>): Promise<OpportunityHandover[]> {
  if (run.kind !== 'opportunity') return [];
  const rows = await tx
    .select({
      opportunityId: runOpportunityChanges.opportunityId,
      fromRepId: runOpportunityChanges.fromRepId,
      toRepId: runOpportunityChanges.toRepId,
    })
    .from(runOpportunityChanges)
    .where(eq(runOpportunityChanges.runId, run.id))
    .orderBy(asc(runOpportunityChanges.opportunityId));
  return rows
    .filter((r) => r.toRepId !== null && r.toRepId !== r.fromRepId)
    .map((r) => ({ opportunityId: r.opportunityId, fromRepId: r.fromRepId, toRepId: r.toRepId! }));
}

export async function proposedSplits(
  tx: Tx,
  run: RunRow,
  houseRepId: string | null,
): Promise<ProposedSplits> {
  const handovers = await runHandovers(tx, run);
  const { settings, problem } = runSettings(run, handovers.length > 0);
  const warnings: string[] = [];
  const moved = await tx
    .select({
      accountId: runAssignments.accountId,
      fromRepId: runAssignments.fromRepId,
      toRepId: runAssignments.toRepId,
    })
    .from(runAssignments)
    .where(and(eq(runAssignments.runId, run.id), eq(runAssignments.excluded, false)))
    .orderBy(asc(runAssignments.accountId));
  const moves = moved
    .filter((m) => m.fromRepId !== null && m.toRepId !== null && m.toRepId !== m.fromRepId)
    .map((m) => ({ accountId: m.accountId, fromRepId: m.fromRepId!, toRepId: m.toRepId! }));
  if (problem) {
    return {
      settings,
      warnings,
      plan: {
        splits: [],
        skipped: [],
        undecided: [],
        refusals: [
          {
            opportunityId: null,
            opportunityName: null,
            accountId: null,
            code: 'COMMISSION_PARAMS_INVALID',
            kind: 'split',
            message: problem,
          },
        ],
      },
    };
  }
  if (settings === null) {
    warnings.push('The run’s scope is account ownership only: the commit changes no commission split.');
  }
  const plan = await planRunSplits(tx, {
    run,
    settings,
    policy: commissionPolicyOf(await loadRuleset(tx, run.rulesetId), houseRepId),
    houseRepId,
    moves,
    handovers,
    lockSplits: false,
  });
  return { settings, plan, warnings };
}
