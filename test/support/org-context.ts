/**
 * A fresh org with one signed-in member, as the context a service verb receives: tests share the database
 * but never each other's rows.
 */
import type { Principal } from '../../src/auth/principal.ts';
import type { Database } from '../../src/db/client.ts';
import type { Role } from '../../src/lib/roles.ts';
import type { OrgContext } from '../../src/services/auth/context.ts';
import { createMember, createOrg } from './factories.ts';

export async function freshOrgContext(
  db: Database,
  role: Role,
  clock: () => Date = () => new Date('2026-11-24T12:00:00Z'),
): Promise<OrgContext> {
  const org = await createOrg(db);
  const { user } = await createMember(db, org.id, role);
  const principal: Principal = {
    kind: 'session',
    orgId: org.id,
    orgName: org.name,
    role,
    userId: user.id,
  };
  return { db, clock, principal };
}
