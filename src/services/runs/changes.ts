/**
 * Changes a person makes to a proposal (F5, F6): pin an account to a rep (manual override) and un-pin it,
 * exclude an account and take it back, resolve a conflict (accept, override the owner, exclude). Every change
 * goes through the status machine's `change` (which voids an approval), bumps the run's version, recomputes
 * conflicts and the proposal hash, and is audited with who, why, before and after.
 */
import { and, eq, sql } from 'drizzle-orm';
import { conflicts, reps, runAssignments, runs } from '../../../db/schema/index.ts';
import { orgScope } from '../../auth/principal.ts';
import { appendAudit } from '../../db/audit.ts';
import type { Tx } from '../../db/client.ts';
import { withOrg } from '../../db/tenancy.ts';
import { AppError, notFound } from '../../lib/errors.ts';
import { nextStatus, type RunStatus } from '../../workflow/run-status.ts';
import { loadPlanningContext } from '../solving/planning-context.ts';
import { refreshProposal } from './proposal.ts';
import {
  type Actor,
  actorOf,
  auditEvent,
  findRun,
  lockRun,
  type RunRow,
  type RunsContext,
  transitionRun,
} from './run-records.ts';

type Assignment = typeof runAssignments.$inferSelect;

/** Runs `mutate` as one change of the run: checked, version bumped, derived state refreshed, approval voided. */
async function applyChange<T>(
  ctx: RunsContext,
  runId: string,
  mutate: (tx: Tx, run: RunRow, actor: Actor) => Promise<T>,
): Promise<{ run: RunRow; result: T }> {
  const actor = actorOf(ctx);
  return withOrg(ctx.db, orgScope(ctx.principal), async (tx) => {
    const run = await lockRun(tx, runId);
    nextStatus(run.status as RunStatus, 'change'); // refuses drafts, solving, committed … with what to do
    const result = await mutate(tx, run, actor);
    await tx
      .update(runs)
      .set({ version: sql`${runs.version} + 1` })
      .where(eq(runs.id, run.id));
    const bumped = await findRun(tx, run.id);
    const plan = await loadPlanningContext(tx, bumped, ctx.clock());
    const stored = (bumped.metrics as { solverConflicts?: [] } | null)?.solverConflicts ?? [];
    await refreshProposal(tx, bumped, plan, stored, ctx.clock());
    const fresh = await findRun(tx, run.id);
    const changed = await transitionRun(
      tx,
      fresh,
      'change',
      actor,
      // Approval pinned the proposal as it was; it no longer is.
      { approvedBy: null, approvedAt: null, approvedHash: null },
      ctx.clock(),
    );
    return { run: changed, result };
  });
}

async function assignmentOf(tx: Tx, run: RunRow, accountId: string): Promise<Assignment> {
  const [row] = await tx
    .select()
    .from(runAssignments)
    .where(and(eq(runAssignments.runId, run.id), eq(runAssignments.accountId, accountId)));
  if (row) return row;
  // An account the run did not concern yet: it joins the run with its planned owner as the starting point.
  const [acc] = await tx
    .execute(
      sql`select a.id, coalesce(case when s.account_id is not null then s.owner_rep_id end, a.owner_rep_id) as owner
        from accounts a left join import_snapshot_accounts s on s.import_id = ${run.importId} and s.account_id = a.id
        where a.id = ${accountId}`,
    )
    .then(
      (r) =>
        (Array.isArray(r) ? r : ((r as { rows: unknown[] }).rows ?? [])) as {
          id: string;
          owner: string | null;
        }[],
    );
  if (!acc) throw notFound(`Account ${accountId}`);
  const [inserted] = await tx
    .insert(runAssignments)
    .values({
      orgId: run.orgId,
      runId: run.id,
      accountId,
      fromRepId: acc.owner,
      toRepId: acc.owner,
      reason: 'Added to the run by a person.',
    })
    .returning();
  return inserted!;
}

function describe(a: Assignment) {
  return { toRepId: a.toRepId, fromRepId: a.fromRepId, pinned: a.pinned, excluded: a.excluded };
}

