/**
 * What an import checks against, read inside its transaction: the roster (to match owners), the
 * accounts' and opportunities' CRM ids (to check references and find their rows), the saved mappings.
 */
import { sql } from 'drizzle-orm';
import type { Tx } from '../../db/client.ts';
import { queryRows } from '../../db/query-rows.ts';
import type { ColumnMappingInput } from '../../import/mapping.ts';
import { OwnerDirectory } from '../../import/owner-directory.ts';
import type { OpportunityTerm } from '../../import/records.ts';
import { parseOpportunityCustom } from './opportunity-custom-column.ts';
import { parseSavedMapping } from './saved-mapping-column.ts';

export interface RosterLookup {
  directory: OwnerDirectory;
  /** CRM user id → rep row id. */
  repIdByCrm: Map<string, string>;
  /** Rep row ids of kind house (the company itself). */
  houseRepIds: string[];
}

export async function loadRoster(tx: Tx): Promise<RosterLookup> {
  const rows = await queryRows<{
    id: string;
    crm_user_id: string | null;
    email: string | null;
    name: string;
    kind: string;
  }>(tx, sql`select id, crm_user_id, email, name, kind::text as kind from reps order by created_at, id`);
  const directory = new OwnerDirectory();
  const repIdByCrm = new Map<string, string>();
  for (const r of rows) {
    // Reps created without a CRM user id (e.g. House added by hand) are matched by their row id.
    const crmId = r.crm_user_id ?? r.id;
    directory.add({ crmId, email: r.email, name: r.name });
    repIdByCrm.set(crmId, r.id);
  }
  return { directory, repIdByCrm, houseRepIds: rows.filter((r) => r.kind === 'house').map((r) => r.id) };
}

export async function loadAccountIds(tx: Tx): Promise<Map<string, string>> {
  const rows = await queryRows<{ id: string; crm_id: string }>(tx, sql`select id, crm_id from accounts`);
  return new Map(rows.map((r) => [r.crm_id, r.id]));
}

export interface OpportunityLookup extends OpportunityTerm {
  id: string;
}

export async function loadOpportunities(tx: Tx): Promise<Map<string, OpportunityLookup>> {
  const rows = await queryRows<{
    id: string;
    crm_id: string;
    created_date: string;
    close_date: string | null;
    custom: unknown;
  }>(
    tx,
    sql`select id, crm_id, created_date::text as created_date, close_date::text as close_date, custom
        from opportunities`,
  );
  return new Map(
    rows.map((r) => {
      const custom = parseOpportunityCustom(r.custom, r.id);
      return [
        r.crm_id,
        {
          id: r.id,
          createdDate: r.created_date,
          closeDate: r.close_date,
          startDate: custom.start_date ?? null,
          endDate: custom.end_date ?? null,
        },
      ];
    }),
  );
}

export async function loadSavedMappings(
  tx: Tx,
  kind: string | undefined,
): Promise<{ signature: string; mapping: ColumnMappingInput }[]> {
  const rows = await queryRows<{ id: string; header_signature: string; mapping: unknown }>(
    tx,
    kind
      ? sql`select id, header_signature, mapping from column_mappings where header_signature is not null and kind = ${kind} order by updated_at desc`
      : sql`select id, header_signature, mapping from column_mappings where header_signature is not null and kind not like 'export:%' order by updated_at desc`,
  );
  return rows.map((r) => ({ signature: r.header_signature, mapping: parseSavedMapping(r.mapping, r.id) }));
}
