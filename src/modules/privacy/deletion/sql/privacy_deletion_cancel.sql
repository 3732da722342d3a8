CREATE OR REPLACE FUNCTION wardroom.privacy_deletion_cancel(p_id uuid, p_user_id uuid, p_now timestamptz) RETURNS jsonb
LANGUAGE sql VOLATILE SECURITY DEFINER
SET search_path = pg_catalog, pg_temp
AS $$
  UPDATE wardroom.scheduled_deletions
  SET state = 'cancelled', cancelled_at = p_now, receipt_to = NULL
  WHERE id = p_id AND user_id = p_user_id AND state = 'pending'
  RETURNING to_jsonb(scheduled_deletions) - 'receipt_to'
$$;
