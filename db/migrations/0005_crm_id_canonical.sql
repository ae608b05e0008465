-- One record, one identity (src/import/crm-id.ts): stored CRM ids move to their canonical form, so a
-- Salesforce report export (15-character ids) and a Data Loader export (18-character ids) of the same
-- records update the same rows. Salesforce ids become 18 characters (the checksum suffix upper case);
-- Dynamics GUIDs lose their braces and become lower case. A row whose canonical twin already exists is
-- left as it is (both forms were imported before this migration: a person merges them).
CREATE OR REPLACE FUNCTION bookshift_canonical_crm_id(raw text)
RETURNS text
LANGUAGE plpgsql
IMMUTABLE
SET search_path = pg_catalog, public
AS $$
DECLARE
  id text := btrim(raw);
  alphabet constant text := 'ABCDEFGHIJKLMNOPQRSTUVWXYZ012345';
  suffix text := '';
  bits int;
  c int;
BEGIN
  IF id IS NULL THEN
    RETURN NULL;
  END IF;
  IF id ~ '^\{?[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12}\}?$' THEN
    RETURN lower(btrim(id, '{}'));
  END IF;
  IF id !~ '[a-zA-Z]' OR (id !~ '^[a-zA-Z0-9]{15}$' AND id !~ '^[a-zA-Z0-9]{18}$') THEN
    RETURN id;
  END IF;
  FOR chunk IN 0..2 LOOP
    bits := 0;
    FOR i IN 0..4 LOOP
      c := ascii(substr(id, chunk * 5 + i + 1, 1));
      IF c BETWEEN 65 AND 90 THEN
        bits := bits | (1 << i);
      END IF;
    END LOOP;
    suffix := suffix || substr(alphabet, bits + 1, 1);
  END LOOP;
  IF length(id) = 18 AND upper(substr(id, 16, 3)) <> suffix THEN
    RETURN id; -- 18 characters without a Salesforce checksum: another system's id
  END IF;
  RETURN substr(id, 1, 15) || suffix;
END
$$;
--> statement-breakpoint
UPDATE accounts a SET crm_id = bookshift_canonical_crm_id(a.crm_id)
WHERE a.crm_id IS DISTINCT FROM bookshift_canonical_crm_id(a.crm_id)
  AND NOT EXISTS (SELECT 1 FROM accounts b WHERE b.org_id = a.org_id AND b.crm_id = bookshift_canonical_crm_id(a.crm_id));
--> statement-breakpoint
UPDATE opportunities a SET crm_id = bookshift_canonical_crm_id(a.crm_id)
WHERE a.crm_id IS DISTINCT FROM bookshift_canonical_crm_id(a.crm_id)
  AND NOT EXISTS (SELECT 1 FROM opportunities b WHERE b.org_id = a.org_id AND b.crm_id = bookshift_canonical_crm_id(a.crm_id));
--> statement-breakpoint
UPDATE reps a SET crm_user_id = bookshift_canonical_crm_id(a.crm_user_id)
WHERE a.crm_user_id IS DISTINCT FROM bookshift_canonical_crm_id(a.crm_user_id)
  AND NOT EXISTS (SELECT 1 FROM reps b WHERE b.org_id = a.org_id AND b.crm_user_id = bookshift_canonical_crm_id(a.crm_user_id));
--> statement-breakpoint
UPDATE import_snapshot_accounts a SET crm_id = bookshift_canonical_crm_id(a.crm_id),
  owner_crm_ref = bookshift_canonical_crm_id(a.owner_crm_ref)
WHERE (a.crm_id IS DISTINCT FROM bookshift_canonical_crm_id(a.crm_id)
    OR a.owner_crm_ref IS DISTINCT FROM bookshift_canonical_crm_id(a.owner_crm_ref))
  AND NOT EXISTS (SELECT 1 FROM import_snapshot_accounts b WHERE b.import_id = a.import_id
    AND b.crm_id = bookshift_canonical_crm_id(a.crm_id) AND b.ctid <> a.ctid);
