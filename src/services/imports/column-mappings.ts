/** Saved column mappings per org: a person completes a mapping once; the same export header finds it again. */
import { sql } from 'drizzle-orm';
import { orgScope } from '../../auth/principal.ts';
import { queryRows } from '../../db/query-rows.ts';
import { withOrg } from '../../db/tenancy.ts';
import {
  type ColumnMapping,
  type ColumnMappingInput,
  headerSignature,
  parseMapping,
} from '../../import/mapping.ts';
import type { OrgContext } from '../auth/context.ts';
import { parseSavedMapping } from './saved-mapping-column.ts';

export interface SavedMapping {
  id: string;
  name: string;
  kind: string;
  headerSignature: string | null;
  mapping: ColumnMapping;
}

export async function saveColumnMapping({
  ctx,
  input,
}: {
  ctx: OrgContext;
  input: { name: string; mapping: ColumnMappingInput; header?: readonly string[] };
}): Promise<SavedMapping> {
  const mapping = parseMapping(input.mapping);
  const signature = input.header ? headerSignature(input.header) : null;
  return withOrg(ctx.db, orgScope(ctx.principal), async (tx) => {
    const [row] = await queryRows<{ id: string }>(
      tx,
      sql`insert into column_mappings (org_id, kind, name, preset, header_signature, mapping, created_by)
          values (${ctx.principal.orgId}::uuid, ${mapping.kind}, ${input.name}, ${mapping.presetId ?? null}, ${signature},
                  ${JSON.stringify(mapping)}::jsonb, ${ctx.principal.userId ?? null})
          on conflict (org_id, kind, name) do update set preset = excluded.preset,
            header_signature = coalesce(excluded.header_signature, column_mappings.header_signature),
            mapping = excluded.mapping, updated_at = now()
          returning id`,
    );
    return { id: row!.id, name: input.name, kind: mapping.kind, headerSignature: signature, mapping };
  });
}

export async function listColumnMappings({ ctx, input }: { ctx: OrgContext; input: { kind?: string } }) {
  return withOrg(ctx.db, orgScope(ctx.principal), async (tx) => {
    const rows = await queryRows<{
      id: string;
      name: string;
      kind: string;
      header_signature: string | null;
      mapping: unknown;
    }>(
      tx,
      input.kind
        ? sql`select id, name, kind, header_signature, mapping from column_mappings where kind = ${input.kind} order by name`
        : sql`select id, name, kind, header_signature, mapping from column_mappings where kind not like 'export:%' order by kind, name`,
    );
    return rows.map(
      (r): SavedMapping => ({
        id: r.id,
        name: r.name,
        kind: r.kind,
        headerSignature: r.header_signature,
        mapping: parseSavedMapping(r.mapping, r.id),
      }),
    );
  });
}
