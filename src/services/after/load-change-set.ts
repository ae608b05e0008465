/**
 * Loads a run's committed change set (change_sets + change_set_items parsed through the zod contract of
 * src/workflow/change-set-items.ts) and turns it into export lines with the names, emails and CRM user ids
 * the CRM files need. Exports, notices and rollback all read the change set through here.
 */

import { and, asc, eq, inArray } from 'drizzle-orm';
import {
  apiKeys,
  changeSetItems,
  changeSets,
  conflicts,
  opportunities,
  reps,
  users,
} from '../../../db/schema/index.ts';
import type { Tx } from '../../db/client.ts';
import type { ExportLine, ExportOwner, ExportSplitParticipant } from '../../exports/formats.ts';
import { AppError } from '../../lib/errors.ts';
import {
  type ChangeItemPayload,
  type OwnerSnapshot,
  parseChangeItem,
} from '../../workflow/change-set-items.ts';
import { parseChangeSetRow } from '../run-records/change-set-body.ts';
import { findRun, lockRun, type RunRow } from '../run-records/run-records.ts';

export type ChangeSetRow = typeof changeSets.$inferSelect;
export type ChangeSetItemRow = typeof changeSetItems.$inferSelect;

export interface LoadedItem {
  row: ChangeSetItemRow;
  payload: ChangeItemPayload;
}

export interface LoadedChangeSet {
  run: RunRow;
  changeSet: ChangeSetRow;
  items: LoadedItem[];
}

/** The change set of a committed (or rolled back) run; CONFLICT naming the status when there is none yet. */
export async function loadChangeSet(
  tx: Tx,
  runId: string,
  options: { lock?: boolean; run?: RunRow } = {},
): Promise<LoadedChangeSet> {
  const run = options.run ?? (options.lock ? await lockRun(tx, runId) : await findRun(tx, runId));
  const [row] = await tx.select().from(changeSets).where(eq(changeSets.runId, runId));
  if (!row) {
    throw new AppError(
      'CONFLICT',
      `Run ${runId} is ${run.status.replaceAll('_', ' ')} and has no committed change set yet; exports, notices and rollback exist only after a commit.`,
      { details: { status: run.status } },
    );
  }
  const items = await tx
    .select()
    .from(changeSetItems)
    .where(eq(changeSetItems.changeSetId, row.id))
    .orderBy(asc(changeSetItems.seq));
  const changeSet = parseChangeSetRow(row);
  return { run, changeSet, items: items.map((item) => ({ row: item, payload: parseChangeItem(item) })) };
}

type RepInfo = { id: string; name: string; email: string | null; crmUserId: string | null; kind: string };

/** Reps by id for every rep an item names (owners and split participants). */
export async function loadRepsOf(tx: Tx, items: readonly LoadedItem[]): Promise<Map<string, RepInfo>> {
  const ids = new Set<string>();
  for (const { row, payload } of items) {
    if (row.fromRepId) ids.add(row.fromRepId);
    if (row.toRepId) ids.add(row.toRepId);
    if (payload.object === 'split') {
      for (const p of [...payload.before.participants, ...payload.after.participants])
        ids.add(p.participantId);
    } else {
      if (payload.before.repId) ids.add(payload.before.repId);
      if (payload.after.repId) ids.add(payload.after.repId);
    }
  }
  const uuids = [...ids].filter((id) => /^[0-9a-f-]{36}$/i.test(id));
  if (uuids.length === 0) return new Map();
  const found = await tx
    .select({ id: reps.id, name: reps.name, email: reps.email, crmUserId: reps.crmUserId, kind: reps.kind })
    .from(reps)
    .where(inArray(reps.id, uuids));
  return new Map(found.map((r) => [r.id, r]));
}

/** The owner as the change set recorded it; House is marked so an export can give it the org's House user. */
function ownerOf(snapshot: OwnerSnapshot, repsById: Map<string, RepInfo>): ExportOwner {
  const isHouse = snapshot.repId !== null && repsById.get(snapshot.repId)?.kind === 'house';
  return {
    crmUserId: snapshot.crmUserId,
    email: snapshot.email,
    name: snapshot.name ?? 'unknown owner',
    ...(isHouse ? { isHouse: true } : {}),
  };
}

function repOwner(repsById: Map<string, RepInfo>, id: string | null): ExportOwner | null {
  if (!id) return null;
  const rep = repsById.get(id);
  return rep
    ? {
        crmUserId: rep.crmUserId,
        email: rep.email,
        name: rep.name,
        ...(rep.kind === 'house' ? { isHouse: true } : {}),
      }
    : { crmUserId: null, email: null, name: `unknown rep ${id}` };
}

