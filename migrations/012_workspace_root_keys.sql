-- Up Migration
--
-- Per-workspace root keys, held outside the database.
--
-- A data key is stored only wrapped by the master key, but the master key
-- survives a shred: restoring the workspace_keys rows from a backup taken
-- before the shred made its data readable again. So each workspace gets a
-- root key in a workspace key store outside the database (a key file, or a
-- Vault transit key or KMS key of its own), and a data key version marked
-- `rooted` seals with HKDF(data key, salt = root key, its place) instead of
-- the data key itself. A shred destroys the root key in its store, which no
-- database restore brings back (docs/keys.md).
--
-- This table records where each workspace's root key is: the store's kind,
-- its reference (a file name, a transit key name, a KMS key ARN) and, for
-- Vault and KMS, the root secret encrypted under that workspace's own
-- provider key (null for files). The app role reads it, writes it when a
-- workspace first gets a root key, and deletes it when shredding; it never
-- changes a row. Versions created before this stay unrooted (false) and
-- keep sealing with the data key alone until `keys rotate` replaces them.

CREATE TABLE wardroom.workspace_root_keys (
  tenant_id uuid NOT NULL REFERENCES wardroom.workspaces (tenant_id) ON DELETE CASCADE,
  store text NOT NULL CHECK (store IN ('file', 'vault-transit', 'aws-kms')),
  ref text NOT NULL CHECK (length(ref) BETWEEN 1 AND 2048),
  sealed_secret bytea CHECK (sealed_secret IS NULL OR length(sealed_secret) <= 8192),
  created_at timestamptz NOT NULL DEFAULT now(),
  PRIMARY KEY (tenant_id),
  CHECK ((store = 'file') = (sealed_secret IS NULL))
);
SELECT wardroom.make_tenant_table('wardroom.workspace_root_keys', 'workspace_root_key', 'ref');
GRANT SELECT, INSERT, DELETE ON wardroom.workspace_root_keys TO wardroom_app;

ALTER TABLE wardroom.workspace_keys
  ADD COLUMN rooted boolean NOT NULL DEFAULT false;
