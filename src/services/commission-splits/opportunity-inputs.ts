/**
 * The opportunities of some accounts (or some opportunities by id) as the commission core reads them: account
 * fields for segments, every split row and every schedule period. The commit locks the split rows (FOR UPDATE),
 * so nobody changes a split between its plan and its write; previews read them without a lock. Each input also
 * carries the import's billing flag for the cascade rule (cascade-rule.ts).
 */
import { asc, eq, inArray } from 'drizzle-orm';
import { accounts, commissionSplits, opportunities, revenueSchedules } from '../../../db/schema/index.ts';
import type { OpportunityInput, SplitRow } from '../../commission/index.ts';
import type { Tx } from '../../db/client.ts';

export interface OpportunityRef {
  id: string;
  crmId: string;
  name: string;
  accountId: string;
  accountName: string;
}

/** The core's input plus the import's billing flag, which the cascade rule (cascade-rule.ts) reads. */
export type CommissionInput = OpportunityInput & { isBillingStage: boolean };

const CHUNK = 5000;

function chunks<T>(list: readonly T[]): T[][] {
  const out: T[][] = [];
  for (let i = 0; i < list.length; i += CHUNK) out.push(list.slice(i, i + CHUNK));
  return out;
}

export async function loadOpportunityInputs(
  tx: Tx,
  by: 'account' | 'opportunity',
  ids: readonly string[],
  options: { lockSplits: boolean },
): Promise<{ inputs: CommissionInput[]; refs: Map<string, OpportunityRef> }> {
  const opps = await loadOpportunities(tx, by, ids);
  const splitRows = new Map<string, SplitRow[]>();
  const schedules = new Map<string, OpportunityInput['schedule']>();
  for (const chunk of chunks(opps.map((o) => o.id))) {
    await addSplitRows(tx, chunk, options.lockSplits, splitRows);
    await addSchedules(tx, chunk, schedules);
  }
  const inputs: CommissionInput[] = opps.map((o) => ({
    opportunityId: o.id,
    accountId: o.accountId,
    accountType: o.accountType,
    geography: o.region,
    stage: o.stage,
    isClosed: o.status !== 'open',
    isBillingStage: o.isBillingStage,
    amountCents: o.amountCents,
    createdOn: o.createdDate,
    splitRows: splitRows.get(o.id) ?? [],
    schedule: schedules.get(o.id) ?? [],
  }));
  const refs = new Map(
    opps.map((o) => [
      o.id,
      { id: o.id, crmId: o.crmId, name: o.name, accountId: o.accountId, accountName: o.accountName },
    ]),
  );
  return { inputs, refs };
}

/** The opportunities of the accounts (by 'account') or the opportunities themselves, with their accounts. */
async function loadOpportunities(tx: Tx, by: 'account' | 'opportunity', ids: readonly string[]) {
  const opps: (OpportunityRef & {
    accountType: string | null;
    region: string | null;
    stage: string;
    isBillingStage: boolean;
    status: string;
    amountCents: number | null;
    createdDate: string;
  })[] = [];
  for (const chunk of chunks(ids)) {
    opps.push(
      ...(await tx
        .select({
          id: opportunities.id,
          crmId: opportunities.crmId,
          name: opportunities.name,
          accountId: opportunities.accountId,
          accountName: accounts.name,
          accountType: accounts.type,
          region: accounts.region,
          stage: opportunities.stage,
          isBillingStage: opportunities.isBillingStage,
          status: opportunities.status,
          amountCents: opportunities.amountCents,
          createdDate: opportunities.createdDate,
        })
        .from(opportunities)
        .innerJoin(accounts, eq(accounts.id, opportunities.accountId))
        .where(by === 'account' ? inArray(opportunities.accountId, chunk) : inArray(opportunities.id, chunk))
        .orderBy(asc(opportunities.id))),
    );
  }
  return opps;
}

/** Adds the chunk's split rows (locked for update when lock is set) to splitRows, by opportunity. */
async function addSplitRows(tx: Tx, chunk: string[], lock: boolean, splitRows: Map<string, SplitRow[]>) {
  const query = tx
    .select()
    .from(commissionSplits)
    .where(inArray(commissionSplits.opportunityId, chunk))
    .orderBy(asc(commissionSplits.effectiveFrom), asc(commissionSplits.id));
  const rows = lock ? await query.for('update') : await query;
  for (const r of rows) {
    const list = splitRows.get(r.opportunityId) ?? [];
    list.push(splitRowOf(r));
    splitRows.set(r.opportunityId, list);
  }
}

/** A stored commission_splits row as the commission module reads it (its rep is the participant). */
export function splitRowOf(r: typeof commissionSplits.$inferSelect): SplitRow {
  return {
    rowId: r.id,
    opportunityId: r.opportunityId,
    participantId: r.repId,
    role: r.role,
    bps: r.bps,
    effectiveFrom: r.effectiveFrom,
    effectiveTo: r.effectiveTo,
  };
}

/** Adds the chunk's revenue schedule periods to schedules, by opportunity. */
async function addSchedules(tx: Tx, chunk: string[], schedules: Map<string, OpportunityInput['schedule']>) {
  const periods = await tx
    .select()
    .from(revenueSchedules)
    .where(inArray(revenueSchedules.opportunityId, chunk))
    .orderBy(asc(revenueSchedules.periodStart));
  for (const p of periods) {
    const list = schedules.get(p.opportunityId) ?? [];
    // The table records paid and reconciled flags but no payment date (the core then uses the period end).
    list.push({
      periodId: p.id,
      periodStart: p.periodStart,
      periodEnd: p.periodEnd,
      amountCents: p.amountCents,
      status: p.reconciled ? 'reconciled' : p.paid ? 'paid' : 'open',
    });
    schedules.set(p.opportunityId, list);
  }
}
