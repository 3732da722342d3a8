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
