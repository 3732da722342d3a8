-- Up Migration
--
-- Exports as background jobs with a status (issue 13, section 3): one row per
-- export asked for, whether of the whole workspace (owners; `snapshot` or
-- `readable`) or a member's personal export (any member, what they wrote and
-- what is recorded about them; always `readable`). The export itself runs as
-- a pg-boss job (src/modules/privacy/export/job.ts); this row is what the
-- console polls: its state, the rows written so far per collection, and,
-- once completed, the stored object's key, size and counts and when its
-- link stops being offered.
--
-- A tenant table through make_tenant_table (RLS, audit triggers): every
-- insert and update is a `privacy_export.created` / `.updated` event naming
-- the changed columns, never their values; the module adds the explicit
-- `privacy.export.*` events (created, started, completed, failed). No
-- personal data here: ids, counts, sizes, a stable error code. The object
-- key is built from the workspace and export ids only, so a job retried
-- after its worker died writes the same object again instead of a second.
--
-- Exports are never deleted by the app (the record of how an access request
-- was answered is itself an obligation); the app role may update only the
-- columns that move.

CREATE TABLE wardroom.privacy_exports (
  tenant_id uuid NOT NULL REFERENCES wardroom.workspaces (tenant_id) ON DELETE CASCADE,
  id uuid NOT NULL DEFAULT wardroom.uuid_v7(),
  scope text NOT NULL CHECK (scope IN ('workspace', 'personal')),
  form text NOT NULL CHECK (form IN ('snapshot', 'readable')),
  requested_by uuid NOT NULL,
  request_id uuid,
  state text NOT NULL DEFAULT 'queued'
    CHECK (state IN ('queued', 'running', 'completed', 'failed')),
  progress jsonb NOT NULL DEFAULT '{}'::jsonb
    CHECK (jsonb_typeof(progress) = 'object' AND length(progress::text) <= 4096),
  attempts integer NOT NULL DEFAULT 0 CHECK (attempts BETWEEN 0 AND 1000),
  object_key text CHECK (length(object_key) BETWEEN 1 AND 1024),
  size bigint CHECK (size >= 0),
  counts jsonb CHECK (jsonb_typeof(counts) = 'object' AND length(counts::text) <= 4096),
  expires_at timestamptz,
  error_code text CHECK (error_code ~ '^[a-z][a-z0-9_]{0,63}$'),
  started_at timestamptz,
  completed_at timestamptz,
  created_at timestamptz NOT NULL DEFAULT now(),
  updated_at timestamptz NOT NULL DEFAULT now(),
  PRIMARY KEY (tenant_id, id),
  FOREIGN KEY (tenant_id, request_id) REFERENCES wardroom.privacy_requests (tenant_id, id),
  -- A personal export is always readable: a sealed copy of one's own data gives nothing.
  CHECK (scope = 'workspace' OR form = 'readable'),
  -- Only a workspace export answers an access request.
  CHECK (request_id IS NULL OR scope = 'workspace'),
  CHECK ((state = 'completed') = (object_key IS NOT NULL AND size IS NOT NULL
    AND counts IS NOT NULL AND expires_at IS NOT NULL AND completed_at IS NOT NULL)),
  CHECK ((state = 'failed') = (error_code IS NOT NULL))
);
CREATE INDEX privacy_exports_requester_idx
  ON wardroom.privacy_exports (tenant_id, requested_by, id);
SELECT wardroom.make_tenant_table('wardroom.privacy_exports', 'privacy_export', 'id');
GRANT SELECT, INSERT ON wardroom.privacy_exports TO wardroom_app;
-- What an export is, who asked and for which request never change.
GRANT UPDATE (state, progress, attempts, object_key, size, counts, expires_at, error_code,
              started_at, completed_at, updated_at)
  ON wardroom.privacy_exports TO wardroom_app;
