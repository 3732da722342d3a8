CREATE OR REPLACE FUNCTION wardroom.privacy_optout_verify(p_address bytea, p_code_hmac bytea, p_max_attempts integer, p_delay_days integer) RETURNS jsonb
LANGUAGE plpgsql VOLATILE SECURITY DEFINER
SET search_path = pg_catalog, pg_temp
AS $$
DECLARE
  code record;
  entry record;
BEGIN
  IF length(p_address) <> 32 OR length(p_code_hmac) <> 32 OR p_max_attempts < 1
     OR p_delay_days NOT BETWEEN 0 AND 45 THEN
    RAISE EXCEPTION 'privacy_optout_verify: bad arguments' USING ERRCODE = '22023';
  END IF;
  SELECT * INTO code FROM wardroom.privacy_optout_codes c WHERE c.address_hash = p_address FOR UPDATE;
  IF code.address_hash IS NULL THEN
    RETURN jsonb_build_object('status', 'invalid');
  END IF;
  IF code.attempts >= p_max_attempts THEN
    RETURN jsonb_build_object('status', 'exceeded');
  END IF;
  IF code.expires_at <= now() THEN
    RETURN jsonb_build_object('status', 'expired');
  END IF;
  IF code.code_hmac <> p_code_hmac THEN
    UPDATE wardroom.privacy_optout_codes SET attempts = attempts + 1 WHERE address_hash = p_address;
    RETURN jsonb_build_object('status', 'invalid');
  END IF;
  DELETE FROM wardroom.privacy_optout_codes WHERE address_hash = p_address;
  -- A second opt-out of the same address keeps the first entry and its due date.
  INSERT INTO wardroom.privacy_suppressions (email_hash, due_at)
  VALUES (p_address, now() + make_interval(days => p_delay_days))
  ON CONFLICT (email_hash) DO UPDATE SET email_hash = EXCLUDED.email_hash
  RETURNING id, due_at, applied_at INTO entry;
  RETURN jsonb_build_object('status', 'ok', 'suppression_id', entry.id, 'due_at', entry.due_at,
                            'applied', entry.applied_at IS NOT NULL);
END
$$;
