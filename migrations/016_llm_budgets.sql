-- Up Migration
--
-- LLM budgets, rate limits, the usage ledger and key suspensions (issue 12,
-- section 3). All four are tenant tables (RLS and audit triggers through
-- make_tenant_table); money is integer micro-dollars (bigint), never floats.
--
-- llm_budgets: a hard and an optional soft limit per workspace, per member or
-- per API token, per UTC day or UTC calendar month. soft_noticed_at is the
-- start of the last window whose soft-limit notice was sent, so a notice goes
-- out once per window: a conditional UPDATE decides who sends it.
--
-- llm_usage: one small row per gateway call, keyed by the call id. It holds a
-- reservation (the worst case, until expires_at) and then the settlement (the
-- actual cost and tokens) or the release. The key source (byok credential,
-- platform provider, offline) keeps BYOK and platform traffic apart for
-- billing. No prompt, no completion, no key: ids, counts and money only.
--
-- llm_limits: requests and tokens per minute for a workspace (NULL: none).
--
-- llm_key_suspensions: the velocity tripwire's record. At most one live
-- (unresumed) suspension per key; an owner resumes it.

CREATE TABLE wardroom.llm_budgets (
  tenant_id uuid NOT NULL REFERENCES wardroom.workspaces (tenant_id) ON DELETE CASCADE,
  id uuid NOT NULL DEFAULT wardroom.uuid_v7(),
  scope text NOT NULL CHECK (scope IN ('workspace', 'member', 'token')),
  user_id uuid,
  token_id uuid,
  period text NOT NULL CHECK (period IN ('day', 'month')),
  hard_limit_micros bigint NOT NULL CHECK (hard_limit_micros BETWEEN 0 AND 1000000000000000),
  soft_limit_micros bigint
    CHECK (soft_limit_micros IS NULL OR (soft_limit_micros >= 0 AND soft_limit_micros <= hard_limit_micros)),
  soft_noticed_at timestamptz,
  created_at timestamptz NOT NULL DEFAULT now(),
  updated_at timestamptz NOT NULL DEFAULT now(),
  PRIMARY KEY (tenant_id, id),
  CHECK ((scope = 'workspace' AND user_id IS NULL AND token_id IS NULL)
      OR (scope = 'member' AND user_id IS NOT NULL AND token_id IS NULL)
      OR (scope = 'token' AND token_id IS NOT NULL AND user_id IS NULL)),
  UNIQUE NULLS NOT DISTINCT (tenant_id, scope, user_id, token_id, period),
  FOREIGN KEY (tenant_id, user_id) REFERENCES wardroom.memberships (tenant_id, user_id) ON DELETE CASCADE,
  FOREIGN KEY (tenant_id, token_id) REFERENCES wardroom.api_tokens (tenant_id, id) ON DELETE CASCADE
);
SELECT wardroom.make_tenant_table('wardroom.llm_budgets', 'llm_budget', 'id');
GRANT SELECT, INSERT, DELETE ON wardroom.llm_budgets TO wardroom_app;
-- A budget's subject and period never change; its limits and notice mark do.
GRANT UPDATE (hard_limit_micros, soft_limit_micros, soft_noticed_at, updated_at)
  ON wardroom.llm_budgets TO wardroom_app;

