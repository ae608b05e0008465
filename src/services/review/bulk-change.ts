/** One change to many accounts of a proposal (the account table's bulk form): accept, exclude, pin, un-pin, include. */
import { and, eq, isNull, sql } from 'drizzle-orm';
import { conflicts, runAssignments } from '../../../db/schema/index.ts';
import { appendAuditEvents } from '../../db/audit.ts';
import type { Tx } from '../../db/client.ts';
import { queryRows } from '../../db/query-rows.ts';
import { AppError } from '../../lib/errors.ts';
import type { ActorFields } from '../audit/actor.ts';
import { parseConflictRow } from '../run-records/proposal-columns.ts';
import { auditEvent, type RunRow, type RunsContext } from '../run-records/run-records.ts';
import { acceptable as acceptableKind } from './conflict-rules.ts';
import { applyChange, describe, receivingRep } from './proposal-edit.ts';
import { type AccountTableFilter, matchingRunAccountIds } from './review.ts';

/** The most accounts one bulk change takes: a realignment region of a 10,000-account run fits; a whole book does not. */
export const MAX_BULK_ACCOUNTS = 5_000;

export const BULK_ACTIONS = ['accept', 'exclude', 'pin', 'unpin', 'include'] as const;
export type BulkAction = (typeof BULK_ACTIONS)[number];

export interface BulkChangeInput {
  runId: string;
  action: BulkAction;
  /** The accounts ticked in the table (or the one of its page)… */
  accountIds?: string[];
  /** …or every account of the run matching the table's filter; `expected` is the count the person saw. */
  matching?: { filter: AccountTableFilter; expected?: number };
  /** Why: required to accept, exclude and pin; kept in the audit trail with every account. */
  note?: string;
  /** pin: the rep who receives the accounts. */
  repId?: string;
}

export interface BulkChangeResult {
  run: RunRow;
  /** Accounts selected (ticked, or matching the filter). */
  selected: number;
  /** Accounts changed, or for accept the conflicts accepted. */
  applied: number;
  /** Selected accounts the action did not apply to (unpin: not pinned; include: not excluded). */
  skipped: number;
}

/** `column in (ids)` with one bound parameter, whatever the number of ids. */
const idIn = (column: typeof runAssignments.accountId | typeof conflicts.accountId, ids: readonly string[]) =>
  sql`${column} in (select (x)::uuid from jsonb_array_elements_text(${JSON.stringify(ids)}::jsonb) x)`;

const tooMany = (n: number, how: string) =>
  new AppError(
    'VALIDATION_FAILED',
    `${how} ${n.toLocaleString('en-US')} accounts; one change takes at most ${MAX_BULK_ACCOUNTS.toLocaleString('en-US')}. Narrow the filter (a rep or a region) and apply the change to each part. Nothing was changed.`,
    { details: [{ path: 'accountIds', message: `at most ${MAX_BULK_ACCOUNTS} accounts per change` }] },
  );

/** The accounts a bulk change concerns, read in the change's transaction (after the run is locked). */
async function selectedAccounts(tx: Tx, run: RunRow, ctx: RunsContext, input: BulkChangeInput) {
  if (input.matching) {
    const ids = await matchingRunAccountIds(
      tx,
      run.id,
      input.matching.filter,
      ctx.principal,
      MAX_BULK_ACCOUNTS + 1,
    );
    if (ids.length > MAX_BULK_ACCOUNTS) throw tooMany(ids.length - 1, 'The filter matches more than');
    const expected = input.matching.expected;
    if (expected !== undefined && expected !== ids.length)
      throw new AppError(
        'CONFLICT',
        `The filter now matches ${ids.length.toLocaleString('en-US')} account(s), not ${expected.toLocaleString('en-US')} as shown: the proposal changed meanwhile. Look at the table again and apply the change again. Nothing was changed.`,
      );
    return ids;
  }
  const ids = [...new Set(input.accountIds ?? [])];
  if (ids.length > MAX_BULK_ACCOUNTS) throw tooMany(ids.length, 'The selection has');
  return ids;
}

/**
 * Rows of the run for these accounts; for pin and exclude, accounts the run did not concern yet join it with their
 * planned owner (one insert for all). An id that is no account of the org refuses the whole change.
 */
