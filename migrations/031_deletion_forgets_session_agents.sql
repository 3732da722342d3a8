-- Up Migration
--
-- Deleting a person also clears the user agent of every session they had
-- (issue 13, section 4). privacy_pseudonymise_user (migration 025) revoked
-- the sessions but kept each one's sign-in user agent, which is personal
-- data; ended sessions stay listed for the account's history, without it.
-- The body is src/modules/privacy/deletion/sql/privacy_pseudonymise_user.sql.

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
  -- Every session of theirs, live or ended, forgets the browser it was
  -- signed in from (the user agent is personal data too).
  UPDATE wardroom.sessions SET user_agent = NULL
  WHERE user_id = p_user_id AND user_agent IS NOT NULL;
  RETURN jsonb_build_object('user_id', p_user_id, 'revoked_sessions', revoked);
END
$$;
REVOKE ALL ON FUNCTION wardroom.privacy_pseudonymise_user(uuid) FROM PUBLIC;
GRANT EXECUTE ON FUNCTION wardroom.privacy_pseudonymise_user(uuid) TO wardroom_app;
