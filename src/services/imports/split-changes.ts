/** The split changes of an import: inline on opportunity rows, or a file of splits; House's share goes to the one House rep. */
import { sql } from 'drizzle-orm';
import type { Tx } from '../../db/client.ts';
import { queryRows } from '../../db/query-rows.ts';
import type { OpportunityRecord, SplitRecord } from '../../import/records.ts';
import type { RowError } from '../../import/types.ts';
import type { OpportunityLookup, RosterLookup } from './book-lookups.ts';
import type { SplitChange } from './write-splits.ts';

/** What the split changes need of the import's context. */
type SplitContext = {
  orgId: string;
  roster: RosterLookup;
  opportunities: Map<string, OpportunityLookup>;
  today: string;
};

/** The House share is paid to the org's one House rep; without exactly one, a split naming House cannot be stored. */
function houseRep(roster: RosterLookup, row: number, column: string, errors: RowError[]): string | null {
  if (roster.houseRepIds.length === 1) return roster.houseRepIds[0]!;
  errors.push({
    row,
    column,
    field: 'split_house_pct',
    value: '',
    reason:
      roster.houseRepIds.length === 0
        ? 'the split gives House a share, but the roster has no House rep'
        : `the split gives House a share, but the roster has ${roster.houseRepIds.length} House reps`,
    hint: 'Keep exactly one rep with rep_type house in the roster, then import again.',
  });
  return null;
}

export async function inlineSplitChanges(
  tx: Tx,
  w: SplitContext,
  opps: OpportunityRecord[],
  column: string,
  errors: RowError[],
): Promise<SplitChange[]> {
  if (opps.length === 0) return [];
  const rows = await queryRows<{ id: string; crm_id: string }>(
    tx,
    sql`select o.id, o.crm_id from opportunities o
        join jsonb_array_elements_text(${JSON.stringify(opps.map((o) => o.crmId))}::jsonb) as x(crm_id) on o.crm_id = x.crm_id
        where o.org_id = ${w.orgId}::uuid`,
  );
  const idByCrm = new Map(rows.map((r) => [r.crm_id, r.id]));
  const changes: SplitChange[] = [];
  for (const o of opps) {
    const shares: SplitChange['shares'] = [];
    let ok = true;
    for (const s of o.split ?? []) {
      const repId =
        s.participant === 'house'
          ? houseRep(w.roster, o.row, column, errors)
          : (w.roster.repIdByCrm.get(s.repCrmId!) ?? null);
      if (repId === null) ok = false;
      else shares.push({ role: s.participant, repId, bps: s.pctBps });
    }
    if (ok) {
      changes.push({
        rows: [o.row],
        column,
        opportunityId: idByCrm.get(o.crmId)!,
        opportunityCrmId: o.crmId,
        createdDate: o.createdDate,
        effectiveDate: null,
        shares,
      });
    }
  }
  return changes;
}

/** Groups a split file by opportunity and effective date; an opportunity's dates go in successive rounds, oldest first. */
export function splitFileChanges(
  records: SplitRecord[],
  w: SplitContext,
  column: string,
  errors: RowError[],
): SplitChange[][] {
  const groups = new Map<string, SplitChange>();
  for (const r of records) {
    const key = `${r.opportunityCrmId}\u0000${r.effectiveDate ?? ''}`;
    const opp = w.opportunities.get(r.opportunityCrmId)!;
    const group: SplitChange = groups.get(key) ?? {
      rows: [],
      column,
      opportunityId: opp.id,
      opportunityCrmId: r.opportunityCrmId,
      createdDate: opp.createdDate ?? w.today,
      effectiveDate: r.effectiveDate,
      shares: [],
    };
    group.rows.push(r.row);
    const repId =
      r.participant === 'house'
        ? houseRep(w.roster, r.row, column, errors)
        : (w.roster.repIdByCrm.get(r.repCrmId!) ?? null);
    if (repId !== null) group.shares.push({ role: r.participant, repId, bps: r.pctBps });
    groups.set(key, group);
  }
  const failed = new Set(errors.map((e) => e.row));
  const byOpportunity = new Map<string, SplitChange[]>();
  for (const g of groups.values()) {
    if (g.rows.some((row) => failed.has(row))) continue;
    byOpportunity.set(g.opportunityId, [...(byOpportunity.get(g.opportunityId) ?? []), g]);
  }
  const rounds: SplitChange[][] = [];
  for (const list of byOpportunity.values()) {
    list.sort((a, b) => (a.effectiveDate ?? '').localeCompare(b.effectiveDate ?? ''));
    list.forEach((g, i) => {
      rounds[i] = [...(rounds[i] ?? []), g];
    });
  }
  return rounds;
}
