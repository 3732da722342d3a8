-- What the holder of a live session may see and do about their own
-- account: `memberships` (their live workspaces, names and roles),
-- `sessions` (their live sessions, each with how it was made), `revoke` (one of their own sessions, by
-- id: another person's id changes nothing), `sign_out` (this session) and
-- `sign_out_everywhere` (all of theirs). The session is named by its token
-- hash, so nothing here acts for a person without their session secret.
CREATE OR REPLACE FUNCTION wardroom.auth_account(p_hash bytea, p_action text, p_session_id uuid) RETURNS jsonb
LANGUAGE plpgsql VOLATILE SECURITY DEFINER
SET search_path = pg_catalog, pg_temp
AS $$
DECLARE
  me record;
  result jsonb;
BEGIN
  SELECT s.id, s.user_id INTO me FROM wardroom.sessions s
  WHERE s.token_hash = p_hash AND s.revoked_at IS NULL
    AND s.expires_at > now() AND s.idle_expires_at > now();
  IF me.id IS NULL THEN
    RETURN NULL;
  END IF;
  IF p_action = 'memberships' THEN
    SELECT coalesce(jsonb_agg(jsonb_build_object(
             'workspace_id', w.tenant_id, 'workspace_name', w.name,
             'role', m.role, 'named_roles', to_jsonb(m.named_roles))
             ORDER BY w.created_at, w.tenant_id), '[]'::jsonb)
    INTO result
    FROM wardroom.memberships m JOIN wardroom.workspaces w ON w.tenant_id = m.tenant_id
    WHERE m.user_id = me.user_id AND w.shredded_at IS NULL;
  ELSIF p_action = 'sessions' THEN
    SELECT coalesce(jsonb_agg(jsonb_build_object(
             'id', s.id, 'created_at', s.created_at, 'last_seen_at', s.last_seen_at,
             'user_agent', s.user_agent, 'current', s.id = me.id,
             'auth_method', s.auth_method, 'sso_workspace_id', s.sso_tenant_id)
             ORDER BY s.created_at DESC, s.id), '[]'::jsonb)
    INTO result
    FROM wardroom.sessions s
    WHERE s.user_id = me.user_id AND s.revoked_at IS NULL
      AND s.expires_at > now() AND s.idle_expires_at > now();
  ELSIF p_action IN ('revoke', 'sign_out', 'sign_out_everywhere') THEN
    WITH revoked AS (
      UPDATE wardroom.sessions s SET revoked_at = now()
      WHERE s.user_id = me.user_id AND s.revoked_at IS NULL
        AND (p_action = 'sign_out_everywhere'
             OR (p_action = 'sign_out' AND s.id = me.id)
             OR (p_action = 'revoke' AND s.id = p_session_id))
      RETURNING s.id
    )
    SELECT coalesce(jsonb_agg(r.id), '[]'::jsonb) INTO result FROM revoked r;
  ELSE
    RAISE EXCEPTION 'auth_account: unknown action' USING ERRCODE = '22023';
  END IF;
  RETURN jsonb_build_object('user_id', me.user_id, 'session_id', me.id, 'result', result);
END
$$;
