-- Up Migration
--
-- The per-workspace LLM response cache (issue 12, section 4): whether it is
-- on (off by default: no row means off), how long an entry lives, and the
-- workspace's cache salt. The cache key is HMAC-SHA-256 under this salt
-- over the canonical request, so the same prompt in two workspaces never
-- meets the same entry, and nobody without the salt can tell from a cache
-- key which request it answers.
--
-- The salt is sealed under the workspace's data key, bound to (workspace,
-- llm_cache_settings, salt, tenant_id) and to salt_version, and listed in
-- keys/sealed-fields.ts so key rotation re-seals it. A flush seals a new
-- salt at salt_version + 1 (an old envelope written back fails to open), so
-- every older entry becomes unreachable. The cached values themselves live
-- outside the database (Redis or process memory), sealed with the same
-- data key: a shred makes them unreadable.
--
-- Audited by the table's triggers (column names only, never the salt).
CREATE TABLE wardroom.llm_cache_settings (
  tenant_id uuid PRIMARY KEY REFERENCES wardroom.workspaces (tenant_id) ON DELETE CASCADE,
  enabled boolean NOT NULL DEFAULT false,
  ttl_seconds integer NOT NULL DEFAULT 3600 CHECK (ttl_seconds BETWEEN 1 AND 604800),
  salt bytea NOT NULL CHECK (length(salt) BETWEEN 1 AND 1024),
  salt_version integer NOT NULL DEFAULT 1 CHECK (salt_version >= 1),
  updated_at timestamptz NOT NULL DEFAULT now()
);
SELECT wardroom.make_tenant_table('wardroom.llm_cache_settings', 'llm_cache_settings', 'tenant_id');
GRANT SELECT, INSERT ON wardroom.llm_cache_settings TO wardroom_app;
GRANT UPDATE (enabled, ttl_seconds, salt, salt_version, updated_at)
  ON wardroom.llm_cache_settings TO wardroom_app;
