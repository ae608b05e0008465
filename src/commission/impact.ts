/** Impact preview of a plan: per person, commission per month and per year before and after, counts, next payment date. */
import { addMonthsToMonthStart, compareDates, endOfMonth, type IsoDate, monthOf } from './dates.ts';
import type { PlannedChange, ReassignmentPlan } from './plan.ts';
import type { Refusal } from './refusals.ts';
import { diffSchedule, type PlanDiffs, type ScheduleDiff } from './schedule-diff.ts';
import { canonicalOrder } from './split.ts';
import type { OpportunityInput, ParticipantRole } from './types.ts';

export type PersonCategory = 'departing-rep' | 'new-rep' | 'house' | 'subagent' | 'other-rep';

export interface MonthImpact {
  /** `YYYY-MM` */
  month: string;
  beforeCents: number;
  afterCents: number;
}

export interface PersonImpact {
  participantId: string;
  role: ParticipantRole;
  category: PersonCategory;
  months: MonthImpact[];
  /** Sum over the window's months (12 by default: the "annual" figure). */
  annualBeforeCents: number;
  annualAfterCents: number;
  annualDeltaCents: number;
  /** annual ÷ number of months, rounded to the nearest cent: a display figure; `months` is exact. */
  monthlyBeforeCents: number;
  monthlyAfterCents: number;
}

export interface ImpactPreview {
  /**
   * Basis: commission is counted in the calendar month of each period's payment date
   * (`paymentDate`, else `periodEnd`), over `months` calendar months starting with the month of
   * the first day paid under the new arrangement (the day after the end date).
   */
  window: { from: IsoDate; to: IsoDate; months: number };
  people: PersonImpact[];
  counts: {
    accounts: number;
    opportunities: number;
    skipped: number;
    /** Opportunities with at least one period whose allocation changes. */
    affectedSchedules: number;
    /** Periods whose allocation changes (any date, not only inside the window). */
    affectedPeriods: number;
  };
  /** Earliest payment date of a changed period not yet paid; null when none. */
  nextPaymentDate: IsoDate | null;
  totals: { beforeCents: number; afterCents: number };
  statements: string[];
  problems: Refusal[];
}

export interface ImpactOptions {
  months?: number;
  /** From `diffPlan`, to share the work with `reconciliationEntries`. */
  diffs?: PlanDiffs;
}

/**
 * Covers the opportunities the plan changes (not a person's whole book).
 * Before = every schedule period allocated under the current history; after = under the
 * history with the plan applied. Total before equals total after within the
 * window, since every period is allocated to the cent either way.
 */
/** The running totals of a preview: each person's months, problems, what changed, the next payment. */
interface Tally {
  person: (participantId: string, role: ParticipantRole) => { months: Map<string, MonthImpact> };
  problems: Refusal[];
  affectedSchedules: number;
  affectedPeriods: number;
  nextPaymentDate: IsoDate | null;
}

export function previewImpact(
  plan: ReassignmentPlan,
  opportunities: readonly OpportunityInput[],
  options: ImpactOptions = {},
): ImpactPreview {
  const months = options.months ?? 12;
  const from = `${monthOf(plan.firstNewDay)}-01`;
  const to = endOfMonth(addMonthsToMonthStart(from, months - 1));
  const monthKeys = Array.from({ length: months }, (_, i) => monthOf(addMonthsToMonthStart(from, i)));
  const byId = new Map(opportunities.map((o) => [o.opportunityId, o]));
  const changes = plan.items.filter((i): i is PlannedChange => i.kind === 'change');
  const newReps = new Set(changes.flatMap((c) => (c.action.type === 'A' ? [] : [c.action.newRepId])));

  const people = new Map<string, { role: ParticipantRole; months: Map<string, MonthImpact> }>();
  const person = (participantId: string, role: ParticipantRole) => {
    let p = people.get(participantId);
    if (!p) {
      p = {
        role,
        months: new Map(monthKeys.map((m) => [m, { month: m, beforeCents: 0, afterCents: 0 }])),
      };
      people.set(participantId, p);
    }
    return p;
  };
  const tally: Tally = {
    person,
    problems: [],
    affectedSchedules: 0,
    affectedPeriods: 0,
    nextPaymentDate: null,
  };

  for (const change of changes) {
    // Everyone in the old and new split appears, even at zero, so a reviewer sees the whole split.
    for (const p of [
      ...change.before.participants,
      ...change.after.participants,
      ...(change.gap?.participants ?? []),
    ]) {
      person(p.participantId, p.role);
    }
    const opportunity = byId.get(change.opportunityId);
    if (!opportunity) {
      tally.problems.push({
        code: 'OPPORTUNITY_NOT_FOUND',
        path: `opportunities.${change.opportunityId}`,
        message: `Opportunity "${change.opportunityId}" is in the plan but was not given; pass every planned opportunity.`,
      });
      continue;
    }
    const diff = options.diffs?.get(change.opportunityId) ?? diffSchedule(change, opportunity, plan.endDate);
    addDiff(tally, diff, { from, to });
  }

  const result = personImpacts(people, plan.departingRepId, newReps, months);

  return {
    window: { from, to, months },
    people: result,
    counts: {
      accounts: new Set(changes.map((c) => c.accountId)).size,
      opportunities: changes.length,
      skipped: plan.items.length - changes.length,
      affectedSchedules: tally.affectedSchedules,
      affectedPeriods: tally.affectedPeriods,
    },
    nextPaymentDate: tally.nextPaymentDate,
    totals: {
      beforeCents: result.reduce((a, p) => a + p.annualBeforeCents, 0),
      afterCents: result.reduce((a, p) => a + p.annualAfterCents, 0),
    },
    statements: [
      ...plan.statements,
      `Amounts are counted in the month each period is paid, from ${from} to ${to} (${months} months); "monthly" is that total ÷ ${months}.`,
    ],
    problems: tally.problems,
  };
}

