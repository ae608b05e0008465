-- Security that drizzle-kit cannot express: the app role, its grants, FORCE row level security,
-- the append-only audit trail, the immutable split history and the narrow SECURITY DEFINER lookups.
-- See the comment at the top of db/schema/index.ts for the design.

-- The app role is cluster-wide. Test databases migrate in parallel on one server, so creating it must
-- survive a concurrent creator: a blocked CREATE ROLE fails with unique_violation once the other commits.
DO $$
BEGIN
  IF NOT EXISTS (SELECT 1 FROM pg_catalog.pg_roles WHERE rolname = 'bookshift_app') THEN
    BEGIN
      CREATE ROLE bookshift_app NOLOGIN NOSUPERUSER NOBYPASSRLS NOCREATEDB NOCREATEROLE;
    EXCEPTION WHEN duplicate_object OR unique_violation THEN
      NULL;
    END;
  END IF;
END
$$;
--> statement-breakpoint
-- The connecting (migrating) user must be able to `set local role bookshift_app`. Superusers already can.
DO $$
BEGIN
  IF NOT pg_catalog.pg_has_role(current_user, 'bookshift_app', 'MEMBER') THEN
    EXECUTE format('GRANT bookshift_app TO %I', current_user);
  END IF;
EXCEPTION WHEN duplicate_object OR unique_violation THEN
  NULL;
END
$$;
--> statement-breakpoint
GRANT USAGE ON SCHEMA public TO bookshift_app;
--> statement-breakpoint
-- Nobody but the owner creates objects here, so the app role can never own a table.
REVOKE CREATE ON SCHEMA public FROM PUBLIC;
--> statement-breakpoint
-- ENABLE + FORCE row level security and the app role's privileges on one table. Every new tenant table
-- needs `select bookshift_secure_table('<table>');` in a custom migration (the boot guard checks it).
CREATE OR REPLACE FUNCTION bookshift_secure_table(tbl regclass, privileges text DEFAULT 'SELECT, INSERT, UPDATE, DELETE')
RETURNS void
LANGUAGE plpgsql
SET search_path = pg_catalog, public
AS $$
BEGIN
  IF privileges !~ '^(SELECT|INSERT|UPDATE|DELETE)(, ?(SELECT|INSERT|UPDATE|DELETE))*$' THEN
    RAISE EXCEPTION 'bookshift_secure_table: unexpected privilege list %', privileges;
  END IF;
  EXECUTE format('ALTER TABLE %s ENABLE ROW LEVEL SECURITY', tbl);
  EXECUTE format('ALTER TABLE %s FORCE ROW LEVEL SECURITY', tbl);
  EXECUTE format('REVOKE ALL ON TABLE %s FROM PUBLIC', tbl);
  EXECUTE format('REVOKE ALL ON TABLE %s FROM bookshift_app', tbl);
  EXECUTE format('GRANT %s ON TABLE %s TO bookshift_app', privileges, tbl);
END
$$;
--> statement-breakpoint
REVOKE ALL ON FUNCTION bookshift_secure_table(regclass, text) FROM PUBLIC;
--> statement-breakpoint
SELECT bookshift_secure_table('orgs', 'SELECT, INSERT, UPDATE');
--> statement-breakpoint
SELECT bookshift_secure_table('users', 'SELECT, INSERT, UPDATE');
--> statement-breakpoint
SELECT bookshift_secure_table('sessions');
--> statement-breakpoint
SELECT bookshift_secure_table('login_attempts');
--> statement-breakpoint
SELECT bookshift_secure_table('memberships');
--> statement-breakpoint
SELECT bookshift_secure_table('api_keys');
--> statement-breakpoint
SELECT bookshift_secure_table('reps');
--> statement-breakpoint
SELECT bookshift_secure_table('accounts');
--> statement-breakpoint
SELECT bookshift_secure_table('account_team_members');
--> statement-breakpoint
SELECT bookshift_secure_table('opportunities');
--> statement-breakpoint
SELECT bookshift_secure_table('commission_splits');
--> statement-breakpoint
SELECT bookshift_secure_table('revenue_schedules');
--> statement-breakpoint
SELECT bookshift_secure_table('imports');
--> statement-breakpoint
SELECT bookshift_secure_table('import_errors');
--> statement-breakpoint
SELECT bookshift_secure_table('import_snapshot_accounts');
--> statement-breakpoint
SELECT bookshift_secure_table('column_mappings');
--> statement-breakpoint
SELECT bookshift_secure_table('rulesets');
--> statement-breakpoint
SELECT bookshift_secure_table('runs');
--> statement-breakpoint
SELECT bookshift_secure_table('run_assignments');
--> statement-breakpoint
SELECT bookshift_secure_table('run_opportunity_changes');
--> statement-breakpoint
SELECT bookshift_secure_table('conflicts');
--> statement-breakpoint
SELECT bookshift_secure_table('change_sets');
--> statement-breakpoint
SELECT bookshift_secure_table('change_set_items');
--> statement-breakpoint
SELECT bookshift_secure_table('commission_adjustments');
--> statement-breakpoint
SELECT bookshift_secure_table('notices');
--> statement-breakpoint
SELECT bookshift_secure_table('idempotency_keys');
--> statement-breakpoint
SELECT bookshift_secure_table('jobs');
--> statement-breakpoint
-- Append-only audit trail: the app role may only read and add (no UPDATE, DELETE or TRUNCATE grant) ...
SELECT bookshift_secure_table('audit_events', 'SELECT, INSERT');
--> statement-breakpoint
REVOKE TRUNCATE ON TABLE audit_events FROM PUBLIC, bookshift_app;
--> statement-breakpoint
-- ... and a trigger refuses changes for every role, the owner included (tamper tests disable it on purpose).
CREATE OR REPLACE FUNCTION audit_events_refuse_change()
RETURNS trigger
LANGUAGE plpgsql
SET search_path = pg_catalog, public
AS $$
BEGIN
  RAISE EXCEPTION 'audit_events is append-only: % is not allowed', TG_OP
    USING ERRCODE = 'insufficient_privilege',
          HINT = 'Record a new audit event instead of changing an old one.';
