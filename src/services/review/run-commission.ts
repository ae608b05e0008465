/**
 * The commission plan of a run as the pure core (src/commission) sees it, read inside the caller's withOrg
 * transaction; shared by the impact preview and the reconciliation.
 *
 * Before commit it is planned exactly the way the commit will plan it (src/services/commit/commit-commission.ts):
 * per moved account of the run, a level-2 cascade with the run's commission strategy (uniform, segmented with a
 * receiving rep per segment, or the manual decisions), scope and dates, House as the org's House rep. After commit it is rebuilt from what the commit wrote (the `split` items of the change set,
 * each carrying its history edit): the history before the run is the current history with the inverse edit applied.
 */

import { and, asc, eq, inArray } from 'drizzle-orm';
import {
  changeSetItems,
  changeSets,
  opportunities,
  reps,
  runAssignments,
  runOpportunityChanges,
  runs,
} from '../../../db/schema/index.ts';
import {
  applyEdits,
  chooseAction,
  dates,
  type HistoryEdit,
  houseGap,
  invertEdit,
  type OpportunityInput,
  type PlanItem,
  type PlannedChange,
  planReassignment,
  type ReassignmentAction,
  type ReassignmentPlan,
  type Refusal,
} from '../../commission/index.ts';
import type { Tx } from '../../db/client.ts';
import { AppError, notFound } from '../../lib/errors.ts';
import { parseChangeItem } from '../../workflow/change-set-items.ts';
import { cascadeExclusion, commissionPolicyOf, coreScope } from '../commission-splits/cascade-rule.ts';
import {
  type CommissionSettings,
  commissionSettings,
  strategyFor,
} from '../commission-splits/commission-settings.ts';
import { type CommissionInput, loadOpportunityInputs } from '../commission-splits/opportunity-inputs.ts';
import { loadRuleset } from '../plan/planning-context.ts';
import type { RunRow } from '../run-records/run-records.ts';

/** Where the plan comes from: the proposal as commit would write it, or what the commit did write. */
export type PlanBasis = 'proposal' | 'committed';

export interface OpportunityInfo {
  opportunityId: string;
  crmId: string;
  name: string;
  accountId: string;
  accountName: string;
  /** The rep whose share changes and the account's new owner (under type A House takes the share, not this rep). */
  fromRepId: string | null;
  toRepId: string | null;
}

export interface SkippedOpportunity {
  opportunityId: string | null;
  accountId: string;
  code: string;
  reason: string;
}

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

const CHUNK = 5000;

function chunks<T>(list: readonly T[]): T[][] {
  const out: T[][] = [];
  for (let i = 0; i < list.length; i += CHUNK) out.push(list.slice(i, i + CHUNK));
  return out;
}

