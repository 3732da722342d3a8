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