END
$$;
--> statement-breakpoint
CREATE TRIGGER audit_events_append_only
  BEFORE UPDATE OR DELETE ON audit_events
  FOR EACH ROW EXECUTE FUNCTION audit_events_refuse_change();
--> statement-breakpoint
CREATE TRIGGER audit_events_no_truncate
  BEFORE TRUNCATE ON audit_events
  FOR EACH STATEMENT EXECUTE FUNCTION audit_events_refuse_change();
--> statement-breakpoint
-- Commission split history is immutable: a change closes rows (effective_to) and adds new ones.
-- Deleting stays possible so a rollback can remove the rows its own run created.
CREATE OR REPLACE FUNCTION commission_splits_refuse_edit()
RETURNS trigger
LANGUAGE plpgsql
SET search_path = pg_catalog, public
AS $$
BEGIN
  IF NEW.org_id IS DISTINCT FROM OLD.org_id
     OR NEW.opportunity_id IS DISTINCT FROM OLD.opportunity_id
     OR NEW.rep_id IS DISTINCT FROM OLD.rep_id
     OR NEW.role IS DISTINCT FROM OLD.role
     OR NEW.bps IS DISTINCT FROM OLD.bps
     OR NEW.effective_from IS DISTINCT FROM OLD.effective_from
     OR NEW.run_id IS DISTINCT FROM OLD.run_id
     OR NEW.created_at IS DISTINCT FROM OLD.created_at THEN
    RAISE EXCEPTION 'commission_splits rows are immutable: only effective_to may change (split %)', OLD.id
      USING ERRCODE = 'integrity_constraint_violation',
            HINT = 'Close the current rows with effective_to and insert new rows with their effective_from.';
  END IF;
  RETURN NEW;
END
$$;
--> statement-breakpoint
CREATE TRIGGER commission_splits_immutable
  BEFORE UPDATE ON commission_splits
  FOR EACH ROW EXECUTE FUNCTION commission_splits_refuse_edit();
--> statement-breakpoint
-- Lookups before anyone is known. SECURITY DEFINER runs them as the owner (who bypasses RLS), so each one
-- returns only what its caller needs, for one exact key.
CREATE OR REPLACE FUNCTION auth_user_by_email(p_email text)
RETURNS TABLE (id uuid, email text, name text, password_hash text, disabled_at timestamptz)
LANGUAGE sql
STABLE
SECURITY DEFINER
SET search_path = pg_catalog, public
AS $$
  SELECT u.id, u.email, u.name, u.password_hash, u.disabled_at
  FROM public.users u
  WHERE lower(u.email) = lower(p_email)
$$;
--> statement-breakpoint
CREATE OR REPLACE FUNCTION auth_session_by_token_hash(p_token_hash text)
RETURNS TABLE (
  id uuid,
  user_id uuid,
  active_org_id uuid,
  csrf_token text,
  expires_at timestamptz,
  created_at timestamptz,
  last_seen_at timestamptz
)
LANGUAGE sql
STABLE
SECURITY DEFINER
SET search_path = pg_catalog, public
AS $$
  SELECT s.id, s.user_id, s.active_org_id, s.csrf_token, s.expires_at, s.created_at, s.last_seen_at
  FROM public.sessions s
  WHERE s.token_hash = p_token_hash AND s.expires_at > now()
