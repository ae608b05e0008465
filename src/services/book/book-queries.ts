/**
 * Read-only queries of the org's book for other systems: the roster (reps) and the accounts, filtered and paged.
 * What a client needs to name the reps and accounts of a run it creates through the API.
 */
import { and, asc, count, eq, ilike, isNull, or, type SQL } from 'drizzle-orm';
import { accounts, reps } from '../../../db/schema/index.ts';
import type { Principal } from '../../auth/principal.ts';
import { orgScope } from '../../auth/principal.ts';
import type { Database } from '../../db/client.ts';
import { withOrg } from '../../db/tenancy.ts';

export interface BookContext {
  db: Database;
  principal: Principal;
}

export interface Page {
  limit: number;
  offset: number;
}

export interface RepFilter extends Page {
  q?: string | undefined;
  region?: string | undefined;
  active?: boolean | undefined;
}

export interface AccountFilter extends Page {
  q?: string | undefined;
  region?: string | undefined;
  /** A rep's id, or 'none' for accounts without an owner. */
  owner?: string | undefined;
}

/** `%` and `_` in a search are literal text, not patterns. */
const contains = (text: string) => `%${text.replace(/[\\%_]/g, (m) => `\\${m}`)}%`;

export async function listReps({ ctx, input }: { ctx: BookContext; input: RepFilter }) {
  const where: SQL[] = [];
  if (input.q) where.push(or(ilike(reps.name, contains(input.q)), ilike(reps.email, contains(input.q)))!);
  if (input.region) where.push(eq(reps.region, input.region));
  if (input.active !== undefined) where.push(eq(reps.active, input.active));
  const filter = where.length > 0 ? and(...where) : undefined;
  return withOrg(ctx.db, orgScope(ctx.principal), async (tx) => {
    const rows = await tx
      .select()
      .from(reps)
      .where(filter)
      .orderBy(asc(reps.name), asc(reps.id))
      .limit(input.limit)
      .offset(input.offset);
    const [total] = await tx.select({ n: count() }).from(reps).where(filter);
    return { rows, total: Number(total?.n ?? 0) };
  });
}

export async function listAccounts({ ctx, input }: { ctx: BookContext; input: AccountFilter }) {
  const where: SQL[] = [];
  if (input.q)
    where.push(or(ilike(accounts.name, contains(input.q)), ilike(accounts.crmId, contains(input.q)))!);
  if (input.region) where.push(eq(accounts.region, input.region));
  if (input.owner === 'none') where.push(isNull(accounts.ownerRepId));
  else if (input.owner) where.push(eq(accounts.ownerRepId, input.owner));
  const filter = where.length > 0 ? and(...where) : undefined;
  return withOrg(ctx.db, orgScope(ctx.principal), async (tx) => {
    const rows = await tx
      .select()
      .from(accounts)
      .where(filter)
      .orderBy(asc(accounts.crmId))
      .limit(input.limit)
      .offset(input.offset);
    const [total] = await tx.select({ n: count() }).from(accounts).where(filter);
    return { rows, total: Number(total?.n ?? 0) };
  });
}
