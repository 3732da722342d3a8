CREATE OR REPLACE FUNCTION wardroom.audit_person_key(p_person text, p_kek_id text, p_kek_version integer, p_wrapped bytea) RETURNS jsonb
LANGUAGE plpgsql VOLATILE SECURITY DEFINER
SET search_path = pg_catalog, pg_temp
AS $$
DECLARE
  k record;
  made boolean := false;
BEGIN
  SELECT kek_id, kek_version, wrapped INTO k FROM wardroom.audit_person_keys WHERE person = p_person;
  IF NOT FOUND THEN
    INSERT INTO wardroom.audit_person_keys (person, kek_id, kek_version, wrapped)
    VALUES (p_person, p_kek_id, p_kek_version, p_wrapped)
    ON CONFLICT (person) DO NOTHING;
    GET DIAGNOSTICS made = ROW_COUNT;
    SELECT kek_id, kek_version, wrapped INTO k FROM wardroom.audit_person_keys WHERE person = p_person;
  END IF;
  RETURN jsonb_build_object('kek_id', k.kek_id, 'kek_version', k.kek_version,
                            'wrapped', encode(k.wrapped, 'base64'), 'created', made);
END
$$;
