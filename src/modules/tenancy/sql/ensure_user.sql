-- Finds or creates the global user for an email, and returns its id. The
-- app role creates users only through this function, never by direct
-- INSERT. SECURITY DEFINER with a fixed search_path.
CREATE OR REPLACE FUNCTION wardroom.ensure_user(p_email text, p_display_name text) RETURNS uuid
LANGUAGE plpgsql VOLATILE SECURITY DEFINER
SET search_path = pg_catalog, pg_temp
AS $$
DECLARE
  found uuid;
BEGIN
  INSERT INTO wardroom.users (email, display_name)
  VALUES (lower(p_email), coalesce(p_display_name, ''))
  ON CONFLICT (lower(email)) DO NOTHING
  RETURNING id INTO found;
  IF found IS NULL THEN
    SELECT id INTO found FROM wardroom.users WHERE lower(email) = lower(p_email);
  END IF;
  RETURN found;
END
$$;