async function assignmentsOf(tx: Tx, run: RunRow, ids: readonly string[], join: boolean) {
  const rows = await tx
    .select()
    .from(runAssignments)
    .where(and(eq(runAssignments.runId, run.id), idIn(runAssignments.accountId, ids)));
  const have = new Set(rows.map((r) => r.accountId));
  const missing = ids.filter((id) => !have.has(id));
  if (missing.length === 0 || !join) return rows;
  const inserted = await queryRows<{ id: string }>(
    tx,
    sql`insert into run_assignments (org_id, run_id, account_id, from_rep_id, to_rep_id, reason)
        select ${run.orgId}::uuid, ${run.id}::uuid, a.id, o.owner, o.owner, 'Added to the run by a person.'
        from accounts a
        left join import_snapshot_accounts s on s.import_id = ${run.importId} and s.account_id = a.id
        cross join lateral (select coalesce(case when s.account_id is not null then s.owner_rep_id end, a.owner_rep_id) as owner) o
        where a.id in (select (x)::uuid from jsonb_array_elements_text(${JSON.stringify(missing)}::jsonb) x)
        returning id`,
  );
  if (inserted.length !== missing.length) {
    const added = await tx
      .select({ accountId: runAssignments.accountId })
      .from(runAssignments)
      .where(and(eq(runAssignments.runId, run.id), idIn(runAssignments.accountId, missing)));
    const found = new Set(added.map((r) => r.accountId));
    const unknown = missing.filter((id) => !found.has(id));
    throw new AppError(
      'NOT_FOUND',
      `${unknown.length} selected account(s) are not accounts of this org (first: ${unknown[0]}); nothing was changed. Reload the table and select again.`,
    );
  }
  return tx
    .select()
    .from(runAssignments)
    .where(and(eq(runAssignments.runId, run.id), idIn(runAssignments.accountId, ids)));
}

/**
 * One change to many accounts of a proposal (the account table's bulk form): accept their open conflicts, exclude
 * them, pin them to a rep, remove their pins, or include them again. One transaction: the run is locked once, the
 * rows change in one statement, each account (or conflict) gets its audit event as a single change would, and the
 * version, conflicts and proposal hash are refreshed once — so an approval is voided as by any change.
 */
export async function bulkChange({
  ctx,
  input,
}: {
  ctx: RunsContext;
  input: BulkChangeInput;
}): Promise<BulkChangeResult> {
  const note = input.note?.trim() ?? '';
  requireNoteAndRep(input, note);
  const { run, result } = await applyChange(ctx, input.runId, async (tx, run, actor) => {
    const at = ctx.clock();
    const ids = await selectedAccounts(tx, run, ctx, input);
    if (ids.length === 0)
      throw new AppError(
        'VALIDATION_FAILED',
        input.matching
          ? 'No account of this run matches the filter; nothing was changed.'
          : 'Select at least one account, then apply the change.',
      );
    if (input.action === 'accept')
      return { selected: ids.length, ...(await acceptOpen(tx, run, ids, note, actor, at)) };
    return changeAssignments(tx, run, input.action, input.repId, ids, note, actor, at);
  });
  return { run, ...result };
}

/** Accept, exclude and pin need a note; pin needs the rep. */
function requireNoteAndRep(input: BulkChangeInput, note: string) {
  if ((input.action === 'accept' || input.action === 'exclude' || input.action === 'pin') && !note)
    throw new AppError('VALIDATION_FAILED', 'Write why in the note: it is kept in the audit trail.', {
      details: [{ path: 'note', message: 'required to accept, exclude or give accounts to a rep' }],
    });
  if (input.action === 'pin' && !input.repId)
    throw new AppError('VALIDATION_FAILED', 'Choose the rep to give the accounts to.', {
      details: [{ path: 'repId', message: 'required to give accounts to a rep' }],
    });
}

type AssignmentAction = Exclude<BulkAction, 'accept'>;
type Rep = Awaited<ReturnType<typeof receivingRep>>;

/**
 * Excludes, pins, un-pins or includes the run's rows of these accounts in one statement, then appends one audit
 * event per account, as a single change writes.
 */
