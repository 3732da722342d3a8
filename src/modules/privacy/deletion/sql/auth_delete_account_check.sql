CREATE OR REPLACE FUNCTION wardroom.auth_delete_account_check(p_hash bytea, p_fresh_seconds integer, p_email text) RETURNS jsonb
LANGUAGE plpgsql VOLATILE SECURITY DEFINER
SET search_path = pg_catalog, pg_temp
AS $$
DECLARE
  me record;
  owned jsonb;
BEGIN
  IF p_fresh_seconds NOT BETWEEN 1 AND 86400 THEN
    RAISE EXCEPTION 'auth_delete_account_check: bad arguments' USING ERRCODE = '22023';
  END IF;
  SELECT s.id, s.user_id, s.created_at, u.email INTO me
  FROM wardroom.sessions s JOIN wardroom.users u ON u.id = s.user_id
  WHERE s.token_hash = p_hash AND s.revoked_at IS NULL
    AND s.expires_at > now() AND s.idle_expires_at > now();
  IF me.id IS NULL THEN
    RETURN NULL;
  END IF;
  IF me.created_at < now() - make_interval(secs => p_fresh_seconds) THEN
    RETURN jsonb_build_object('status', 'reauthentication_required', 'user_id', me.user_id);
  END IF;
  IF lower(me.email) IS DISTINCT FROM lower(p_email) THEN
    RETURN jsonb_build_object('status', 'confirmation_mismatch', 'user_id', me.user_id);
  END IF;
  SELECT coalesce(jsonb_agg(m.tenant_id ORDER BY m.tenant_id), '[]'::jsonb) INTO owned
  FROM wardroom.memberships m JOIN wardroom.workspaces w ON w.tenant_id = m.tenant_id
  WHERE m.user_id = me.user_id AND m.role = 'owner' AND w.shredded_at IS NULL
    AND NOT EXISTS (
      SELECT 1 FROM wardroom.memberships o
      WHERE o.tenant_id = m.tenant_id AND o.role = 'owner' AND o.user_id <> m.user_id);
  IF jsonb_array_length(owned) > 0 THEN
    RETURN jsonb_build_object('status', 'last_owner', 'user_id', me.user_id, 'workspaces', owned);
  END IF;
  RETURN jsonb_build_object('status', 'ok', 'user_id', me.user_id);
END
$$;
