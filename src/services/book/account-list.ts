/**
 * The accounts, one query for every reader: the API's paged list, the book pages (by revenue, with open deals)
 * and the run wizard's scope step (the accounts a departure or a realignment could move, by name).
 */
import { and, asc, count, eq, ilike, inArray, isNull, or, type SQL, sql } from 'drizzle-orm';
import { accounts, opportunities, reps } from '../../../db/schema/index.ts';
import { type ReadContext, readInOrg } from '../auth/read-in-org.ts';
import { contains } from './search.ts';

export interface AccountFilter {
  /** Part of the name or CRM id. */
  q?: string | undefined;
  region?: string | undefined;
  /** A rep's id, or 'none' for accounts without an owner. */
  owner?: string | undefined;
  /** Only the books of these reps (a departure's scope). */
  ownerIn?: string[] | undefined;
  regionIn?: string[] | undefined;
  segmentIn?: string[] | undefined;
  /** crmId: the API; revenue: largest first (the book pages); name: the wizard's scope step. */
  order?: 'crmId' | 'revenue' | 'name' | undefined;
  limit: number;
  offset?: number | undefined;
}

const ORDERS = {
  crmId: () => [asc(accounts.crmId)],
  revenue: () => [sql`${accounts.annualRevenueCents} desc nulls last`, asc(accounts.crmId)],
  name: () => [asc(accounts.name), asc(accounts.id)],
} as const;

function accountWhere(input: AccountFilter): SQL | undefined {
  const where: SQL[] = [];
  if (input.q)
    where.push(or(ilike(accounts.name, contains(input.q)), ilike(accounts.crmId, contains(input.q)))!);
  if (input.region) where.push(eq(accounts.region, input.region));
  if (input.owner === 'none') where.push(isNull(accounts.ownerRepId));
  else if (input.owner) where.push(eq(accounts.ownerRepId, input.owner));
  if (input.ownerIn) where.push(inArray(accounts.ownerRepId, input.ownerIn));
  if (input.regionIn) where.push(inArray(accounts.region, input.regionIn));
  if (input.segmentIn) where.push(inArray(accounts.segment, input.segmentIn));
  return where.length > 0 ? and(...where) : undefined;
}

const openDeals = sql`${opportunities.accountId} = ${accounts.id} and ${opportunities.status} = 'open'`;

export async function listAccounts({ ctx, input }: { ctx: ReadContext; input: AccountFilter }) {
  const filter = accountWhere(input);
  return readInOrg(ctx, async (tx) => {
    const rows = await tx
      .select({
        account: accounts,
        ownerName: reps.name,
        openOpportunities: sql<number>`(select count(*)::int from ${opportunities} where ${openDeals})`,
        nextClose: sql<
          string | null
        >`(select min(${opportunities.closeDate})::text from ${opportunities} where ${openDeals})`,
      })
      .from(accounts)
      .leftJoin(reps, eq(reps.id, accounts.ownerRepId))
      .where(filter)
      .orderBy(...ORDERS[input.order ?? 'crmId']())
      .limit(input.limit)
      .offset(input.offset ?? 0);
    const [total] = await tx
      .select({
        n: count(),
        noRevenue: sql<number>`count(*) filter (where ${isNull(accounts.annualRevenueCents)})::int`,
      })
      .from(accounts)
      .where(filter);
    return {
      rows: rows.map((r) => ({
        ...r.account,
        ownerName: r.ownerName,
        openOpportunities: Number(r.openOpportunities),
        nextClose: r.nextClose,
      })),
      total: Number(total?.n ?? 0),
      /** How many of the matching accounts have no revenue (blank in the CRM export). */
      noRevenue: Number(total?.noRevenue ?? 0),
    };
  });
}

export type AccountRow = Awaited<ReturnType<typeof listAccounts>>['rows'][number];

/** The ids of the matching accounts, at most `limit`, in the filter's order. */
export async function matchingAccountIds({ ctx, input }: { ctx: ReadContext; input: AccountFilter }) {
  const filter = accountWhere(input);
  return readInOrg(ctx, async (tx) => {
    const rows = await tx
      .select({ id: accounts.id })
      .from(accounts)
      .where(filter)
      .orderBy(...ORDERS[input.order ?? 'crmId']())
      .limit(input.limit)
      .offset(input.offset ?? 0);
    return rows.map((r) => r.id);
  });
}
