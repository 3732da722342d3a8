-- Checks an email sign-in code. Returns {status, user_id?, session_id?,
-- email?, workspaces?}: status is `ok` (the code is consumed and a session
-- with the given token hash created), `invalid` (no such person, no code,
-- or a wrong code: a wrong code counts one attempt), `expired` or
-- `exceeded` (max attempts used: a new code is needed). `workspaces` lists
-- the person's live workspaces, for the audit events. Nothing else changes.
CREATE OR REPLACE FUNCTION wardroom.auth_verify_code(p_email text, p_code_hmac bytea, p_max_attempts integer, p_session_hash bytea, p_user_agent text, p_lifetime_seconds integer, p_idle_seconds integer) RETURNS jsonb
LANGUAGE plpgsql VOLATILE SECURITY DEFINER
SET search_path = pg_catalog, pg_temp
AS $$
DECLARE
  person record;
  code record;
  spaces jsonb;
  new_session uuid;
BEGIN
  IF length(p_session_hash) <> 32 OR p_max_attempts < 1 OR p_lifetime_seconds < 1 OR p_idle_seconds < 1 THEN
    RAISE EXCEPTION 'auth_verify_code: bad arguments' USING ERRCODE = '22023';
  END IF;
  SELECT u.id, u.email INTO person FROM wardroom.users u WHERE lower(u.email) = lower(p_email);
  IF person.id IS NULL THEN
    RETURN jsonb_build_object('status', 'invalid');
  END IF;
  SELECT coalesce(jsonb_agg(m.tenant_id ORDER BY m.tenant_id), '[]'::jsonb) INTO spaces
  FROM wardroom.memberships m JOIN wardroom.workspaces w ON w.tenant_id = m.tenant_id
  WHERE m.user_id = person.id AND w.shredded_at IS NULL;
  SELECT * INTO code FROM wardroom.sign_in_codes c WHERE c.user_id = person.id FOR UPDATE;
  IF code.user_id IS NULL OR jsonb_array_length(spaces) = 0 THEN
    RETURN jsonb_build_object('status', 'invalid', 'user_id', person.id, 'workspaces', spaces);
  END IF;
  IF code.attempts >= p_max_attempts THEN
    RETURN jsonb_build_object('status', 'exceeded', 'user_id', person.id, 'workspaces', spaces);
  END IF;
  IF code.expires_at <= now() THEN
    RETURN jsonb_build_object('status', 'expired', 'user_id', person.id, 'workspaces', spaces);
  END IF;
  IF code.code_hmac <> p_code_hmac THEN
    UPDATE wardroom.sign_in_codes SET attempts = attempts + 1 WHERE user_id = person.id;
    RETURN jsonb_build_object('status', 'invalid', 'user_id', person.id, 'workspaces', spaces);
  END IF;
  DELETE FROM wardroom.sign_in_codes WHERE user_id = person.id;
  INSERT INTO wardroom.sessions (token_hash, user_id, user_agent, expires_at, idle_expires_at)
  VALUES (p_session_hash, person.id, left(p_user_agent, 512),
          now() + make_interval(secs => p_lifetime_seconds),
          least(now() + make_interval(secs => p_lifetime_seconds),
                now() + make_interval(secs => p_idle_seconds)))
  RETURNING id INTO new_session;
  RETURN jsonb_build_object('status', 'ok', 'user_id', person.id, 'email', person.email,
                            'session_id', new_session, 'workspaces', spaces);
END
$$;
