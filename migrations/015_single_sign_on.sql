-- Up Migration
--
-- Single sign-on (issue 11, section 3): OIDC and SAML connections per
-- workspace, a workspace's "require SSO" policy, pending sign-in flows,
-- SAML assertion ids already used, and sessions that say how they were
-- made.
--
-- sso_connections and sso_policies are tenant tables (RLS, audit triggers
-- through make_tenant_table). The OIDC client secret is sealed under the
-- workspace's data key, bound to (workspace, sso_connections,
-- oidc_client_secret, id), and listed in keys/sealed-fields.ts so key
-- rotation re-seals it; only its last four characters are kept in clear.
--
-- sso_flows and sso_saml_assertions belong to no workspace the request can
-- name yet (the IdP's answer arrives before anyone is signed in), so they
-- are global and `no_app_access` (src/db/global-tables.ts): the app role
-- reaches them only through the SECURITY DEFINER functions below. A flow is
-- named by the SHA-256 of its state (OIDC) or of its request id (SAML),
-- holds the nonce and PKCE verifier for at most ten minutes, is taken once
-- (consumed_at) and completed once (completed_at). A session can be made
-- by sso_flow_complete only for a taken, uncompleted flow and a member of
-- its workspace.

CREATE TABLE wardroom.sso_connections (
  tenant_id uuid NOT NULL REFERENCES wardroom.workspaces (tenant_id) ON DELETE CASCADE,
  id uuid NOT NULL DEFAULT wardroom.uuid_v7(),
  kind text NOT NULL CHECK (kind IN ('oidc', 'saml')),
  name text NOT NULL CHECK (length(name) BETWEEN 1 AND 200),
  enabled boolean NOT NULL DEFAULT true,
  allowed_domains text[] NOT NULL
    CHECK (cardinality(allowed_domains) BETWEEN 1 AND 50 AND array_position(allowed_domains, NULL) IS NULL),
  jit_role text CHECK (jit_role IS NULL OR jit_role IN ('admin', 'member', 'viewer')),
  oidc_issuer text CHECK (oidc_issuer IS NULL OR length(oidc_issuer) <= 2048),
  oidc_client_id text CHECK (oidc_client_id IS NULL OR length(oidc_client_id) <= 512),
  oidc_client_secret bytea CHECK (oidc_client_secret IS NULL OR length(oidc_client_secret) <= 8192),
  oidc_client_secret_last4 text CHECK (oidc_client_secret_last4 IS NULL OR length(oidc_client_secret_last4) <= 4),
  saml_idp_entity_id text CHECK (saml_idp_entity_id IS NULL OR length(saml_idp_entity_id) <= 2048),
  saml_idp_sso_url text CHECK (saml_idp_sso_url IS NULL OR length(saml_idp_sso_url) <= 2048),
  saml_idp_certificates text[]
    CHECK (saml_idp_certificates IS NULL OR cardinality(saml_idp_certificates) BETWEEN 1 AND 5),
  created_at timestamptz NOT NULL DEFAULT now(),
  updated_at timestamptz NOT NULL DEFAULT now(),
  PRIMARY KEY (tenant_id, id),
  CHECK (
    (kind = 'oidc' AND oidc_issuer IS NOT NULL AND oidc_client_id IS NOT NULL
       AND oidc_client_secret IS NOT NULL AND saml_idp_entity_id IS NULL
       AND saml_idp_sso_url IS NULL AND saml_idp_certificates IS NULL)
    OR
    (kind = 'saml' AND saml_idp_entity_id IS NOT NULL AND saml_idp_sso_url IS NOT NULL
       AND saml_idp_certificates IS NOT NULL AND oidc_issuer IS NULL
       AND oidc_client_id IS NULL AND oidc_client_secret IS NULL
       AND oidc_client_secret_last4 IS NULL))
);
SELECT wardroom.make_tenant_table('wardroom.sso_connections', 'sso_connection', 'id');
GRANT SELECT, INSERT, DELETE ON wardroom.sso_connections TO wardroom_app;
-- A connection's kind and id never change.
GRANT UPDATE (name, enabled, allowed_domains, jit_role, oidc_issuer, oidc_client_id,
              oidc_client_secret, oidc_client_secret_last4, saml_idp_entity_id, saml_idp_sso_url,
              saml_idp_certificates, updated_at)
  ON wardroom.sso_connections TO wardroom_app;
-- sso_discover() runs as the owner and reads connections across workspaces
-- (ids only), as 013's auth_functions policy does for memberships.
CREATE POLICY sso_discovery ON wardroom.sso_connections FOR SELECT TO wardroom_owner USING (true);

CREATE TABLE wardroom.sso_policies (
  tenant_id uuid PRIMARY KEY REFERENCES wardroom.workspaces (tenant_id) ON DELETE CASCADE,
  require_sso boolean NOT NULL DEFAULT false,
  updated_at timestamptz NOT NULL DEFAULT now()
);
SELECT wardroom.make_tenant_table('wardroom.sso_policies', 'sso_policy', 'tenant_id');
GRANT SELECT, INSERT ON wardroom.sso_policies TO wardroom_app;
GRANT UPDATE (require_sso, updated_at) ON wardroom.sso_policies TO wardroom_app;

CREATE TABLE wardroom.sso_flows (
  key_hash bytea PRIMARY KEY CHECK (length(key_hash) = 32),
  -- Not named tenant_id: this is no tenant table (no RLS; the app role holds nothing on it).
  workspace_id uuid NOT NULL REFERENCES wardroom.workspaces (tenant_id) ON DELETE CASCADE,
  connection_id uuid NOT NULL,
  kind text NOT NULL CHECK (kind IN ('oidc', 'saml')),
  nonce text CHECK (nonce IS NULL OR length(nonce) <= 128),
  code_verifier text CHECK (code_verifier IS NULL OR length(code_verifier) <= 128),
  created_at timestamptz NOT NULL DEFAULT now(),
  expires_at timestamptz NOT NULL,
  consumed_at timestamptz,
  completed_at timestamptz,
  FOREIGN KEY (workspace_id, connection_id)
    REFERENCES wardroom.sso_connections (tenant_id, id) ON DELETE CASCADE
);
CREATE INDEX sso_flows_expires_idx ON wardroom.sso_flows (expires_at);

CREATE TABLE wardroom.sso_saml_assertions (
  issuer text NOT NULL CHECK (length(issuer) <= 2048),
  assertion_id text NOT NULL CHECK (length(assertion_id) <= 256),
  not_on_or_after timestamptz NOT NULL,
  created_at timestamptz NOT NULL DEFAULT now(),
  PRIMARY KEY (issuer, assertion_id)
);
CREATE INDEX sso_saml_assertions_expiry_idx ON wardroom.sso_saml_assertions (not_on_or_after);

-- How each session was made: an email code, or SSO through one workspace's
-- connection. A workspace that requires SSO accepts only its own SSO
-- sessions (owners aside, audited).
ALTER TABLE wardroom.sessions
  ADD COLUMN auth_method text NOT NULL DEFAULT 'email_code' CHECK (auth_method IN ('email_code', 'sso')),
  ADD COLUMN sso_tenant_id uuid,
  ADD COLUMN sso_connection_id uuid,
  ADD CONSTRAINT sessions_sso_check CHECK ((auth_method = 'sso') = (sso_tenant_id IS NOT NULL AND sso_connection_id IS NOT NULL));

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

-- The enabled SSO connections a sign-in may start with, across workspaces:
-- those of workspace p_workspace (when given), or those whose allowed email
-- domains include p_domain (when given), in live workspaces only, as
-- [{workspace_id, connection_id, kind}]. Ids only: the caller then opens the
-- workspace's transaction to read the connection. Runs as the owner, whose
-- sso_discovery policy lets it read sso_connections across tenants.
CREATE OR REPLACE FUNCTION wardroom.sso_discover(p_workspace uuid, p_domain text) RETURNS jsonb
LANGUAGE sql STABLE SECURITY DEFINER
SET search_path = pg_catalog, pg_temp
AS $$
  SELECT coalesce(jsonb_agg(jsonb_build_object(
           'workspace_id', c.tenant_id, 'connection_id', c.id, 'kind', c.kind)
           ORDER BY c.created_at, c.id), '[]'::jsonb)
  FROM wardroom.sso_connections c
  JOIN wardroom.workspaces w ON w.tenant_id = c.tenant_id
  WHERE c.enabled AND w.shredded_at IS NULL
    AND (p_workspace IS NOT NULL OR p_domain IS NOT NULL)
    AND (p_workspace IS NULL OR c.tenant_id = p_workspace)
    AND (p_domain IS NULL OR lower(p_domain) = ANY (c.allowed_domains))
$$;

-- Records a pending SSO sign-in, named by the SHA-256 of its state (OIDC)
-- or of its request id (SAML), for p_ttl_seconds; expired flows are swept
-- on the way. Nothing secret is named by the key: the state itself travels
-- only through the browser.
CREATE OR REPLACE FUNCTION wardroom.sso_flow_begin(p_key_hash bytea, p_workspace uuid, p_connection uuid, p_kind text, p_nonce text, p_code_verifier text, p_ttl_seconds integer) RETURNS void
LANGUAGE plpgsql VOLATILE SECURITY DEFINER
SET search_path = pg_catalog, pg_temp
AS $$
BEGIN
  IF length(p_key_hash) <> 32 OR p_ttl_seconds NOT BETWEEN 1 AND 3600 THEN
    RAISE EXCEPTION 'sso_flow_begin: bad arguments' USING ERRCODE = '22023';
  END IF;
  DELETE FROM wardroom.sso_flows WHERE expires_at < now() - interval '1 hour';
  INSERT INTO wardroom.sso_flows (key_hash, workspace_id, connection_id, kind, nonce, code_verifier, expires_at)
  VALUES (p_key_hash, p_workspace, p_connection, p_kind, p_nonce, p_code_verifier,
          now() + make_interval(secs => p_ttl_seconds));
END
$$;

-- Takes a pending SSO sign-in of kind p_kind: once only (it is marked
-- consumed), and only before it expires. Returns {workspace_id,
-- connection_id, nonce, code_verifier}, or NULL when there is no such live,
-- unused flow: a replayed or forged state or request id.
CREATE OR REPLACE FUNCTION wardroom.sso_flow_take(p_key_hash bytea, p_kind text) RETURNS jsonb
LANGUAGE sql VOLATILE SECURITY DEFINER
SET search_path = pg_catalog, pg_temp
AS $$
  UPDATE wardroom.sso_flows f SET consumed_at = now()
  WHERE f.key_hash = p_key_hash AND f.kind = p_kind
    AND f.consumed_at IS NULL AND f.expires_at > now()
  RETURNING jsonb_build_object('workspace_id', f.workspace_id, 'connection_id', f.connection_id,
                               'nonce', f.nonce, 'code_verifier', f.code_verifier)
$$;

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

-- Records a SAML assertion's id as used until its NotOnOrAfter; true when it
-- is new, false when the same issuer's assertion id was seen before (a
-- replay). Rows past their NotOnOrAfter are swept on the way: by then the
-- assertion itself is refused as expired.
CREATE OR REPLACE FUNCTION wardroom.sso_assertion_record(p_issuer text, p_assertion_id text, p_not_on_or_after timestamptz) RETURNS boolean
LANGUAGE plpgsql VOLATILE SECURITY DEFINER
SET search_path = pg_catalog, pg_temp
AS $$
DECLARE
  inserted integer;