/** Reads the run and plans its commission changes; refuses a run without dates or one rolled back. */
export async function loadRunCommission(tx: Tx, runId: string): Promise<RunCommission> {
  // RLS limits this to the caller's org: another org's run is simply not found.
  const [run] = await tx.select().from(runs).where(eq(runs.id, runId));
  if (!run) throw notFound('The run');
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

  const roster = await tx.select({ id: reps.id, name: reps.name, kind: reps.kind }).from(reps);
  const repNames = new Map(roster.map((r) => [r.id, { name: r.name, kind: r.kind }]));
  const houseRepId = roster.find((r) => r.kind === 'house')?.id ?? null;
  const endDate = run.commissionEndDate;
  const reassignmentDate = run.reassignmentDate;
  const warnings: string[] = [];
  const problems: Refusal[] = [];
  const skipped: SkippedOpportunity[] = [];
  const items: PlanItem[] = [];
  const info = new Map<string, OpportunityInfo>();
  const fromRepIds = new Set<string>();
  const toRepIds = new Set<string>();
  let settings: CommissionSettings | null = null;
  let inputs: OpportunityInput[] = [];
  const basis: PlanBasis = run.status === 'committed' ? 'committed' : 'proposal';

  if (basis === 'committed') {
    const built = await committedPlan(tx, run);
    settings = built.settings;
    inputs = built.inputs;
    items.push(...built.changes);
    problems.push(...built.problems);
    for (const i of built.info) {
      info.set(i.opportunityId, i);
      if (i.fromRepId) fromRepIds.add(i.fromRepId);
    }
    for (const c of built.changes) if (c.action.type !== 'A') toRepIds.add(c.action.newRepId);
    for (const s of built.skipped) skipped.push(s);
    if (built.changes.length === 0 && built.problems.length === 0) {
      warnings.push('The commit of this run changed no commission split.');
    }
  } else {
    settings = run.scope === 'ownership' ? null : commissionSettings(run.params);
    const moved = await tx
      .select({
        accountId: runAssignments.accountId,
        from: runAssignments.fromRepId,
        to: runAssignments.toRepId,
      })
      .from(runAssignments)
      .where(and(eq(runAssignments.runId, run.id), eq(runAssignments.excluded, false)))
      .orderBy(asc(runAssignments.accountId));
    const movedLines = moved.filter((m) => m.to !== m.from && m.from !== null);
    if (settings === null) {
      const proposed = await tx
        .select({ id: runOpportunityChanges.id })
        .from(runOpportunityChanges)
        .where(eq(runOpportunityChanges.runId, run.id))
        .limit(1);
      warnings.push(
        run.scope === 'ownership'
          ? 'The run’s scope is account ownership only: the commit changes no commission split.'
          : 'The run names no commission type (params.commissionType), so the commit changes no commission split.' +
              (proposed.length > 0
                ? ' The review lists opportunity changes with a default type; set the commission type on the run to have the commit write them.'
                : ''),
      );
    } else if (movedLines.length > 0) {
      const loaded = await loadInputs(tx, { accountIds: movedLines.map((m) => m.accountId) }, info);
      inputs = loaded;
      // The stages the run's ruleset protects, as the review and the commit read them (cascade-rule.ts).
      const policy = commissionPolicyOf(await loadRuleset(tx, run.rulesetId), houseRepId);
      const byAccount = new Map<string, CommissionInput[]>();
      for (const o of loaded) {
        const list = byAccount.get(o.accountId) ?? [];
        list.push(o);
        byAccount.set(o.accountId, list);
      }
      for (const line of movedLines) {
        const candidates = byAccount.get(line.accountId) ?? [];
        if (candidates.length === 0) continue;
        if (line.to === null) {
          for (const o of candidates)
            skipped.push({
              opportunityId: o.opportunityId,
              accountId: line.accountId,
              code: 'UNASSIGNED',
              reason: 'The account has no new owner in the proposal yet; resolve the conflict first.',
            });
          continue;
        }
        // As in the commit: only the opportunities the review lists are planned; the others are skipped.
        const accountOpps: OpportunityInput[] = [];
        for (const o of candidates) {
          const excluded = cascadeExclusion(run.scope, o, policy);
          if (excluded)
            skipped.push({ opportunityId: o.opportunityId, accountId: line.accountId, ...excluded });
          else accountOpps.push(o);
        }
        const outcome = planReassignment(
          {
            departingRepId: line.from!,
            target: { level: 'account', accountId: line.accountId },
            scope: coreScope(run.scope),
            strategy: strategyFor(settings, line.to),
            endDate,
            reassignmentDate,
            reason: run.reason,
          },
          accountOpps,
          { policy },
        );
        if (!outcome.ok) {
          // The commit refuses the whole run on this; the preview shows it and goes on.
          problems.push({ ...outcome.refusal, path: `accounts.${line.accountId}.${outcome.refusal.path}` });
          continue;
        }
        for (const item of outcome.value.items) {
          // As in the commit: opportunities the departing rep is not on are not theirs to hand over.
          if (item.kind === 'skip') {
            if (item.code !== 'DEPARTING_NOT_IN_SPLIT')
              skipped.push({
                opportunityId: item.opportunityId,
                accountId: item.accountId,
                code: item.code,
                reason: item.reason,
              });
            continue;
          }
          items.push(item);
          const i = info.get(item.opportunityId);
          if (i) {
            i.fromRepId = line.from;
            i.toRepId = line.to;
          }
          fromRepIds.add(line.from!);
          // The rep who receives the share: a segment's or a decision's receiver, else the new owner.
          if (item.action.type !== 'A') toRepIds.add(item.action.newRepId);
        }
      }
      const planned = new Set(items.map((i) => i.opportunityId));
      inputs = inputs.filter((o) => planned.has(o.opportunityId));
    }
    if (houseRepId === null && items.length > 0) {
      warnings.push(
        'The org has no House rep in its roster: House’s share is shown as "house", and the commit will refuse until a rep of kind house is imported.',
      );
    }
  }

  const gap = houseGap(endDate, reassignmentDate);
  const changes = items.filter((i): i is PlannedChange => i.kind === 'change');
  const name = (id: string) => repNames.get(id)?.name ?? id;
  const departing = [...fromRepIds].map(name).sort();
  const plan: ReassignmentPlan = {
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
  return {
    run,
    basis,
    endDate,
    reassignmentDate,
    settings,
    plan,
    inputs,
    info,
    repNames,
    houseRepId,
    fromRepIds,
    toRepIds,
    skipped,
    problems,
    warnings,
  };
}

/** The core's inputs for accounts or opportunity ids (read, not locked), each opportunity named in `info`. */
async function loadInputs(
  tx: Tx,
  where: { accountIds?: string[]; opportunityIds?: string[] },
  info: Map<string, OpportunityInfo>,
): Promise<CommissionInput[]> {
  const { inputs, refs } = where.accountIds
    ? await loadOpportunityInputs(tx, 'account', where.accountIds, { lockSplits: false })
    : await loadOpportunityInputs(tx, 'opportunity', where.opportunityIds ?? [], { lockSplits: false });
  for (const o of refs.values()) {
    info.set(o.id, {
      opportunityId: o.id,
      crmId: o.crmId,
      name: o.name,
      accountId: o.accountId,
      accountName: o.accountName,
      fromRepId: null,
      toRepId: null,
    });
  }
  return inputs;
}

/** What a committed run wrote: each split item's edit, against the history as it was before (inverse applied). */
async function committedPlan(tx: Tx, run: RunRow) {
  const [set] = await tx.select().from(changeSets).where(eq(changeSets.runId, run.id));
  if (!set) throw new AppError('INTERNAL', `Run ${run.id} is committed but has no change set.`);
  const stored = (set.body as { commission?: CommissionSettings | null }).commission ?? null;
  const splitItems = await tx
    .select()
    .from(changeSetItems)
    .where(and(eq(changeSetItems.changeSetId, set.id), eq(changeSetItems.object, 'split')))
    .orderBy(asc(changeSetItems.seq));
  const infoMap = new Map<string, OpportunityInfo>();
  const current = await loadInputs(tx, { opportunityIds: splitItems.map((i) => i.recordId) }, infoMap);
  const byId = new Map(current.map((o) => [o.opportunityId, o]));
  const changes: PlannedChange[] = [];
  const inputs: OpportunityInput[] = [];
  const problems: Refusal[] = [];
  const skipped: SkippedOpportunity[] = [];
  const info: OpportunityInfo[] = [];
  for (const item of splitItems) {
    const payload = parseChangeItem(item);
    const opportunity = byId.get(item.recordId);
    if (payload.object !== 'split' || !payload.after.edit || !opportunity) {
      problems.push({
        code: 'OPPORTUNITY_NOT_FOUND',
        path: `changeSetItems.${item.seq}`,
        message: `The committed split change of opportunity ${item.recordId} cannot be read back (the opportunity or its recorded edit is missing).`,
      });
      continue;
    }
    const edit = payload.after.edit as HistoryEdit;
    const before = applyEdits(opportunity.splitRows, [invertEdit(edit)]);
    if (!before.ok) {
      // A later change of this split (another run) sits on top of this one: the history before is not recoverable.
      skipped.push({
        opportunityId: item.recordId,
        accountId: opportunity.accountId,
        code: 'HISTORY_STALE',
        reason: `The split of this opportunity changed again after the commit, so this run’s part cannot be isolated: ${before.refusal.message}`,
      });
      continue;
    }
    const gapRows = edit.rowsToAdd.filter((r) => r.effectiveTo !== null);
    const toRepId = item.toRepId ?? null;
    // The action the commit chose for this opportunity: its decision (manual), its segment's (first match, with
    // the segment's receiving rep) or the run's type — from the settings the change set recorded.
    const chosen =
      toRepId === null ? null : chooseAction(strategyFor(stored ?? { type: 'B' }, toRepId), opportunity);
    const action: ReassignmentAction = chosen?.action ?? { type: 'A' };
    changes.push({
      kind: 'change',
      opportunityId: item.recordId,
      accountId: opportunity.accountId,
      segment: chosen?.segment ?? null,
      action,
      before: { participants: payload.before.participants },
      after: { participants: payload.after.participants },
      gap:
        gapRows.length > 0
          ? {
              participants: gapRows.map((r) => ({
                participantId: r.participantId,
                role: r.role,
                bps: r.bps,
              })),
            }
          : null,
      edit,
      notes: [],
    });
    inputs.push({ ...opportunity, splitRows: before.value });
    const i = infoMap.get(item.recordId)!;
    info.push({ ...i, fromRepId: item.fromRepId, toRepId });
  }
  // Opportunities the commit skipped (protected stage, reconciled period...) are kept in the change set body.
  const storedSkips =
    (set.body as { commissionSkipped?: { opportunityId: string; code: string; reason: string }[] })
      .commissionSkipped ?? [];
  if (storedSkips.length > 0) {
    const owners = new Map<string, string>();
    for (const chunk of chunks(storedSkips.map((k) => k.opportunityId))) {
      const rows = await tx
        .select({ id: opportunities.id, accountId: opportunities.accountId })
        .from(opportunities)
        .where(inArray(opportunities.id, chunk));
      for (const o of rows) owners.set(o.id, o.accountId);
    }
    for (const k of storedSkips) {
      skipped.push({ ...k, accountId: owners.get(k.opportunityId) ?? '' });
    }
  }
  return { settings: stored, changes, inputs, problems, skipped, info };
}
