-- Up Migration
--
-- Agents and their runs (issue 12, section 8): an agent is a workspace
-- resource (a name, a provider and model, a system prompt, an output limit)
-- that admins create, edit and archive; a run is one request to an agent in a
-- conversation, whose reply becomes a message with author_type 'agent' and
-- author_id the agent's id.
--
-- agents and agent_runs are tenant tables (RLS, audit triggers through
-- make_tenant_table): every create and edit is an `agent.created` or
-- `agent.updated` event naming the changed columns, never their values, so
-- no event holds prompt text. The system prompt is sealed under the
-- workspace's data key, bound to (workspace, agents, system_prompt, id) and
-- to prompt_version, which every prompt change increments: a prompt moved to
-- another agent or workspace, or an older ciphertext written back, fails to
-- open. It is listed in keys/sealed-fields.ts so key rotation re-seals it.
--
-- Agents are archived, never deleted: runs and messages keep naming them.
-- An active agent's name is unique in its workspace.

CREATE TABLE wardroom.agents (
  tenant_id uuid NOT NULL REFERENCES wardroom.workspaces (tenant_id) ON DELETE CASCADE,
  id uuid NOT NULL DEFAULT wardroom.uuid_v7(),
  name text NOT NULL CHECK (length(name) BETWEEN 1 AND 200),
  provider text NOT NULL CHECK (provider IN ('anthropic', 'openai')),
  model text NOT NULL CHECK (length(model) BETWEEN 1 AND 200),
  system_prompt bytea NOT NULL CHECK (length(system_prompt) <= 262144),
  prompt_version integer NOT NULL DEFAULT 1 CHECK (prompt_version >= 1),
  max_output_tokens integer NOT NULL CHECK (max_output_tokens BETWEEN 1 AND 1000000),
  status text NOT NULL DEFAULT 'active' CHECK (status IN ('active', 'archived')),
  created_by uuid,
  created_at timestamptz NOT NULL DEFAULT now(),
  updated_at timestamptz NOT NULL DEFAULT now(),
  archived_at timestamptz,
  PRIMARY KEY (tenant_id, id),
  CHECK ((status = 'archived') = (archived_at IS NOT NULL))
);
CREATE UNIQUE INDEX agents_active_name_key ON wardroom.agents (tenant_id, name)
  WHERE status = 'active';
SELECT wardroom.make_tenant_table('wardroom.agents', 'agent', 'id');
GRANT SELECT, INSERT ON wardroom.agents TO wardroom_app;
-- An agent's id, creator and creation time never change; it is never deleted.
GRANT UPDATE (name, provider, model, system_prompt, prompt_version, max_output_tokens, status,
              updated_at, archived_at)
  ON wardroom.agents TO wardroom_app;

CREATE TABLE wardroom.agent_runs (
  tenant_id uuid NOT NULL REFERENCES wardroom.workspaces (tenant_id) ON DELETE CASCADE,
  id uuid NOT NULL DEFAULT wardroom.uuid_v7(),
  conversation_id uuid NOT NULL,
  agent_id uuid NOT NULL,
  requested_by uuid NOT NULL,
  status text NOT NULL DEFAULT 'queued'
    CHECK (status IN ('queued', 'running', 'succeeded', 'failed', 'cancelled')),
  reply_message_id uuid,
  input_tokens integer CHECK (input_tokens IS NULL OR input_tokens >= 0),
  output_tokens integer CHECK (output_tokens IS NULL OR output_tokens >= 0),
  cost_micros bigint CHECK (cost_micros IS NULL OR cost_micros >= 0),
  error_code text CHECK (error_code IS NULL OR error_code ~ '^[a-z][a-z0-9_]{0,63}$'),
  -- The gateway call's id, which its audit events carry as correlation id.
  call_id uuid,
  created_at timestamptz NOT NULL DEFAULT now(),
  started_at timestamptz,
  finished_at timestamptz,
  PRIMARY KEY (tenant_id, id),
  FOREIGN KEY (tenant_id, conversation_id)
    REFERENCES wardroom.conversations (tenant_id, id) ON DELETE CASCADE,
  FOREIGN KEY (tenant_id, agent_id) REFERENCES wardroom.agents (tenant_id, id),
  FOREIGN KEY (tenant_id, reply_message_id)
    REFERENCES wardroom.messages (tenant_id, id) ON DELETE SET NULL (reply_message_id),
  CHECK ((status IN ('succeeded', 'failed', 'cancelled')) = (finished_at IS NOT NULL))
);
CREATE INDEX agent_runs_conversation_idx ON wardroom.agent_runs (tenant_id, conversation_id, id);
CREATE INDEX agent_runs_agent_idx ON wardroom.agent_runs (tenant_id, agent_id, id);
SELECT wardroom.make_tenant_table('wardroom.agent_runs', 'agent_run', 'id');
GRANT SELECT, INSERT ON wardroom.agent_runs TO wardroom_app;
-- A run's conversation, agent and requester never change; only its progress does.
GRANT UPDATE (status, reply_message_id, input_tokens, output_tokens, cost_micros, error_code,
              call_id, started_at, finished_at)
  ON wardroom.agent_runs TO wardroom_app;