/** Each person's months and totals, in the split's canonical order. */
function personImpacts(
  people: Map<string, { role: ParticipantRole; months: Map<string, MonthImpact> }>,
  departingRepId: string,
  newReps: Set<string>,
  months: number,
): PersonImpact[] {
  const order = canonicalOrder(
    [...people.entries()].map(([id, p]) => ({ participantId: id, role: p.role, bps: 0 })),
  );
  return order.map(({ participantId, role }) => {
    const list = [...people.get(participantId)!.months.values()];
    const annualBeforeCents = list.reduce((a, m) => a + m.beforeCents, 0);
    const annualAfterCents = list.reduce((a, m) => a + m.afterCents, 0);
    return {
      participantId,
      role,
      category: categorize(participantId, role, departingRepId, newReps),
      months: list,
      annualBeforeCents,
      annualAfterCents,
      annualDeltaCents: annualAfterCents - annualBeforeCents,
      monthlyBeforeCents: Math.round(annualBeforeCents / months),
      monthlyAfterCents: Math.round(annualAfterCents / months),
    };
  });
}

/** One opportunity's schedule diff: what changed, the next open payment, and each payment inside the window. */
function addDiff(tally: Tally, diff: ScheduleDiff, window: { from: string; to: string }) {
  tally.problems.push(...diff.problems);
  const changedHere = diff.periods.filter((d) => d.changed);
  tally.affectedPeriods += changedHere.length;
  if (changedHere.length > 0) tally.affectedSchedules += 1;
  for (const d of changedHere) {
    const paid = d.period.paymentDate ?? d.period.periodEnd;
    if (
      d.period.status === 'open' &&
      (tally.nextPaymentDate === null || compareDates(paid, tally.nextPaymentDate) < 0)
    ) {
      tally.nextPaymentDate = paid;
    }
  }
  for (const d of diff.periods) {
    const paid = d.period.paymentDate ?? d.period.periodEnd;
    if (compareDates(paid, window.from) < 0 || compareDates(paid, window.to) > 0) continue;
    const month = monthOf(paid);
    for (const s of d.before.byParticipant)
      tally.person(s.participantId, s.role).months.get(month)!.beforeCents += s.cents;
    for (const s of d.after.byParticipant)
      tally.person(s.participantId, s.role).months.get(month)!.afterCents += s.cents;
  }
}

function categorize(
  id: string,
  role: ParticipantRole,
  departing: string,
  newReps: Set<string>,
): PersonCategory {
  if (id === departing) return 'departing-rep';
  if (role === 'house') return 'house';
  if (role === 'subagent') return 'subagent';
  return newReps.has(id) ? 'new-rep' : 'other-rep';
}

/** Rows for a CSV writer (header first), one per person, with a before/after pair per month. */
export function impactCsvRows(preview: ImpactPreview): (string | number)[][] {
  const monthKeys = preview.people[0]?.months.map((m) => m.month) ?? [];
  const header = [
    'participant_id',
    'role',
    'category',
    'monthly_before_cents',
    'monthly_after_cents',
    'annual_before_cents',
    'annual_after_cents',
    'annual_delta_cents',
    ...monthKeys.flatMap((m) => [`${m}_before_cents`, `${m}_after_cents`]),
  ];
  return [
    header,
    ...preview.people.map((p) => [
      p.participantId,
      p.role,
      p.category,
      p.monthlyBeforeCents,
      p.monthlyAfterCents,
      p.annualBeforeCents,
      p.annualAfterCents,
      p.annualDeltaCents,
      ...p.months.flatMap((m) => [m.beforeCents, m.afterCents]),
    ]),
  ];
}
