-- Up Migration
--
-- The automatic post-cancellation purge (issue 13, section 6, second half),
-- per workspace: whether the owner turned it on (NULL: the operator's
-- default, WARDROOM_PURGE_AFTER_CANCEL_DEFAULT), and the purge scheduled
-- when the workspace's Stripe subscription ended.
--
-- One row per workspace (tenant table: RLS, audit triggers through
-- make_tenant_table), written the first time the owner sets the toggle or a
-- cancellation schedules a purge. `state`:
--   none       nothing scheduled (no cancellation, or the purge was off)
--   scheduled  due_at is when the workspace is purged; warnings are stamped
--              warned_7_at and warned_1_at when claimed (each sent once)
--   cancelled  a reactivation (or the owner turning the purge off) cancelled it
--   purging    a sweep claimed it (claimed_at); committed before anything is
--              destroyed, so a worker killed mid-purge leaves a row the next
--              sweep finds and finishes
--   done       shredded, objects deleted, receipt emailed (or its send claimed)
-- The steps of a purge are stamped as they complete (shred_receipt_id,
-- objects_deleted, receipt_claimed_at, completed_at) so that each happens
-- once however often the purge is resumed. Nothing personal is stored.

CREATE TABLE wardroom.workspace_purges (
  tenant_id uuid PRIMARY KEY REFERENCES wardroom.workspaces (tenant_id) ON DELETE CASCADE,
  enabled boolean,
  state text NOT NULL DEFAULT 'none'
    CHECK (state IN ('none', 'scheduled', 'cancelled', 'purging', 'done')),
  cancelled_at timestamptz,
  due_at timestamptz,
  warned_7_at timestamptz,
  warned_1_at timestamptz,
  claimed_at timestamptz,
  shred_receipt_id uuid,
  objects_deleted integer CHECK (objects_deleted >= 0),
  receipt_claimed_at timestamptz,
  completed_at timestamptz,
  created_at timestamptz NOT NULL DEFAULT now(),
  updated_at timestamptz NOT NULL DEFAULT now(),
  CHECK (state NOT IN ('scheduled', 'purging', 'done') OR due_at IS NOT NULL),
  CHECK (state NOT IN ('purging', 'done') OR claimed_at IS NOT NULL),
  CHECK (state <> 'done' OR completed_at IS NOT NULL)
);
SELECT wardroom.make_tenant_table('wardroom.workspace_purges', 'workspace_purge', 'tenant_id');
-- Sweeps look for due rows across workspaces, one workspace at a time (RLS), by state.
CREATE INDEX workspace_purges_state ON wardroom.workspace_purges (state, due_at);
GRANT SELECT, INSERT ON wardroom.workspace_purges TO wardroom_app;
GRANT UPDATE (enabled, state, cancelled_at, due_at, warned_7_at, warned_1_at, claimed_at,
              shred_receipt_id, objects_deleted, receipt_claimed_at, completed_at, updated_at)
  ON wardroom.workspace_purges TO wardroom_app;
