-- Ends a taken SSO sign-in with a new session for p_user: only for a flow
-- taken (sso_flow_take) within p_window_seconds and not yet completed, and
-- only for a member of the flow's live workspace. The session records how
-- it was made (auth_method 'sso', the workspace and connection). Returns
-- {session_id}, or NULL when any condition fails (nothing changes then).
CREATE OR REPLACE FUNCTION wardroom.sso_flow_complete(p_key_hash bytea, p_user uuid, p_session_hash bytea, p_user_agent text, p_lifetime_seconds integer, p_idle_seconds integer, p_window_seconds integer) RETURNS jsonb
LANGUAGE plpgsql VOLATILE SECURITY DEFINER
SET search_path = pg_catalog, pg_temp
AS $$
DECLARE
  flow record;
  new_session uuid;
BEGIN
  IF length(p_session_hash) <> 32 OR p_lifetime_seconds < 1 OR p_idle_seconds < 1 OR p_window_seconds < 1 THEN
    RAISE EXCEPTION 'sso_flow_complete: bad arguments' USING ERRCODE = '22023';
  END IF;
  SELECT * INTO flow FROM wardroom.sso_flows f
  WHERE f.key_hash = p_key_hash AND f.consumed_at IS NOT NULL AND f.completed_at IS NULL
    AND f.consumed_at > now() - make_interval(secs => p_window_seconds)
  FOR UPDATE;
  IF flow.key_hash IS NULL OR NOT EXISTS (
       SELECT 1 FROM wardroom.memberships m JOIN wardroom.workspaces w ON w.tenant_id = m.tenant_id
       WHERE m.tenant_id = flow.workspace_id AND m.user_id = p_user AND w.shredded_at IS NULL) THEN
    RETURN NULL;
  END IF;
  UPDATE wardroom.sso_flows SET completed_at = now() WHERE key_hash = p_key_hash;
  INSERT INTO wardroom.sessions (token_hash, user_id, user_agent, expires_at, idle_expires_at,
                                 auth_method, sso_tenant_id, sso_connection_id)
  VALUES (p_session_hash, p_user, left(p_user_agent, 512),
          now() + make_interval(secs => p_lifetime_seconds),
          least(now() + make_interval(secs => p_lifetime_seconds),
                now() + make_interval(secs => p_idle_seconds)),
          'sso', flow.workspace_id, flow.connection_id)
  RETURNING id INTO new_session;
  RETURN jsonb_build_object('session_id', new_session);
END
$$;
