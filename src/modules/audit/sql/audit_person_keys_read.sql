CREATE OR REPLACE FUNCTION wardroom.audit_person_keys_read(p_persons text[]) RETURNS jsonb
LANGUAGE sql STABLE SECURITY DEFINER
SET search_path = pg_catalog, pg_temp
AS $$
  SELECT coalesce(jsonb_agg(jsonb_build_object('person', person, 'kek_id', kek_id,
           'kek_version', kek_version, 'wrapped', encode(wrapped, 'base64'))), '[]'::jsonb)
  FROM wardroom.audit_person_keys WHERE person = ANY (p_persons[1:1000])
$$;
