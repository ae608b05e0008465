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

/** Deletes every expired session (of all users); returns how many. */
export async function purgeExpiredSessions(tx: Tx): Promise<number> {
  const rows = await queryRows<{ n: number }>(tx, sql`select auth_purge_expired_sessions() as n`);
  return Number(rows[0]?.n ?? 0);
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

export interface ClaimedJob {
  id: string;
  orgId: string;
  kind: string;
  payload: Record<string, unknown>;
  attempts: number;
  runId: string | null;
}

/**
 * Claims up to `limit` due jobs of the given kinds across all orgs (FOR UPDATE SKIP LOCKED), leasing them to
 * `worker` for `leaseSeconds`. Do the work afterwards inside withOrg(job.orgId), in a new transaction.
 */
export async function claimJobs(
  tx: Tx,
  input: { worker: string; kinds: readonly string[]; leaseSeconds: number; limit: number },
): Promise<ClaimedJob[]> {
  const rows = await queryRows<{
    id: string;
    org_id: string;
    kind: string;
    payload: Record<string, unknown>;
    attempts: number;
    run_id: string | null;
  }>(
    tx,
    sql`select id, org_id, kind, payload, attempts, run_id
        from claim_jobs(${input.worker}, ${toTextArray(input.kinds)}::text[], ${input.leaseSeconds}::integer, ${input.limit}::integer)`,
  );
  return rows.map((r) => ({
    id: r.id,
    orgId: r.org_id,
    kind: r.kind,
    payload: r.payload,
    attempts: Number(r.attempts),
    runId: r.run_id,
  }));
}

/** Orgs that have notices due for sending (the sender then works per org inside withOrg). */
export async function orgsWithDueNotices(tx: Tx, limit = 100): Promise<string[]> {
  const rows = await queryRows<{ org_id: string }>(
    tx,
    sql`select org_id from orgs_with_due_notices(${limit}::integer)`,
  );
  return rows.map((r) => r.org_id);
}

function toDate(value: string | Date | null): Date | null {
  if (value === null) return null;
  return value instanceof Date ? value : new Date(value);
}

/** A Postgres array literal, so both drivers bind it as one text parameter. */
function toTextArray(values: readonly string[]): string {
  return `{${values.map((v) => `"${v.replace(/\\/g, '\\\\').replace(/"/g, '\\"')}"`).join(',')}}`;
}
