CREATE OR REPLACE FUNCTION wardroom.privacy_optout_start(p_address bytea, p_code_hmac bytea, p_ttl_seconds integer) RETURNS void
LANGUAGE plpgsql VOLATILE SECURITY DEFINER
SET search_path = pg_catalog, pg_temp
AS $$
BEGIN
  IF length(p_address) <> 32 OR length(p_code_hmac) <> 32 OR p_ttl_seconds NOT BETWEEN 1 AND 86400 THEN
    RAISE EXCEPTION 'privacy_optout_start: bad arguments' USING ERRCODE = '22023';
  END IF;
  INSERT INTO wardroom.privacy_optout_codes (address_hash, code_hmac, expires_at, attempts, created_at)
  VALUES (p_address, p_code_hmac, now() + make_interval(secs => p_ttl_seconds), 0, now())
  ON CONFLICT (address_hash) DO UPDATE
    SET code_hmac = EXCLUDED.code_hmac, expires_at = EXCLUDED.expires_at,
        attempts = 0, created_at = EXCLUDED.created_at;
  -- Codes nobody used: gone once expired for a day.
  DELETE FROM wardroom.privacy_optout_codes WHERE expires_at < now() - interval '1 day';
END
$$;
