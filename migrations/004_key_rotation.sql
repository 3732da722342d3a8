-- Up Migration
--
-- Key rotation, minimum decryption version and crypto-shredding.
--
--   * workspaces.min_key_version: data keys below it no longer open anything
--     (the keyring refuses envelopes that name a lower version).
--   * At most one primary data key per workspace (the one new writes use).
--   * The app role may DELETE data keys: crypto-shredding destroys every
--     version of a workspace's key; the audit trigger records each deletion
--     as workspace_key.deleted.
--   * key_rotations: the checkpoint of each re-encryption sweep, one row per
--     (workspace, rotation). The sweep updates it in the same transaction as
--     each batch of re-sealed rows, so a killed sweep resumes exactly.
--   * shred_receipts: signed receipts of crypto-shredding, append-only for
--     the app role, and without a foreign key to workspaces so a receipt
--     outlives the workspace it speaks of.

ALTER TABLE wardroom.workspaces
  ADD COLUMN min_key_version integer NOT NULL DEFAULT 1 CHECK (min_key_version > 0);

CREATE UNIQUE INDEX workspace_keys_one_primary
  ON wardroom.workspace_keys (tenant_id) WHERE is_primary;
GRANT DELETE ON wardroom.workspace_keys TO wardroom_app;

CREATE TABLE wardroom.key_rotations (
  tenant_id uuid NOT NULL REFERENCES wardroom.workspaces (tenant_id) ON DELETE CASCADE,
  id uuid NOT NULL DEFAULT wardroom.uuid_v7(),
  from_versions integer[] NOT NULL,
  to_version integer NOT NULL CHECK (to_version > 1),
  status text NOT NULL DEFAULT 'pending'
    CHECK (status IN ('pending', 'running', 'done', 'failed', 'superseded')),
  rows_done bigint NOT NULL DEFAULT 0 CHECK (rows_done >= 0),
  rows_total bigint NOT NULL DEFAULT 0 CHECK (rows_total >= 0),
  last_table text,
  last_id text,
  passes integer NOT NULL DEFAULT 0,
  error text CHECK (error IS NULL OR length(error) <= 500),
  created_at timestamptz NOT NULL DEFAULT now(),
  started_at timestamptz,
  finished_at timestamptz,
  PRIMARY KEY (tenant_id, id),
  UNIQUE (tenant_id, to_version)
);
ALTER TABLE wardroom.key_rotations ENABLE ROW LEVEL SECURITY;
ALTER TABLE wardroom.key_rotations FORCE ROW LEVEL SECURITY;
CREATE POLICY tenant_isolation ON wardroom.key_rotations FOR ALL TO wardroom_app
  USING (tenant_id = (SELECT nullif(current_setting('wardroom.tenant_id', true), '')::uuid))
  WITH CHECK (tenant_id = (SELECT nullif(current_setting('wardroom.tenant_id', true), '')::uuid));
GRANT SELECT, INSERT, UPDATE ON wardroom.key_rotations TO wardroom_app;
CREATE TRIGGER audit_row_change AFTER INSERT OR UPDATE OR DELETE ON wardroom.key_rotations
  FOR EACH ROW EXECUTE FUNCTION wardroom.audit_row_change('key_rotation', 'id');

CREATE TABLE wardroom.shred_receipts (
  tenant_id uuid NOT NULL,
  id uuid NOT NULL DEFAULT wardroom.uuid_v7(),
  receipt jsonb NOT NULL CHECK (jsonb_typeof(receipt) = 'object'),
  signing_key_id text NOT NULL,
  signature bytea NOT NULL CHECK (length(signature) = 64),
  created_at timestamptz NOT NULL DEFAULT now(),
  PRIMARY KEY (tenant_id, id)
);
ALTER TABLE wardroom.shred_receipts ENABLE ROW LEVEL SECURITY;
ALTER TABLE wardroom.shred_receipts FORCE ROW LEVEL SECURITY;
CREATE POLICY tenant_isolation ON wardroom.shred_receipts FOR ALL TO wardroom_app
  USING (tenant_id = (SELECT nullif(current_setting('wardroom.tenant_id', true), '')::uuid))
  WITH CHECK (tenant_id = (SELECT nullif(current_setting('wardroom.tenant_id', true), '')::uuid));
GRANT SELECT, INSERT ON wardroom.shred_receipts TO wardroom_app;
CREATE TRIGGER audit_row_change AFTER INSERT OR UPDATE OR DELETE ON wardroom.shred_receipts
  FOR EACH ROW EXECUTE FUNCTION wardroom.audit_row_change('shred_receipt', 'id');
