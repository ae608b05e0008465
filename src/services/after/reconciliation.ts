/**
 * Commission reconciliation of a run (C6): for schedule periods after the end date already marked paid or reconciled
 * (revenue_schedules.paid / .reconciled), the adjustment entries that move what the old split paid to what the new
 * split owes — a clawback from the old rep, a credit to the new one — computed by the pure core
 * (src/commission reconciliationEntries). Each period's entries sum to zero. Read-only; exportable as CSV.
 */
import { eq } from 'drizzle-orm';
import { commissionAdjustments } from '../../../db/schema/index.ts';
import { orgScope } from '../../auth/principal.ts';
import { type AdjustmentEntry, diffPlan, reconciliationEntries } from '../../commission/index.ts';
import type { Tx } from '../../db/client.ts';
import { withOrg } from '../../db/tenancy.ts';
import { toCsv } from '../../exports/csv-safe.ts';
import type { OrgContext } from '../auth/context.ts';
import { assertReader, categoryOf, type ImpactCategory } from '../review/commission-impact.ts';
import { loadRunCommission, type PlanBasis, type RunCommission } from '../review/run-commission.ts';

export interface AdjustmentView extends AdjustmentEntry {
  participantName: string | null;
  category: ImpactCategory;
  opportunityCrmId: string;
  opportunityName: string;
  accountName: string;
}

export interface ParticipantTotal {
  participantId: string;
  name: string | null;
  category: ImpactCategory;
  clawbackCents: number;
  creditCents: number;
  netCents: number;
}

export interface CommissionReconciliation {
  runId: string;
  runStatus: string;
  basis: PlanBasis;
  endDate: string;
  reassignmentDate: string;
  entries: AdjustmentView[];
  byParticipant: ParticipantTotal[];
  counts: { entries: number; periods: number; opportunities: number };
  /** Sum of every entry: always 0 (what one participant gives back another receives). */
  netCents: number;
  /**
   * True when the run is committed and commission_adjustments holds exactly these entries (one row per entry, same
   * opportunity, period, rep and cents), as the commit books them; false for a proposal, or a commit that booked
   * none or other figures (e.g. committed before adjustments were recorded).
   */
  recorded: boolean;
  statements: string[];
  warnings: string[];
  problems: { code: string; path: string; message: string }[];
}

export async function commissionReconciliation({
  ctx,
  input,
}: {
  ctx: OrgContext;
  input: { runId: string };
}): Promise<CommissionReconciliation> {
  assertReader(ctx);
  return withOrg(ctx.db, orgScope(ctx.principal), async (tx) => {
    const rc = await loadRunCommission(tx, input.runId);
    return buildReconciliation(rc, rc.basis === 'committed' ? await recordedRows(tx, rc.run.id) : null);
  });
}

interface RecordedRow {
  opportunityId: string;
  periodId: string | null;
  repId: string;
  amountCents: number;
  note: string | null;
}

/** The adjustment rows the commit booked for the run (reversals written by a rollback left out). */
async function recordedRows(tx: Tx, runId: string): Promise<RecordedRow[]> {
  const rows = await tx
    .select({
      opportunityId: commissionAdjustments.opportunityId,
      periodId: commissionAdjustments.revenueScheduleId,
      repId: commissionAdjustments.repId,
      amountCents: commissionAdjustments.amountCents,
      note: commissionAdjustments.note,
    })
    .from(commissionAdjustments)
    .where(eq(commissionAdjustments.runId, runId));
  return rows.filter((r) => !r.note?.startsWith('reversal of '));
}

const entryKey = (opportunityId: string, periodId: string | null, repId: string, cents: number) =>
  `${opportunityId}|${periodId}|${repId}|${cents}`;

/** Whether the booked rows are the entries one-to-one (an empty list books nothing, and nothing is needed). */
function sameEntries(entries: readonly AdjustmentEntry[], rows: readonly RecordedRow[]): boolean {
  if (entries.length !== rows.length) return false;
  const a = entries.map((e) => entryKey(e.opportunityId, e.periodId, e.participantId, e.amountCents)).sort();
  const b = rows.map((r) => entryKey(r.opportunityId, r.periodId, r.repId, r.amountCents)).sort();
  return a.every((k, i) => k === b[i]);
}

