-- Up Migration
--
-- Member profiles belong to the workspace, not to the global identity.
--
-- Users are global (one person, many workspaces), so anything a workspace
-- can read about a user leaks across workspaces: inviting someone's email
-- from workspace B used to reveal the display name, language and sign-up
-- time they had set in workspace A. From here on:
--   * the app role can read only a user's id and email (column grants), and
--     only for members of the current workspace (the existing policy);
--   * the display name shown in a workspace is the membership's own;
--   * new user ids are random (v4): a time-ordered id would reveal when a
--     pre-existing person signed up to whoever invites them.

ALTER TABLE wardroom.memberships
  ADD COLUMN display_name text NOT NULL DEFAULT '' CHECK (length(display_name) <= 200);

UPDATE wardroom.memberships m SET display_name = u.display_name
  FROM wardroom.users u WHERE u.id = m.user_id;

REVOKE SELECT ON wardroom.users FROM wardroom_app;
GRANT SELECT (id, email) ON wardroom.users TO wardroom_app;

ALTER TABLE wardroom.users ALTER COLUMN id SET DEFAULT gen_random_uuid();
