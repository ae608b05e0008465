/**
 * Commission splits from an import, written as effective-dated history: when an opportunity's split in
 * force differs from the file, its rows are closed (effective_to, the only edit the table allows) and new
 * rows start the next day. A split equal to the one in force writes nothing.
 */
import { sql } from 'drizzle-orm';
import type { Tx } from '../../db/client.ts';
import { queryRows } from '../../db/query-rows.ts';
import type { Participant } from '../../import/records.ts';
import type { RowError } from '../../import/types.ts';

export interface SplitChange {
  /** Rows of the file this split came from (for errors). */
  rows: number[];
  column: string;
  opportunityId: string;
  opportunityCrmId: string;
  createdDate: string;
  /** Stated in the file; else the opportunity's creation for a first split, and the import date for a change. */
  effectiveDate: string | null;
  shares: { role: Participant; repId: string; bps: number }[];
}

export interface SplitOutcome {
  inserted: Set<string>;
  updated: Set<string>;
  errors: RowError[];
}

const dayBefore = (iso: string) =>
  new Date(Date.parse(`${iso}T00:00:00Z`) - 86_400_000).toISOString().slice(0, 10);
const signature = (shares: { role: string; repId: string; bps: number }[]) =>
  shares
    .filter((s) => s.bps > 0)
    .map((s) => `${s.role}:${s.repId}:${s.bps}`)
    .sort()
    .join('|');

export async function writeSplits(
  tx: Tx,
  orgId: string,
  changes: readonly SplitChange[],
  today: string,
): Promise<SplitOutcome> {
  const outcome: SplitOutcome = { inserted: new Set(), updated: new Set(), errors: [] };
  if (changes.length === 0) return outcome;
  const inForce = await splitsInForce(tx, orgId, [...new Set(changes.map((c) => c.opportunityId))]);
  const writes: SplitWrites = { closes: [], inserts: [] };
  for (const change of changes) planChange(change, inForce, today, outcome, writes);
  await storeSplitWrites(tx, orgId, writes);
  return outcome;
}

/** A split row in force (no effective_to). */
type OpenSplit = {
  id: string;
  opportunity_id: string;
  role: string;
  rep_id: string;
  bps: number;
  effective_from: string;
};

/** What the import writes: rows in force that end, and the new rows. */
interface SplitWrites {
  closes: { id: string; effective_to: string }[];
  inserts: { opportunity_id: string; rep_id: string; role: string; bps: number; effective_from: string }[];
}

/** The split rows in force of these opportunities, by opportunity. */
async function splitsInForce(tx: Tx, orgId: string, ids: string[]): Promise<Map<string, OpenSplit[]>> {
  const current = await queryRows<OpenSplit>(
    tx,
    sql`select s.id, s.opportunity_id, s.role::text as role, s.rep_id, s.bps, s.effective_from::text as effective_from
        from commission_splits s
        join jsonb_array_elements_text(${JSON.stringify(ids)}::jsonb) as x(id) on s.opportunity_id = x.id::uuid
        where s.org_id = ${orgId}::uuid and s.effective_to is null`,
  );
  const inForce = new Map<string, OpenSplit[]>();
  for (const row of current)
    inForce.set(row.opportunity_id, [...(inForce.get(row.opportunity_id) ?? []), row]);
  return inForce;
}

/**
 * One opportunity's split from the file: nothing when it equals the split in force; else the split in force ends the
 * day before the new one starts, which must be after the split in force started (history is not rewritten).
 */
function planChange(
  change: SplitChange,
  inForce: Map<string, OpenSplit[]>,
  today: string,
  outcome: SplitOutcome,
  writes: SplitWrites,
): void {
  const open = inForce.get(change.opportunityId) ?? [];
  if (
    open.length > 0 &&
    signature(open.map((o) => ({ role: o.role, repId: o.rep_id, bps: o.bps }))) === signature(change.shares)
  ) {
    return;
  }
  const from = change.effectiveDate ?? (open.length === 0 ? change.createdDate : today);
  const latest =
    open
      .map((o) => o.effective_from)
      .sort()
      .at(-1) ?? '';
  if (open.length > 0 && latest >= from) {
    outcome.errors.push(...historyErrors(change, latest, from));
    return;
  }
  for (const o of open) writes.closes.push({ id: o.id, effective_to: dayBefore(from) });
  for (const s of change.shares) {
    if (s.bps > 0)
      writes.inserts.push({
        opportunity_id: change.opportunityId,
        rep_id: s.repId,
        role: s.role,
        bps: s.bps,
        effective_from: from,
      });
  }
  (open.length === 0 ? outcome.inserted : outcome.updated).add(change.opportunityCrmId);
  inForce.set(change.opportunityId, []);
}

/** Each row of a change that would start before the split in force did. */
function historyErrors(change: SplitChange, latest: string, from: string): RowError[] {
  return change.rows.map((row) => ({
    row,
    column: change.column,
    field: 'effective_date',
    value: change.effectiveDate ?? '',
    reason: `the split of opportunity "${change.opportunityCrmId}" in force since ${latest} differs, and history cannot be rewritten from ${from}`,
    hint: `Give an effective_date after ${latest} for the new split.`,
  }));
}

async function storeSplitWrites(tx: Tx, orgId: string, { closes, inserts }: SplitWrites): Promise<void> {
  if (closes.length > 0) {
    await tx.execute(sql`update commission_splits s set effective_to = x.effective_to
      from jsonb_to_recordset(${JSON.stringify(closes)}::jsonb) as x(id uuid, effective_to date)
      where s.id = x.id and s.org_id = ${orgId}::uuid`);
  }
  if (inserts.length > 0) {
    await tx.execute(sql`insert into commission_splits (org_id, opportunity_id, rep_id, role, bps, effective_from)
      select ${orgId}::uuid, x.opportunity_id, x.rep_id, x.role::split_role, x.bps, x.effective_from
      from jsonb_to_recordset(${JSON.stringify(inserts)}::jsonb)
        as x(opportunity_id uuid, rep_id uuid, role text, bps integer, effective_from date)`);
  }
}
