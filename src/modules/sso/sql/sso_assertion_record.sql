-- Records a SAML assertion's id as used until its NotOnOrAfter; true when it
-- is new, false when the same issuer's assertion id was seen before (a
-- replay). Rows past their NotOnOrAfter are swept on the way: by then the
-- assertion itself is refused as expired.
CREATE OR REPLACE FUNCTION wardroom.sso_assertion_record(p_issuer text, p_assertion_id text, p_not_on_or_after timestamptz) RETURNS boolean
LANGUAGE plpgsql VOLATILE SECURITY DEFINER
SET search_path = pg_catalog, pg_temp
AS $$
DECLARE
  inserted integer;
BEGIN
  DELETE FROM wardroom.sso_saml_assertions WHERE not_on_or_after < now() - interval '1 hour';
  INSERT INTO wardroom.sso_saml_assertions (issuer, assertion_id, not_on_or_after)
  VALUES (p_issuer, p_assertion_id, p_not_on_or_after)
  ON CONFLICT DO NOTHING;
  GET DIAGNOSTICS inserted = ROW_COUNT;
  RETURN inserted = 1;
END
$$;
