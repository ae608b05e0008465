/**
 * The ONLY way the app reaches the database: a transaction that switches to the app role and sets the
 * org and user for that transaction alone, so row-level security applies to everything inside it.
 */
import { sql } from 'drizzle-orm';
import type { PgTransactionConfig } from 'drizzle-orm/pg-core';
import type { Database, Tx } from './client.ts';

/** The role the app works as: NOLOGIN, not a superuser, no BYPASSRLS, owns nothing (db/migrations). */
export const APP_ROLE = 'bookshift_app';

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

export interface OrgScope {
  orgId: string;
  /** The signed-in user, if any; policies on users, memberships and sessions read it. */
  userId?: string | null | undefined;
}

export interface UserScope {
  userId?: string | null | undefined;
}

export interface TenancyOptions {
  /** Isolation level, access mode, deferrable; defaults to the server default (read committed). */
  transaction?: PgTransactionConfig;
  /** Only for tests of the boot guard: work as another (throwaway) role. */
  role?: string;
}

/** Runs `work` in one transaction as the app role with `app.org_id` (and `app.user_id`) set for it. */
export async function withOrg<T>(
  db: Database,
  scope: OrgScope,
  work: (tx: Tx) => Promise<T>,
  options?: TenancyOptions,
) {
  assertUuid('orgId', scope.orgId);
  return scoped(db, scope.orgId, scope.userId ?? null, work, options);
}

/** Runs `work` as the app role with no org: for lookups before an org is known (login, session, API key). */
export async function withoutOrg<T>(
  db: Database,
  scope: UserScope,
  work: (tx: Tx) => Promise<T>,
  options?: TenancyOptions,
) {
  return scoped(db, null, scope.userId ?? null, work, options);
}

async function scoped<T>(
  db: Database,
  orgId: string | null,
  userId: string | null,
  work: (tx: Tx) => Promise<T>,
  options: TenancyOptions = {},
): Promise<T> {
  if (userId !== null) assertUuid('userId', userId);
  const role = options.role ?? APP_ROLE;
  if (!/^[a-z_][a-z0-9_]*$/.test(role)) throw new Error(`withOrg: invalid role name "${role}"`);
  return db.transaction(async (tx) => {
    // SET cannot take a bound parameter; the role is a validated constant, never request data.
    await tx.execute(sql`set local role ${sql.identifier(role)}`);
    // Transaction-local (third argument true) and bound: nothing survives into the next transaction
    // on this pooled connection. Both are always set, '' meaning "none".
    await tx.execute(
      sql`select set_config('app.org_id', ${orgId ?? ''}, true), set_config('app.user_id', ${userId ?? ''}, true)`,
    );
    return work(tx);
  }, options.transaction);
}

function assertUuid(field: string, value: string): void {
  if (typeof value !== 'string' || !UUID.test(value)) {
    throw new Error(`Tenancy: ${field} must be a UUID, got ${JSON.stringify(value)}`);
  }
}

/**
 * One trivial query through the tenancy helper, like everything else: proves the app role works, not only the
 * socket (the health check).
 */
export async function pingDatabase(db: Database): Promise<void> {
  await withoutOrg(db, {}, (tx) => tx.execute(sql`select 1`));
}
