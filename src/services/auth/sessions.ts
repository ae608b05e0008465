/**
 * Server-side web sessions. The cookie carries a random 32-byte token; the database keeps only its sha256,
 * the user, the active org, the CSRF token and the expiry. Every sign-in creates a new session (new id and
 * token), and signing out deletes it.
 */
import { and, asc, eq, lt } from 'drizzle-orm';
import { memberships, orgs, sessions, users } from '../../../db/schema/index.ts';
import type { Principal } from '../../auth/principal.ts';
import { randomToken, sha256Hex } from '../../auth/tokens.ts';
import { findSessionByTokenHash } from '../../db/auth-lookups.ts';
import type { Tx } from '../../db/client.ts';
import { withOrg, withoutOrg } from '../../db/tenancy.ts';
import { isRole } from '../../lib/roles.ts';
import type { AuthContext } from './context.ts';

export interface SessionInfo {
  id: string;
  csrfToken: string;
  expiresAt: Date;
}

export interface NewSession {
  /** The cookie value; never stored. */
  token: string;
  session: SessionInfo;
}

export async function createSession({
  ctx,
  input,
}: {
  ctx: AuthContext;
  input: { userId: string; orgId: string; ip?: string; userAgent?: string };
}): Promise<NewSession> {
  const token = randomToken(32);
  const csrfToken = randomToken(32);
  const now = ctx.clock();
  const expiresAt = new Date(now.getTime() + ctx.env.SESSION_TTL_HOURS * 3600_000);
  const [row] = await withoutOrg(ctx.db, { userId: input.userId }, async (tx) => {
    // Expired sessions of this user are dead weight; drop them while we are here.
    await tx.delete(sessions).where(and(eq(sessions.userId, input.userId), lt(sessions.expiresAt, now)));
    return tx
      .insert(sessions)
      .values({
        tokenHash: sha256Hex(token),
        userId: input.userId,
        activeOrgId: input.orgId,
        csrfToken,
        expiresAt,
        createdAt: now,
        lastSeenAt: now,
        createdIp: input.ip ?? null,
        createdUserAgent: input.userAgent?.slice(0, 500) ?? null,
      })
      .returning({ id: sessions.id });
  });
  return { token, session: { id: row!.id, csrfToken, expiresAt } };
}

/**
 * The principal of a user in `orgId` (or their first org), or null when they are not a member (or are
 * disabled). The org filter matters: RLS lets a user read all of their own memberships.
 */
export async function principalForUser(
  tx: Tx,
  userId: string,
  orgId?: string,
): Promise<Omit<Principal, 'kind'> | null> {
  const [row] = await tx
    .select({
      orgId: memberships.orgId,
      role: memberships.role,
      repId: memberships.repId,
      orgName: orgs.name,
      email: users.email,
      name: users.name,
      disabledAt: users.disabledAt,
    })
    .from(memberships)
    .innerJoin(orgs, eq(orgs.id, memberships.orgId))
    .innerJoin(users, eq(users.id, memberships.userId))
    .where(and(eq(memberships.userId, userId), orgId ? eq(memberships.orgId, orgId) : undefined))
    .orderBy(asc(memberships.createdAt))
    .limit(1);
  if (!row || row.disabledAt || !isRole(row.role)) return null;
  return {
    orgId: row.orgId,
    orgName: row.orgName,
    role: row.role,
    userId,
    email: row.email,
    displayName: row.name,
    ...(row.repId ? { repId: row.repId } : {}),
  };
}

/** The session and principal behind a cookie token, or null (unknown, expired, or membership gone). */
export async function resolveSession({
  ctx,
  input,
}: {
  ctx: AuthContext;
  input: { token: string };
}): Promise<{ session: SessionInfo; principal: Principal } | null> {
  if (input.token.length < 32 || input.token.length > 128) return null;
  const found = await withoutOrg(ctx.db, {}, (tx) => findSessionByTokenHash(tx, sha256Hex(input.token)));
  if (!found) return null;
  // The lookup already skips sessions expired by the database clock; this also honours the app's clock.
  if (found.expiresAt.getTime() <= ctx.clock().getTime()) {
    await endSession({ ctx, input: { sessionId: found.id, userId: found.userId } });
    return null;
  }
  const orgId = found.activeOrgId;
  if (!orgId) return null;
  // Inside the session's org, so everything read here is under that org's row-level security.
  const principal = await withOrg(ctx.db, { orgId, userId: found.userId }, (tx) =>
    principalForUser(tx, found.userId, orgId),
  );
  if (!principal) return null;
  return {
    session: { id: found.id, csrfToken: found.csrfToken, expiresAt: found.expiresAt },
    principal: { kind: 'session', ...principal },
  };
}

export async function endSession({
  ctx,
  input,
}: {
  ctx: AuthContext;
  input: { sessionId: string; userId: string };
}) {
  await withoutOrg(ctx.db, { userId: input.userId }, (tx) =>
    tx.delete(sessions).where(and(eq(sessions.id, input.sessionId), eq(sessions.userId, input.userId))),
  );
}
