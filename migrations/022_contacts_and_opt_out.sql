-- Up Migration
--
-- Contacts and per-recipient opt-out (issue 13, section 5).
--
-- contacts is a tenant table (RLS, audit triggers through make_tenant_table):
-- the people a workspace holds data about. Name, email, company and notes are
-- sealed under the workspace's data key, bound to (workspace, contacts,
-- column, id) and to `version`, which every edit increments (an older
-- ciphertext written back fails to open); they are listed in
-- keys/sealed-fields.ts so key rotation re-seals them. `email_index` is a
-- keyed blind index of the normalised address (modules/contacts/README.md):
-- HMAC-SHA-256 under a key derived per workspace from the operator's privacy
-- index key, so equal addresses in two workspaces have unrelated indexes and
-- no table holds the address in clear. The audit trigger names changed
-- columns, never their values.
--
-- privacy_suppressions and privacy_optout_codes are global: an opt-out is
-- about a person, not a workspace, and must stop re-import into every
-- workspace, including ones created later. Both are `no_app_access`
-- (src/db/global-tables.ts): they hold keyed hashes only (never an address),
-- and the app role reaches them only through the definer functions below,
-- each doing one narrow thing.

CREATE TABLE wardroom.contacts (
  tenant_id uuid NOT NULL REFERENCES wardroom.workspaces (tenant_id) ON DELETE CASCADE,
  id uuid NOT NULL DEFAULT wardroom.uuid_v7(),
  name bytea NOT NULL CHECK (length(name) <= 4096),
  email bytea NOT NULL CHECK (length(email) <= 4096),
  company bytea CHECK (company IS NULL OR length(company) <= 4096),
  notes bytea CHECK (notes IS NULL OR length(notes) <= 131072),
  email_index bytea NOT NULL CHECK (length(email_index) = 32),
  version integer NOT NULL DEFAULT 1 CHECK (version >= 1),
  created_by uuid,
  created_at timestamptz NOT NULL DEFAULT now(),
  updated_at timestamptz NOT NULL DEFAULT now(),
  PRIMARY KEY (tenant_id, id)
);
CREATE INDEX contacts_email_index_idx ON wardroom.contacts (tenant_id, email_index);
SELECT wardroom.make_tenant_table('wardroom.contacts', 'contact', 'id');
GRANT SELECT, INSERT, DELETE ON wardroom.contacts TO wardroom_app;
-- A contact's id, creator and creation time never change.
GRANT UPDATE (name, email, company, notes, email_index, version, updated_at)
  ON wardroom.contacts TO wardroom_app;

-- Addresses that opted out: only the keyed hash of the normalised address.
-- `due_at` is when every contact with it must be gone (at most 45 days after
-- the confirmation), `applied_at` when the deletion job finished.
CREATE TABLE wardroom.privacy_suppressions (
  id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
  email_hash bytea NOT NULL CHECK (length(email_hash) = 32),
  created_at timestamptz NOT NULL DEFAULT now(),
  due_at timestamptz NOT NULL,
  applied_at timestamptz,
  CHECK (due_at <= created_at + interval '45 days')
);
CREATE UNIQUE INDEX privacy_suppressions_email_hash_key ON wardroom.privacy_suppressions (email_hash);
CREATE INDEX privacy_suppressions_pending_idx ON wardroom.privacy_suppressions (due_at)
  WHERE applied_at IS NULL;

-- A pending opt-out code per address (keyed hash): the code only as an HMAC,
-- its expiry and the wrong attempts so far, as sign_in_codes (013).
CREATE TABLE wardroom.privacy_optout_codes (
  address_hash bytea PRIMARY KEY CHECK (length(address_hash) = 32),
  code_hmac bytea NOT NULL CHECK (length(code_hmac) = 32),
  expires_at timestamptz NOT NULL,
  attempts integer NOT NULL DEFAULT 0 CHECK (attempts >= 0),
  created_at timestamptz NOT NULL DEFAULT now()
);

