-- The app seals its current workspace (before reading, exporting or
-- checkpointing the chain). With no workspace set it seals nothing.
CREATE OR REPLACE FUNCTION wardroom.audit_seal() RETURNS integer
LANGUAGE sql VOLATILE SECURITY DEFINER
SET search_path = pg_catalog, pg_temp
AS $$
  SELECT wardroom.audit_seal_workspace(nullif(current_setting('wardroom.tenant_id', true), '')::uuid, 100000)
   WHERE nullif(current_setting('wardroom.tenant_id', true), '') IS NOT NULL
$$;
