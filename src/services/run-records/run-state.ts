import type { AuditEventInput } from '../../db/audit.ts';
import type { RunStatus } from '../../workflow/run-status.ts';
import { actorFields } from '../audit/actor.ts';
import type { OrgContext } from '../auth/context.ts';
import type { RunRow } from './run-records.ts';

export type RunActionContext = OrgContext;

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
