/**
 * Typed wrappers of the SECURITY DEFINER lookups that run before an org (or user) is known. Call them inside
 * withoutOrg(db, {}, (tx) => ...); each returns only what its caller needs for one exact key.
 */
import { sql } from 'drizzle-orm';
import type { Role } from '../lib/roles.ts';
import type { Tx } from './client.ts';
import { queryRows } from './query-rows.ts';

export interface UserForLogin {
  id: string;
  email: string;
  name: string;
  passwordHash: string;
  disabledAt: Date | null;
}

/** The user with this email (case-insensitive), for verifying a password at login. */
export async function findUserForLogin(tx: Tx, email: string): Promise<UserForLogin | null> {
  const rows = await queryRows<{
    id: string;
    email: string;
    name: string;
    password_hash: string;
    disabled_at: string | Date | null;
  }>(tx, sql`select id, email, name, password_hash, disabled_at from auth_user_by_email(${email})`);
  const row = rows[0];
  if (!row) return null;
  return {
    id: row.id,
    email: row.email,
    name: row.name,
    passwordHash: row.password_hash,
    disabledAt: toDate(row.disabled_at),
  };
}

export interface SessionByToken {
  id: string;
  userId: string;
  activeOrgId: string | null;
  csrfToken: string;
  expiresAt: Date;
  createdAt: Date;
  lastSeenAt: Date;
}

/** The unexpired session whose token hashes to `tokenHash`, or null. */
export async function findSessionByTokenHash(tx: Tx, tokenHash: string): Promise<SessionByToken | null> {
  const rows = await queryRows<{
    id: string;
    user_id: string;
    active_org_id: string | null;
    csrf_token: string;
    expires_at: string | Date;
    created_at: string | Date;
    last_seen_at: string | Date;
  }>(
    tx,
    sql`select id, user_id, active_org_id, csrf_token, expires_at, created_at, last_seen_at
        from auth_session_by_token_hash(${tokenHash})`,
  );
  const row = rows[0];
  if (!row) return null;
  return {
    id: row.id,
    userId: row.user_id,
    activeOrgId: row.active_org_id,
    csrfToken: row.csrf_token,
    expiresAt: toDate(row.expires_at)!,
    createdAt: toDate(row.created_at)!,
    lastSeenAt: toDate(row.last_seen_at)!,
  };
}

export interface ApiKeyByHash {
  id: string;
  orgId: string;
  role: Role;
  name: string;
  expiresAt: Date | null;
}

/** The active (not revoked, not expired) API key with this hash: its org and role, or null. */
export async function findApiKeyByHash(tx: Tx, keyHash: string): Promise<ApiKeyByHash | null> {
  const rows = await queryRows<{
    id: string;
    org_id: string;
    role: Role;
    name: string;
    expires_at: string | Date | null;
  }>(tx, sql`select id, org_id, role::text as role, name, expires_at from auth_api_key_by_hash(${keyHash})`);
  const row = rows[0];
  if (!row) return null;
  return { id: row.id, orgId: row.org_id, role: row.role, name: row.name, expiresAt: toDate(row.expires_at) };
}

function toDate(value: string | Date | null): Date | null {
  if (value === null) return null;
  return value instanceof Date ? value : new Date(value);
}
