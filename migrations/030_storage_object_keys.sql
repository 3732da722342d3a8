-- Up Migration
--
-- Stored objects' content keys move into the database (issue 13, storage).
--
-- Each stored object (an export, so far) is sealed under a content key of its
-- own, and that content key is sealed by the workspace's keyring. Until now
-- the sealed content key sat at the head of the object itself, where key
-- rotation cannot reach it: after `keys set-min-version` retired the data key
-- version that sealed it, the object would no longer open, and nothing
-- warned. In this table the sealed content key is one more registered sealed
-- field (src/modules/keys/sealed-fields.ts): rotation re-seals it, `keys
-- status` counts it and the minimum version waits for it, like every other.
-- Objects written before this migration keep their key in their head and are
-- still read from there.
--
-- One row per object, keyed by its full object key (`tenants/<ws>/…`, built
-- only by the storage module's objectKey). No personal data: the key names
-- the object, never its content.

CREATE TABLE wardroom.storage_objects (
  tenant_id uuid NOT NULL REFERENCES wardroom.workspaces (tenant_id) ON DELETE CASCADE,
  object_key text NOT NULL CHECK (length(object_key) BETWEEN 1 AND 1024),
  content_key bytea NOT NULL,
  size bigint CHECK (size >= 0),
  created_at timestamptz NOT NULL DEFAULT now(),
  updated_at timestamptz NOT NULL DEFAULT now(),
  PRIMARY KEY (tenant_id, object_key)
);
SELECT wardroom.make_tenant_table('wardroom.storage_objects', 'storage_object', 'object_key');
-- Written when an object is stored (again, under a new content key, when the
-- same key is stored again), re-sealed by rotation, removed with the object.
GRANT SELECT, INSERT, DELETE ON wardroom.storage_objects TO wardroom_app;
GRANT UPDATE (content_key, size, updated_at) ON wardroom.storage_objects TO wardroom_app;
