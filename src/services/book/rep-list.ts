/**
 * The roster, one query for every reader: the API's paged list, the reps page and the run pages' rep choices.
 * Each rep comes with the size of their book (accounts and revenue they own), which the caps are checked against.
 */
import { and, asc, count, eq, ilike, or, type SQL, sql } from 'drizzle-orm';
import { accounts, reps } from '../../../db/schema/index.ts';
import { type ReadContext, readInOrg } from '../auth/read-in-org.ts';
import { contains } from './search.ts';

export interface RepFilter {
  q?: string | undefined;
  region?: string | undefined;
  active?: boolean | undefined;
  /** name: by name (the API); region: by region, then name (the reps page); kind: people first, then House and subagents (choices). */
  order?: 'name' | 'region' | 'kind' | undefined;
  /** No limit: every rep. */
  limit?: number | undefined;
  offset?: number | undefined;
}

const ORDERS = {
  name: () => [asc(reps.name), asc(reps.id)],
  region: () => [sql`${reps.region} asc nulls first`, asc(reps.name)],
  kind: () => [asc(reps.kind), asc(reps.name), asc(reps.id)],
} as const;

function repWhere(input: RepFilter): SQL | undefined {
  const where: SQL[] = [];
  if (input.q) where.push(or(ilike(reps.name, contains(input.q)), ilike(reps.email, contains(input.q)))!);
  if (input.region) where.push(eq(reps.region, input.region));
  if (input.active !== undefined) where.push(eq(reps.active, input.active));
  return where.length > 0 ? and(...where) : undefined;
}

export async function listReps({ ctx, input }: { ctx: ReadContext; input: RepFilter }) {
  const filter = repWhere(input);
  return readInOrg(ctx, async (tx) => {
    // How much each rep owns, in one pass over the accounts.
    const load = tx.$with('load').as(
      tx
        .select({
          ownerRepId: accounts.ownerRepId,
          n: sql<number>`count(*)::int`.as('n'),
          revenue: sql<string>`coalesce(sum(${accounts.annualRevenueCents}), 0)`.as('revenue'),
        })
        .from(accounts)
        .groupBy(accounts.ownerRepId),
    );
    let query = tx
      .with(load)
      .select({ rep: reps, accounts: load.n, revenue: load.revenue })
      .from(reps)
      .leftJoin(load, eq(load.ownerRepId, reps.id))
      .where(filter)
      .orderBy(...ORDERS[input.order ?? 'name']())
      .$dynamic();
    if (input.limit !== undefined) query = query.limit(input.limit);
    if (input.offset) query = query.offset(input.offset);
    const rows = await query;
    const [total] = await tx.select({ n: count() }).from(reps).where(filter);
    return {
      rows: rows.map((r) => ({
        ...r.rep,
        accounts: Number(r.accounts ?? 0),
        revenueCents: Number(r.revenue ?? 0),
      })),
      total: Number(total?.n ?? 0),
    };
  });
}

export type RepRow = Awaited<ReturnType<typeof listReps>>['rows'][number];

/** Every rep's name by id (the names on run, audit and commission pages). */
export async function repNames(ctx: ReadContext): Promise<Map<string, string>> {
  const { rows } = await listReps({ ctx, input: {} });
  return new Map(rows.map((r) => [r.id, r.name]));
}

/** A rep as the run pages offer them (to receive, to leave, to compare loads). */
export type RepChoice = Pick<
  RepRow,
  | 'id'
  | 'name'
  | 'kind'
  | 'region'
  | 'segment'
  | 'active'
  | 'mayReceive'
  | 'endDate'
  | 'accounts'
  | 'revenueCents'
  | 'maxAccounts'
  | 'maxRevenueCents'
>;

/** Every rep as a choice: people first, then House and subagents, by name. */
export async function listRepChoices(ctx: ReadContext): Promise<RepChoice[]> {
  const { rows } = await listReps({ ctx, input: { order: 'kind' } });
  return rows;
}
