-- Solves as a shared resource across app instances (issue 15): a solver slot is a row of solve_slots, claimed
-- only through solve_slot_claim(), which counts every org's live leases (so it must see past RLS: SECURITY
-- DEFINER) and inserts the new one only while both limits hold. Claims are serialised by a transaction-scoped
-- advisory lock: it is released when the claiming transaction ends, also when its connection dies, so a crashed
-- instance never keeps it; its leases stop counting when they expire. The org is the transaction's own
-- (app.org_id, set by src/db/tenancy.ts), never a parameter: a caller can claim for no other org.
SELECT bookshift_secure_table('solve_slots', 'SELECT, UPDATE, DELETE');
--> statement-breakpoint
CREATE OR REPLACE FUNCTION solve_slot_claim(
  p_kind text,
  p_holder text,
  p_lease_seconds integer,
  p_max_global integer,
  p_max_per_org integer
)
RETURNS TABLE (slot_id uuid, in_use integer, org_in_use integer)
LANGUAGE plpgsql
VOLATILE
SECURITY DEFINER
SET search_path = pg_catalog, public
AS $$
DECLARE
  v_org uuid := nullif(current_setting('app.org_id', true), '')::uuid;
  v_in_use integer;
  v_org_in_use integer;
  v_id uuid;
BEGIN
  IF v_org IS NULL THEN
    RAISE EXCEPTION 'solve_slot_claim: no org is set for this transaction';
  END IF;
  IF p_lease_seconds < 1 OR p_max_global < 1 OR p_max_per_org < 1 OR length(p_holder) NOT BETWEEN 1 AND 200 THEN
    RAISE EXCEPTION 'solve_slot_claim: invalid lease, limits or holder';
  END IF;
  -- Each statement below must see the rows committed by the claim before it (the lock's previous holder).
  IF current_setting('transaction_isolation') <> 'read committed' THEN
    RAISE EXCEPTION 'solve_slot_claim: run it in a read committed transaction';
  END IF;
  PERFORM pg_advisory_xact_lock(4205331862);
  DELETE FROM public.solve_slots WHERE expires_at <= clock_timestamp();
  SELECT count(*), count(*) FILTER (WHERE s.org_id = v_org) INTO v_in_use, v_org_in_use FROM public.solve_slots s;
  IF v_in_use < p_max_global AND v_org_in_use < p_max_per_org THEN
    INSERT INTO public.solve_slots (org_id, kind, holder, claimed_at, heartbeat_at, expires_at)
    VALUES (v_org, p_kind, p_holder, clock_timestamp(), clock_timestamp(),
            clock_timestamp() + make_interval(secs => p_lease_seconds))
    RETURNING id INTO v_id;
  END IF;
  RETURN QUERY SELECT v_id, v_in_use, v_org_in_use;
END
$$;
--> statement-breakpoint
REVOKE ALL ON FUNCTION solve_slot_claim(text, text, integer, integer, integer) FROM PUBLIC;
--> statement-breakpoint
GRANT EXECUTE ON FUNCTION solve_slot_claim(text, text, integer, integer, integer) TO bookshift_app;
