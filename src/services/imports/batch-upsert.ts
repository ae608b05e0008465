/**
 * Batched upsert of many rows in one statement: the rows travel as one JSON parameter, unpacked with
 * jsonb_to_recordset, inserted with ON CONFLICT on the CRM key, and updated only when a value differs
 * (so re-importing the same file writes nothing). `xmax = 0` tells inserted rows from updated ones.
 * Only columns the file actually carries are updated, so a narrower export never wipes other fields.
 */
import { type SQL, sql } from 'drizzle-orm';
import type { Tx } from '../../db/client.ts';
import { queryRows } from '../../db/query-rows.ts';

export interface ColumnSpec {
  /** Column name (a constant of this codebase, never input). */
  name: string;
  /** SQL type the value is cast to (an enum type name works too). */
  type: string;
  /** Update this column on conflict (false: the file does not carry it, keep what is stored). */
  update: boolean;
  /** SQL literal used on insert when the value is null (for NOT NULL columns with a default). */
  insertDefault?: string;
  /**
   * For a jsonb column: merge instead of replace. On update the stored object keeps every key except
   * these (the keys the file carries, blank cells included), then takes the new object's keys. Keys are
   * data (a file's headers): they travel as a bound parameter.
   */
  mergeKeys?: readonly string[];
}

export interface UpsertSpec {
  table: string;
  /** Conflict target columns besides nothing: e.g. ['org_id', 'crm_id']. */
  conflict: string[];
  /** SQL expression over the table's columns that identifies a row in the result (e.g. crm_id); a constant. */
  keyColumn: string;
  columns: ColumnSpec[];
  /** Extra assignments on update, e.g. `updated_at = now()`. */
  onUpdate: string[];
  /** Columns of the rows that are not written to the table but read by `also`. */
  extraInputColumns?: { name: string; type: string }[];
  /** A further data-modifying statement over `input` (the rows) and `up` (key, id of changed rows). */
  also?: SQL;
}

export interface UpsertResult {
  inserted: Set<string>;
  updated: Set<string>;
}

const IDENT = /^[a-z_][a-z0-9_]*$/;
/** The transaction's org (set by withOrg), so no value is spliced into the SQL text. */
const CURRENT_ORG = `(select nullif(current_setting('app.org_id', true), '')::uuid)`;

export async function batchUpsert(
  tx: Tx,
  spec: UpsertSpec,
  orgId: string,
  rows: readonly Record<string, unknown>[],
): Promise<UpsertResult> {
  const result: UpsertResult = { inserted: new Set(), updated: new Set() };
  if (rows.length === 0) return result;
  checkIdentifiers(spec);
  // Identifiers and types below are constants of this module's callers, not request data.
  const inputColumns = [...spec.columns, ...(spec.extraInputColumns ?? [])];
  const recordType = inputColumns.map((c) => `${c.name} ${isBuiltin(c.type) ? c.type : 'text'}`).join(', ');
  const selectList = spec.columns.map(inputValue).join(', ');
  // One statement per batch: the JSON is unpacked once (`input`), upserted (`up`), and optional further
  // writes (`also`, e.g. the import snapshot) read `input` and `up` in the same statement.
  const query: SQL = sql`with input as (
      select * from jsonb_to_recordset(${JSON.stringify(rows)}::jsonb) as r(${sql.raw(recordType)})
    ), up as (
      insert into ${sql.raw(spec.table)} as t (org_id, ${sql.raw(spec.columns.map((c) => c.name).join(', '))})
      select ${orgId}::uuid, ${sql.raw(selectList)} from input r ${unchangedFilter(spec)}
      on conflict (${sql.raw(spec.conflict.join(', '))}) ${onConflict(spec)}
      returning (xmax = 0) as inserted, (${sql.raw(spec.keyColumn)})::text as key, id
    )${spec.also ? sql`, also as (${spec.also})` : sql``}
    select inserted, key from up`;
  for (const row of await queryRows<{ inserted: boolean; key: string }>(tx, query)) {
    (row.inserted ? result.inserted : result.updated).add(row.key);
  }
  return result;
}

/** Every name spliced into the statement is a plain identifier. */
function checkIdentifiers(spec: UpsertSpec): void {
  for (const name of [
    spec.table,
    ...spec.conflict,
    ...spec.columns.map((c) => c.name),
    ...(spec.extraInputColumns ?? []).map((c) => c.name),
  ]) {
    if (!IDENT.test(name)) throw new Error(`batchUpsert: bad identifier ${name}`);
  }
}

/** A column's value from the input row, cast to its type, with its insert default when null. */
const inputValue = (c: ColumnSpec) =>
  c.insertDefault ? `coalesce(r.${c.name}::${c.type}, ${c.insertDefault})` : `r.${c.name}::${c.type}`;

/** The value a column takes: `value`, or for a merged jsonb column the stored object (of `table`) merged with it. */
const newValue = (c: ColumnSpec, table: string, value: string): SQL =>
  c.mergeKeys
    ? sql`((${sql.raw(`${table}.${c.name}`)} - array(select jsonb_array_elements_text(${JSON.stringify(c.mergeKeys)}::jsonb))) || ${sql.raw(value)})`
    : sql.raw(value);

/** On conflict: update the columns the file carries (and `onUpdate`), only when a value differs. */
function onConflict(spec: UpsertSpec): SQL {
  const updated = spec.columns.filter((c) => c.update);
  if (updated.length === 0) return sql`do nothing`;
  const assignments = sql.join(
    [
      ...updated.map((c) => sql`${sql.raw(c.name)} = ${newValue(c, 't', `excluded.${c.name}`)}`),
      ...spec.onUpdate.map((a) => sql.raw(a)),
    ],
    sql`, `,
  );
  const compareOld = updated.map((c) => `t.${c.name}`).join(', ');
  const compareNew = sql.join(
    updated.map((c) => newValue(c, 't', `excluded.${c.name}`)),
    sql`, `,
  );
  return sql`do update set ${assignments} where (${sql.raw(compareOld)}, null) is distinct from (${compareNew}, null)`;
}

/**
 * Rows whose stored twin already holds the same values skip the insert entirely: ON CONFLICT would still lock (and
 * so write) each of them, which is most of the cost of re-importing a file.
 */
function unchangedFilter(spec: UpsertSpec): SQL {
  const updated = spec.columns.filter((c) => c.update);
  const conflictMatch = spec.conflict
    .filter((c) => c !== 'org_id')
    .map(
      (c) =>
        `s.${c} = r.${c}${spec.columns.find((x) => x.name === c) ? `::${spec.columns.find((x) => x.name === c)!.type}` : ''}`,
    );
  if (updated.length === 0 || conflictMatch.length === 0) return sql``;
  const sameValues = updated.map(
    (c) => sql`s.${sql.raw(c.name)} is not distinct from ${newValue(c, 's', inputValue(c))}`,
  );
  const sameOrg = spec.conflict.includes('org_id') ? `s.org_id = ${CURRENT_ORG} and ` : '';
  return sql`where not exists (select 1 from ${sql.raw(spec.table)} s where ${sql.raw(sameOrg)}${sql.join(
    [...conflictMatch.map((m) => sql.raw(m)), ...sameValues],
    sql` and `,
  )})`;
}

function isBuiltin(type: string): boolean {
  return ['text', 'uuid', 'bigint', 'integer', 'boolean', 'date', 'jsonb'].includes(type);
}
