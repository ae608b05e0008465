/**
 * The commission plan of a run as the pure core (src/commission) sees it, read inside the caller's withOrg
 * transaction; shared by the impact preview and the reconciliation.
 *
 * Before commit it is planned exactly the way the commit will plan it (src/services/commit/commit-commission.ts):
 * per moved account of the run, a level-2 cascade with the run's commission strategy (uniform, segmented with a
 * receiving rep per segment, or the manual decisions), scope and dates, House as the org's House rep. After commit it is rebuilt from what the commit wrote (the `split` items of the change set,
 * each carrying its history edit): the history before the run is the current history with the inverse edit applied.
 */

import { eq } from 'drizzle-orm';
import { reps, runs } from '../../../db/schema/index.ts';
import {
  dates,
  houseGap,
  type OpportunityInput,
  type PlanItem,
  type PlannedChange,
  type ReassignmentPlan,
  type Refusal,
} from '../../commission/index.ts';
import type { Tx } from '../../db/client.ts';
import { AppError, notFound } from '../../lib/errors.ts';
import { coreScope } from '../commission-splits/cascade-rule.ts';
import type { CommissionSettings } from '../commission-splits/commission-settings.ts';
import type { RunRow } from '../run-records/run-records.ts';
import { committedPlan, type OpportunityInfo, type SkippedOpportunity } from './committed-plan.ts';
import { proposedSplits } from './proposed-splits.ts';

/** Where the plan comes from: the proposal as commit would write it, or what the commit did write. */
export type PlanBasis = 'proposal' | 'committed';

export interface RunCommission {
  run: RunRow;
  basis: PlanBasis;
  endDate: string;
  reassignmentDate: string;
  settings: CommissionSettings | null;
  /** One plan for the whole run (every departing rep's changes; the same dates for all). */
  plan: ReassignmentPlan;
  /** The opportunities of the plan, with the split history before the run. */
  inputs: OpportunityInput[];
  info: Map<string, OpportunityInfo>;
  repNames: Map<string, { name: string; kind: string }>;
  houseRepId: string | null;
  fromRepIds: Set<string>;
  toRepIds: Set<string>;
  skipped: SkippedOpportunity[];
  problems: Refusal[];
  warnings: string[];
}

/** Reads the run and plans its commission changes; refuses a run without dates or one rolled back. */
export async function loadRunCommission(tx: Tx, runId: string): Promise<RunCommission> {
  // RLS limits this to the caller's org: another org's run is simply not found.
  const [run] = await tx.select().from(runs).where(eq(runs.id, runId));
  if (!run) throw notFound('The run');
  const { endDate, reassignmentDate } = requireCommissionDates(run);

  const roster = await tx.select({ id: reps.id, name: reps.name, kind: reps.kind }).from(reps);
  const repNames = new Map(roster.map((r) => [r.id, { name: r.name, kind: r.kind }]));
  const houseRepId = roster.find((r) => r.kind === 'house')?.id ?? null;
  const basis: PlanBasis = run.status === 'committed' ? 'committed' : 'proposal';
  const parts =
    basis === 'committed' ? await committedParts(tx, run) : await proposalParts(tx, run, houseRepId);

  const plan = reassignmentPlan(run, endDate, reassignmentDate, parts.items, parts.fromRepIds, repNames);
  return {
    run,
    basis,
    endDate,
    reassignmentDate,
    settings: parts.settings,
    plan,
    inputs: parts.inputs,
    info: parts.info,
    repNames,
    houseRepId,
    fromRepIds: parts.fromRepIds,
    toRepIds: parts.toRepIds,
    skipped: parts.skipped,
    problems: parts.problems,
    warnings: parts.warnings,
  };
}

/** The run's two commission dates; refuses a run missing either, or one rolled back. */
function requireCommissionDates(run: RunRow): { endDate: string; reassignmentDate: string } {
  if (!run.commissionEndDate || !run.reassignmentDate) {
    throw new AppError(
      'UNPROCESSABLE',
      'This run has no commission end date or reassignment date, so no commission can be computed: set both on the run (the reassignment date on or after the end date).',
      {
        details: [
          ...(run.commissionEndDate
            ? []
            : [{ path: 'commissionEndDate', message: 'Required for the commission impact.' }]),
          ...(run.reassignmentDate
            ? []
            : [{ path: 'reassignmentDate', message: 'Required for the commission impact.' }]),
        ],
      },
    );
  }
  if (run.status === 'rolled_back') {
    throw new AppError(
      'CONFLICT',
      'This run was committed and then rolled back: its commission changes were undone, so there is no impact and no adjustment left to show. Start a new run to change the splits again.',
    );
  }
  return { endDate: run.commissionEndDate, reassignmentDate: run.reassignmentDate };
}

