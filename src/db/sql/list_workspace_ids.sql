-- The system door for jobs that iterate workspaces (audit checkpoints, key
-- rotation) without seeing their rows: it returns ids only, and each
-- workspace is then opened with withTenant(). It runs as the owner, whose
-- list_workspace_ids policy on wardroom.workspaces lets it read the ids; the
-- app role's own policy is unchanged.
CREATE OR REPLACE FUNCTION wardroom.list_workspace_ids() RETURNS SETOF uuid
LANGUAGE sql STABLE SECURITY DEFINER
SET search_path = pg_catalog, pg_temp
AS $$ SELECT tenant_id FROM wardroom.workspaces ORDER BY tenant_id $$;
