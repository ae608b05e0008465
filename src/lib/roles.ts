/** Roles of a member of an org, and what each may do. */
export const ROLES = ['admin', 'manager', 'analyst', 'rep', 'finance'] as const;
export type Role = (typeof ROLES)[number];

export function isRole(value: unknown): value is Role {
  return typeof value === 'string' && (ROLES as readonly string[]).includes(value);
}

/**
 * The roles a key created by a member of each role may carry: only roles whose every right that member has
 * too, so a key never carries more than its creator may do (an admin, who may not approve or commit, cannot
 * mint a manager key). The role matrix test checks this table against the routes' access policy.
 */
export const GRANTABLE_KEY_ROLES: Record<Role, readonly Role[]> = {
  admin: ['admin', 'finance', 'rep'],
  manager: ['manager', 'analyst', 'finance', 'rep'],
  analyst: ['analyst', 'finance', 'rep'],
  finance: ['finance', 'rep'],
  rep: ['rep'],
};

/** Roles that manage API keys: admins every key of the org, managers the keys they created. */
export const KEY_MANAGERS = ['admin', 'manager'] as const;
