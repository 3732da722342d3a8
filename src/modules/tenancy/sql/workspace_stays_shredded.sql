-- A shred is final: once workspaces.shredded_at is set, no update clears or
-- moves it, so the app role (which may update workspaces) cannot make a
-- shredded workspace answer again. Runs as its caller; the trigger is
-- ENABLE ALWAYS, so session_replication_role = replica does not skip it.
CREATE OR REPLACE FUNCTION wardroom.workspace_stays_shredded() RETURNS trigger
LANGUAGE plpgsql
SET search_path = pg_catalog, pg_temp
AS $$
BEGIN
  IF OLD.shredded_at IS NOT NULL AND NEW.shredded_at IS DISTINCT FROM OLD.shredded_at THEN
    RAISE EXCEPTION 'workspace % was shredded at %: that cannot be undone', OLD.tenant_id, OLD.shredded_at
      USING ERRCODE = 'check_violation';
  END IF;
  RETURN NEW;
END
$$;
