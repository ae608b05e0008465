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

/** Who acted on a record: a person (user id) or an API key (its id), never neither when someone acted. */
export type ActorType = 'user' | 'api_key';

/** The id and type of whoever acted, from the pair of columns that names them (exactly one is set). */
export function actorOf(
  userId: string | null,
  apiKeyId: string | null,
): { id: string | null; type: ActorType | null } {
  if (userId) return { id: userId, type: 'user' };
  if (apiKeyId) return { id: apiKeyId, type: 'api_key' };
  return { id: null, type: null };
}

export interface RunState {
  id: string;
  status: RunStatus;
  version: number;
  proposalHash: string | null;
  approvedHash: string | null;
  approvedBy: string | null;
  approvedByType: ActorType | null;
  approvedAt: string | null;
  committedBy: string | null;
  committedByType: ActorType | null;
  committedAt: string | null;
  cancelledBy: string | null;
  cancelledByType: ActorType | null;
  cancelledAt: string | null;
}

const iso = (d: Date | null) => (d ? d.toISOString() : null);

export function runState(run: RunRow): RunState {
  const approver = actorOf(run.approvedBy, run.approvedByApiKeyId);
  const committer = actorOf(run.committedBy, run.committedByApiKeyId);
  const canceller = actorOf(run.cancelledBy, run.cancelledByApiKeyId);
  return {
    id: run.id,
    status: run.status,
    version: run.version,
    proposalHash: run.proposalHash,
    approvedHash: run.approvedHash,
    approvedBy: approver.id,
    approvedByType: approver.type,
    approvedAt: iso(run.approvedAt),
    committedBy: committer.id,
    committedByType: committer.type,
    committedAt: iso(run.committedAt),
    cancelledBy: canceller.id,
    cancelledByType: canceller.type,
    cancelledAt: iso(run.cancelledAt),
  };
}
