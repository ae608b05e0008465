/**
 * The whole Bookshift schema, re-exported for drizzle-orm and drizzle-kit.
 *
 * Tenancy design (read before adding a table):
 * - Every tenant table has `org_id uuid not null`, an index on it, and the policy `tenantPolicy(<table>)`
 *   (USING and WITH CHECK `org_id = (select nullif(current_setting('app.org_id', true), '')::uuid)`).
 *   A custom migration runs `select bookshift_secure_table('<table>')` for it: ENABLE + FORCE row level
 *   security and the grants of the app role. The boot guard and test/db treat every table with an
 *   `org_id` column as a tenant table, so a new one cannot escape silently.
 * - The app works as `bookshift_app` (NOLOGIN, no superuser, no BYPASSRLS, owns nothing); src/db/tenancy.ts
 *   switches to it with `set local role` in every transaction and sets `app.org_id` / `app.user_id` with
 *   transaction-local `set_config(..., true)` and bound parameters.
 * - Global tables also have RLS (ENABLE + FORCE), with policies keyed on the signed-in user instead of the org:
 *   orgs (the current org; orgs the user is a member of, read-only), users (themself; members of the current
 *   org), memberships (tenant policy, plus a user reads their own across orgs), sessions (only the user's own).
 *   login_attempts holds throttling counters: the app role has no privilege on it and calls the SECURITY DEFINER
 *   functions login_throttle_counts / _fail / _forget (migration 0008) for exact keys.
 * - solve_slots is a tenant table whose rows are added only by solve_slot_claim() (migration 0012), which counts
 *   the live leases of every org under one lock: the app role may read, renew and delete its org's rows, not insert.
 * - Lookups that must happen before anyone is known go through narrow SECURITY DEFINER functions (owned by the
 *   migrating role, `set search_path`), wrapped in src/db/auth-lookups.ts: a user by email (for login), a
 *   session by token hash, an API key by hash (returning its org and role), and claim_jobs() for workers.
 *   They return only the columns the caller needs. Because FORCE also binds a non-superuser table owner, the
 *   migrating role must be a superuser or have BYPASSRLS for these functions to see rows.
 * - audit_events: SELECT and INSERT only for the app role, a trigger refusing UPDATE and DELETE for everyone,
 *   TRUNCATE revoked; commission_splits: a trigger allows only closing `effective_to` once.
 */
export * from './account-team-members.ts';
export * from './accounts.ts';
export * from './api-keys.ts';
export * from './audit-events.ts';
export * from './change-set-items.ts';
export * from './change-sets.ts';
export * from './column-mappings.ts';
export * from './commission-adjustments.ts';
export * from './commission-splits.ts';
export * from './conflicts.ts';
export * from './enums.ts';
export * from './idempotency-keys.ts';
export * from './import-errors.ts';
export * from './import-snapshot-accounts.ts';
export * from './imports.ts';
export * from './jobs.ts';
export * from './login-attempts.ts';
export * from './memberships.ts';
export * from './notices.ts';
export * from './opportunities.ts';
export * from './orgs.ts';
export * from './reps.ts';
export * from './revenue-schedules.ts';
export * from './rulesets.ts';
export * from './run-assignments.ts';
export * from './run-opportunity-changes.ts';
export * from './runs.ts';
export * from './sessions.ts';
export * from './solve-slots.ts';
export * from './users.ts';
