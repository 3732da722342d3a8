CREATE OR REPLACE FUNCTION wardroom.privacy_suppressions_pending() RETURNS jsonb
LANGUAGE sql STABLE SECURITY DEFINER
SET search_path = pg_catalog, pg_temp
AS $$
  SELECT coalesce(jsonb_agg(jsonb_build_object('id', s.id, 'due_at', s.due_at) ORDER BY s.due_at),
                  '[]'::jsonb)
  FROM wardroom.privacy_suppressions s
  WHERE s.applied_at IS NULL
$$;
