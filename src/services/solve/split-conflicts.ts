/**
 * Every reason the commit would refuse a run's split changes, as blocking conflicts of its review: the proposal's
 * moves and hand-overs planned by the one computation the commit runs (commission-splits/run-split-plan.ts). A split
 * that cannot be written (House below 0, shares not 100%, an end date before the opportunity was created, a
 * unreadable commission parameters) is never accepted: only excluding the account,
 * another owner, or another type or share resolves it (review/conflict-rules.ts).
 */

import type { Tx } from '../../db/client.ts';
import { CONFLICT_KINDS, type DetectedConflict } from '../../workflow/conflicts.ts';
import { commissionPolicyOf } from '../commission-splits/cascade-rule.ts';
import { runSettings } from '../commission-splits/commission-settings.ts';
import { type OpportunityHandover, planRunSplits } from '../commission-splits/run-split-plan.ts';
import type { PlanningContext } from '../plan/planning-context.ts';
import type { RunRow } from '../run-records/run-records.ts';

interface LiveLine {
  accountId: string;
  fromRepId: string | null;
  toRepId: string | null;
}

/** The refusals the commit would meet, each a blocking conflict (not already reported for the same opportunity). */
export async function splitPlanConflicts(
  tx: Tx,
  run: RunRow,
  plan: Pick<PlanningContext, 'ruleset' | 'book'>,
  live: readonly LiveLine[],
  handovers: readonly OpportunityHandover[],
  already: readonly DetectedConflict[],
): Promise<DetectedConflict[]> {
  const opportunityRun = run.kind === 'opportunity';
  const { settings, problem } = runSettings(run, handovers.length > 0);
  const houseRepId = plan.book.reps.find((r) => r.kind === 'house')?.id ?? null;
  const refusals = problem
    ? [
        {
          opportunityId: null,
          opportunityName: null,
          accountId: null,
          code: 'COMMISSION_PARAMS_INVALID',
          kind: 'split' as const,
          message: problem,
        },
      ]
    : (
        await planRunSplits(tx, {
          run,
          settings,
          policy: commissionPolicyOf(plan.ruleset, houseRepId),
          houseRepId,
          moves: live
            .filter((r) => r.fromRepId !== null && r.toRepId !== null && r.toRepId !== r.fromRepId)
            .map((r) => ({ accountId: r.accountId, fromRepId: r.fromRepId!, toRepId: r.toRepId! })),
          handovers,
          lockSplits: false,
        })
      ).refusals;
  const out: DetectedConflict[] = [];
  for (const r of refusals) {
    const kind = r.kind === 'date' ? ('date_rule' as const) : ('split_not_100' as const);
    const seen = [...already, ...out].some(
      (c) =>
        c.kind === kind &&
        (r.opportunityId ? c.opportunityId === r.opportunityId : c.accountId === r.accountId),
    );
    if (seen) continue;
    const todo = opportunityRun
      ? 'cancel this run and start one with another end date, type or share'
      : r.kind === 'date'
        ? 'exclude the account, or cancel the run and start one with another end date'
        : 'exclude the account, give it to another rep, or choose another commission type or share';
    out.push({
      kind,
      severity: CONFLICT_KINDS[kind],
      key: [kind, r.accountId ?? '', r.opportunityId ?? '', r.code].join(':'),
      accountId: r.accountId,
      opportunityId: r.opportunityId,
      repId: null,
      message: `${r.opportunityName ? `${r.opportunityName}: ` : ''}${r.message} The commit cannot write this split, so it cannot be accepted: ${todo}.`,
    });
  }
  return out;
}
