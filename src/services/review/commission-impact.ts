/**
 * Commission impact preview of a run (C1–C6): per person (departing rep, new reps, House, subagents) the commission
 * per month and per year before and after, the counts, the next payment date and the House gap, computed by the
 * pure core (src/commission previewImpact) on the run's plan. Read-only; exportable as CSV.
 */
import { orgScope } from '../../auth/principal.ts';
import { diffPlan, type MonthImpact, type ParticipantRole, previewImpact } from '../../commission/index.ts';
import { withOrg } from '../../db/tenancy.ts';
import { toCsv } from '../../exports/csv-safe.ts';
import { forbidden } from '../../lib/errors.ts';
import type { OrgContext } from '../auth/context.ts';
import type { SkippedOpportunity } from './committed-plan.ts';
import { loadRunCommission, type PlanBasis, type RunCommission } from './run-commission.ts';

/** Who may read commission impact and reconciliation: finance, plus the planners; reps never. */
export const COMMISSION_READERS = ['manager', 'analyst', 'finance', 'admin'] as const;

export type ImpactCategory =
  | 'departing-rep'
  | 'new-rep'
  | 'departing-and-new-rep'
  | 'house'
  | 'subagent'
  | 'other-rep';

export interface PersonImpactView {
  participantId: string;
  name: string | null;
  role: ParticipantRole;
  category: ImpactCategory;
  monthlyBeforeCents: number;
  monthlyAfterCents: number;
  annualBeforeCents: number;
  annualAfterCents: number;
  annualDeltaCents: number;
  months: MonthImpact[];
}

export interface OpportunityImpactView {
  opportunityId: string;
  crmId: string;
  name: string;
  accountId: string;
  accountName: string;
  fromRepId: string | null;
  toRepId: string | null;
  /** Who receives the departing rep's share (a segment's or a decision's receiving rep, else the new owner); null under type A. */
  receiverRepId: string | null;
  type: 'A' | 'B' | 'C';
  before: { participantId: string; role: ParticipantRole; bps: number }[];
  after: { participantId: string; role: ParticipantRole; bps: number }[];
  gap: { participantId: string; role: ParticipantRole; bps: number }[] | null;
}

export interface CommissionImpact {
  runId: string;
  runStatus: string;
  /** The run's kind: a departure's previous rep is "departing", another run's hands the share over. */
  runKind: string;
  basis: PlanBasis;
  commissionType: 'A' | 'B' | 'C' | null;
  endDate: string;
  reassignmentDate: string;
  /** Days strictly between the end date and the reassignment date: the departing rep’s share goes to House. */
  houseGap: { from: string; to: string; days: number } | null;
  window: { from: string; to: string; months: number };
  people: PersonImpactView[];
  counts: {
    accounts: number;
    opportunities: number;
    skipped: number;
    affectedSchedules: number;
    affectedPeriods: number;
  };
  nextPaymentDate: string | null;
  totals: { beforeCents: number; afterCents: number };
  opportunities: OpportunityImpactView[];
  skipped: SkippedOpportunity[];
  statements: string[];
  warnings: string[];
  problems: { code: string; path: string; message: string }[];
}

export interface ImpactInput {
  runId: string;
  /** Months in the window (default 12: the "annual" figure). */
  months?: number | undefined;
}

export function categoryOf(
  participantId: string,
  role: ParticipantRole,
  rc: Pick<RunCommission, 'fromRepIds' | 'toRepIds'>,
): ImpactCategory {
  if (role === 'house') return 'house';
  if (role === 'subagent') return 'subagent';
  const from = rc.fromRepIds.has(participantId);
  const to = rc.toRepIds.has(participantId);
  if (from && to) return 'departing-and-new-rep';
  if (from) return 'departing-rep';
  return to ? 'new-rep' : 'other-rep';
}

