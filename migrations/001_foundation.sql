-- Up Migration
--
-- Foundation: identities, workspaces (the tenant), memberships, API tokens,
-- per-workspace data keys, workrooms, conversations and messages.
--
-- Rules every tenant table here follows (and `wardroom db check` verifies):
--   * tenant_id uuid not null, leading every primary and unique key;
--   * ENABLE + FORCE row level security, with one policy for all commands
--     bound to the transaction-local setting wardroom.tenant_id, evaluated
--     once per statement inside (select ...); no setting means no rows;
--   * foreign keys between tenant tables are composite (tenant_id, parent_id),
--     because foreign-key checks ignore RLS;
--   * the app role gets exactly the privileges it needs, never TRUNCATE.

-- UUIDv7: time-ordered ids with no shared sequence revealing volume.
CREATE FUNCTION wardroom.uuid_v7() RETURNS uuid
LANGUAGE sql VOLATILE PARALLEL SAFE
SET search_path = pg_catalog
AS $$
  SELECT encode(
    set_bit(set_bit(
      overlay(uuid_send(gen_random_uuid())
              placing substring(int8send((extract(epoch from clock_timestamp()) * 1000)::bigint) from 3)
              from 1 for 6),
      52, 1), 53, 1), 'hex')::uuid
$$;
REVOKE ALL ON FUNCTION wardroom.uuid_v7() FROM PUBLIC;
GRANT EXECUTE ON FUNCTION wardroom.uuid_v7() TO wardroom_app;

-- Users are global identities (one person, many workspaces). The app role may
-- only see users who are members of the current workspace; it creates them
-- through wardroom.ensure_user(), never by direct INSERT.
CREATE TABLE wardroom.users (
  id uuid PRIMARY KEY DEFAULT wardroom.uuid_v7(),
  email text NOT NULL CHECK (length(email) BETWEEN 3 AND 320),
  display_name text NOT NULL DEFAULT '' CHECK (length(display_name) <= 200),
  language text CHECK (language IS NULL OR length(language) <= 35),
  created_at timestamptz NOT NULL DEFAULT now()
);
CREATE UNIQUE INDEX users_email_key ON wardroom.users (lower(email));
ALTER TABLE wardroom.users ENABLE ROW LEVEL SECURITY;
ALTER TABLE wardroom.users FORCE ROW LEVEL SECURITY;
GRANT SELECT ON wardroom.users TO wardroom_app;
-- The definer functions run as the owner, which FORCE RLS also binds.
CREATE POLICY users_owner_functions ON wardroom.users FOR ALL TO wardroom_owner
  USING (true) WITH CHECK (true);

CREATE TABLE wardroom.workspaces (
  tenant_id uuid PRIMARY KEY,
  name text NOT NULL CHECK (length(name) BETWEEN 1 AND 200),
  region text NOT NULL DEFAULT 'us' CHECK (region IN ('us', 'eu', 'me-south', 'ap-northeast')),
  plan text NOT NULL DEFAULT 'free_trial' CHECK (plan IN ('free_trial', 'team', 'business', 'enterprise')),
  created_at timestamptz NOT NULL DEFAULT now()
);
ALTER TABLE wardroom.workspaces ENABLE ROW LEVEL SECURITY;
ALTER TABLE wardroom.workspaces FORCE ROW LEVEL SECURITY;
CREATE POLICY tenant_isolation ON wardroom.workspaces FOR ALL TO wardroom_app
  USING (tenant_id = (SELECT nullif(current_setting('wardroom.tenant_id', true), '')::uuid))
  WITH CHECK (tenant_id = (SELECT nullif(current_setting('wardroom.tenant_id', true), '')::uuid));
GRANT SELECT, INSERT, UPDATE ON wardroom.workspaces TO wardroom_app;