async function changeAssignments(
  tx: Tx,
  run: RunRow,
  action: AssignmentAction,
  repId: string | undefined,
  ids: readonly string[],
  note: string,
  actor: ActorFields,
  at: Date,
) {
  const rep = action === 'pin' ? await receivingRep(tx, run, repId!) : null;
  const before = await assignmentsOf(tx, run, ids, action === 'pin' || action === 'exclude');
  const target = before.filter((b) =>
    action === 'unpin' ? b.pinned : action === 'include' ? b.excluded : true,
  );
  if (target.length === 0)
    throw new AppError(
      'CONFLICT',
      action === 'unpin'
        ? 'The selected account(s) are not pinned in this run; nothing to un-pin.'
        : 'The selected account(s) are not excluded from this run; nothing to include.',
    );
  const departing = run.params.departingRepIds ?? [];
  const where = and(
    eq(runAssignments.runId, run.id),
    idIn(
      runAssignments.accountId,
      target.map((t) => t.accountId),
    ),
  );
  const set = assignmentSet(action, note, rep, actor, departing);
  const after = await tx
    .update(runAssignments)
    .set({ ...set, updatedAt: at })
    .where(where)
    .returning();
  const afterOf = new Map(after.map((a) => [a.accountId, a]));
  const event = {
    exclude: 'run.account_excluded',
    pin: 'run.account_pinned',
    unpin: 'run.account_unpinned',
    include: 'run.account_included',
  }[action];
  // The same event per account as a single change writes, appended under one lock.
  await appendAuditEvents(
    tx,
    target.map((b) =>
      auditEvent(actor, {
        action: event,
        entityType: 'account',
        entityId: b.accountId,
        runId: run.id,
        before: describe(b),
        after: { ...describe(afterOf.get(b.accountId)!), ...(note ? { note } : {}) },
        at,
      }),
    ),
  );
  return { selected: ids.length, applied: after.length, skipped: ids.length - after.length };
}

/** The columns the action sets on each row. */
function assignmentSet(
  action: AssignmentAction,
  note: string,
  rep: Rep | null,
  actor: ActorFields,
  departing: readonly string[],
) {
  return action === 'exclude'
    ? {
        excluded: true,
        pinned: false,
        toRepId: sql`${runAssignments.fromRepId}`,
        reason: `Excluded from the run: ${note}`,
      }
    : action === 'pin'
      ? {
          toRepId: rep!.id,
          pinned: true,
          excluded: false,
          reason: `Manual override to ${rep!.name}: ${note}`,
          explanation: {
            rule: 'pinned',
            reason: `manual override to ${rep!.name}`,
            note,
            by: actor.actorLabel,
          },
        }
      : action === 'unpin'
        ? { pinned: false }
        : {
            excluded: false,
            // Back with a departing owner it has nowhere to be until the next solve: unassigned (blocking).
            toRepId: sql`case when ${runAssignments.fromRepId} is null or ${runAssignments.fromRepId} in (select (x)::uuid from jsonb_array_elements_text(${JSON.stringify(departing)}::jsonb) x) then null else ${runAssignments.toRepId} end`,
            reason: 'Included again; solve the run to place it.',
          };
}

/** Accepts every open conflict of the accounts with one note; one audit event per conflict, as one by one. */
async function acceptOpen(
  tx: Tx,
  run: RunRow,
  ids: readonly string[],
  note: string,
  actor: ActorFields,
  at: Date,
) {
  const open = (
    await tx
      .select()
      .from(conflicts)
      .where(and(eq(conflicts.runId, run.id), isNull(conflicts.resolution), idIn(conflicts.accountId, ids)))
  ).map(parseConflictRow);
  const acceptable = open.filter((k) => acceptableKind(k.kind, k.details));
  if (acceptable.length === 0)
    throw new AppError(
      'CONFLICT',
      open.length === 0
        ? 'The selected accounts have no open conflict. Nothing was changed.'
        : 'The selected accounts’ open conflicts cannot be accepted: they need an owner who stays (give them to a rep), or a commission split the commit can write (exclude the account or choose another type or share). Nothing was changed.',
    );
  const skippedOwnerless = open.length - acceptable.length;
  open.splice(0, open.length, ...acceptable);
  await tx
    .update(conflicts)
    .set({
      resolution: 'accept',
      overrideRepId: null,
      resolvedBy: actor.actorUserId,
      resolvedAt: at,
      note,
      details: sql`coalesce(${conflicts.details}, '{}'::jsonb) || ${JSON.stringify({ resolvedByLabel: actor.actorLabel })}::jsonb`,
    })
    .where(
      and(
        eq(conflicts.runId, run.id),
        isNull(conflicts.resolution),
        sql`${conflicts.id} in (select (x)::uuid from jsonb_array_elements_text(${JSON.stringify(open.map((k) => k.id))}::jsonb) x)`,
      ),
    );
  await appendAuditEvents(
    tx,
    open.map((k) =>
      auditEvent(actor, {
        action: 'conflict.resolved',
        entityType: 'conflict',
        entityId: k.id,
        runId: run.id,
        before: { kind: k.kind, severity: k.severity, resolution: k.resolution },
        after: { resolution: 'accept', note, repId: null, accountId: k.accountId },
        at,
      }),
    ),
  );
  const accounts = new Set(open.map((k) => k.accountId));
  return { applied: open.length, skipped: ids.length - accounts.size, needOwner: skippedOwnerless };
}
