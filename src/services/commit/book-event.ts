/** The audit event of a commit that records the run's whole book before and after it. */
import type { AuditEventInput } from '../../db/audit.ts';
import { actorFields } from '../audit/actor.ts';
import type { RunActionContext } from '../run-records/run-state.ts';
import type { BookLine, OpportunityMove } from './commit-ownership.ts';

/**
 * The run's whole book before and after: every account of the run with its owner, and, for an opportunity-level
 * run, the opportunities it handed over with their owner.
 */
export function bookEvent(
  ctx: RunActionContext,
  runId: string,
  book: readonly BookLine[],
  handedOver: readonly OpportunityMove[],
  at: Date,
): AuditEventInput {
  const line = (l: BookLine, ownerRepId: string | null) => ({
    accountId: l.accountId,
    crmId: l.crmId,
    ownerRepId,
  });
  const opp = (o: OpportunityMove, ownerRepId: string | null) => ({
    opportunityId: o.opportunityId,
    crmId: o.crmId,
    accountId: o.accountId,
    ownerRepId,
  });
  const opportunities = (owner: (o: OpportunityMove) => string | null) =>
    handedOver.length > 0 ? { opportunities: handedOver.map((o) => opp(o, owner(o))) } : {};
  return {
    action: 'run.book_changed',
    entityType: 'run',
    entityId: runId,
    runId,
    ...actorFields(ctx),
    before: { accounts: book.map((l) => line(l, l.ownerRepId)), ...opportunities((o) => o.fromRepId) },
    after: {
      accounts: book.map((l) => line(l, l.toRepId !== l.plannedRepId ? l.toRepId : l.ownerRepId)),
      ...opportunities((o) => o.toRepId),
    },
    at,
  };
}
