-- Up Migration
--
-- A shredded workspace is gone, customer-written names are sealed, and a
-- shred receipt keeps the public key that signed it.
--
--   * workspaces.shredded_at: set by the shred in the transaction that
--     destroys the data keys. Token verification reads it in the same query
--     that resolves the member, and every request of that workspace then
--     answers 410 workspace_shredded.
--   * Workroom names, conversation titles and member display names are
--     written by customers, so they are sealed like message content, each
--     in a new bytea column registered in SEALED_FIELDS
--     (src/modules/keys/sealed-fields.ts): workrooms.name_sealed,
--     conversations.title_sealed (bound to workroom_id) and
--     memberships.display_name_sealed. New writes store only the sealed
--     value and leave the plaintext column NULL, so name and display_name
--     become nullable; a read opens the sealed value, or serves the
--     plaintext of a row written before this migration until
--     `wardroom keys seal-names` seals it and clears the plaintext. The
--     shred clears whatever plaintext is left in the live rows (dead tuples
--     and WAL keep it until vacuum and WAL recycling).
--   * shred_receipts.public_key: the base64 Ed25519 public key that signed
--     the receipt, so a receipt listed after the audit signing key changed
--     still carries the key that checks it (NULL for receipts stored before
--     this migration).
--
-- Grants: the app role's table-wide grants from 001 and 004 already cover
-- the new columns (SELECT, INSERT, UPDATE on workspaces, workrooms,
-- conversations and memberships; SELECT, INSERT on the append-only
-- shred_receipts). The audit triggers record which columns changed, never
-- their values, so neither a name nor a sealed value reaches the audit log.

ALTER TABLE wardroom.workspaces ADD COLUMN shredded_at timestamptz;

-- The app role may update workspaces, so a trigger keeps a shred final: once
-- shredded_at is set, no update clears or moves it. A copy of
-- src/modules/tenancy/sql/workspace_stays_shredded.sql as of this migration.
-- A shred is final: once workspaces.shredded_at is set, no update clears or
-- moves it, so the app role (which may update workspaces) cannot make a
-- shredded workspace answer again. Runs as its caller; the trigger is
-- ENABLE ALWAYS, so session_replication_role = replica does not skip it.
CREATE OR REPLACE FUNCTION wardroom.workspace_stays_shredded() RETURNS trigger
LANGUAGE plpgsql
SET search_path = pg_catalog, pg_temp
AS $$
BEGIN
  IF OLD.shredded_at IS NOT NULL AND NEW.shredded_at IS DISTINCT FROM OLD.shredded_at THEN
    RAISE EXCEPTION 'workspace % was shredded at %: that cannot be undone', OLD.tenant_id, OLD.shredded_at
      USING ERRCODE = 'check_violation';
  END IF;
  RETURN NEW;
END
$$;
CREATE TRIGGER workspace_stays_shredded BEFORE UPDATE OF shredded_at ON wardroom.workspaces
  FOR EACH ROW EXECUTE FUNCTION wardroom.workspace_stays_shredded();
ALTER TABLE wardroom.workspaces ENABLE ALWAYS TRIGGER workspace_stays_shredded;

ALTER TABLE wardroom.workrooms
  ALTER COLUMN name DROP NOT NULL,
  ADD COLUMN name_sealed bytea;

ALTER TABLE wardroom.conversations ADD COLUMN title_sealed bytea;

ALTER TABLE wardroom.memberships
  ALTER COLUMN display_name DROP NOT NULL,
  ALTER COLUMN display_name DROP DEFAULT,
  ADD COLUMN display_name_sealed bytea;

ALTER TABLE wardroom.shred_receipts
  ADD COLUMN public_key text CHECK (public_key IS NULL OR length(public_key) = 44);
