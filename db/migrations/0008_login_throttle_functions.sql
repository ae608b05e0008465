-- Login throttling without an open table (issue 15): bookshift_app had ALL on login_attempts under a policy of
-- `true`, so any app transaction could read the counters or clear them. It now has no privilege on the table
-- (whose policy is `false`) and calls three SECURITY DEFINER functions, each for exact keys only.
REVOKE ALL ON TABLE login_attempts FROM bookshift_app;
--> statement-breakpoint
CREATE OR REPLACE FUNCTION login_throttle_counts(p_keys text[], p_window_start timestamptz)
RETURNS TABLE (key text, count integer)
LANGUAGE sql
STABLE
SECURITY DEFINER
SET search_path = pg_catalog, public
AS $$
  SELECT a.key, a.count FROM public.login_attempts a
  WHERE a.key = ANY (p_keys) AND a.window_start = p_window_start
$$;
--> statement-breakpoint
CREATE OR REPLACE FUNCTION login_throttle_fail(
  p_keys text[],
  p_window_start timestamptz,
  p_at timestamptz,
  p_prune_before timestamptz
)
RETURNS void
LANGUAGE plpgsql
SECURITY DEFINER
SET search_path = pg_catalog, public
AS $$
BEGIN
  INSERT INTO public.login_attempts AS a (key, window_start, count, last_attempt_at)
  SELECT k, p_window_start, 1, p_at FROM unnest(p_keys) AS k
  ON CONFLICT (key, window_start) DO UPDATE SET count = a.count + 1, last_attempt_at = excluded.last_attempt_at;
  -- Old windows are worthless; pruning here keeps the table small without a separate job.
  DELETE FROM public.login_attempts WHERE window_start < p_prune_before;
END
$$;
--> statement-breakpoint
CREATE OR REPLACE FUNCTION login_throttle_forget(p_keys text[])
RETURNS void
LANGUAGE sql
SECURITY DEFINER
SET search_path = pg_catalog, public
AS $$
  DELETE FROM public.login_attempts WHERE key = ANY (p_keys)
$$;
--> statement-breakpoint
REVOKE ALL ON FUNCTION login_throttle_counts(text[], timestamptz) FROM PUBLIC;
--> statement-breakpoint
REVOKE ALL ON FUNCTION login_throttle_fail(text[], timestamptz, timestamptz, timestamptz) FROM PUBLIC;
--> statement-breakpoint
REVOKE ALL ON FUNCTION login_throttle_forget(text[]) FROM PUBLIC;
--> statement-breakpoint
GRANT EXECUTE ON FUNCTION login_throttle_counts(text[], timestamptz) TO bookshift_app;
--> statement-breakpoint
GRANT EXECUTE ON FUNCTION login_throttle_fail(text[], timestamptz, timestamptz, timestamptz) TO bookshift_app;
--> statement-breakpoint
GRANT EXECUTE ON FUNCTION login_throttle_forget(text[]) TO bookshift_app;
