/**
 * Changes a person makes to a proposal (F5, F6): pin an account to a rep (manual override) and un-pin it,
 * exclude an account and take it back, resolve a conflict (accept, override the owner, exclude). Every change
 * goes through the status machine's `change` (which voids an approval), bumps the run's version, recomputes
 * conflicts and the proposal hash, and is audited with who, why, before and after.
 */

import { and, eq } from 'drizzle-orm';
import { conflicts } from '../../../db/schema/index.ts';
import { orgScope } from '../../auth/principal.ts';
import { appendAudit } from '../../db/audit.ts';
import type { Tx } from '../../db/client.ts';
import { withOrg } from '../../db/tenancy.ts';
import { AppError, notFound } from '../../lib/errors.ts';
import type { ActorFields } from '../audit/actor.ts';
import type { CommissionDecision } from '../run-records/commission-params.ts';
import { parseConflictRow } from '../run-records/proposal-columns.ts';
import { auditEvent, findRun, type RunRow, type RunsContext } from '../run-records/run-records.ts';
import { acceptRefusal, isUnwritableSplit } from './conflict-rules.ts';
import {
  applyChange,
  assignmentOf,
  excludeRow,
  pinToResolve,
  receivingRep,
  setAssignment,
} from './proposal-edit.ts';
import { applySplitResolution, type ResolvedConflict, stillUnwritable } from './split-resolution.ts';

export {
  BULK_ACTIONS,
  type BulkAction,
  type BulkChangeInput,
  type BulkChangeResult,
  bulkChange,
  MAX_BULK_ACCOUNTS,
} from './bulk-change.ts';
export { recordProposalChange } from './proposal-edit.ts';

export interface OverrideInput {
  runId: string;
  accountId: string;
  repId: string;
  note: string;
}

/** Pins an account to a rep: the proposal takes it, and every re-solve keeps it. */
export async function pinAccount({ ctx, input }: { ctx: RunsContext; input: OverrideInput }) {
  return applyChange(ctx, input.runId, async (tx, run, actor) => {
    const rep = await receivingRep(tx, run, input.repId);
    const before = await assignmentOf(tx, run, input.accountId);
    return setAssignment(
      tx,
      run,
      before,
      {
        toRepId: rep.id,
        pinned: true,
        excluded: false,
        reason: `Manual override to ${rep.name}: ${input.note}`,
        explanation: {
          rule: 'pinned',
          reason: `manual override to ${rep.name}`,
          note: input.note,
          by: actor.actorLabel,
        },
      },
      actor,
      'run.account_pinned',
      input.note,
      ctx.clock(),
    );
  });
}

/** Removes a pin; the account keeps its current proposed owner until the next solve rebalances it. */
export async function unpinAccount({
  ctx,
  input,
}: {
  ctx: RunsContext;
  input: { runId: string; accountId: string; note?: string };
}) {
  return applyChange(ctx, input.runId, async (tx, run, actor) => {
    const before = await assignmentOf(tx, run, input.accountId);
    if (!before.pinned)
      throw new AppError('CONFLICT', 'The account is not pinned in this run; nothing to un-pin.');
    return setAssignment(
      tx,
      run,
      before,
      { pinned: false },
      actor,
      'run.account_unpinned',
      input.note ?? null,
      ctx.clock(),
    );
  });
}

/** Takes an account out of the change: it stays with its planned owner. */
export async function excludeAccount({
  ctx,
  input,
}: {
  ctx: RunsContext;
  input: { runId: string; accountId: string; note: string };
}) {
  return applyChange(ctx, input.runId, async (tx, run, actor) => {
    const before = await assignmentOf(tx, run, input.accountId);
    return excludeRow(tx, run, before, actor, input.note, ctx.clock());
  });
}

/** Brings an excluded account back; the next solve places it. */
export async function includeAccount({
  ctx,
  input,
}: {
  ctx: RunsContext;
  input: { runId: string; accountId: string; note?: string };
}) {
  return applyChange(ctx, input.runId, async (tx, run, actor) => {
    const before = await assignmentOf(tx, run, input.accountId);
    if (!before.excluded) throw new AppError('CONFLICT', 'The account is not excluded from this run.');
    // Back with a departing owner it has nowhere to be until the next solve: unassigned (a blocking conflict).
    const departing = run.params.departingRepIds ?? [];
    const stranded = before.fromRepId === null || departing.includes(before.fromRepId);
    return setAssignment(
      tx,
      run,
      before,
      {
        excluded: false,
        ...(stranded ? { toRepId: null } : {}),
        reason: 'Included again; solve the run to place it.',
      },
      actor,
      'run.account_included',
      input.note ?? null,
      ctx.clock(),
    );
  });
}

export interface ResolveInput {
  runId: string;
  conflictId: string;
  /** commission: another type or share for the conflict's opportunity (a split the commit cannot write only). */
  resolution: 'accept' | 'override' | 'exclude' | 'commission';
  note: string;
  /** commission: the type, type C share and receiving rep. */
  commission?: CommissionDecision | undefined;
  /** override: the new owner. */
  repId?: string;
  /** For a conflict about a rep (over a cap): the account to override or exclude. */
  accountId?: string;
}

