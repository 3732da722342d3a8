-- Up Migration
--
-- Passwordless sign-in with email codes, and browser sessions (issue 11).
--
-- Codes and sessions belong to a person (wardroom.users is global), not to a
-- workspace, so neither table is a tenant table. Both are `no_app_access`
-- (src/db/global-tables.ts): the app role holds no privilege on them and
-- reaches them only through the SECURITY DEFINER functions below, each of
-- which does one narrow thing. Nothing secret is stored: a code only as
-- HMAC-SHA256 under a server secret (WARDROOM_AUTH_SECRET), a session token
-- only as SHA-256; the CSRF token is derived from the session token and
-- never stored. A session's `id` is a public handle (listing, revoking),
-- not its secret.

CREATE TABLE wardroom.sign_in_codes (
  user_id uuid PRIMARY KEY REFERENCES wardroom.users (id) ON DELETE CASCADE,
  code_hmac bytea NOT NULL CHECK (length(code_hmac) = 32),
  expires_at timestamptz NOT NULL,
  attempts integer NOT NULL DEFAULT 0 CHECK (attempts >= 0),
  created_at timestamptz NOT NULL DEFAULT now()
);

CREATE TABLE wardroom.sessions (
  id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
  token_hash bytea NOT NULL CHECK (length(token_hash) = 32),
  user_id uuid NOT NULL REFERENCES wardroom.users (id) ON DELETE CASCADE,
  user_agent text CHECK (user_agent IS NULL OR length(user_agent) <= 512),
  created_at timestamptz NOT NULL DEFAULT now(),
  last_seen_at timestamptz NOT NULL DEFAULT now(),
  idle_expires_at timestamptz NOT NULL,
  expires_at timestamptz NOT NULL,
  revoked_at timestamptz
);
CREATE UNIQUE INDEX sessions_token_hash_key ON wardroom.sessions (token_hash);
CREATE INDEX sessions_user_idx ON wardroom.sessions (user_id);

-- The definer functions run as the owner, which FORCE RLS binds too: they
-- read a person's memberships across workspaces (whether an address may get
-- a code, where to record sign-ins, /me). Read only, and only for the
-- owner; the app role's own policy is unchanged. (Workspaces already have
-- the owner's list_workspace_ids policy, 002.)
CREATE POLICY auth_functions ON wardroom.memberships FOR SELECT TO wardroom_owner USING (true);

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

-- The live session whose token hashes to p_hash, touched (last seen now,
-- idle deadline moved, never past the absolute one), as {session_id,
-- user_id, email, display_name}; NULL when there is none, or it was revoked
-- or has expired. One indexed UPDATE on the unique token hash.
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
    RETURNING s.id, s.user_id
  )
  SELECT jsonb_build_object('session_id', t.id, 'user_id', t.user_id,
                            'email', u.email, 'display_name', u.display_name)
  FROM touched t JOIN wardroom.users u ON u.id = t.user_id
$$;

-- What the holder of a live session may see and do about their own
-- account: `memberships` (their live workspaces, names and roles),
-- `sessions` (their live sessions), `revoke` (one of their own sessions, by
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
             'user_agent', s.user_agent, 'current', s.id = me.id)
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

REVOKE ALL ON FUNCTION wardroom.auth_start_code(text, bytea, integer) FROM PUBLIC;
GRANT EXECUTE ON FUNCTION wardroom.auth_start_code(text, bytea, integer) TO wardroom_app;
REVOKE ALL ON FUNCTION wardroom.auth_verify_code(text, bytea, integer, bytea, text, integer, integer) FROM PUBLIC;
GRANT EXECUTE ON FUNCTION wardroom.auth_verify_code(text, bytea, integer, bytea, text, integer, integer) TO wardroom_app;
REVOKE ALL ON FUNCTION wardroom.auth_session(bytea, integer) FROM PUBLIC;
GRANT EXECUTE ON FUNCTION wardroom.auth_session(bytea, integer) TO wardroom_app;
REVOKE ALL ON FUNCTION wardroom.auth_account(bytea, text, uuid) FROM PUBLIC;
GRANT EXECUTE ON FUNCTION wardroom.auth_account(bytea, text, uuid) TO wardroom_app;