/** The plan's items and what goes with them, from either basis. */
interface PlanParts {
  settings: CommissionSettings | null;
  inputs: OpportunityInput[];
  items: PlanItem[];
  info: Map<string, OpportunityInfo>;
  fromRepIds: Set<string>;
  toRepIds: Set<string>;
  skipped: SkippedOpportunity[];
  problems: Refusal[];
  warnings: string[];
}

function emptyParts(): PlanParts {
  return {
    settings: null,
    inputs: [],
    items: [],
    info: new Map(),
    fromRepIds: new Set(),
    toRepIds: new Set(),
    skipped: [],
    problems: [],
    warnings: [],
  };
}

/** After commit: rebuilt from what the commit wrote. */
async function committedParts(tx: Tx, run: RunRow): Promise<PlanParts> {
  const parts = emptyParts();
  const built = await committedPlan(tx, run);
  parts.settings = built.settings;
  parts.inputs = built.inputs;
  parts.items.push(...built.changes);
  parts.problems.push(...built.problems);
  for (const i of built.info) {
    parts.info.set(i.opportunityId, i);
    if (i.fromRepId) parts.fromRepIds.add(i.fromRepId);
  }
  for (const c of built.changes) if (c.action.type !== 'A') parts.toRepIds.add(c.action.newRepId);
  for (const s of built.skipped) parts.skipped.push(s);
  if (built.changes.length === 0 && built.problems.length === 0) {
    parts.warnings.push('The commit of this run changed no commission split.');
  }
  return parts;
}

/** Before commit: planned exactly the way the commit will plan it. */
async function proposalParts(tx: Tx, run: RunRow, houseRepId: string | null): Promise<PlanParts> {
  const parts = emptyParts();
  const planned = await proposedSplits(tx, run, houseRepId);
  parts.settings = planned.settings;
  parts.warnings.push(...planned.warnings);
  for (const p of planned.plan.refusals) {
    parts.problems.push({
      code: p.code as Refusal['code'],
      path: p.opportunityId ? `opportunities.${p.opportunityId}` : `accounts.${p.accountId}`,
      message: p.message,
    });
  }
  for (const k of [...planned.plan.skipped, ...planned.plan.undecided]) parts.skipped.push(k);
  for (const sp of planned.plan.splits) {
    parts.items.push(sp.change);
    parts.inputs.push(sp.input);
    parts.info.set(sp.change.opportunityId, {
      opportunityId: sp.change.opportunityId,
      crmId: sp.ref.crmId,
      name: sp.ref.name,
      accountId: sp.ref.accountId,
      accountName: sp.ref.accountName,
      fromRepId: sp.fromRepId,
      toRepId: sp.toRepId,
    });
    parts.fromRepIds.add(sp.fromRepId);
    // The rep who receives the share: a segment's or a decision's receiver, else the new owner.
    if (sp.receiverRepId) parts.toRepIds.add(sp.receiverRepId);
  }
  if (houseRepId === null && parts.items.length > 0) {
    parts.warnings.push(
      'The org has no House rep in its roster: House’s share is shown as "house", and the commit will refuse until a rep of kind house is imported.',
    );
  }
  return parts;
}

/** One plan for the whole run: the items, the dates, the House gap and the statements that explain them. */
function reassignmentPlan(
  run: RunRow,
  endDate: string,
  reassignmentDate: string,
  items: PlanItem[],
  fromRepIds: Set<string>,
  repNames: Map<string, { name: string; kind: string }>,
): ReassignmentPlan {
  const gap = houseGap(endDate, reassignmentDate);
  const changes = items.filter((i): i is PlannedChange => i.kind === 'change');
  const name = (id: string) => repNames.get(id)?.name ?? id;
  const departing = [...fromRepIds].map(name).sort();
  return {
    departingRepId: [...fromRepIds][0] ?? '',
    level: 'account',
    scope: coreScope(run.scope),
    endDate,
    reassignmentDate,
    firstNewDay: dates.addDays(endDate, 1),
    houseGap: gap,
    reason: run.reason,
    statements: [
      departing.length > 0
        ? `${departing.join(', ')} earn${departing.length === 1 ? 's' : ''} under the current split up to and including ${endDate}.`
        : `Nothing in this run changes a commission split (end date ${endDate}).`,
      gap
        ? `From ${gap.from} to ${gap.to} (${gap.days} day${gap.days === 1 ? '' : 's'}, strictly between the end date and the reassignment date) the departing rep’s share goes to House; the new split starts on ${reassignmentDate}.`
        : `The new split starts on ${dates.addDays(endDate, 1)}.`,
      'Subagent shares never change.',
      'Revenue schedules record no payment date: each period is counted as paid on its last day.',
    ],
    items,
    counts: {
      opportunities: items.length,
      changed: changes.length,
      skipped: 0,
      accountsChanged: new Set(changes.map((c) => c.accountId)).size,
    },
  };
}
