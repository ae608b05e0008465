/**
 * What a committed run wrote, read back for the impact and the reconciliation: each split item of the change set
 * with its history edit, against the history as it was before (the inverse edit applied).
 */
import { and, asc, eq, inArray } from 'drizzle-orm';
import { changeSetItems, changeSets, opportunities } from '../../../db/schema/index.ts';
import {
  applyEdits,
  chooseAction,
  type HistoryEdit,
  invertEdit,
  type OpportunityInput,
  type PlannedChange,
  type ReassignmentAction,
  type Refusal,
} from '../../commission/index.ts';
import type { Tx } from '../../db/client.ts';
import { AppError } from '../../lib/errors.ts';
import { type ChangeItemPayload, parseChangeItem } from '../../workflow/change-set-items.ts';
import { type CommissionSettings, strategyFor } from '../commission-splits/commission-settings.ts';
import { type CommissionInput, loadOpportunityInputs } from '../commission-splits/opportunity-inputs.ts';
import { parseChangeSetRow } from '../run-records/change-set-body.ts';
import type { RunRow } from '../run-records/run-records.ts';

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

const CHUNK = 5000;

function chunks<T>(list: readonly T[]): T[][] {
  const out: T[][] = [];
  for (let i = 0; i < list.length; i += CHUNK) out.push(list.slice(i, i + CHUNK));
  return out;
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
export async function committedPlan(tx: Tx, run: RunRow) {
  const [row] = await tx.select().from(changeSets).where(eq(changeSets.runId, run.id));
  if (!row) throw new AppError('INTERNAL', `Run ${run.id} is committed but has no change set.`);
  const set = parseChangeSetRow(row);
  const stored: CommissionSettings | null = set.body.commission ?? null;
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
    const toRepId = item.toRepId ?? null;
    changes.push(plannedChange(item.recordId, toRepId, opportunity, payload, edit, stored));
    inputs.push({ ...opportunity, splitRows: before.value });
    const i = infoMap.get(item.recordId)!;
    info.push({ ...i, fromRepId: item.fromRepId, toRepId });
  }
  // Opportunities the commit skipped (protected stage, reconciled period...) are kept in the change set body.
  for (const k of await skippedByCommit(tx, set.body.commissionSkipped ?? [])) skipped.push(k);
  return { settings: stored, changes, inputs, problems, skipped, info };
}

/** The change the commit made to one opportunity's split, as the core plans it. */
function plannedChange(
  recordId: string,
  toRepId: string | null,
  opportunity: CommissionInput,
  payload: Extract<ChangeItemPayload, { object: 'split' }>,
  edit: HistoryEdit,
  stored: CommissionSettings | null,
): PlannedChange {
  const gapRows = edit.rowsToAdd.filter((r) => r.effectiveTo !== null);
  // The action the commit chose for this opportunity: its decision (manual), its segment's (first match, with
  // the segment's receiving rep) or the run's type — from the settings the change set recorded.
  const chosen =
    toRepId === null ? null : chooseAction(strategyFor(stored ?? { type: 'B' }, toRepId), opportunity);
  const action: ReassignmentAction = chosen?.action ?? { type: 'A' };
  return {
    kind: 'change',
    opportunityId: recordId,
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
  };
}

/** The opportunities the commit skipped, with their accounts (read in chunks). */
async function skippedByCommit(
  tx: Tx,
  storedSkips: readonly { opportunityId: string; code: string; reason: string }[],
): Promise<SkippedOpportunity[]> {
  const skipped: SkippedOpportunity[] = [];
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
  return skipped;
}
