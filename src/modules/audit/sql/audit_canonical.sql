-- The canonical event that is hashed. Exported files carry exactly these
-- fields, so `wardroom audit verify --file` recomputes the same bytes.
-- (Explicit arguments, not a row: a partition's row type differs from the parent's.)
CREATE OR REPLACE FUNCTION wardroom.audit_canonical(
  p_tenant_id uuid, p_seq bigint, p_occurred_at timestamptz, p_actor_type text, p_actor_id text,
  p_actor_name text, p_action text, p_targets jsonb, p_context jsonb, p_correlation_id text,
  p_metadata jsonb, p_prev_hash bytea) RETURNS text
LANGUAGE sql STABLE PARALLEL SAFE
SET search_path = pg_catalog
AS $$
  -- RFC 8785 of {v, tenant_id, seq, occurred_at, actor {type, id, name},
  -- action, targets, context, correlation_id, metadata, prev_hash}, written
  -- out with the keys already in canonical order.
  SELECT '{"action":' || to_json(p_action)::text
      || ',"actor":{"id":' || coalesce(to_json(p_actor_id)::text, 'null')
      || ',"name":' || coalesce(to_json(p_actor_name)::text, 'null')
      || ',"type":' || to_json(p_actor_type)::text
      || '},"context":' || wardroom.jcs(p_context)
      || ',"correlation_id":' || coalesce(to_json(p_correlation_id)::text, 'null')
      || ',"metadata":' || wardroom.jcs(p_metadata)
      || ',"occurred_at":"' || to_char(p_occurred_at AT TIME ZONE 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.US"Z"')
      || '","prev_hash":"' || encode(p_prev_hash, 'hex')
      || '","seq":' || p_seq::text
      || ',"targets":' || wardroom.jcs(p_targets)
      || ',"tenant_id":"' || p_tenant_id::text
      || '","v":1}'
$$;
