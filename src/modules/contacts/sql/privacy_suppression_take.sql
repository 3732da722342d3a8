CREATE OR REPLACE FUNCTION wardroom.privacy_suppression_take(p_id uuid) RETURNS jsonb
LANGUAGE sql STABLE SECURITY DEFINER
SET search_path = pg_catalog, pg_temp
AS $$
  SELECT jsonb_build_object('email_hash', encode(s.email_hash, 'hex'), 'due_at', s.due_at)
  FROM wardroom.privacy_suppressions s
  WHERE s.id = p_id AND s.applied_at IS NULL
$$;
