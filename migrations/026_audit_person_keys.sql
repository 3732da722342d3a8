-- Up Migration
--
-- Personal data in the audit log, sealed per person (issue 13, section 4).
--
-- The audit log is append-only and hash-chained, so a person's name, IP
-- address and user agent written into it in clear could never be erased
-- without breaking the chain. From now on the app writes those fields
-- sealed under a key of the person's own (`pii1:<person>:<base64url>`), and
-- the chain hashes the sealed string as stored: erasing a person deletes
-- their key row here, which leaves every event and hash as it was (so
-- `audit verify` still passes) but no longer openable. Rows written before
-- this migration stay as they are: a migration cannot rewrite chained
-- history (src/modules/audit/README.md).
--
-- A person is `<actor type>:<actor id>` (`user:<uuid>`, `api_token:<uuid>`,
-- ...), so a non-user person can have a key too. Each key is 32 random
-- bytes, stored only wrapped by the master key (KEK) like the workspace data
-- keys, bound to the person. The table is global (a person acts in many
-- workspaces) and `no_app_access` (src/db/global-tables.ts): the app role
-- holds no privilege on it and reaches it only through the three definer
-- functions below. Deleting a key is possible only through the erasure
-- function, which takes a user id and erases that user's key and the keys
-- of their API tokens.

CREATE TABLE wardroom.audit_person_keys (
  person text PRIMARY KEY CHECK (person ~ '^[a-z_]+:[^:[:space:]]{1,200}$'),
  kek_id text NOT NULL CHECK (length(kek_id) BETWEEN 1 AND 200),
  kek_version integer NOT NULL,
  wrapped bytea NOT NULL CHECK (length(wrapped) BETWEEN 1 AND 8192),
  created_at timestamptz NOT NULL DEFAULT now()
);
REVOKE ALL ON wardroom.audit_person_keys FROM PUBLIC;

-- The erasure reads which API tokens a person held, in every workspace.
-- Read only, and only for the owner; the app role's own policy is unchanged.
CREATE POLICY audit_person_erasure ON wardroom.api_tokens FOR SELECT TO wardroom_owner USING (true);

-- The person's wrapped key; when there is none yet, stores the candidate the
-- caller wrapped and returns it (`created` true). Two callers racing for one
-- person both get the row that won. Creating happens in the caller's
-- transaction, so a key made for a request that rolls back is gone with it.
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

-- The wrapped keys of the persons named (those that still have one).
CREATE OR REPLACE FUNCTION wardroom.audit_person_keys_read(p_persons text[]) RETURNS jsonb
LANGUAGE sql STABLE SECURITY DEFINER
SET search_path = pg_catalog, pg_temp
AS $$
  SELECT coalesce(jsonb_agg(jsonb_build_object('person', person, 'kek_id', kek_id,
           'kek_version', kek_version, 'wrapped', encode(wrapped, 'base64'))), '[]'::jsonb)
  FROM wardroom.audit_person_keys WHERE person = ANY (p_persons[1:1000])
$$;

-- Erasure: deletes the keys of a user and of every API token they held, and
-- returns the persons whose key was deleted.
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

REVOKE ALL ON FUNCTION wardroom.audit_person_key(text, text, integer, bytea) FROM PUBLIC;
GRANT EXECUTE ON FUNCTION wardroom.audit_person_key(text, text, integer, bytea) TO wardroom_app;
REVOKE ALL ON FUNCTION wardroom.audit_person_keys_read(text[]) FROM PUBLIC;
GRANT EXECUTE ON FUNCTION wardroom.audit_person_keys_read(text[]) TO wardroom_app;
REVOKE ALL ON FUNCTION wardroom.audit_person_keys_erase(uuid) FROM PUBLIC;
GRANT EXECUTE ON FUNCTION wardroom.audit_person_keys_erase(uuid) TO wardroom_app;
