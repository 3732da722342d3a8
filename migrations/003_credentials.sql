-- Up Migration
--
-- Integration credentials: OAuth tokens, webhook API keys, MCP client
-- credentials, WhatsApp tokens and LLM API keys, one table for every kind.
--
--   * `secret` is a sealed envelope (src/modules/crypto/envelope.ts) of a JSON
--     object, bound to (workspace, integration_credentials, secret, id). It is
--     NULL once the credential is revoked: revocation wipes it.
--   * `fingerprint` is HMAC-SHA256 of the primary secret value under a
--     per-workspace key (credential_fingerprint_keys below), truncated to 16
--     hex digits; `last4` is the value's last four characters, kept only for
--     values of 16 characters or more. Neither lets the value be recovered or
--     brute-forced from the database or an API response (see the module README).
--   * The app role may update only the columns a replace or revoke changes:
--     kind, provider and id are fixed for the row's life (the envelope is
--     bound to the id, and the secret's JSON shape to the kind).
--   * The audit trigger records changed column names only, never values.

CREATE TABLE wardroom.integration_credentials (
  tenant_id uuid NOT NULL REFERENCES wardroom.workspaces (tenant_id) ON DELETE CASCADE,
  id uuid NOT NULL DEFAULT wardroom.uuid_v7(),
  kind text NOT NULL
    CHECK (kind IN ('oauth', 'webhook_api_key', 'mcp_client', 'whatsapp_token', 'llm_api_key')),
  provider text NOT NULL,
  label text NOT NULL CHECK (length(label) BETWEEN 1 AND 200),
  secret bytea,
  fingerprint text NOT NULL CHECK (fingerprint ~ '^[0-9a-f]{16}$'),
  last4 text CHECK (last4 IS NULL OR length(last4) = 4),
  status text NOT NULL DEFAULT 'active' CHECK (status IN ('active', 'revoked')),
  created_by uuid,
  created_at timestamptz NOT NULL DEFAULT now(),
  replaced_at timestamptz,
  revoked_at timestamptz,
  PRIMARY KEY (tenant_id, id),
  CONSTRAINT integration_credentials_provider_of_kind CHECK (CASE kind
    WHEN 'oauth' THEN provider IN ('notion', 'google', 'slack', 'meta', 'custom')
    WHEN 'webhook_api_key' THEN provider = 'custom'
    WHEN 'mcp_client' THEN provider IN ('notion', 'google', 'slack', 'meta', 'custom')
    WHEN 'whatsapp_token' THEN provider = 'whatsapp'
    WHEN 'llm_api_key' THEN provider IN ('anthropic', 'openai')
    ELSE false END),
  CONSTRAINT integration_credentials_status CHECK (
    (status = 'active' AND secret IS NOT NULL AND length(secret) > 0 AND revoked_at IS NULL)
    OR (status = 'revoked' AND secret IS NULL AND revoked_at IS NOT NULL))
);
-- One active credential per label in a workspace (a revoked one frees its label).
CREATE UNIQUE INDEX integration_credentials_active_label_key
  ON wardroom.integration_credentials (tenant_id, lower(label)) WHERE status = 'active';
ALTER TABLE wardroom.integration_credentials ENABLE ROW LEVEL SECURITY;
ALTER TABLE wardroom.integration_credentials FORCE ROW LEVEL SECURITY;
CREATE POLICY tenant_isolation ON wardroom.integration_credentials FOR ALL TO wardroom_app
  USING (tenant_id = (SELECT nullif(current_setting('wardroom.tenant_id', true), '')::uuid))
  WITH CHECK (tenant_id = (SELECT nullif(current_setting('wardroom.tenant_id', true), '')::uuid));
GRANT SELECT, INSERT ON wardroom.integration_credentials TO wardroom_app;
GRANT UPDATE (label, secret, fingerprint, last4, status, replaced_at, revoked_at)
  ON wardroom.integration_credentials TO wardroom_app;
CREATE TRIGGER audit_row_change AFTER INSERT OR UPDATE OR DELETE ON wardroom.integration_credentials
  FOR EACH ROW EXECUTE FUNCTION wardroom.audit_row_change('integration_credential', 'id');

-- The per-workspace HMAC key behind credential fingerprints: 32 random bytes,
-- stored only sealed under the workspace's data key (bound to this table,
-- column `key`, row id = tenant_id). Created with the workspace's first
-- credential. It is not the data key itself, so rotating the data key
-- (re-sealing this column) leaves every fingerprint unchanged.
CREATE TABLE wardroom.credential_fingerprint_keys (
  tenant_id uuid PRIMARY KEY REFERENCES wardroom.workspaces (tenant_id) ON DELETE CASCADE,
  key bytea NOT NULL CHECK (length(key) > 0),
  created_at timestamptz NOT NULL DEFAULT now()
);
ALTER TABLE wardroom.credential_fingerprint_keys ENABLE ROW LEVEL SECURITY;
ALTER TABLE wardroom.credential_fingerprint_keys FORCE ROW LEVEL SECURITY;
CREATE POLICY tenant_isolation ON wardroom.credential_fingerprint_keys FOR ALL TO wardroom_app
  USING (tenant_id = (SELECT nullif(current_setting('wardroom.tenant_id', true), '')::uuid))
  WITH CHECK (tenant_id = (SELECT nullif(current_setting('wardroom.tenant_id', true), '')::uuid));
GRANT SELECT, INSERT ON wardroom.credential_fingerprint_keys TO wardroom_app;
-- Only re-sealing (data-key rotation) ever rewrites the key column.
GRANT UPDATE (key) ON wardroom.credential_fingerprint_keys TO wardroom_app;
CREATE TRIGGER audit_row_change AFTER INSERT OR UPDATE OR DELETE ON wardroom.credential_fingerprint_keys
  FOR EACH ROW EXECUTE FUNCTION wardroom.audit_row_change('credential_fingerprint_key', 'tenant_id');
