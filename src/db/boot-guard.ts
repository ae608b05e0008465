/**
 * The boot guard (RELIABILITY scenario 2): refuses to start when the role the app works as could read or write
 * across orgs — a superuser, BYPASSRLS, a table owner — or when any table lacks ENABLE + FORCE row level
 * security or its policy. Tenant tables are derived from the catalog (every table with an `org_id` column),
 * so a new table cannot escape the check.
 */
import { sql } from 'drizzle-orm';
import type { Database, Tx } from './client.ts';
import { queryRows } from './query-rows.ts';
import { APP_ROLE, withoutOrg } from './tenancy.ts';

export interface TableSecurity {
  table: string;
  isTenant: boolean;
  rlsEnabled: boolean;
  rlsForced: boolean;
  policies: number;
  /** A FOR ALL policy whose USING and WITH CHECK both read app.org_id. */
  hasOrgPolicy: boolean;
  ownedByAppRole: boolean;
}

export interface SafetyReport {
  ok: boolean;
  role: string;
  /** The role the connection logged in as: the app switches to `role` per transaction, but a login role that
   * is a superuser or can bypass RLS turns every mistake (a query outside a tenancy transaction) into a leak. */
  loginRole: { name: string; superuser: boolean; bypassRls: boolean };
  problems: string[];
  tables: TableSecurity[];
}

export class UnsafeDatabaseError extends Error {
  constructor(readonly problems: string[]) {
    super(
      `Refusing to start: the database is not safe for multi-tenant use.\n${problems.map((p) => `  - ${p}`).join('\n')}\n` +
        'Run the migrations (npm run db:migrate) with the owner role and make sure the app role is not a superuser, ' +
        'has no BYPASSRLS and owns no table.',
    );
    this.name = 'UnsafeDatabaseError';
  }
}

/** Checks the database as the app role sees it, inside a tenancy transaction. */
export async function inspectDatabaseSafety(
  db: Database,
  options: { role?: string } = {},
): Promise<SafetyReport> {
  return withoutOrg(db, {}, (tx) => inspectAsCurrentRole(tx), { role: options.role ?? APP_ROLE });
}

/**
 * The checks themselves, for a transaction that already switched to the role to inspect. Tests use it to
 * break something inside a transaction, inspect, and roll it all back (roles included).
 */