CREATE TABLE wardroom.llm_usage (
  tenant_id uuid NOT NULL REFERENCES wardroom.workspaces (tenant_id) ON DELETE CASCADE,
  id uuid NOT NULL,
  user_id uuid NOT NULL,
  token_id uuid,
  key_source text NOT NULL CHECK (key_source IN ('byok', 'platform', 'offline')),
  credential_id uuid,
  provider text NOT NULL CHECK (length(provider) BETWEEN 1 AND 32),
  model text NOT NULL CHECK (length(model) BETWEEN 1 AND 200),
  tokens_in integer NOT NULL DEFAULT 0 CHECK (tokens_in >= 0),
  tokens_out integer NOT NULL DEFAULT 0 CHECK (tokens_out >= 0),
  reserved_tokens integer NOT NULL CHECK (reserved_tokens >= 0),
  reserved_micros bigint NOT NULL CHECK (reserved_micros >= 0),
  settled_micros bigint CHECK (settled_micros IS NULL OR settled_micros >= 0),
  status text NOT NULL DEFAULT 'reserved' CHECK (status IN ('reserved', 'settled', 'released')),
  cache_hit boolean NOT NULL DEFAULT false,
  expires_at timestamptz NOT NULL,
  created_at timestamptz NOT NULL DEFAULT now(),
  finished_at timestamptz,
  PRIMARY KEY (tenant_id, id),
  CHECK ((key_source = 'byok') = (credential_id IS NOT NULL)),
  CHECK ((status = 'settled') = (settled_micros IS NOT NULL))
);
CREATE INDEX llm_usage_window_idx ON wardroom.llm_usage (tenant_id, created_at);
SELECT wardroom.make_tenant_table('wardroom.llm_usage', 'llm_usage', 'id');
GRANT SELECT, INSERT ON wardroom.llm_usage TO wardroom_app;
-- Who, what and the reservation never change; the outcome is written once.
GRANT UPDATE (tokens_in, tokens_out, settled_micros, status, cache_hit, finished_at)
  ON wardroom.llm_usage TO wardroom_app;

CREATE TABLE wardroom.llm_limits (
  tenant_id uuid PRIMARY KEY REFERENCES wardroom.workspaces (tenant_id) ON DELETE CASCADE,
  requests_per_minute integer CHECK (requests_per_minute IS NULL OR requests_per_minute BETWEEN 1 AND 1000000),
  tokens_per_minute integer CHECK (tokens_per_minute IS NULL OR tokens_per_minute BETWEEN 1 AND 1000000000),
  updated_at timestamptz NOT NULL DEFAULT now()
);
SELECT wardroom.make_tenant_table('wardroom.llm_limits', 'llm_limits', 'tenant_id');
GRANT SELECT, INSERT ON wardroom.llm_limits TO wardroom_app;
GRANT UPDATE (requests_per_minute, tokens_per_minute, updated_at) ON wardroom.llm_limits TO wardroom_app;

CREATE TABLE wardroom.llm_key_suspensions (
  tenant_id uuid NOT NULL REFERENCES wardroom.workspaces (tenant_id) ON DELETE CASCADE,
  id uuid NOT NULL DEFAULT wardroom.uuid_v7(),
  key_source text NOT NULL CHECK (key_source IN ('byok', 'platform', 'offline')),
  credential_id uuid,
  provider text CHECK (provider IS NULL OR length(provider) BETWEEN 1 AND 32),
  window_micros bigint NOT NULL CHECK (window_micros >= 0),
  threshold_micros bigint NOT NULL CHECK (threshold_micros >= 0),
  suspended_at timestamptz NOT NULL DEFAULT now(),
  resumed_at timestamptz,
  resumed_by uuid,
  PRIMARY KEY (tenant_id, id),
  CHECK ((key_source = 'byok') = (credential_id IS NOT NULL)),
  CHECK ((key_source = 'platform') = (provider IS NOT NULL)),
  CHECK ((resumed_at IS NULL) = (resumed_by IS NULL))
);
CREATE UNIQUE INDEX llm_key_suspensions_live_idx
  ON wardroom.llm_key_suspensions (tenant_id, key_source, credential_id, provider) NULLS NOT DISTINCT
  WHERE resumed_at IS NULL;
SELECT wardroom.make_tenant_table('wardroom.llm_key_suspensions', 'llm_key_suspension', 'id');
GRANT SELECT, INSERT ON wardroom.llm_key_suspensions TO wardroom_app;
GRANT UPDATE (resumed_at, resumed_by) ON wardroom.llm_key_suspensions TO wardroom_app;
