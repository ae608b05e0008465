/** Who is calling: a signed-in user (session) or another system (API key), always within exactly one org. */
import type { Role } from '../lib/roles.ts';

export interface Principal {
  /** How the caller authenticated; CSRF applies to sessions only. */
  kind: 'session' | 'api_key';
  /** The org every database call of this request runs in (through withOrg). */
  orgId: string;
  orgName: string;
  role: Role;
  /** Set for sessions. */
  userId?: string;
  email?: string;
  displayName?: string;
  /** Set for API keys. */
  apiKeyId?: string;
  apiKeyName?: string;
  /** The user who created the key (unset when created by the operator CLI or that user is gone). */
  apiKeyCreatedBy?: string;
  /** The rep record a `rep` member is, when linked: they see their own book only. */
  repId?: string;
}

/** The tenancy context of a principal, in the shape withOrg takes. */
export function orgScope(principal: Principal): { orgId: string; userId?: string } {
  return principal.userId ? { orgId: principal.orgId, userId: principal.userId } : { orgId: principal.orgId };
}