export async function inspectAsCurrentRole(tx: Tx): Promise<SafetyReport> {
  const problems: string[] = [];
  const [me] = await queryRows<{ name: string; super: boolean; bypass: boolean }>(
    tx,
    sql`select rolname as name, rolsuper as super, rolbypassrls as bypass from pg_roles where rolname = current_user`,
  );
  if (!me) throw new Error('Boot guard: cannot read the current role from pg_roles');
  if (me.super) problems.push(`role ${me.name} is a superuser (superusers ignore row level security)`);
  if (me.bypass) problems.push(`role ${me.name} has BYPASSRLS`);
  const [login] = await queryRows<{ name: string; super: boolean; bypass: boolean }>(
    tx,
    sql`select rolname as name, rolsuper as super, rolbypassrls as bypass from pg_roles where rolname = session_user`,
  );

  const rows = await queryRows<{
    table: string;
    is_tenant: boolean;
    rls_enabled: boolean;
    rls_forced: boolean;
    policies: number | string;
    org_policies: number | string;
    owned: boolean;
  }>(
    tx,
    sql`select c.relname as table,
                   exists (select 1 from pg_attribute a
                           where a.attrelid = c.oid and a.attname = 'org_id' and a.attnum > 0 and not a.attisdropped) as is_tenant,
                   c.relrowsecurity as rls_enabled,
                   c.relforcerowsecurity as rls_forced,
                   (select count(*) from pg_policy p where p.polrelid = c.oid) as policies,
                   (select count(*) from pg_policies p
                     where p.schemaname = n.nspname and p.tablename = c.relname and p.cmd = 'ALL'
                       and p.qual like '%app.org_id%' and p.with_check like '%app.org_id%') as org_policies,
                   pg_has_role(current_user, c.relowner, 'MEMBER') as owned
            from pg_class c
            join pg_namespace n on n.oid = c.relnamespace
            where n.nspname = 'public' and c.relkind in ('r', 'p')
            order by c.relname`,
  );
  const tables: TableSecurity[] = rows.map((r) => ({
    table: r.table,
    isTenant: r.is_tenant,
    rlsEnabled: r.rls_enabled,
    rlsForced: r.rls_forced,
    policies: Number(r.policies),
    hasOrgPolicy: Number(r.org_policies) > 0,
    ownedByAppRole: r.owned,
  }));
  if (!tables.some((t) => t.isTenant)) problems.push('no tenant tables found: the migrations have not run');
  for (const t of tables) {
    if (t.ownedByAppRole) problems.push(`table ${t.table} is owned by (or through) role ${me.name}`);
    if (!t.rlsEnabled) problems.push(`table ${t.table} does not ENABLE row level security`);
    if (!t.rlsForced) problems.push(`table ${t.table} does not FORCE row level security`);
    if (t.policies === 0) problems.push(`table ${t.table} has no row level security policy`);
    if (t.isTenant && !t.hasOrgPolicy) {
      problems.push(`tenant table ${t.table} has no policy with USING and WITH CHECK on app.org_id`);
    }
  }

  const loginRole = { name: login?.name ?? '', superuser: !!login?.super, bypassRls: !!login?.bypass };
  if (!tables.some((t) => t.table === 'audit_events')) {
    problems.push('table audit_events is missing');
    return { ok: false, role: me.name, loginRole, problems, tables };
  }
  const [audit] = await queryRows<{ upd: boolean; del: boolean; trunc: boolean; triggers: number | string }>(
    tx,
    sql`select has_table_privilege(current_user, 'public.audit_events', 'UPDATE') as upd,
                   has_table_privilege(current_user, 'public.audit_events', 'DELETE') as del,
                   has_table_privilege(current_user, 'public.audit_events', 'TRUNCATE') as trunc,
                   (select count(*) from pg_trigger t
                     where t.tgrelid = 'public.audit_events'::regclass and t.tgenabled <> 'D'
                       and t.tgname in ('audit_events_append_only', 'audit_events_no_truncate')) as triggers`,
  );
  if (audit?.upd || audit?.del || audit?.trunc) {
    problems.push(`role ${me.name} may UPDATE, DELETE or TRUNCATE audit_events (it must be append-only)`);
  }
  if (Number(audit?.triggers ?? 0) < 2) problems.push('audit_events lacks its enabled append-only triggers');

  return { ok: problems.length === 0, role: me.name, loginRole, problems, tables };
}

/**
 * Throws UnsafeDatabaseError listing every problem; call it once at start, before serving requests. With
 * `refuseUnsafeLogin` (production on a database server) a login role that is a superuser or has BYPASSRLS is a
 * problem too. (Embedded PGlite always runs as its superuser; no other client can connect to it.)
 */
export async function assertDatabaseSafe(
  db: Database,
  options: { role?: string; refuseUnsafeLogin?: boolean } = {},
): Promise<SafetyReport> {
  const report = await inspectDatabaseSafety(db, options);
  const problems = [...report.problems];
  if (options.refuseUnsafeLogin) problems.push(...loginRoleProblems(report));
  if (problems.length > 0) throw new UnsafeDatabaseError(problems);
  return report;
}

/** What is wrong with the login role (empty when it is an ordinary role). */
export function loginRoleProblems(report: SafetyReport): string[] {
  const { name, superuser, bypassRls } = report.loginRole;
  const problems: string[] = [];
  if (superuser) {
    problems.push(
      `the app logs in as ${name}, a superuser: log in as a role without SUPERUSER (DATABASE_URL), keep the owner for MIGRATION_DATABASE_URL`,
    );
  }
  if (bypassRls) problems.push(`the app logs in as ${name}, which has BYPASSRLS`);
  return problems;
}
