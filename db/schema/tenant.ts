/** Building blocks every tenant table shares: the org column, the current-org expression and its RLS policy. */
import { type SQL, sql } from 'drizzle-orm';
import { pgPolicy, uuid } from 'drizzle-orm/pg-core';

/**
 * The org of the current transaction, as set by src/db/tenancy.ts with `set_config('app.org_id', $1, true)`.
 * `nullif` because a transaction-local setting reads back as '' (not NULL) after its transaction ended;
 * the sub-select makes Postgres evaluate it once per statement instead of once per row.
 */
export const currentOrgId: SQL = sql`(select nullif(current_setting('app.org_id', true), '')::uuid)`;

/** The signed-in user of the current transaction (`app.user_id`), or NULL. */
export const currentUserId: SQL = sql`(select nullif(current_setting('app.user_id', true), '')::uuid)`;

/** Every tenant table starts with this column; the RLS policy and the boot guard key on its name. */
export const orgId = () => uuid('org_id').notNull();

/** USING and WITH CHECK on the org: rows of another org are neither visible nor writable. */
export function tenantPolicy(table: string) {
  return pgPolicy(`${table}: only rows of the current org`, {
    as: 'permissive',
    for: 'all',
    using: sql`org_id = ${currentOrgId}`,
    withCheck: sql`org_id = ${currentOrgId}`,
  });
}
