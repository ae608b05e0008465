/** Each schedule period of a changed opportunity allocated before and after the change, for the preview and reconciliation. */
import { compareDates } from './dates.ts';
import { applyEdits } from './history.ts';
import type { PlannedChange, ReassignmentPlan } from './plan.ts';
import { allocatePeriod, type PeriodAllocation } from './prorate.ts';
import type { Refusal } from './refusals.ts';
import type { OpportunityInput, SchedulePeriod } from './types.ts';

export interface PeriodDiff {
  period: SchedulePeriod;
  before: PeriodAllocation;
  after: PeriodAllocation;
  /** True when any participant's cents differ. */
  changed: boolean;
}

export interface ScheduleDiff {
  periods: PeriodDiff[];
  /** Periods that could not be allocated (e.g. days without a split), reported rather than dropped. */
  problems: Refusal[];
}

/**
 * Every period of the opportunity is allocated; those ending on or before the end date cannot
 * change (the old rows still cover them), so their "after" is their "before".
 */
export function diffSchedule(
  change: PlannedChange,
  opportunity: OpportunityInput,
  endDate: string,
): ScheduleDiff {
  const problems: Refusal[] = [];
  const afterRows = applyEdits(opportunity.splitRows, [change.edit]);
  if (!afterRows.ok) return { periods: [], problems: [afterRows.refusal] };
  const periods: PeriodDiff[] = [];
  for (const period of opportunity.schedule) {
    const before = allocatePeriod(period, opportunity.splitRows);
    const after =
      before.ok && compareDates(period.periodEnd, endDate) <= 0
        ? before
        : allocatePeriod(period, afterRows.value);
    if (!before.ok || !after.ok) {
      const refusal = !before.ok ? before.refusal : (after as { ok: false; refusal: Refusal }).refusal;
      problems.push({
        ...refusal,
        path: `opportunities.${opportunity.opportunityId}.${refusal.path}`,
      });
      continue;
    }
    const was = new Map(before.value.byParticipant.map((s) => [s.participantId, s.cents]));
    const now = new Map(after.value.byParticipant.map((s) => [s.participantId, s.cents]));
    const ids = new Set([...was.keys(), ...now.keys()]);
    const changed = [...ids].some((id) => (was.get(id) ?? 0) !== (now.get(id) ?? 0));
    periods.push({ period, before: before.value, after: after.value, changed });
  }
  return { periods, problems };
}

/** Diffs of every changed opportunity, keyed by id: compute once, pass to the preview and reconciliation. */
export type PlanDiffs = Map<string, ScheduleDiff>;

export function diffPlan(plan: ReassignmentPlan, opportunities: readonly OpportunityInput[]): PlanDiffs {
  const byId = new Map(opportunities.map((o) => [o.opportunityId, o]));
  const diffs: PlanDiffs = new Map();
  for (const item of plan.items) {
    const opportunity = byId.get(item.opportunityId);
    if (item.kind === 'change' && opportunity)
      diffs.set(item.opportunityId, diffSchedule(item, opportunity, plan.endDate));
  }
  return diffs;
}