/**
 * Resolves a conflict with who and why: accept it, override the account's owner, or exclude the account. A split
 * the commit cannot write is never accepted; its ways out (split-resolution.ts) must make the split writable.
 */
export async function resolveConflict({
  ctx,
  input,
}: {
  ctx: RunsContext;
  input: ResolveInput;
}): Promise<{ run: RunRow; result: ResolvedConflict }> {
  let unwritable = false;
  return applyChange(
    ctx,
    input.runId,
    async (tx, run, actor): Promise<ResolvedConflict> => {
      const [row] = await tx
        .select()
        .from(conflicts)
        .where(and(eq(conflicts.id, input.conflictId), eq(conflicts.runId, run.id)));
      if (!row) throw notFound(`Conflict ${input.conflictId} of run ${run.id}`);
      const conflict = parseConflictRow(row);
      const refused =
        input.resolution === 'accept' ? acceptRefusal(conflict.kind, conflict.details?.key) : null;
      if (refused) throw new AppError('CONFLICT', refused);
      unwritable = isUnwritableSplit(conflict.kind, conflict.details?.key);
      if (unwritable && input.resolution !== 'accept')
        return applySplitResolution(
          tx,
          run,
          conflict,
          { ...input, resolution: input.resolution },
          actor,
          ctx.clock(),
        );
      if (input.resolution === 'commission')
        throw new AppError(
          'CONFLICT',
          'Another commission type or share resolves only a split the commit cannot write; accept, override or exclude this conflict.',
        );
      return resolveOther(tx, run, conflict, { ...input, resolution: input.resolution }, actor, ctx.clock());
    },
    async (tx, resolved) => {
      if (unwritable) await stillUnwritable(tx, input.runId, resolved);
    },
  );
}

/** accept, override or exclude of a conflict whose split (if any) can be written. */
async function resolveOther(
  tx: Tx,
  run: RunRow,
  conflict: typeof conflicts.$inferSelect,
  input: ResolveInput & { resolution: 'accept' | 'override' | 'exclude' },
  actor: ActorFields,
  at: Date,
): Promise<ResolvedConflict> {
  const accountId = conflict.accountId ?? input.accountId;
  if (input.resolution !== 'accept' && !accountId) {
    throw new AppError('VALIDATION_FAILED', 'This conflict concerns a rep, not one account.', {
      details: [
        {
          path: 'accountId',
          message: `Name the account to ${input.resolution === 'override' ? 'give another owner' : 'exclude'}.`,
        },
      ],
    });
  }
  if (input.resolution === 'override' && !input.repId) {
    throw new AppError('VALIDATION_FAILED', 'An override needs the new owner.', {
      details: [{ path: 'repId', message: 'Choose the rep who should own the account.' }],
    });
  }
  const [resolved] = await tx
    .update(conflicts)
    .set({
      resolution: input.resolution,
      overrideRepId: input.resolution === 'override' ? input.repId! : null,
      resolvedBy: actor.actorUserId,
      resolvedAt: at,
      note: input.note,
      details: { ...(conflict.details ?? {}), resolvedByLabel: actor.actorLabel },
    })
    .where(eq(conflicts.id, conflict.id))
    .returning();
  await appendAudit(
    tx,
    auditEvent(actor, {
      action: 'conflict.resolved',
      entityType: 'conflict',
      entityId: conflict.id,
      runId: run.id,
      before: { kind: conflict.kind, severity: conflict.severity, resolution: conflict.resolution },
      after: {
        resolution: input.resolution,
        note: input.note,
        repId: input.repId ?? null,
        accountId: accountId ?? null,
      },
      at,
    }),
  );
  if (input.resolution === 'override') {
    await pinToResolve(tx, run, accountId!, input.repId!, conflict.kind, actor, input.note, at);
  } else if (input.resolution === 'exclude') {
    await excludeRow(tx, run, await assignmentOf(tx, run, accountId!), actor, input.note, at);
  }
  return { ...resolved!, resolution: input.resolution };
}

export async function listConflicts({
  ctx,
  input,
}: {
  ctx: RunsContext;
  input: { runId: string; open?: boolean; severity?: 'blocking' | 'warning'; kind?: string };
}) {
  return withOrg(ctx.db, orgScope(ctx.principal), async (tx) => {
    const run = await findRun(tx, input.runId);
    const rows = await tx.select().from(conflicts).where(eq(conflicts.runId, run.id));
    return rows
      .map(parseConflictRow)
      .filter((c) => input.open === undefined || (c.resolution === null) === input.open)
      .filter((c) => !input.severity || c.severity === input.severity)
      .filter((c) => !input.kind || c.kind === input.kind)
      .sort((a, b) =>
        a.severity !== b.severity
          ? a.severity === 'blocking'
            ? -1
            : 1
          : a.kind < b.kind
            ? -1
            : a.kind > b.kind
              ? 1
              : a.id < b.id
                ? -1
                : 1,
      );
  });
}
