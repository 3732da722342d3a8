CREATE OR REPLACE FUNCTION wardroom.privacy_deletion_complete(p_id uuid, p_now timestamptz, p_receipt jsonb) RETURNS jsonb
LANGUAGE plpgsql VOLATILE SECURITY DEFINER
SET search_path = pg_catalog, pg_temp
AS $$
DECLARE
  address bytea;
BEGIN
  SELECT receipt_to INTO address FROM wardroom.scheduled_deletions
  WHERE id = p_id AND state = 'running' FOR UPDATE;
  IF NOT FOUND THEN
    RETURN NULL;
  END IF;
  -- The sealed address leaves the table as it is handed over, once.
  UPDATE wardroom.scheduled_deletions
  SET state = 'completed', completed_at = p_now, receipt = p_receipt, receipt_to = NULL
  WHERE id = p_id;
  RETURN jsonb_build_object('receipt_to', encode(address, 'base64'));
END
$$;
