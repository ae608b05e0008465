-- Setting up an org without SQL (issue 18): the admin CLI and the first-run page find an org by its slug and
-- learn whether any org exists before an org is set for the transaction. Each function answers one exact key
-- (or one number) and nothing else; bookshift_app may call them, PUBLIC may not.
CREATE OR REPLACE FUNCTION operator_org_by_slug(p_slug text)
RETURNS TABLE (id uuid, name text, slug text)
LANGUAGE sql
STABLE
SECURITY DEFINER
SET search_path = pg_catalog, public
AS $$
  SELECT o.id, o.name, o.slug FROM public.orgs o WHERE o.slug = p_slug
$$;
--> statement-breakpoint
CREATE OR REPLACE FUNCTION operator_org_count()
RETURNS bigint
LANGUAGE sql
STABLE
SECURITY DEFINER
SET search_path = pg_catalog, public
AS $$
  SELECT count(*) FROM public.orgs
$$;
--> statement-breakpoint
REVOKE ALL ON FUNCTION operator_org_by_slug(text) FROM PUBLIC;
--> statement-breakpoint
REVOKE ALL ON FUNCTION operator_org_count() FROM PUBLIC;
--> statement-breakpoint
GRANT EXECUTE ON FUNCTION operator_org_by_slug(text) TO bookshift_app;
--> statement-breakpoint
GRANT EXECUTE ON FUNCTION operator_org_count() TO bookshift_app;
