/**
 * Typed wrappers of the SECURITY DEFINER lookups an operator needs before an org is set (migration 0009):
 * the admin CLI finds an org by its slug, and the first-run page asks whether any org exists. Call them inside
 * withoutOrg(db, {}, (tx) => ...).
 */
import { sql } from 'drizzle-orm';
import type { Tx } from './client.ts';
import { queryRows } from './query-rows.ts';

export type OrgBySlug = {
  id: string;
  name: string;
  slug: string;
};

export async function findOrgBySlug(tx: Tx, slug: string): Promise<OrgBySlug | null> {
  const rows = await queryRows<OrgBySlug>(tx, sql`select id, name, slug from operator_org_by_slug(${slug})`);
  return rows[0] ?? null;
}

export async function countOrgs(tx: Tx): Promise<number> {
  const rows = await queryRows<{ n: string | number }>(tx, sql`select operator_org_count() as n`);
  return Number(rows[0]?.n ?? 0);
}
