CREATE OR REPLACE FUNCTION wardroom.privacy_deletion_get(p_user_id uuid) RETURNS jsonb
LANGUAGE sql STABLE SECURITY DEFINER
SET search_path = pg_catalog, pg_temp
AS $$
  SELECT to_jsonb(d) - 'receipt_to'
  FROM wardroom.scheduled_deletions d
  WHERE d.user_id = p_user_id
  ORDER BY d.requested_at DESC, d.id DESC
  LIMIT 1
$$;