BEGIN
  DELETE FROM wardroom.sso_saml_assertions WHERE not_on_or_after < now() - interval '1 hour';
  INSERT INTO wardroom.sso_saml_assertions (issuer, assertion_id, not_on_or_after)
  VALUES (p_issuer, p_assertion_id, p_not_on_or_after)
  ON CONFLICT DO NOTHING;
  GET DIAGNOSTICS inserted = ROW_COUNT;
  RETURN inserted = 1;
END
$$;

REVOKE ALL ON FUNCTION wardroom.sso_discover(uuid, text) FROM PUBLIC;
GRANT EXECUTE ON FUNCTION wardroom.sso_discover(uuid, text) TO wardroom_app;
REVOKE ALL ON FUNCTION wardroom.sso_flow_begin(bytea, uuid, uuid, text, text, text, integer) FROM PUBLIC;
GRANT EXECUTE ON FUNCTION wardroom.sso_flow_begin(bytea, uuid, uuid, text, text, text, integer) TO wardroom_app;
REVOKE ALL ON FUNCTION wardroom.sso_flow_take(bytea, text) FROM PUBLIC;
GRANT EXECUTE ON FUNCTION wardroom.sso_flow_take(bytea, text) TO wardroom_app;
REVOKE ALL ON FUNCTION wardroom.sso_flow_complete(bytea, uuid, bytea, text, integer, integer, integer) FROM PUBLIC;
GRANT EXECUTE ON FUNCTION wardroom.sso_flow_complete(bytea, uuid, bytea, text, integer, integer, integer) TO wardroom_app;
REVOKE ALL ON FUNCTION wardroom.sso_assertion_record(text, text, timestamptz) FROM PUBLIC;
GRANT EXECUTE ON FUNCTION wardroom.sso_assertion_record(text, text, timestamptz) TO wardroom_app;
-- auth_session and auth_account are replaced above (same signatures): their grants stand.
