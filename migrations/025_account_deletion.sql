-- Up Migration
--
-- Deletion that is real, for a person (issue 13, section 4): the account's
-- pseudonymisation as the documentation promises (email
-- deleted-<uuid>@deleted.invalid, display name Deleted User, language
-- cleared, every session and pending sign-in code ended), and the checks
-- "Delete my account" makes before it (a fresh sign-in, the typed email,
-- not the last owner of a live workspace). Users, sessions and codes are
-- global tables the app role reaches only through definer functions; the
-- per-workspace half (sealed member names, API tokens, audit events) is done
-- in each workspace's own transaction by src/modules/privacy/deletion.
--
-- The pseudonym's uuid is a fresh random one, not the user id, so the
-- address says nothing about who it replaced. The text of each function is
-- in src/modules/privacy/deletion/sql/.

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

CREATE OR REPLACE FUNCTION wardroom.privacy_user_workspaces(p_user_id uuid) RETURNS jsonb
LANGUAGE sql STABLE SECURITY DEFINER
SET search_path = pg_catalog, pg_temp
AS $$
  SELECT coalesce(jsonb_agg(m.tenant_id ORDER BY m.tenant_id), '[]'::jsonb)
  FROM wardroom.memberships m JOIN wardroom.workspaces w ON w.tenant_id = m.tenant_id
  WHERE m.user_id = p_user_id AND w.shredded_at IS NULL
$$;

CREATE OR REPLACE FUNCTION wardroom.privacy_pseudonymise_user(p_user_id uuid) RETURNS jsonb
LANGUAGE plpgsql VOLATILE SECURITY DEFINER
SET search_path = pg_catalog, pg_temp
AS $$
DECLARE
  changed integer;
  revoked jsonb;
BEGIN
  UPDATE wardroom.users
  SET email = 'deleted-' || gen_random_uuid()::text || '@deleted.invalid',
      display_name = 'Deleted User',
      language = NULL
  WHERE id = p_user_id;
  GET DIAGNOSTICS changed = ROW_COUNT;
  IF changed = 0 THEN
    RETURN NULL;
  END IF;
  DELETE FROM wardroom.sign_in_codes WHERE user_id = p_user_id;
  WITH r AS (
    UPDATE wardroom.sessions SET revoked_at = now()
    WHERE user_id = p_user_id AND revoked_at IS NULL
    RETURNING id
  )
  SELECT coalesce(jsonb_agg(r.id), '[]'::jsonb) INTO revoked FROM r;
  RETURN jsonb_build_object('user_id', p_user_id, 'revoked_sessions', revoked);
END
$$;

REVOKE ALL ON FUNCTION wardroom.auth_delete_account_check(bytea, integer, text) FROM PUBLIC;
GRANT EXECUTE ON FUNCTION wardroom.auth_delete_account_check(bytea, integer, text) TO wardroom_app;
REVOKE ALL ON FUNCTION wardroom.privacy_user_workspaces(uuid) FROM PUBLIC;
GRANT EXECUTE ON FUNCTION wardroom.privacy_user_workspaces(uuid) TO wardroom_app;
REVOKE ALL ON FUNCTION wardroom.privacy_pseudonymise_user(uuid) FROM PUBLIC;
GRANT EXECUTE ON FUNCTION wardroom.privacy_pseudonymise_user(uuid) TO wardroom_app;
