-- The server's sealing loop: every workspace with unsealed events, a batch
-- each. Returns how many events were sealed; reveals nothing else.
CREATE OR REPLACE FUNCTION wardroom.audit_seal_pending(p_batch integer) RETURNS integer
LANGUAGE plpgsql VOLATILE SECURITY DEFINER
SET search_path = pg_catalog, pg_temp
AS $$
DECLARE
  t uuid;
  total integer := 0;
BEGIN
  -- A workspace whose head is busy is skipped this pass, and one that fails
  -- is reported and skipped, so no workspace can stall the others.
  FOR t IN SELECT DISTINCT tenant_id FROM wardroom.audit_log WHERE seq IS NULL LOOP
    BEGIN
      total := total + wardroom.audit_seal_workspace(t, p_batch, true);
    EXCEPTION WHEN OTHERS THEN
      RAISE WARNING 'audit sealing failed for workspace %: %', t, SQLERRM;
    END;
  END LOOP;
  RETURN total;
END
$$;
