/**
 * Read-only opportunities for other systems: list and filter (account, owner, stage, status, close dates),
 * and one opportunity with its commission split history, so an opportunity-level run can be started
 * through the API without reading the database.
 */
import { and, asc, count, eq, gte, ilike, isNull, lte, or, type SQL } from 'drizzle-orm';
import { accounts, commissionSplits, opportunities, reps } from '../../../db/schema/index.ts';
import { orgScope } from '../../auth/principal.ts';
import { withOrg } from '../../db/tenancy.ts';
import { notFound } from '../../lib/errors.ts';
import type { ReadContext } from '../auth/read-in-org.ts';
import { contains } from './search.ts';

export interface OpportunityFilter {
  limit: number;
  offset: number;
  q?: string | undefined;
  /** An account's id (uuid). */
  account?: string | undefined;
  /** A rep's id, or 'none' for opportunities without an owner. */
  owner?: string | undefined;
  stage?: string | undefined;
  status?: 'open' | 'closed_won' | 'closed_lost' | undefined;
  closeFrom?: string | undefined;
  closeTo?: string | undefined;
}

const columns = {
  id: opportunities.id,
  crmId: opportunities.crmId,
  name: opportunities.name,
  accountId: opportunities.accountId,
  accountCrmId: accounts.crmId,
  ownerRepId: opportunities.ownerRepId,
  stage: opportunities.stage,
  status: opportunities.status,
  isBillingStage: opportunities.isBillingStage,
  amountCents: opportunities.amountCents,
  closeDate: opportunities.closeDate,
  createdDate: opportunities.createdDate,
};

export async function listOpportunities({ ctx, input }: { ctx: ReadContext; input: OpportunityFilter }) {
  const where: SQL[] = [];
  if (input.q)
    where.push(
      or(ilike(opportunities.name, contains(input.q)), ilike(opportunities.crmId, contains(input.q)))!,
    );
  if (input.account) where.push(eq(opportunities.accountId, input.account));
  if (input.owner === 'none') where.push(isNull(opportunities.ownerRepId));
  else if (input.owner) where.push(eq(opportunities.ownerRepId, input.owner));
  if (input.stage) where.push(eq(opportunities.stage, input.stage));
  if (input.status) where.push(eq(opportunities.status, input.status));
  if (input.closeFrom) where.push(gte(opportunities.closeDate, input.closeFrom));
  if (input.closeTo) where.push(lte(opportunities.closeDate, input.closeTo));
  const filter = where.length > 0 ? and(...where) : undefined;
  return withOrg(ctx.db, orgScope(ctx.principal), async (tx) => {
    const rows = await tx
      .select(columns)
      .from(opportunities)
      .innerJoin(accounts, eq(accounts.id, opportunities.accountId))
      .where(filter)
      .orderBy(asc(opportunities.closeDate), asc(opportunities.crmId))
      .limit(input.limit)
      .offset(input.offset);
    const [total] = await tx.select({ n: count() }).from(opportunities).where(filter);
    return { rows, total: Number(total?.n ?? 0) };
  });
}

/** One opportunity with every split row it has had (history is never edited: rows end, new rows start). */
export async function getOpportunity({ ctx, input }: { ctx: ReadContext; input: { id: string } }) {
  return withOrg(ctx.db, orgScope(ctx.principal), async (tx) => {
    const [row] = await tx
      .select(columns)
      .from(opportunities)
      .innerJoin(accounts, eq(accounts.id, opportunities.accountId))
      .where(eq(opportunities.id, input.id));
    if (!row) throw notFound(`Opportunity ${input.id}`);
    const splits = await tx
      .select({
        repId: commissionSplits.repId,
        repName: reps.name,
        repCrmUserId: reps.crmUserId,
        role: commissionSplits.role,
        bps: commissionSplits.bps,
        effectiveFrom: commissionSplits.effectiveFrom,
        effectiveTo: commissionSplits.effectiveTo,
        runId: commissionSplits.runId,
      })
      .from(commissionSplits)
      .innerJoin(reps, eq(reps.id, commissionSplits.repId))
      .where(eq(commissionSplits.opportunityId, input.id))
      .orderBy(asc(commissionSplits.effectiveFrom), asc(commissionSplits.role), asc(reps.name));
    return { ...row, splits };
  });
}
