/**
 * A rep's own view: what the committed runs changed for one rep — the accounts that came to them or left them,
 * and the commission share each changed split gave or took — and the one account rule of a rep (they open their
 * own accounts and nothing else). Read from the committed change sets, so it says what the commit wrote.
 */
import { sql } from 'drizzle-orm';
import type { Tx } from '../../db/client.ts';
import { queryRows } from '../../db/query-rows.ts';
import { AppError } from '../../lib/errors.ts';
import { type ReadContext, readInOrg } from '../auth/read-in-org.ts';
import { getAccount } from './book-reads.ts';

export interface MyAccountMove {
  runId: string;
  runReason: string;
  runStatus: string;
  committedAt: string | null;
  effectiveDate: string | null;
  accountId: string;
  accountName: string;
  direction: 'in' | 'out';
  /** The other side: where it came from (in) or where it went (out). */
  otherRepName: string | null;
  /** Whether the rep owns the account now (only then may they open it). */
  ownedNow: boolean;
}

export interface MyCommissionChange {
  runId: string;
  runReason: string;
  runStatus: string;
  effectiveDate: string | null;
  opportunityName: string;
  accountName: string | null;
  amountCents: number | null;
  beforeBps: number;
  afterBps: number;
}

const LIMIT = 200;

type Participant = { participantId: string; bps: number };
const shareOf = (list: unknown, repId: string) =>
  (Array.isArray(list) ? (list as Participant[]) : [])
    .filter((p) => p.participantId === repId)
    .reduce((sum, p) => sum + Number(p.bps), 0);

/** Accounts moved to or from the rep and their split changes, by committed (or rolled back) runs, newest first. */
export async function myChanges(
  ctx: ReadContext,
  repId: string,
): Promise<{ moves: MyAccountMove[]; commissions: MyCommissionChange[] }> {
  return readInOrg(ctx, async (tx) => {
    const moves = await myAccountMoves(tx, repId);
    const commissions = await myCommissionChanges(tx, repId);
    return { moves, commissions };
  });
}

/** The accounts committed (or rolled back) runs moved to or from the rep, newest first. */
async function myAccountMoves(tx: Tx, repId: string): Promise<MyAccountMove[]> {
  const moves = await queryRows<{
    run_id: string;
    reason: string;
    status: string;
    committed_at: string | null;
    effective_date: string | null;
    record_id: string;
    name: string;
    from_rep_id: string | null;
    from_name: string | null;
    to_name: string | null;
    owner_rep_id: string | null;
  }>(
    tx,
    sql`select r.id as run_id, r.reason, r.status::text as status,
               to_char(r.committed_at at time zone 'UTC', 'YYYY-MM-DD HH24:MI "UTC"') as committed_at,
               i.effective_date::text as effective_date, i.record_id,
               coalesce(a.name, i.record_name, i.crm_id, i.record_id::text) as name,
               i.from_rep_id, f.name as from_name, t.name as to_name, a.owner_rep_id
          from change_set_items i
          join change_sets cs on cs.id = i.change_set_id
          join runs r on r.id = cs.run_id
          left join accounts a on a.id = i.record_id
          left join reps f on f.id = i.from_rep_id
          left join reps t on t.id = i.to_rep_id
         where i.object = 'account' and i.from_rep_id is distinct from i.to_rep_id
           and (i.from_rep_id = ${repId}::uuid or i.to_rep_id = ${repId}::uuid)
           and r.status in ('committed', 'rolled_back')
         order by r.committed_at desc nulls last, name, i.record_id
         limit ${LIMIT}`,
  );
  return moves.map((m) => {
    const direction = m.from_rep_id === repId ? 'out' : 'in';
    return {
      runId: m.run_id,
      runReason: m.reason,
      runStatus: m.status,
      committedAt: m.committed_at,
      effectiveDate: m.effective_date,
      accountId: m.record_id,
      accountName: m.name,
      direction,
      otherRepName: direction === 'in' ? m.from_name : m.to_name,
      ownedNow: m.owner_rep_id === repId,
    };
  });
}

/** The split changes of committed (or rolled back) runs that changed the rep's share, newest first. */
async function myCommissionChanges(tx: Tx, repId: string): Promise<MyCommissionChange[]> {
  const splits = await queryRows<{
    run_id: string;
    reason: string;
    status: string;
    effective_date: string | null;
    name: string;
    account_name: string | null;
    amount_cents: string | number | null;
    before: { participants?: unknown } | null;
    after: { participants?: unknown } | null;
  }>(
    tx,
    sql`select r.id as run_id, r.reason, r.status::text as status, i.effective_date::text as effective_date,
               coalesce(o.name, i.record_name, i.crm_id, i.record_id::text) as name, a.name as account_name,
               o.amount_cents, i.before, i.after
          from change_set_items i
          join change_sets cs on cs.id = i.change_set_id
          join runs r on r.id = cs.run_id
          left join opportunities o on o.id = i.record_id
          left join accounts a on a.id = o.account_id
         where i.object = 'split' and r.status in ('committed', 'rolled_back')
           and (i.before -> 'participants' @> ${JSON.stringify([{ participantId: repId }])}::jsonb
             or i.after -> 'participants' @> ${JSON.stringify([{ participantId: repId }])}::jsonb)
         order by r.committed_at desc nulls last, name, i.record_id
         limit ${LIMIT}`,
  );
  return splits
    .map((s) => ({
      runId: s.run_id,
      runReason: s.reason,
      runStatus: s.status,
      effectiveDate: s.effective_date,
      opportunityName: s.name,
      accountName: s.account_name,
      amountCents: s.amount_cents === null ? null : Number(s.amount_cents),
      beforeBps: shareOf(s.before?.participants, repId),
      afterBps: shareOf(s.after?.participants, repId),
    }))
    .filter((c) => c.beforeBps !== c.afterBps);
}

/**
 * One account as its reader may see it: staff read every account of the org; a rep reads only the accounts they
 * own now (403 otherwise, saying so).
 */
export async function readAccount(ctx: ReadContext, accountId: string) {
  const account = await getAccount(ctx, accountId);
  if (!account) throw new AppError('NOT_FOUND', 'That account does not exist.');
  const { principal } = ctx;
  if (principal.role === 'rep' && (!principal.repId || account.ownerId !== principal.repId)) {
    throw new AppError(
      'FORBIDDEN',
      'This account is not in your book: a rep opens only the accounts they own (see My book).',
    );
  }
  return account;
}

/** One notice addressed to the reader (their rep or their user), as written to the outbox; 404 for any other. */
export async function readMyNotice(ctx: ReadContext, noticeId: string) {
  const { repId, userId } = ctx.principal;
  const [row] = await readInOrg(ctx, (tx) =>
    queryRows<{ id: string; subject: string; status: string; created_at: string; text: string }>(
      tx,
      sql`select id, subject, status::text as status, text,
                 to_char(created_at at time zone 'UTC', 'YYYY-MM-DD HH24:MI "UTC"') as created_at
            from notices
           where id = ${noticeId}::uuid
             and ((${repId ?? null}::uuid is not null and recipient_rep_id = ${repId ?? null}::uuid)
               or (${userId ?? null}::uuid is not null and recipient_user_id = ${userId ?? null}::uuid))`,
    ),
  );
  if (!row) throw new AppError('NOT_FOUND', 'That notice does not exist or is not addressed to you.');
  return row;
}