/** `recorded`: the rows the commit booked for a committed run; null for a proposal. */
export function buildReconciliation(
  rc: RunCommission,
  recorded: readonly RecordedRow[] | null = null,
): CommissionReconciliation {
  const result = reconciliationEntries(rc.plan, rc.inputs, { diffs: diffPlan(rc.plan, rc.inputs) });
  const name = (id: string) => rc.repNames.get(id)?.name ?? null;
  const entries: AdjustmentView[] = result.entries.map((e) => {
    const info = rc.info.get(e.opportunityId);
    return {
      ...e,
      participantName: name(e.participantId),
      category: categoryOf(e.participantId, e.role, rc),
      opportunityCrmId: info?.crmId ?? '',
      opportunityName: info?.name ?? '',
      accountName: info?.accountName ?? '',
    };
  });
  const totals = new Map<string, ParticipantTotal>();
  for (const e of entries) {
    let t = totals.get(e.participantId);
    if (!t) {
      t = {
        participantId: e.participantId,
        name: e.participantName,
        category: e.category,
        clawbackCents: 0,
        creditCents: 0,
        netCents: 0,
      };
      totals.set(e.participantId, t);
    }
    if (e.amountCents < 0) t.clawbackCents += e.amountCents;
    else t.creditCents += e.amountCents;
    t.netCents += e.amountCents;
  }
  return {
    runId: rc.run.id,
    runStatus: rc.run.status,
    basis: rc.basis,
    endDate: rc.endDate,
    reassignmentDate: rc.reassignmentDate,
    entries,
    byParticipant: [...totals.values()],
    counts: {
      entries: entries.length,
      periods: new Set(entries.map((e) => e.periodId)).size,
      opportunities: new Set(entries.map((e) => e.opportunityId)).size,
    },
    netCents: entries.reduce((a, e) => a + e.amountCents, 0),
    recorded: recorded !== null && sameEntries(entries, recorded),
    statements: [
      recorded === null
        ? 'Not recorded yet: the commit books these entries in the commission adjustments, in its transaction.'
        : sameEntries(entries, recorded)
          ? `Recorded: the commit booked these ${entries.length} entries in the commission adjustments; a rollback books reversing entries.`
          : `Not recorded as shown: the commit booked ${recorded.length} adjustment entries for this run, not these ${entries.length}; check the commission adjustments before paying.`,
      'A period marked paid or reconciled is taken as paid exactly as the old split allocates it (the same rounding); each entry is what the new split allocates minus that.',
      'Negative amounts are clawbacks, positive amounts credits; the entries of one period sum to zero.',
      'In level-2 and level-3 cascades an opportunity with a reconciled period after the end date is left out (listed as skipped in the impact); only paid periods produce entries there.',
    ],
    warnings: rc.warnings,
    problems: [...rc.problems, ...result.problems],
  };
}

export const RECONCILIATION_CSV_COLUMNS = [
  'opportunity_id',
  'opportunity_crm_id',
  'opportunity_name',
  'account_id',
  'account_name',
  'period_id',
  'period_start',
  'period_end',
  'period_status',
  'participant_id',
  'participant_name',
  'role',
  'category',
  'kind',
  'amount_cents',
] as const;

/** One row per adjustment entry; cells are formula-safe (names come from the CRM). */
export function reconciliationCsv(rec: CommissionReconciliation): string {
  return toCsv(
    RECONCILIATION_CSV_COLUMNS,
    rec.entries.map((e) => [
      e.opportunityId,
      e.opportunityCrmId,
      e.opportunityName,
      e.accountId,
      e.accountName,
      e.periodId,
      e.periodStart,
      e.periodEnd,
      e.periodStatus,
      e.participantId,
      e.participantName,
      e.role,
      e.category,
      e.kind,
      e.amountCents,
    ]),
  );
}
