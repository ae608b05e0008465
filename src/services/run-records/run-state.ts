/** What the run actions share: the caller's context, the locked run row, the actor fields of audit events, the run's state as returned. */
import { eq } from 'drizzle-orm';
import { runs } from '../../../db/schema/index.ts';
import type { AuditEventInput } from '../../db/audit.ts';
import type { Tx } from '../../db/client.ts';
import { notFound } from '../../lib/errors.ts';
import type { RunStatus } from '../../workflow/run-status.ts';
import type { OrgContext } from '../auth/context.ts';

export type RunActionContext = OrgContext;
export type RunRow = typeof runs.$inferSelect;

/** Locks the run row until the transaction ends (FOR UPDATE): approvals, commits and cancels of one run queue here. */
export async function lockRun(tx: Tx, runId: string): Promise<RunRow> {
  // RLS limits this to the caller's org: another org's run is simply not found.
  const [run] = await tx.select().from(runs).where(eq(runs.id, runId)).for('update');
  if (!run) throw notFound('The run');
  return run;
}

export function actorFields(ctx: RunActionContext) {
  return {
    actorUserId: ctx.principal.userId ?? null,
    actorApiKeyId: ctx.principal.apiKeyId ?? null,
    actorLabel: ctx.principal.email ?? ctx.principal.apiKeyName ?? null,
    requestId: ctx.requestId ?? null,
  };
}

/** One audit event per status change, with the status before and after. */
export function transitionEvent(
  ctx: RunActionContext,
  runId: string,
  action: string,
  from: RunStatus,
  to: RunStatus,
  extra: { before?: Record<string, unknown>; after?: Record<string, unknown> } = {},
  at: Date = ctx.clock(),
): AuditEventInput {
  return {
    action,
    entityType: 'run',
    entityId: runId,
    runId,
    ...actorFields(ctx),
    before: { status: from, ...extra.before },
    after: { status: to, ...extra.after },
    at,
  };
}

export interface RunState {
  id: string;
  status: RunStatus;
  version: number;
  proposalHash: string | null;
  approvedHash: string | null;
  approvedBy: string | null;
  approvedAt: string | null;
  committedBy: string | null;
  committedAt: string | null;
  cancelledBy: string | null;
  cancelledAt: string | null;
}

const iso = (d: Date | null) => (d ? d.toISOString() : null);

export function runState(run: RunRow): RunState {
  return {
    id: run.id,
    status: run.status,
    version: run.version,
    proposalHash: run.proposalHash,
    approvedHash: run.approvedHash,
    approvedBy: run.approvedBy,
    approvedAt: iso(run.approvedAt),
    committedBy: run.committedBy,
    committedAt: iso(run.committedAt),
    cancelledBy: run.cancelledBy,
    cancelledAt: iso(run.cancelledAt),
  };
}
