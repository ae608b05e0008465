/**
 * One change of a run's proposal, the way every change goes: the run locked, the status machine's `change` (which
 * voids an approval), the version bumped, conflicts and the proposal hash refreshed; and the assignment writes
 * (set, exclude) with their audit events.
 */
import { and, eq, sql } from 'drizzle-orm';
import { reps, runAssignments, runs } from '../../../db/schema/index.ts';
import { orgScope } from '../../auth/principal.ts';
import { appendAudit } from '../../db/audit.ts';
import type { Tx } from '../../db/client.ts';
import { withOrg } from '../../db/tenancy.ts';
import { AppError, notFound } from '../../lib/errors.ts';
import { nextStatus, type RunStatus } from '../../workflow/run-status.ts';
import { type ActorFields, actorFields } from '../audit/actor.ts';
import { loadPlanningContext } from '../plan/planning-context.ts';
import {
  auditEvent,
  findRun,
  lockRun,
  type RunRow,
  type RunsContext,
  transitionRun,
} from '../run-records/run-records.ts';
import { refreshProposal } from '../solve/refresh-proposal.ts';

export type Assignment = typeof runAssignments.$inferSelect;

/**
 * Runs `mutate` as one change of the run: checked, version bumped, derived state refreshed, approval voided.
 * `verify` sees the refreshed proposal and may refuse the change (it throws, and nothing is kept).
 */
export async function applyChange<T>(
  ctx: RunsContext,
  runId: string,
  mutate: (tx: Tx, run: RunRow, actor: ActorFields) => Promise<T>,
  verify?: (tx: Tx, result: T) => Promise<void>,
): Promise<{ run: RunRow; result: T }> {
  const actor = actorFields(ctx);
  return withOrg(ctx.db, orgScope(ctx.principal), async (tx) => {
    const run = await lockRun(tx, runId);
    nextStatus(run.status as RunStatus, 'change'); // refuses drafts, solving, committed … with what to do
    const result = await mutate(tx, run, actor);
    const changed = await recordProposalChange(tx, run.id, actor, ctx.clock());
    if (verify) await verify(tx, result);
    return { run: changed, result };
  });
}

/**
 * After a change of a locked run's proposal (a pin, an exclusion, a commission decision): the version moves on,
 * the proposal (opportunity changes, conflicts, hash) is refreshed, and an approval is voided — it pinned the
 * proposal as it was. Returns the run as it now stands.
 */
export async function recordProposalChange(
  tx: Tx,
  runId: string,
  actor: ActorFields,
  at: Date,
): Promise<RunRow> {
  await tx
    .update(runs)
    .set({ version: sql`${runs.version} + 1` })
    .where(eq(runs.id, runId));
  const bumped = await findRun(tx, runId);
  const plan = await loadPlanningContext(tx, bumped, at);
  const stored = bumped.metrics?.solverConflicts ?? [];
  await refreshProposal(tx, bumped, plan, stored, at);
  const fresh = await findRun(tx, runId);
  return transitionRun(
    tx,
    fresh,
    'change',
    actor,
    { approvedBy: null, approvedByApiKeyId: null, approvedAt: null, approvedHash: null },
    at,
  );
}

export async function assignmentOf(tx: Tx, run: RunRow, accountId: string): Promise<Assignment> {
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

export function describe(a: Assignment) {
  return { toRepId: a.toRepId, fromRepId: a.fromRepId, pinned: a.pinned, excluded: a.excluded };
}

export async function receivingRep(tx: Tx, run: RunRow, repId: string) {
  const [rep] = await tx.select().from(reps).where(eq(reps.id, repId));
  if (!rep)
    throw new AppError('VALIDATION_FAILED', 'No such rep.', {
      details: [{ path: 'repId', message: `No rep ${repId} in this org.` }],
    });
  if (rep.kind !== 'person')
    throw new AppError('VALIDATION_FAILED', 'Accounts go to people.', {
      details: [{ path: 'repId', message: `Rep ${rep.name} is ${rep.kind}; choose a person.` }],
    });
  const departing = run.params.departingRepIds ?? [];
  if (departing.includes(repId))
    throw new AppError(
      'CONFLICT',
      `${rep.name} is leaving in this run and cannot receive accounts; choose a staying rep.`,
    );
  return rep;
}

export async function setAssignment(
  tx: Tx,
  run: RunRow,
  before: Assignment,
  values: Partial<Assignment>,
  actor: ActorFields,
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

export async function excludeRow(
  tx: Tx,
  run: RunRow,
  before: Assignment,
  actor: ActorFields,
  note: string,
  at: Date,
) {
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

/** A conflict resolved by giving its account to another rep: the account is pinned to that rep, with the note. */
export async function pinToResolve(
  tx: Tx,
  run: RunRow,
  accountId: string,
  repId: string,
  conflictKind: string,
  actor: ActorFields,
  note: string,
  at: Date,
) {
  const rep = await receivingRep(tx, run, repId);
  const before = await assignmentOf(tx, run, accountId);
  return setAssignment(
    tx,
    run,
    before,
    {
      toRepId: rep.id,
      pinned: true,
      excluded: false,
      reason: `Conflict resolved by moving it to ${rep.name}: ${note}`,
      explanation: {
        rule: 'pinned',
        reason: `override resolving ${conflictKind}`,
        note,
        by: actor.actorLabel,
      },
    },
    actor,
    'run.account_pinned',
    note,
    at,
  );
}
