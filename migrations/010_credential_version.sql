-- Up Migration
--
-- A credential's version, bound into its sealed secret.
--
-- From envelope format 2 on, a sealed value is bound to the columns that
-- give it its meaning (docs/keys.md). For a credential that is which of its
-- secrets it is: `version` starts at 1 and a replace adds 1 in the same
-- update that writes the new secret, which is sealed bound to the new
-- number. An older ciphertext of the same credential (one saved before a
-- replace and written back later, past the API) is bound to an older
-- number and fails to open instead of silently serving the old secret.
-- Existing rows start at 1: their envelopes are format 1 (bound to the row
-- id only) until the key rotation sweep re-seals them bound to it.
-- Only a replace changes it, so the app role may update it; the audit
-- trigger records that it changed (names only, as for every column).

ALTER TABLE wardroom.integration_credentials
  ADD COLUMN version integer NOT NULL DEFAULT 1 CHECK (version >= 1);
GRANT UPDATE (version) ON wardroom.integration_credentials TO wardroom_app;
