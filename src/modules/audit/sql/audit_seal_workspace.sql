-- Seals (chains) a workspace's committed, unsealed events in insertion
-- order, at most p_limit of them: each gets the next seq, the previous hash
-- and hash = sha256(audit_canonical(...)). The head row lock makes
-- concurrent sealers of one workspace take turns; other workspaces are other
-- rows. With p_skip_locked, a workspace whose head is locked is skipped (0).
-- Returns how many events it sealed.
CREATE OR REPLACE FUNCTION wardroom.audit_seal_workspace(p_tenant uuid, p_limit integer, p_skip_locked boolean DEFAULT false) RETURNS integer
LANGUAGE plpgsql VOLATILE SECURITY DEFINER
SET search_path = pg_catalog, pg_temp
AS $$
DECLARE
  head_seq bigint;
  head_hash bytea;
  next_hash bytea;
  e record;
  sealed integer := 0;
BEGIN
  INSERT INTO wardroom.audit_heads (tenant_id, seq, hash)
  VALUES (p_tenant, 0, '\x0000000000000000000000000000000000000000000000000000000000000000'::bytea)
  ON CONFLICT (tenant_id) DO NOTHING;
  IF p_skip_locked THEN
    SELECT seq, hash INTO head_seq, head_hash FROM wardroom.audit_heads
     WHERE tenant_id = p_tenant FOR UPDATE SKIP LOCKED;
    IF NOT FOUND THEN
      RETURN 0; -- another sealer holds this workspace; it will be sealed next pass
    END IF;
  ELSE
    SELECT seq, hash INTO head_seq, head_hash FROM wardroom.audit_heads WHERE tenant_id = p_tenant FOR UPDATE;
  END IF;
  FOR e IN
    SELECT id, occurred_at, actor_type, actor_id, actor_name, action, targets, context, correlation_id, metadata
      FROM wardroom.audit_log
     WHERE tenant_id = p_tenant AND seq IS NULL
     ORDER BY id
     LIMIT p_limit
  LOOP
    head_seq := head_seq + 1;
    next_hash := sha256(convert_to(wardroom.audit_canonical(
      p_tenant, head_seq, e.occurred_at, e.actor_type, e.actor_id, e.actor_name, e.action,
      e.targets, e.context, e.correlation_id, e.metadata, head_hash), 'UTF8'));
    UPDATE wardroom.audit_log SET seq = head_seq, prev_hash = head_hash, hash = next_hash
     WHERE tenant_id = p_tenant AND id = e.id AND occurred_at = e.occurred_at;
    head_hash := next_hash;
    sealed := sealed + 1;
  END LOOP;
  IF sealed > 0 THEN
    UPDATE wardroom.audit_heads SET seq = head_seq, hash = head_hash WHERE tenant_id = p_tenant;
  END IF;
  RETURN sealed;
END
$$;
