CREATE OR REPLACE FUNCTION wardroom.privacy_is_suppressed(p_hash bytea) RETURNS boolean
LANGUAGE sql STABLE SECURITY DEFINER
SET search_path = pg_catalog, pg_temp
AS $$
  SELECT EXISTS (SELECT 1 FROM wardroom.privacy_suppressions s WHERE s.email_hash = p_hash)
$$;
