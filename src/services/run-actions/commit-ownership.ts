/**
 * Ownership changes of a commit (F8): the run's accounts are locked, any whose owner is no longer the one the run
 * planned from refuses the whole commit (reported, never overwritten), then the owners change in one guarded
 * statement; open (or all, in the complete scope) opportunities of the departing owner follow their account.
 */
import { sql } from 'drizzle-orm';
import type { Tx } from '../../db/client.ts';
import { queryRows } from '../../db/query-rows.ts';
import { AppError } from '../../lib/errors.ts';
import type { RunRow } from './run-state.ts';

export interface BookLine {
  accountId: string;
  crmId: string;
  name: string;
  revenueCents: number;
  /** The owner the run planned from, the owner now (before the commit), and the proposed owner. */
  plannedRepId: string | null;
  ownerRepId: string | null;
  toRepId: string | null;
}

/** Locks every non-excluded account of the run (FOR UPDATE) and returns it with its current owner. */
export async function lockRunBook(tx: Tx, runId: string): Promise<BookLine[]> {
  const rows = await queryRows<{
    account_id: string;
    crm_id: string;
    name: string;
    revenue: string | number;
    planned: string | null;
    owner: string | null;
    to_rep: string | null;
  }>(
    tx,
    sql`select a.id as account_id, a.crm_id, a.name, a.annual_revenue_cents as revenue,
               ra.from_rep_id as planned, a.owner_rep_id as owner, ra.to_rep_id as to_rep
          from run_assignments ra
          join accounts a on a.id = ra.account_id
         where ra.run_id = ${runId} and not ra.excluded
         order by a.id
           for update of a`,
  );
  return rows.map((r) => ({
    accountId: r.account_id,
    crmId: r.crm_id,
    name: r.name,
    revenueCents: Number(r.revenue),
    plannedRepId: r.planned,
    ownerRepId: r.owner,
    toRepId: r.to_rep,
  }));
}

export function movedLines(book: readonly BookLine[]): BookLine[] {
  return book.filter((l) => l.toRepId !== l.plannedRepId);
}

/** Accounts the run would move whose current owner differs from the planned one: the commit is refused with them. */
export function staleOwnerError(book: readonly BookLine[]): AppError | null {
  const stale = movedLines(book).filter((l) => l.ownerRepId !== l.plannedRepId);
  if (stale.length === 0) return null;
  return new AppError(
    'CONFLICT',
    `${stale.length} account(s) changed owner since the run was planned, so nothing was committed: re-solve or exclude them, approve again, then commit.`,
    {
      details: {
        staleAccounts: stale.map((l) => ({
          accountId: l.accountId,
          crmId: l.crmId,
          name: l.name,
          plannedOwnerRepId: l.plannedRepId,
          currentOwnerRepId: l.ownerRepId,
        })),
      },
    },
  );
}

/** Moves the accounts; the WHERE repeats the stale guard so no owner is overwritten even if a check were missed. */
export async function moveAccounts(tx: Tx, runId: string, expected: number, at: Date): Promise<void> {
  const moved = await queryRows<{ id: string }>(
    tx,
    sql`update accounts a
           set owner_rep_id = ra.to_rep_id, owner_changed_at = ${at.toISOString()}::timestamptz, updated_at = ${at.toISOString()}::timestamptz
          from run_assignments ra
         where ra.run_id = ${runId} and ra.account_id = a.id and not ra.excluded
           and ra.to_rep_id is distinct from ra.from_rep_id
           and a.owner_rep_id is not distinct from ra.from_rep_id
     returning a.id`,
  );
  if (moved.length !== expected) {
    throw new AppError(
      'CONFLICT',
      'Some accounts changed owner while committing; nothing was committed. Commit again.',
    );
  }
}

export interface OpportunityMove {
  opportunityId: string;
  crmId: string;
  name: string;
  accountId: string;
  fromRepId: string | null;
  toRepId: string;
}

/**
 * Opportunities of the moved accounts still owned by the account's planned owner follow the account: open ones in
 * the open_opportunities scope, all of them in the complete scope. Deals owned by someone else stay theirs.
 */
export async function moveOpportunities(tx: Tx, run: RunRow, at: Date): Promise<OpportunityMove[]> {
  if (run.scope === 'ownership') return [];
  const openOnly = run.scope === 'open_opportunities';
  const rows = await queryRows<{
    id: string;
    crm_id: string;
    name: string;
    account_id: string;
    from_rep: string | null;
    to_rep: string;
  }>(
    tx,
    sql`update opportunities o
           set owner_rep_id = ra.to_rep_id, updated_at = ${at.toISOString()}::timestamptz
          from run_assignments ra
         where ra.run_id = ${run.id} and ra.account_id = o.account_id and not ra.excluded
           and ra.to_rep_id is distinct from ra.from_rep_id
           and o.owner_rep_id is not distinct from ra.from_rep_id
           and (${!openOnly}::boolean or o.status = 'open')
     returning o.id, o.crm_id, o.name, o.account_id, ra.from_rep_id as from_rep, ra.to_rep_id as to_rep`,
  );
  return rows
    .map((r) => ({
      opportunityId: r.id,
      crmId: r.crm_id,
      name: r.name,
      accountId: r.account_id,
      fromRepId: r.from_rep,
      toRepId: r.to_rep,
    }))
    .sort((a, b) => (a.opportunityId < b.opportunityId ? -1 : 1));
}
