/**
 * Ownership changes of a commit (F8): the run's accounts are locked, any whose owner is no longer the one the run
 * planned from refuses the whole commit (reported, never overwritten), then the owners change in one guarded
 * statement; open (or all, in the complete scope) opportunities of the departing owner follow their account.
 */
import { sql } from 'drizzle-orm';
import type { Tx } from '../../db/client.ts';
import { queryRows } from '../../db/query-rows.ts';
import { AppError } from '../../lib/errors.ts';
import { parseSplits } from '../run-records/proposal-columns.ts';
import { readParams } from '../run-records/run-params.ts';
import type { RunRow } from '../run-records/run-records.ts';

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

/** One opportunity an opportunity-level run hands over: the owner it planned from, the owner now, the new owner. */
export interface OpportunityLine {
  opportunityId: string;
  crmId: string;
  name: string;
  accountId: string;
  accountName: string;
  status: string;
  plannedRepId: string | null;
  ownerRepId: string | null;
  toRepId: string;
  /** The split the reviewed proposal shows after the change (null when it could not be computed). */
  plannedAfter: { repId: string; role: string; bps: number }[] | null;
  /**
   * The run names the rep whose share moves (params.plannedFromRepId): the opportunity may already belong to the
   * new owner (an earlier commit moved the owner and skipped the split), and then only the split changes.
   */
  shareFromNamed: boolean;
}

/**
 * Locks (FOR UPDATE) the opportunities an opportunity-level run hands over on their own — the run's
 * run_opportunity_changes, whose from_rep_id is the owner the run was planned from — with their current owner.
 * Other kinds hand opportunities over with their accounts (moveOpportunities), so they have none here.
 */
export async function lockRunOpportunities(tx: Tx, run: RunRow): Promise<OpportunityLine[]> {
  if (run.kind !== 'opportunity') return [];
  const params = readParams(run.kind, run.params);
  const named = params.kind === 'opportunity' ? (params.plannedFromRepId ?? null) : null;
  const rows = await queryRows<{
    opportunity_id: string;
    crm_id: string;
    name: string;
    account_id: string;
    account_name: string;
    status: string;
    planned: string | null;
    owner: string | null;
    to_rep: string;
    after_splits: unknown;
  }>(
    tx,
    sql`select o.id as opportunity_id, o.crm_id, o.name, o.account_id, a.name as account_name,
               o.status::text as status, c.from_rep_id as planned, o.owner_rep_id as owner, c.to_rep_id as to_rep,
               c.after_splits
          from run_opportunity_changes c
          join opportunities o on o.id = c.opportunity_id
          join accounts a on a.id = o.account_id
         where c.run_id = ${run.id} and c.to_rep_id is not null
           and c.to_rep_id is distinct from c.from_rep_id
         order by o.id
           for update of o`,
  );
  return rows.map((r) => ({
    opportunityId: r.opportunity_id,
    crmId: r.crm_id,
    name: r.name,
    accountId: r.account_id,
    accountName: r.account_name,
    status: r.status,
    plannedRepId: r.planned,
    ownerRepId: r.owner,
    toRepId: r.to_rep,
    plannedAfter: parseSplits(
      typeof r.after_splits === 'string' ? JSON.parse(r.after_splits) : r.after_splits,
      'after_splits',
      `run ${run.id}, opportunity ${r.opportunity_id}`,
    ),
    shareFromNamed: named !== null && named === r.planned,
  }));
}

/** Opportunities whose owner changed since the run was planned (or that closed): the commit is refused with them. */
export function staleOpportunityError(lines: readonly OpportunityLine[]): AppError | null {
  // A run naming the rep whose share moves accepts an opportunity already owned by the new owner (split only).
  const stale = lines.filter(
    (l) => l.ownerRepId !== l.plannedRepId && !(l.shareFromNamed && l.ownerRepId === l.toRepId),
  );
  if (stale.length > 0) {
    return new AppError(
      'CONFLICT',
      `${stale.length} opportunit${stale.length === 1 ? 'y' : 'ies'} changed owner since the run was planned, so nothing was committed: solve the run again (it plans from the owner as it is now), approve again, then commit.`,
      {
        details: {
          staleOpportunities: stale.map((l) => ({
            opportunityId: l.opportunityId,
            crmId: l.crmId,
            name: l.name,
            plannedOwnerRepId: l.plannedRepId,
            currentOwnerRepId: l.ownerRepId,
          })),
        },
      },
    );
  }
  const closed = lines.filter((l) => l.status !== 'open');
  if (closed.length === 0) return null;
  return new AppError(
    'CONFLICT',
    `${closed.length} opportunit${closed.length === 1 ? 'y was' : 'ies were'} closed since the run was planned, and closed opportunities cannot be reassigned; nothing was committed. Cancel this run.`,
    {
      details: {
        closedOpportunities: closed.map((l) => ({
          opportunityId: l.opportunityId,
          crmId: l.crmId,
          name: l.name,
          status: l.status,
        })),
      },
    },
  );
}

/** Writes the new owners; the WHERE repeats the stale guard so no owner is overwritten even if a check were missed. */
export async function moveOpportunityOwners(
  tx: Tx,
  lines: readonly OpportunityLine[],
  at: Date,
): Promise<OpportunityMove[]> {
  const moves: OpportunityMove[] = [];
  for (const l of lines) {
    // Already the new owner's (a split-only change of a run naming plannedFromRepId): no owner write.
    if (l.shareFromNamed && l.ownerRepId === l.toRepId) continue;
    const updated = await queryRows<{ id: string }>(
      tx,
      sql`update opportunities
             set owner_rep_id = ${l.toRepId}, updated_at = ${at.toISOString()}::timestamptz
           where id = ${l.opportunityId} and owner_rep_id is not distinct from ${l.plannedRepId}
       returning id`,
    );
    if (updated.length !== 1) {
      throw new AppError(
        'CONFLICT',
        `Opportunity ${l.name} changed owner while committing; nothing was committed. Commit again.`,
        { details: { opportunityId: l.opportunityId } },
      );
    }
    moves.push({
      opportunityId: l.opportunityId,
      crmId: l.crmId,
      name: l.name,
      accountId: l.accountId,
      fromRepId: l.plannedRepId,
      toRepId: l.toRepId,
    });
  }
  return moves;
}
