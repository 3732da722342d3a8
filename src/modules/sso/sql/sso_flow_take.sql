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
