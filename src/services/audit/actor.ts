/** The actor fields of an audit event, taken from the principal of the request that caused it: the one builder. */
import type { Principal } from '../../auth/principal.ts';
import type { AuditEventInput } from '../../db/audit.ts';

/** Who did it, in the shape the audit trail keeps; a job acts as "system". */
export type ActorFields = Pick<AuditEventInput, 'actorUserId' | 'actorApiKeyId' | 'actorLabel' | 'requestId'>;

export function actorFields(ctx: { principal: Principal; requestId?: string | undefined }): ActorFields {
  return {
    actorUserId: ctx.principal.userId ?? null,
    actorApiKeyId: ctx.principal.apiKeyId ?? null,
    actorLabel: ctx.principal.email ?? ctx.principal.apiKeyName ?? null,
    requestId: ctx.requestId ?? null,
  };
}

/**
 * Who acted, in the two columns a record of an action keeps (`<verb>_by` for a person, `<verb>_by_api_key_id` for a
 * key): exactly one is set, so an API key is named as a person is.
 */
export function actingIds(principal: Principal): { userId: string | null; apiKeyId: string | null } {
  return principal.userId
    ? { userId: principal.userId, apiKeyId: null }
    : { userId: null, apiKeyId: principal.apiKeyId ?? null };
}

/** The actor fields with the time of the event (the context's clock). */
export function auditActor(ctx: {
  principal: Principal;
  requestId?: string | undefined;
  clock: () => Date;
}): ActorFields & { at: Date } {
  return { ...actorFields(ctx), at: ctx.clock() };
}

/** The actor of what the solve job does on its own. */
export const SYSTEM_ACTOR: ActorFields = {
  actorUserId: null,
  actorApiKeyId: null,
  actorLabel: 'system (solve job)',
  requestId: null,
};
