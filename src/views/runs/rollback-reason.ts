/**
 * The reason a manager gives for rolling a run back, kept in the audit trail beside the rollback itself.
 * rollbackRun (src/services/rollback/rollback-run.ts) takes no reason yet, so the page appends it as its own
 * event right after a rollback that really happened (not after a replay). When the service records a reason in
 * its `run.rolled_back` event, this module goes away.
 */
import { orgScope } from '../../auth/principal.ts';
import { appendAudit } from '../../db/audit.ts';
import { withOrg } from '../../db/tenancy.ts';
import { auditActor } from '../../services/audit/actor.ts';
import type { OrgContext } from '../../services/auth/context.ts';

export const ROLLBACK_REASON_ACTION = 'run.rollback_reason';

export async function recordRollbackReason(ctx: OrgContext, runId: string, reason: string): Promise<void> {
  await withOrg(ctx.db, orgScope(ctx.principal), async (tx) => {
    await appendAudit(tx, {
      ...auditActor(ctx),
      action: ROLLBACK_REASON_ACTION,
      entityType: 'run',
      entityId: runId,
      runId,
      after: { reason },
    });
  });
}