async function receivingRep(tx: Tx, run: RunRow, repId: string) {
  const [rep] = await tx.select().from(reps).where(eq(reps.id, repId));
  if (!rep)
    throw new AppError('VALIDATION_FAILED', 'No such rep.', {
      details: [{ path: 'repId', message: `No rep ${repId} in this org.` }],
    });
  if (rep.kind !== 'person')
    throw new AppError('VALIDATION_FAILED', 'Accounts go to people.', {
      details: [{ path: 'repId', message: `Rep ${rep.name} is ${rep.kind}; choose a person.` }],
    });
  const departing = (run.params as { departingRepIds?: string[] }).departingRepIds ?? [];
  if (departing.includes(repId))
    throw new AppError(
      'CONFLICT',
      `${rep.name} is leaving in this run and cannot receive accounts; choose a staying rep.`,
    );
  return rep;
}

async function setAssignment(
  tx: Tx,
  run: RunRow,
  before: Assignment,
  values: Partial<Assignment>,
  actor: Actor,
  action: string,
  note: string | null,
  at: Date,
) {
  const [after] = await tx
    .update(runAssignments)
    .set({ ...values, updatedAt: at })
    .where(eq(runAssignments.id, before.id))
    .returning();
  await appendAudit(
    tx,
    auditEvent(actor, {
      action,
      entityType: 'account',
      entityId: before.accountId,
      runId: run.id,
      before: describe(before),
      after: { ...describe(after!), ...(note ? { note } : {}) },
      at,
    }),
  );
  return after!;
}

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
          by: actor.label,
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

async function excludeRow(tx: Tx, run: RunRow, before: Assignment, actor: Actor, note: string, at: Date) {
  return setAssignment(
    tx,
    run,
    before,
    { excluded: true, pinned: false, toRepId: before.fromRepId, reason: `Excluded from the run: ${note}` },
    actor,
    'run.account_excluded',
    note,
    at,
  );
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
    const departing = (run.params as { departingRepIds?: string[] }).departingRepIds ?? [];
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
  resolution: 'accept' | 'override' | 'exclude';
  note: string;
  /** override: the new owner. */
  repId?: string;
  /** For a conflict about a rep (over a cap): the account to override or exclude. */
  accountId?: string;
}

/** Resolves a conflict with who and why: accept it, override the account's owner, or exclude the account. */
export async function resolveConflict({ ctx, input }: { ctx: RunsContext; input: ResolveInput }) {
  return applyChange(ctx, input.runId, async (tx, run, actor) => {
    const [conflict] = await tx
      .select()
      .from(conflicts)
      .where(and(eq(conflicts.id, input.conflictId), eq(conflicts.runId, run.id)));
    if (!conflict) throw notFound(`Conflict ${input.conflictId} of run ${run.id}`);
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
    const at = ctx.clock();
    const [resolved] = await tx
      .update(conflicts)
      .set({
        resolution: input.resolution,
        overrideRepId: input.resolution === 'override' ? input.repId! : null,
        resolvedBy: actor.userId,
        resolvedAt: at,
        note: input.note,
        details: { ...(conflict.details ?? {}), resolvedByLabel: actor.label },
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
      const rep = await receivingRep(tx, run, input.repId!);
      const before = await assignmentOf(tx, run, accountId!);
      await setAssignment(
        tx,
        run,
        before,
        {
          toRepId: rep.id,
          pinned: true,
          excluded: false,
          reason: `Conflict resolved by moving it to ${rep.name}: ${input.note}`,
          explanation: {
            rule: 'pinned',
            reason: `override resolving ${conflict.kind}`,
            note: input.note,
            by: actor.label,
          },
        },
        actor,
        'run.account_pinned',
        input.note,
        at,
      );
    } else if (input.resolution === 'exclude') {
      await excludeRow(tx, run, await assignmentOf(tx, run, accountId!), actor, input.note, at);
    }
    return resolved!;
  });
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