CREATE TABLE wardroom.memberships (
  tenant_id uuid NOT NULL REFERENCES wardroom.workspaces (tenant_id) ON DELETE CASCADE,
  user_id uuid NOT NULL REFERENCES wardroom.users (id),
  role text NOT NULL CHECK (role IN ('owner', 'admin', 'member', 'viewer')),
  named_roles text[] NOT NULL DEFAULT '{}'
    CHECK (named_roles <@ ARRAY['founder', 'finance_lead']::text[]),
  created_at timestamptz NOT NULL DEFAULT now(),
  PRIMARY KEY (tenant_id, user_id)
);
CREATE INDEX memberships_user_idx ON wardroom.memberships (user_id);
ALTER TABLE wardroom.memberships ENABLE ROW LEVEL SECURITY;
ALTER TABLE wardroom.memberships FORCE ROW LEVEL SECURITY;
CREATE POLICY tenant_isolation ON wardroom.memberships FOR ALL TO wardroom_app
  USING (tenant_id = (SELECT nullif(current_setting('wardroom.tenant_id', true), '')::uuid))
  WITH CHECK (tenant_id = (SELECT nullif(current_setting('wardroom.tenant_id', true), '')::uuid));
GRANT SELECT, INSERT, UPDATE, DELETE ON wardroom.memberships TO wardroom_app;

-- Users visible to the app: members of the current workspace (memberships'
-- own policy does the tenant filtering inside this subquery).
CREATE POLICY users_of_current_workspace ON wardroom.users FOR SELECT TO wardroom_app
  USING (EXISTS (SELECT 1 FROM wardroom.memberships m WHERE m.user_id = users.id));

-- Finds or creates the user for an email. SECURITY DEFINER with a fixed
-- search_path, executable by the app role only.
CREATE FUNCTION wardroom.ensure_user(p_email text, p_display_name text) RETURNS uuid
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
REVOKE ALL ON FUNCTION wardroom.ensure_user(text, text) FROM PUBLIC;
GRANT EXECUTE ON FUNCTION wardroom.ensure_user(text, text) TO wardroom_app;

-- API tokens: only a SHA-256 of the secret is kept. The token names its
-- workspace and id, so lookup happens inside the tenant's own RLS scope.
CREATE TABLE wardroom.api_tokens (
  tenant_id uuid NOT NULL,
  id uuid NOT NULL DEFAULT wardroom.uuid_v7(),
  user_id uuid NOT NULL,
  name text NOT NULL DEFAULT '' CHECK (length(name) <= 200),
  secret_hash bytea NOT NULL CHECK (length(secret_hash) = 32),
  created_at timestamptz NOT NULL DEFAULT now(),
  revoked_at timestamptz,
  PRIMARY KEY (tenant_id, id),
  FOREIGN KEY (tenant_id, user_id) REFERENCES wardroom.memberships (tenant_id, user_id) ON DELETE CASCADE
);
CREATE INDEX api_tokens_user_idx ON wardroom.api_tokens (tenant_id, user_id);
ALTER TABLE wardroom.api_tokens ENABLE ROW LEVEL SECURITY;
ALTER TABLE wardroom.api_tokens FORCE ROW LEVEL SECURITY;
CREATE POLICY tenant_isolation ON wardroom.api_tokens FOR ALL TO wardroom_app
  USING (tenant_id = (SELECT nullif(current_setting('wardroom.tenant_id', true), '')::uuid))
  WITH CHECK (tenant_id = (SELECT nullif(current_setting('wardroom.tenant_id', true), '')::uuid));
GRANT SELECT, INSERT, UPDATE ON wardroom.api_tokens TO wardroom_app;

-- Per-workspace data keys (DEKs), stored only wrapped by a master key (KEK).
CREATE TABLE wardroom.workspace_keys (
  tenant_id uuid NOT NULL REFERENCES wardroom.workspaces (tenant_id) ON DELETE CASCADE,
  version integer NOT NULL CHECK (version > 0),
  key_id uuid NOT NULL,
  kek_id text NOT NULL,
  kek_version integer NOT NULL,
  wrapped_key bytea NOT NULL,
  is_primary boolean NOT NULL DEFAULT true,
  created_at timestamptz NOT NULL DEFAULT now(),
  PRIMARY KEY (tenant_id, version)
);
ALTER TABLE wardroom.workspace_keys ENABLE ROW LEVEL SECURITY;
ALTER TABLE wardroom.workspace_keys FORCE ROW LEVEL SECURITY;
CREATE POLICY tenant_isolation ON wardroom.workspace_keys FOR ALL TO wardroom_app
  USING (tenant_id = (SELECT nullif(current_setting('wardroom.tenant_id', true), '')::uuid))
  WITH CHECK (tenant_id = (SELECT nullif(current_setting('wardroom.tenant_id', true), '')::uuid));