/** The export lines of a change set, in change-set order (optionally only some items, e.g. those rolled back). */
export async function exportLinesOf(
  tx: Tx,
  loaded: LoadedChangeSet,
  options: { onlyItemIds?: ReadonlySet<string> } = {},
): Promise<ExportLine[]> {
  const { run, changeSet } = loaded;
  const items = options.onlyItemIds
    ? loaded.items.filter((i) => options.onlyItemIds!.has(i.row.id))
    : loaded.items;
  const repsById = await loadRepsOf(tx, items);
  const oppCrm = await splitOpportunities(tx, items);
  const conflictsOf = await conflictTexts(tx, run.id);
  const approvedBy = await approverLabel(tx, run);
  const body = changeSet.body ?? {};
  const strategy = String(body.strategy ?? run.params.strategy ?? '');
  const fallbackDate =
    run.reassignmentDate ?? (run.committedAt ?? changeSet.createdAt).toISOString().slice(0, 10);

  return items.map(({ row, payload }): ExportLine => {
    const base = {
      batchId: changeSet.id,
      changeId: row.id,
      effectiveDate: row.effectiveDate ?? fallbackDate,
      reason: row.reason ?? run.reason,
      strategy,
      approvedBy,
      approvedAt: run.approvedAt ? run.approvedAt.toISOString() : '',
    };
    if (payload.object === 'split') {
      const oppId = splitOpportunityId({ row, payload });
      const opp = oppCrm.get(oppId);
      const participants = (list: typeof payload.before.participants): ExportSplitParticipant[] =>
        list.map((p) => ({
          owner: repOwner(repsById, p.participantId) ?? {
            crmUserId: null,
            email: null,
            name: p.participantId,
          },
          bps: p.bps,
        }));
      return {
        ...base,
        object: 'opportunity_split',
        recordId: row.crmId ?? opp?.crmId ?? oppId,
        recordName: row.recordName ?? opp?.name ?? oppId,
        oldOwner: repOwner(repsById, row.fromRepId),
        newOwner: repOwner(repsById, row.toRepId) ?? { crmUserId: null, email: null, name: 'split change' },
        conflicts: conflictsOf(oppId),
        splitBefore: participants(payload.before.participants),
        splitAfter: participants(payload.after.participants),
      };
    }
    return {
      ...base,
      object: payload.object,
      recordId: row.crmId ?? row.recordId,
      recordName: row.recordName ?? row.crmId ?? row.recordId,
      oldOwner: payload.before.repId === null ? null : ownerOf(payload.before, repsById),
      newOwner: ownerOf(payload.after, repsById),
      conflicts: conflictsOf(row.recordId),
    };
  });
}

/** The CRM id and name of each split item's opportunity whose crm_id is empty (older writers left it so). */
async function splitOpportunities(
  tx: Tx,
  items: readonly LoadedItem[],
): Promise<Map<string, { crmId: string; name: string }>> {
  // Split items name the opportunity in their edit.
  const oppIds = items
    .filter((i) => i.payload.object === 'split' && !i.row.crmId)
    .map((i) => splitOpportunityId(i));
  const oppCrm = new Map<string, { crmId: string; name: string }>();
  if (oppIds.length > 0) {
    for (const o of await tx
      .select({ id: opportunities.id, crmId: opportunities.crmId, name: opportunities.name })
      .from(opportunities)
      .where(inArray(opportunities.id, oppIds))) {
      oppCrm.set(o.id, { crmId: o.crmId, name: o.name });
    }
  }
  return oppCrm;
}

/** The run's conflicts on a record, in words with their resolution, for an export line. */
async function conflictTexts(tx: Tx, runId: string): Promise<(recordId: string) => string> {
  const conflictRows = await tx
    .select({
      accountId: conflicts.accountId,
      opportunityId: conflicts.opportunityId,
      message: conflicts.message,
      resolution: conflicts.resolution,
    })
    .from(conflicts)
    .where(and(eq(conflicts.runId, runId)));
  return (recordId: string) =>
    conflictRows
      .filter((c) => c.accountId === recordId || c.opportunityId === recordId)
      .map((c) => (c.resolution ? `${c.message} (${c.resolution})` : c.message))
      .join('; ');
}

/** The opportunity a split item changes: its edit names it; the record id is the fallback. */
export function splitOpportunityId(item: LoadedItem): string {
  if (item.payload.object === 'split' && item.payload.after.edit)
    return item.payload.after.edit.opportunityId;
  return item.row.recordId;
}

/** Who approved, as a file names them: a person by email, an API key by its name (`API key "CRM sync"`). */
async function approverLabel(tx: Tx, run: RunRow): Promise<string> {
  if (run.approvedBy) {
    const [approver] = await tx
      .select({ email: users.email })
      .from(users)
      .where(eq(users.id, run.approvedBy));
    return approver?.email ?? run.approvedBy;
  }
  if (run.approvedByApiKeyId) {
    const [key] = await tx
      .select({ name: apiKeys.name })
      .from(apiKeys)
      .where(eq(apiKeys.id, run.approvedByApiKeyId));
    return key ? `API key "${key.name}"` : run.approvedByApiKeyId;
  }
  return '';
}
