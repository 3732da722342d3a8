-- The live session whose token hashes to p_hash, touched (last seen now,
-- idle deadline moved, never past the absolute one), as {session_id,
-- user_id, email, display_name, auth_method, sso_workspace_id,
-- sso_connection_id}; NULL when there is none, or it was revoked or has
-- expired. One indexed UPDATE on the unique token hash.
CREATE OR REPLACE FUNCTION wardroom.auth_session(p_hash bytea, p_idle_seconds integer) RETURNS jsonb
LANGUAGE sql VOLATILE SECURITY DEFINER
SET search_path = pg_catalog, pg_temp
AS $$
  WITH touched AS (
    UPDATE wardroom.sessions s
    SET last_seen_at = now(),
        idle_expires_at = least(s.expires_at, now() + make_interval(secs => p_idle_seconds))
    WHERE s.token_hash = p_hash AND s.revoked_at IS NULL
      AND s.expires_at > now() AND s.idle_expires_at > now()
    RETURNING s.id, s.user_id, s.auth_method, s.sso_tenant_id, s.sso_connection_id
  )
  SELECT jsonb_build_object('session_id', t.id, 'user_id', t.user_id,
                            'email', u.email, 'display_name', u.display_name,
                            'auth_method', t.auth_method, 'sso_workspace_id', t.sso_tenant_id,
                            'sso_connection_id', t.sso_connection_id)
  FROM touched t JOIN wardroom.users u ON u.id = t.user_id
$$;