export function assertReader(ctx: OrgContext) {
  if (!(COMMISSION_READERS as readonly string[]).includes(ctx.principal.role)) {
    throw forbidden('Commission impact and reconciliation are for managers, analysts, finance and admins.');
  }
}

export async function commissionImpact({
  ctx,
  input,
}: {
  ctx: OrgContext;
  input: ImpactInput;
}): Promise<CommissionImpact> {
  assertReader(ctx);
  return withOrg(ctx.db, orgScope(ctx.principal), async (tx) => {
    const rc = await loadRunCommission(tx, input.runId);
    return buildImpact(rc, input.months ?? 12);
  });
}

/** The preview from a loaded plan (pure; exported for tests of the shape). */
export function buildImpact(rc: RunCommission, months: number): CommissionImpact {
  const diffs = diffPlan(rc.plan, rc.inputs);
  const preview = previewImpact(rc.plan, rc.inputs, { months, diffs });
  const name = (id: string) => rc.repNames.get(id)?.name ?? null;
  const opportunities: OpportunityImpactView[] = [];
  for (const item of rc.plan.items) {
    if (item.kind !== 'change') continue;
    const info = rc.info.get(item.opportunityId);
    opportunities.push({
      opportunityId: item.opportunityId,
      crmId: info?.crmId ?? '',
      name: info?.name ?? '',
      accountId: item.accountId,
      accountName: info?.accountName ?? '',
      fromRepId: info?.fromRepId ?? null,
      toRepId: info?.toRepId ?? null,
      receiverRepId: item.action.type === 'A' ? null : item.action.newRepId,
      type: item.action.type,
      before: item.before.participants,
      after: item.after.participants,
      gap: item.gap?.participants ?? null,
    });
  }
  return {
    runId: rc.run.id,
    runStatus: rc.run.status,
    runKind: rc.run.kind,
    basis: rc.basis,
    commissionType: rc.settings?.type ?? null,
    endDate: rc.endDate,
    reassignmentDate: rc.reassignmentDate,
    houseGap: rc.plan.houseGap,
    window: preview.window,
    people: preview.people.map((p) => ({
      participantId: p.participantId,
      name: name(p.participantId),
      role: p.role,
      category: categoryOf(p.participantId, p.role, rc),
      monthlyBeforeCents: p.monthlyBeforeCents,
      monthlyAfterCents: p.monthlyAfterCents,
      annualBeforeCents: p.annualBeforeCents,
      annualAfterCents: p.annualAfterCents,
      annualDeltaCents: p.annualDeltaCents,
      months: p.months,
    })),
    counts: { ...preview.counts, skipped: rc.skipped.length },
    nextPaymentDate: preview.nextPaymentDate,
    totals: preview.totals,
    opportunities,
    skipped: rc.skipped,
    statements: preview.statements,
    warnings: rc.warnings,
    problems: [...rc.problems, ...preview.problems],
  };
}

export const IMPACT_CSV_FIXED = [
  'participant_id',
  'name',
  'role',
  'category',
  'monthly_before_cents',
  'monthly_after_cents',
  'annual_before_cents',
  'annual_after_cents',
  'annual_delta_cents',
] as const;

/** One row per person, then a before/after pair per month of the window; cells are formula-safe. */
export function impactCsv(impact: CommissionImpact): string {
  const monthKeys = impact.people[0]?.months.map((m) => m.month) ?? [];
  const header = [
    ...IMPACT_CSV_FIXED,
    ...monthKeys.flatMap((m) => [`${m}_before_cents`, `${m}_after_cents`]),
  ];
  const rows = impact.people.map((p) => [
    p.participantId,
    p.name,
    p.role,
    p.category,
    p.monthlyBeforeCents,
    p.monthlyAfterCents,
    p.annualBeforeCents,
    p.annualAfterCents,
    p.annualDeltaCents,
    ...p.months.flatMap((m) => [m.beforeCents, m.afterCents]),
  ]);
  return toCsv(header, rows);
}
