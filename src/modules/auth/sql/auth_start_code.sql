-- Starts an email sign-in: for a person who belongs to at least one live
-- workspace, stores the keyed hash of a new one-time code (replacing any
-- earlier code and its attempt count) and returns their id, language and
-- live workspaces (the send is audited in each);
-- for anyone else returns NULL and stores nothing. SECURITY DEFINER: the
-- app role has no privilege on wardroom.sign_in_codes.
CREATE OR REPLACE FUNCTION wardroom.auth_start_code(p_email text, p_code_hmac bytea, p_ttl_seconds integer) RETURNS jsonb
LANGUAGE plpgsql VOLATILE SECURITY DEFINER
SET search_path = pg_catalog, pg_temp
AS $$
DECLARE
  found_id uuid;
  found_language text;
  spaces jsonb;
BEGIN
  IF length(p_code_hmac) <> 32 OR p_ttl_seconds NOT BETWEEN 1 AND 86400 THEN
    RAISE EXCEPTION 'auth_start_code: bad arguments' USING ERRCODE = '22023';
  END IF;
  SELECT u.id, u.language INTO found_id, found_language
  FROM wardroom.users u
  WHERE lower(u.email) = lower(p_email)
    AND EXISTS (
      SELECT 1 FROM wardroom.memberships m
      JOIN wardroom.workspaces w ON w.tenant_id = m.tenant_id
      WHERE m.user_id = u.id AND w.shredded_at IS NULL);
  IF found_id IS NULL THEN
    RETURN NULL;
  END IF;
  INSERT INTO wardroom.sign_in_codes (user_id, code_hmac, expires_at, attempts, created_at)
  VALUES (found_id, p_code_hmac, now() + make_interval(secs => p_ttl_seconds), 0, now())
  ON CONFLICT (user_id) DO UPDATE
    SET code_hmac = EXCLUDED.code_hmac, expires_at = EXCLUDED.expires_at,
        attempts = 0, created_at = EXCLUDED.created_at;
  SELECT coalesce(jsonb_agg(m.tenant_id ORDER BY m.tenant_id), '[]'::jsonb) INTO spaces
  FROM wardroom.memberships m JOIN wardroom.workspaces w ON w.tenant_id = m.tenant_id
  WHERE m.user_id = found_id AND w.shredded_at IS NULL;
  RETURN jsonb_build_object('user_id', found_id, 'language', found_language, 'workspaces', spaces);
END
$$;
