/** Reconciliation: adjustment entries for periods already paid (or reconciled) under the old split. */
import type { PlannedChange, ReassignmentPlan } from './plan.ts';
import type { ParticipantCents } from './prorate.ts';
import type { Refusal } from './refusals.ts';
import { diffSchedule, type PlanDiffs } from './schedule-diff.ts';
import { canonicalOrder } from './split.ts';
import type { IsoDate, OpportunityInput, ParticipantRole } from './types.ts';

export interface AdjustmentEntry {
  opportunityId: string;
  accountId: string;
  periodId: string;
  periodStart: IsoDate;
  periodEnd: IsoDate;
  periodStatus: 'paid' | 'reconciled';
  participantId: string;
  role: ParticipantRole;
  /** clawback: the participant was paid too much (negative cents); credit: paid too little (positive). */
  kind: 'clawback' | 'credit';
  /** Signed cents: after − before. The entries of one period always sum to 0. */
  amountCents: number;
}

export interface Reconciliation {
  entries: AdjustmentEntry[];
  /** Periods that could not be allocated; finance must see these rather than a silent gap. */
  problems: Refusal[];
}

/**
 * For every changed opportunity, each period after the end date whose status is `paid` or
 * `reconciled` is assumed paid exactly as the old split allocates it (the same rounding rule);
 * the entries move the difference to what the new split allocates. Because both allocations
 * sum to the period amount, each period's entries sum to zero.
 */
export function reconciliationEntries(
  plan: ReassignmentPlan,
  opportunities: readonly OpportunityInput[],
  options: { diffs?: PlanDiffs } = {},
): Reconciliation {
  const byId = new Map(opportunities.map((o) => [o.opportunityId, o]));
  const entries: AdjustmentEntry[] = [];
  const problems: Refusal[] = [];
  for (const change of plan.items.filter((i): i is PlannedChange => i.kind === 'change')) {
    const opportunity = byId.get(change.opportunityId);
    if (!opportunity) {
      problems.push({
        code: 'OPPORTUNITY_NOT_FOUND',
        path: `opportunities.${change.opportunityId}`,
        message: `Opportunity "${change.opportunityId}" is in the plan but was not given; pass every planned opportunity.`,
      });
      continue;
    }
    const diff = options.diffs?.get(change.opportunityId) ?? diffSchedule(change, opportunity, plan.endDate);
    problems.push(...diff.problems);
    for (const { period, before, after, changed } of diff.periods) {
      if (!changed || period.status === 'open') continue;
      for (const d of deltas(before.byParticipant, after.byParticipant)) {
        entries.push({
          opportunityId: change.opportunityId,
          accountId: change.accountId,
          periodId: period.periodId,
          periodStart: period.periodStart,
          periodEnd: period.periodEnd,
          periodStatus: period.status,
          participantId: d.participantId,
          role: d.role,
          kind: d.cents < 0 ? 'clawback' : 'credit',
          amountCents: d.cents,
        });
      }
    }
  }
  return { entries, problems };
}

/** after − before per participant, non-zero only, in canonical order. */
function deltas(before: readonly ParticipantCents[], after: readonly ParticipantCents[]): ParticipantCents[] {
  const all = new Map<string, ParticipantCents>();
  for (const s of before) all.set(s.participantId, { ...s, cents: -s.cents });
  for (const s of after) {
    const d = all.get(s.participantId);
    if (d) d.cents += s.cents;
    else all.set(s.participantId, { ...s });
  }
  const nonZero = [...all.values()].filter((d) => d.cents !== 0);
  return canonicalOrder(nonZero.map((d) => ({ participantId: d.participantId, role: d.role, bps: 0 }))).map(
    (p) => nonZero.find((d) => d.participantId === p.participantId)!,
  );
}

export const RECONCILIATION_CSV_HEADER = [
  'opportunity_id',
  'account_id',
  'period_id',
  'period_start',
  'period_end',
  'period_status',
  'participant_id',
  'role',
  'kind',
  'amount_cents',
] as const;

/** Rows for a CSV writer (header first); the exporter is responsible for formula-injection escaping. */
export function reconciliationCsvRows(reconciliation: Reconciliation): (string | number)[][] {
  return [
    [...RECONCILIATION_CSV_HEADER],
    ...reconciliation.entries.map((e) => [
      e.opportunityId,
      e.accountId,
      e.periodId,
      e.periodStart,
      e.periodEnd,
      e.periodStatus,
      e.participantId,
      e.role,
      e.kind,
      e.amountCents,
    ]),
  ];
}
