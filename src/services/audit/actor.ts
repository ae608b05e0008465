/** The actor fields of an audit event, taken from the principal of the request that caused it. */
import type { AuditEventInput } from '../../db/audit.ts';
import type { OrgContext } from '../auth/context.ts';

export function auditActor(
  ctx: OrgContext,
): Pick<AuditEventInput, 'actorUserId' | 'actorApiKeyId' | 'actorLabel' | 'requestId' | 'at'> {
  return {
    actorUserId: ctx.principal.userId ?? null,
    actorApiKeyId: ctx.principal.apiKeyId ?? null,
    actorLabel: ctx.principal.email ?? ctx.principal.apiKeyName ?? null,
    requestId: ctx.requestId ?? null,
    at: ctx.clock(),
  };
}
