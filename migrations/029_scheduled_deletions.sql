-- Up Migration
--
-- Deletion that waits (issue 13, section 4): a person's deletion is
-- scheduled, not run. It runs after a cooling-off period (default 7 days,
-- WARDROOM_DELETION_COOLING_OFF_DAYS) during which the account stays usable
-- and the deletion can be cancelled; a pg-boss sweep then claims it
-- (committed before acting), pseudonymises the person (migration 025),
-- completes the linked deletion request and emails the receipt.
--
-- Global, not a tenant table: the subject is a person (wardroom.users), who
-- may belong to several workspaces or to none, and "Delete my account" names
-- no workspace. A deletion that comes from a privacy request records that
-- request's workspace and id (origin_tenant_id, origin_request_id); the
-- request itself stays in its tenant table. The table is `no_app_access`
-- (src/db/global-tables.ts): the app role reaches it only through the
-- definer functions below.
--
-- receipt_to is the person's address sealed by the server (XSalsa20-Poly1305
-- under a key derived from the auth secret): the receipt goes to the address
-- the person had, which pseudonymisation replaces. It is cleared when the
-- deletion completes (handed to the sender once) or is cancelled.

CREATE TABLE wardroom.scheduled_deletions (
  id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
  user_id uuid NOT NULL REFERENCES wardroom.users (id),
  origin text NOT NULL CHECK (origin IN ('account', 'request')),
  origin_tenant_id uuid,
  origin_request_id uuid,
  requested_at timestamptz NOT NULL,
  runs_after timestamptz NOT NULL,
  state text NOT NULL DEFAULT 'pending'
    CHECK (state IN ('pending', 'cancelled', 'running', 'completed')),
  receipt_to bytea CHECK (receipt_to IS NULL OR length(receipt_to) <= 4096),
  started_at timestamptz,
  cancelled_at timestamptz,
  completed_at timestamptz,
  receipt jsonb,
  CHECK ((origin = 'request') = (origin_request_id IS NOT NULL AND origin_tenant_id IS NOT NULL)),
  CHECK (runs_after >= requested_at),
  CHECK (state IN ('pending', 'running') OR receipt_to IS NULL)
);
-- At most one open deletion per person.
CREATE UNIQUE INDEX scheduled_deletions_open_key ON wardroom.scheduled_deletions (user_id)
  WHERE state IN ('pending', 'running');
CREATE INDEX scheduled_deletions_due_idx ON wardroom.scheduled_deletions (runs_after)
  WHERE state IN ('pending', 'running');
CREATE INDEX scheduled_deletions_user_idx ON wardroom.scheduled_deletions (user_id, requested_at);
REVOKE ALL ON wardroom.scheduled_deletions FROM PUBLIC;

-- The text of each function is in src/modules/privacy/deletion/sql/.

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

CREATE OR REPLACE FUNCTION wardroom.privacy_deletion_get(p_user_id uuid) RETURNS jsonb
LANGUAGE sql STABLE SECURITY DEFINER
SET search_path = pg_catalog, pg_temp
AS $$
  SELECT to_jsonb(d) - 'receipt_to'
  FROM wardroom.scheduled_deletions d
  WHERE d.user_id = p_user_id
  ORDER BY d.requested_at DESC, d.id DESC
  LIMIT 1
$$;

CREATE OR REPLACE FUNCTION wardroom.privacy_deletion_cancel(p_id uuid, p_user_id uuid, p_now timestamptz) RETURNS jsonb
LANGUAGE sql VOLATILE SECURITY DEFINER
SET search_path = pg_catalog, pg_temp
AS $$
  UPDATE wardroom.scheduled_deletions
  SET state = 'cancelled', cancelled_at = p_now, receipt_to = NULL
  WHERE id = p_id AND user_id = p_user_id AND state = 'pending'
  RETURNING to_jsonb(scheduled_deletions) - 'receipt_to'
$$;

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

REVOKE ALL ON FUNCTION wardroom.privacy_deletion_schedule(uuid, bytea, uuid, uuid, timestamptz, timestamptz, bytea) FROM PUBLIC;
GRANT EXECUTE ON FUNCTION wardroom.privacy_deletion_schedule(uuid, bytea, uuid, uuid, timestamptz, timestamptz, bytea) TO wardroom_app;
REVOKE ALL ON FUNCTION wardroom.privacy_deletion_get(uuid) FROM PUBLIC;
GRANT EXECUTE ON FUNCTION wardroom.privacy_deletion_get(uuid) TO wardroom_app;
REVOKE ALL ON FUNCTION wardroom.privacy_deletion_cancel(uuid, uuid, timestamptz) FROM PUBLIC;
GRANT EXECUTE ON FUNCTION wardroom.privacy_deletion_cancel(uuid, uuid, timestamptz) TO wardroom_app;
REVOKE ALL ON FUNCTION wardroom.privacy_deletion_claim(timestamptz, integer, integer, uuid[]) FROM PUBLIC;
GRANT EXECUTE ON FUNCTION wardroom.privacy_deletion_claim(timestamptz, integer, integer, uuid[]) TO wardroom_app;
REVOKE ALL ON FUNCTION wardroom.privacy_deletion_complete(uuid, timestamptz, jsonb) FROM PUBLIC;
GRANT EXECUTE ON FUNCTION wardroom.privacy_deletion_complete(uuid, timestamptz, jsonb) TO wardroom_app;
