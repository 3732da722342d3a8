CREATE OR REPLACE FUNCTION wardroom.privacy_suppression_applied(p_id uuid) RETURNS boolean
LANGUAGE sql VOLATILE SECURITY DEFINER
SET search_path = pg_catalog, pg_temp
AS $$
  WITH done AS (
    UPDATE wardroom.privacy_suppressions SET applied_at = now()
    WHERE id = p_id AND applied_at IS NULL
    RETURNING id
  )
  SELECT EXISTS (SELECT 1 FROM done)
$$;