$$;
--> statement-breakpoint
CREATE OR REPLACE FUNCTION auth_purge_expired_sessions()
RETURNS integer
LANGUAGE sql
VOLATILE
SECURITY DEFINER
SET search_path = pg_catalog, public
AS $$
  WITH gone AS (DELETE FROM public.sessions WHERE expires_at <= now() RETURNING 1)
  SELECT count(*)::integer FROM gone
$$;
--> statement-breakpoint
CREATE OR REPLACE FUNCTION auth_api_key_by_hash(p_key_hash text)
RETURNS TABLE (id uuid, org_id uuid, role member_role, name text, expires_at timestamptz)
LANGUAGE sql
STABLE
SECURITY DEFINER
SET search_path = pg_catalog, public
AS $$
  SELECT k.id, k.org_id, k.role, k.name, k.expires_at
  FROM public.api_keys k
  WHERE k.key_hash = p_key_hash
    AND k.revoked_at IS NULL
    AND (k.expires_at IS NULL OR k.expires_at > now())
$$;
--> statement-breakpoint
-- Workers claim due jobs of every org; the work itself then runs inside withOrg(job.org_id).
CREATE OR REPLACE FUNCTION claim_jobs(p_worker text, p_kinds text[], p_lease_seconds integer, p_limit integer)
RETURNS TABLE (id uuid, org_id uuid, kind text, payload jsonb, attempts integer, run_id uuid)
LANGUAGE sql
VOLATILE
SECURITY DEFINER
SET search_path = pg_catalog, public
AS $$
  WITH picked AS (
    SELECT j.id
    FROM public.jobs j
    WHERE j.kind = ANY (p_kinds)
      AND j.run_at <= now()
      AND j.cancel_requested_at IS NULL
      AND j.attempts < j.max_attempts
      AND (j.status = 'queued' OR (j.status = 'running' AND j.locked_until < now()))
    ORDER BY j.priority DESC, j.run_at, j.id
    LIMIT greatest(p_limit, 0)
    FOR UPDATE SKIP LOCKED
  )
  UPDATE public.jobs j
  SET status = 'running',
      locked_by = p_worker,
      locked_until = now() + make_interval(secs => p_lease_seconds),
      attempts = j.attempts + 1,
      updated_at = now()
  FROM picked
  WHERE j.id = picked.id
  RETURNING j.id, j.org_id, j.kind, j.payload, j.attempts, j.run_id
$$;
--> statement-breakpoint
-- The notice sender asks which orgs have notices due, then sends each org's inside withOrg.
CREATE OR REPLACE FUNCTION orgs_with_due_notices(p_limit integer)
RETURNS TABLE (org_id uuid)
LANGUAGE sql
STABLE
SECURITY DEFINER
SET search_path = pg_catalog, public
AS $$
  SELECT DISTINCT n.org_id
  FROM public.notices n
  WHERE n.status = 'pending' AND n.next_attempt_at <= now()
  LIMIT greatest(p_limit, 0)
$$;
--> statement-breakpoint
REVOKE ALL ON FUNCTION auth_user_by_email(text) FROM PUBLIC;
--> statement-breakpoint
REVOKE ALL ON FUNCTION auth_session_by_token_hash(text) FROM PUBLIC;
--> statement-breakpoint
REVOKE ALL ON FUNCTION auth_purge_expired_sessions() FROM PUBLIC;
--> statement-breakpoint
REVOKE ALL ON FUNCTION auth_api_key_by_hash(text) FROM PUBLIC;
--> statement-breakpoint
REVOKE ALL ON FUNCTION claim_jobs(text, text[], integer, integer) FROM PUBLIC;
--> statement-breakpoint
REVOKE ALL ON FUNCTION orgs_with_due_notices(integer) FROM PUBLIC;
--> statement-breakpoint
GRANT EXECUTE ON FUNCTION auth_user_by_email(text) TO bookshift_app;
--> statement-breakpoint
GRANT EXECUTE ON FUNCTION auth_session_by_token_hash(text) TO bookshift_app;
--> statement-breakpoint
GRANT EXECUTE ON FUNCTION auth_purge_expired_sessions() TO bookshift_app;
--> statement-breakpoint
GRANT EXECUTE ON FUNCTION auth_api_key_by_hash(text) TO bookshift_app;
--> statement-breakpoint
GRANT EXECUTE ON FUNCTION claim_jobs(text, text[], integer, integer) TO bookshift_app;
--> statement-breakpoint
GRANT EXECUTE ON FUNCTION orgs_with_due_notices(integer) TO bookshift_app;