-- Stores the keyed hash of a new opt-out code for an address hash (replacing
-- any earlier one and its attempt count); forgets codes expired a day ago.
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
REVOKE ALL ON FUNCTION wardroom.privacy_optout_start(bytea, bytea, integer) FROM PUBLIC;
GRANT EXECUTE ON FUNCTION wardroom.privacy_optout_start(bytea, bytea, integer) TO wardroom_app;

-- Checks an opt-out code. Returns {status}: `ok` (the code is consumed and the
-- suppression entry exists, with {suppression_id, due_at, applied}),
-- `invalid` (no code, or a wrong one: a wrong code counts one attempt),
-- `expired` or `exceeded` (a new code is needed). Nothing else changes.
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
REVOKE ALL ON FUNCTION wardroom.privacy_optout_verify(bytea, bytea, integer, integer) FROM PUBLIC;
GRANT EXECUTE ON FUNCTION wardroom.privacy_optout_verify(bytea, bytea, integer, integer) TO wardroom_app;

-- Whether a keyed address hash opted out (contacts refuse it): a yes or no,
-- never the list.
CREATE OR REPLACE FUNCTION wardroom.privacy_is_suppressed(p_hash bytea) RETURNS boolean
LANGUAGE sql STABLE SECURITY DEFINER
SET search_path = pg_catalog, pg_temp
AS $$
  SELECT EXISTS (SELECT 1 FROM wardroom.privacy_suppressions s WHERE s.email_hash = p_hash)
$$;
REVOKE ALL ON FUNCTION wardroom.privacy_is_suppressed(bytea) FROM PUBLIC;
GRANT EXECUTE ON FUNCTION wardroom.privacy_is_suppressed(bytea) TO wardroom_app;

-- The deletion job's input: the hash of a suppression not yet applied
-- (hex), and its due date; NULL once applied or for an unknown id.
CREATE OR REPLACE FUNCTION wardroom.privacy_suppression_take(p_id uuid) RETURNS jsonb
LANGUAGE sql STABLE SECURITY DEFINER
SET search_path = pg_catalog, pg_temp
AS $$
  SELECT jsonb_build_object('email_hash', encode(s.email_hash, 'hex'), 'due_at', s.due_at)
  FROM wardroom.privacy_suppressions s
  WHERE s.id = p_id AND s.applied_at IS NULL
$$;
REVOKE ALL ON FUNCTION wardroom.privacy_suppression_take(uuid) FROM PUBLIC;
GRANT EXECUTE ON FUNCTION wardroom.privacy_suppression_take(uuid) TO wardroom_app;

-- Marks a suppression applied (once); true when this call did it.
CREATE OR REPLACE FUNCTION wardroom.privacy_suppression_applied(p_id uuid) RETURNS boolean
LANGUAGE sql VOLATILE SECURITY DEFINER
SET search_path = pg_catalog, pg_temp
AS $$
  WITH done AS (
    UPDATE wardroom.privacy_suppressions SET applied_at = now()
    WHERE id = p_id AND applied_at IS NULL
    RETURNING id
  )
  SELECT EXISTS (SELECT 1 FROM done)
$$;
REVOKE ALL ON FUNCTION wardroom.privacy_suppression_applied(uuid) FROM PUBLIC;
GRANT EXECUTE ON FUNCTION wardroom.privacy_suppression_applied(uuid) TO wardroom_app;

-- Suppressions not yet applied, as [{id, due_at}] (the worker queues each
-- again at start, so a job lost before it was sent is not lost for good).
CREATE OR REPLACE FUNCTION wardroom.privacy_suppressions_pending() RETURNS jsonb
LANGUAGE sql STABLE SECURITY DEFINER
SET search_path = pg_catalog, pg_temp
AS $$
  SELECT coalesce(jsonb_agg(jsonb_build_object('id', s.id, 'due_at', s.due_at) ORDER BY s.due_at),
                  '[]'::jsonb)
  FROM wardroom.privacy_suppressions s
  WHERE s.applied_at IS NULL
$$;
REVOKE ALL ON FUNCTION wardroom.privacy_suppressions_pending() FROM PUBLIC;
GRANT EXECUTE ON FUNCTION wardroom.privacy_suppressions_pending() TO wardroom_app;
