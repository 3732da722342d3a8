-- Up Migration
--
-- API tokens a person mints for themselves (issue 11 §4): an optional
-- expiry, and the token's last four characters so a person can tell their
-- tokens apart in a list. The last four are 24 bits at most of a 256-bit
-- secret's encoding, so the table still holds nothing usable as a token;
-- the secret itself stays stored only as SHA-256.
--
-- An expired token is refused by the verification that already reads the
-- row (src/modules/tenancy/api-tokens.ts): 401 token_expired, no query
-- more per request. No CHECK ties expires_at to created_at: the API bounds
-- it (1 to 365 days ahead), and an operator may end a token at once by
-- setting it to the past.
--
-- Policies and grants are unchanged: tenant_isolation (001) covers every
-- column, and the app role's table-level SELECT, INSERT and UPDATE extend
-- to the new columns.

ALTER TABLE wardroom.api_tokens
  ADD COLUMN expires_at timestamptz,
  ADD COLUMN last_four text CHECK (last_four IS NULL OR last_four ~ '^[A-Za-z0-9_-]{4}$');
