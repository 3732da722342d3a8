CREATE OR REPLACE FUNCTION wardroom.privacy_deletion_claim(p_now timestamptz, p_lease_seconds integer, p_limit integer, p_only uuid[]) RETURNS jsonb
LANGUAGE plpgsql VOLATILE SECURITY DEFINER
SET search_path = pg_catalog, pg_temp
AS $$
DECLARE
  claimed jsonb;
BEGIN
  IF p_lease_seconds NOT BETWEEN 60 AND 86400 OR p_limit NOT BETWEEN 1 AND 1000 THEN
    RAISE EXCEPTION 'privacy_deletion_claim: bad arguments' USING ERRCODE = '22023';
  END IF;
  -- Due and pending, or running but abandoned (a worker that died mid-way:
  -- every step it took is idempotent, and the receipt is taken only once).
  WITH due AS (
    SELECT id FROM wardroom.scheduled_deletions
    WHERE ((state = 'pending' AND runs_after <= p_now)
       OR (state = 'running' AND started_at <= p_now - make_interval(secs => p_lease_seconds)))
      AND (p_only IS NULL OR user_id = ANY (p_only))
    ORDER BY runs_after, id
    LIMIT p_limit
    FOR UPDATE SKIP LOCKED
  ), upd AS (
    UPDATE wardroom.scheduled_deletions d SET state = 'running', started_at = p_now
    FROM due WHERE d.id = due.id
    RETURNING d.*
  )
  SELECT coalesce(jsonb_agg(to_jsonb(upd) - 'receipt_to' ORDER BY upd.runs_after, upd.id),
    '[]'::jsonb) INTO claimed FROM upd;
  RETURN claimed;
END
$$;
