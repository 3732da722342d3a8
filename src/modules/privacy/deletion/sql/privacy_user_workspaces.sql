CREATE OR REPLACE FUNCTION wardroom.privacy_user_workspaces(p_user_id uuid) RETURNS jsonb
LANGUAGE sql STABLE SECURITY DEFINER
SET search_path = pg_catalog, pg_temp
AS $$
  SELECT coalesce(jsonb_agg(m.tenant_id ORDER BY m.tenant_id), '[]'::jsonb)
  FROM wardroom.memberships m JOIN wardroom.workspaces w ON w.tenant_id = m.tenant_id
  WHERE m.user_id = p_user_id AND w.shredded_at IS NULL
$$;
