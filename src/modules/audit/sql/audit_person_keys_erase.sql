CREATE OR REPLACE FUNCTION wardroom.audit_person_keys_erase(p_user_id uuid) RETURNS jsonb
LANGUAGE sql VOLATILE SECURITY DEFINER
SET search_path = pg_catalog, pg_temp
AS $$
  WITH gone AS (
    DELETE FROM wardroom.audit_person_keys
     WHERE person = 'user:' || p_user_id::text
        OR person IN (SELECT 'api_token:' || t.id::text FROM wardroom.api_tokens t WHERE t.user_id = p_user_id)
    RETURNING person)
  SELECT coalesce(jsonb_agg(person ORDER BY person), '[]'::jsonb) FROM gone
$$;
