CREATE OR REPLACE FUNCTION wardroom.privacy_deletion_schedule(p_user_id uuid, p_session_hash bytea, p_tenant uuid, p_request uuid, p_requested_at timestamptz, p_runs_after timestamptz, p_receipt bytea) RETURNS jsonb
LANGUAGE plpgsql VOLATILE SECURITY DEFINER
SET search_path = pg_catalog, pg_temp
AS $$
DECLARE
  open_row wardroom.scheduled_deletions;
  new_row wardroom.scheduled_deletions;
BEGIN
  IF p_runs_after < p_requested_at OR p_receipt IS NULL OR length(p_receipt) > 4096 THEN
    RAISE EXCEPTION 'privacy_deletion_schedule: bad arguments' USING ERRCODE = '22023';
  END IF;
  IF p_request IS NULL THEN
    -- The person's own account: only the holder of one of their live sessions.
    IF p_session_hash IS NULL OR NOT EXISTS (
      SELECT 1 FROM wardroom.sessions s
      WHERE s.token_hash = p_session_hash AND s.user_id = p_user_id AND s.revoked_at IS NULL
        AND s.expires_at > now() AND s.idle_expires_at > now()) THEN
      RETURN jsonb_build_object('status', 'not_allowed');
    END IF;
  ELSIF p_tenant IS NULL OR NOT EXISTS (
      SELECT 1 FROM wardroom.memberships m
      JOIN wardroom.workspaces w ON w.tenant_id = m.tenant_id AND w.shredded_at IS NULL
      WHERE m.tenant_id = p_tenant AND m.user_id = p_user_id) THEN
    -- A deletion request of a live workspace about one of its members (the
    -- request itself is read and moved in that workspace's transaction).
    RETURN jsonb_build_object('status', 'not_allowed');
  END IF;
  SELECT * INTO open_row FROM wardroom.scheduled_deletions
  WHERE user_id = p_user_id AND state IN ('pending', 'running') FOR UPDATE;
  IF open_row.id IS NOT NULL THEN
    RETURN jsonb_build_object('status', 'already_scheduled', 'deletion',
      to_jsonb(open_row) - 'receipt_to');
  END IF;
  INSERT INTO wardroom.scheduled_deletions
    (user_id, origin, origin_tenant_id, origin_request_id, requested_at, runs_after, receipt_to)
  VALUES (p_user_id, CASE WHEN p_request IS NULL THEN 'account' ELSE 'request' END,
    CASE WHEN p_request IS NULL THEN NULL ELSE p_tenant END, p_request,
    p_requested_at, p_runs_after, p_receipt)
  RETURNING * INTO new_row;
  RETURN jsonb_build_object('status', 'scheduled', 'deletion', to_jsonb(new_row) - 'receipt_to');
END
$$;