GRANT SELECT, INSERT, UPDATE ON wardroom.workspace_keys TO wardroom_app;

CREATE TABLE wardroom.workrooms (
  tenant_id uuid NOT NULL REFERENCES wardroom.workspaces (tenant_id) ON DELETE CASCADE,
  id uuid NOT NULL DEFAULT wardroom.uuid_v7(),
  name text NOT NULL CHECK (length(name) BETWEEN 1 AND 200),
  created_by uuid NOT NULL,
  created_at timestamptz NOT NULL DEFAULT now(),
  PRIMARY KEY (tenant_id, id)
);
ALTER TABLE wardroom.workrooms ENABLE ROW LEVEL SECURITY;
ALTER TABLE wardroom.workrooms FORCE ROW LEVEL SECURITY;
CREATE POLICY tenant_isolation ON wardroom.workrooms FOR ALL TO wardroom_app
  USING (tenant_id = (SELECT nullif(current_setting('wardroom.tenant_id', true), '')::uuid))
  WITH CHECK (tenant_id = (SELECT nullif(current_setting('wardroom.tenant_id', true), '')::uuid));
GRANT SELECT, INSERT, UPDATE, DELETE ON wardroom.workrooms TO wardroom_app;

CREATE TABLE wardroom.conversations (
  tenant_id uuid NOT NULL,
  id uuid NOT NULL DEFAULT wardroom.uuid_v7(),
  workroom_id uuid NOT NULL,
  title text CHECK (title IS NULL OR length(title) <= 200),
  created_by uuid NOT NULL,
  created_at timestamptz NOT NULL DEFAULT now(),
  PRIMARY KEY (tenant_id, id),
  FOREIGN KEY (tenant_id, workroom_id) REFERENCES wardroom.workrooms (tenant_id, id) ON DELETE CASCADE
);
CREATE INDEX conversations_workroom_idx ON wardroom.conversations (tenant_id, workroom_id);
ALTER TABLE wardroom.conversations ENABLE ROW LEVEL SECURITY;
ALTER TABLE wardroom.conversations FORCE ROW LEVEL SECURITY;
CREATE POLICY tenant_isolation ON wardroom.conversations FOR ALL TO wardroom_app
  USING (tenant_id = (SELECT nullif(current_setting('wardroom.tenant_id', true), '')::uuid))
  WITH CHECK (tenant_id = (SELECT nullif(current_setting('wardroom.tenant_id', true), '')::uuid));
GRANT SELECT, INSERT, UPDATE, DELETE ON wardroom.conversations TO wardroom_app;

-- Message content is ciphertext only (a sealed envelope, see src/modules/crypto).
CREATE TABLE wardroom.messages (
  tenant_id uuid NOT NULL,
  id uuid NOT NULL,
  conversation_id uuid NOT NULL,
  author_type text NOT NULL CHECK (author_type IN ('user', 'agent', 'system')),
  author_id uuid,
  content bytea NOT NULL,
  created_at timestamptz NOT NULL DEFAULT now(),
  PRIMARY KEY (tenant_id, id),
  FOREIGN KEY (tenant_id, conversation_id) REFERENCES wardroom.conversations (tenant_id, id) ON DELETE CASCADE
);
CREATE INDEX messages_conversation_idx ON wardroom.messages (tenant_id, conversation_id, id);
ALTER TABLE wardroom.messages ENABLE ROW LEVEL SECURITY;
ALTER TABLE wardroom.messages FORCE ROW LEVEL SECURITY;
CREATE POLICY tenant_isolation ON wardroom.messages FOR ALL TO wardroom_app
  USING (tenant_id = (SELECT nullif(current_setting('wardroom.tenant_id', true), '')::uuid))
  WITH CHECK (tenant_id = (SELECT nullif(current_setting('wardroom.tenant_id', true), '')::uuid));
GRANT SELECT, INSERT, UPDATE, DELETE ON wardroom.messages TO wardroom_app;
