/** Roles of a member of an org, and what each may do (MISSION.md "Access"). */
export const ROLES = ['admin', 'manager', 'analyst', 'rep', 'finance'] as const;
export type Role = (typeof ROLES)[number];

export function isRole(value: unknown): value is Role {
  return typeof value === 'string' && (ROLES as readonly string[]).includes(value);
}
