/**
 * Drift test: the hand-kept Kysely schema (schema.ts) names exactly the
 * tables and columns the migrations create. The `expected` object is typed
 * from `DB`, so a table or column missing on either side fails here or in
 * typecheck.
 */
import pg from 'pg';
import { describe, expect, inject, it } from 'vitest';
import { GLOBAL_TABLES } from '../../src/db/global-tables.js';
import type { DB } from '../../src/db/schema.js';

/** Tables the app role cannot touch are reached through functions only, so Kysely never names them. */
const untyped = new Set(GLOBAL_TABLES.filter((t) => t.mode === 'no_app_access').map((t) => t.name));

const expected: { [T in keyof DB]: { [C in keyof DB[T]]-?: true } } = {
  users: { id: true, email: true, display_name: true, language: true, created_at: true },
  workspaces: {
    tenant_id: true,
    name: true,
    region: true,
    plan: true,
    min_key_version: true,
    created_at: true,
    shredded_at: true,
  },
  memberships: {
    tenant_id: true,
    user_id: true,
    role: true,
    display_name: true,
    display_name_sealed: true,
    named_roles: true,
    created_at: true,
  },
  api_tokens: {
    tenant_id: true,
    id: true,
    user_id: true,
    name: true,
    secret_hash: true,
    created_at: true,
    revoked_at: true,
    expires_at: true,
    last_four: true,
  },
  workspace_keys: {
    tenant_id: true,
    version: true,
    key_id: true,
    kek_id: true,
    kek_version: true,
    wrapped_key: true,
    is_primary: true,
    rooted: true,
    created_at: true,
  },
  workspace_root_keys: {
    tenant_id: true,
    store: true,
    ref: true,
    sealed_secret: true,
    created_at: true,
  },
  workrooms: {
    tenant_id: true,
    id: true,
    name: true,
    name_sealed: true,
    created_by: true,
    created_at: true,
  },
  conversations: {
    tenant_id: true,
    id: true,
    workroom_id: true,
    title: true,
    title_sealed: true,
    created_by: true,
    created_at: true,
  },
  messages: {
    tenant_id: true,
    id: true,
    conversation_id: true,
    author_type: true,
    author_id: true,
    content: true,
    created_at: true,
  },
  audit_log: {
    tenant_id: true,
    id: true,
    seq: true,
    occurred_at: true,
    actor_type: true,
    actor_id: true,
    actor_name: true,
    action: true,
    targets: true,
    context: true,
    correlation_id: true,
    metadata: true,
    prev_hash: true,
    hash: true,
  },
  audit_heads: { tenant_id: true, seq: true, hash: true },
  audit_checkpoints: {
    tenant_id: true,
    seq: true,
    hash: true,
    signed_at: true,
    key_id: true,
    signature: true,
  },
  integration_credentials: {
    tenant_id: true,
    id: true,
    kind: true,
    provider: true,
    label: true,
    secret: true,
    fingerprint: true,
    last4: true,
    status: true,
    created_by: true,
    created_at: true,
    replaced_at: true,
    revoked_at: true,
    version: true,
  },
  credential_fingerprint_keys: { tenant_id: true, key: true, created_at: true },
  sso_connections: {
    tenant_id: true,
    id: true,
    kind: true,
    name: true,
    enabled: true,
    allowed_domains: true,
    jit_role: true,
    oidc_issuer: true,
    oidc_client_id: true,
    oidc_client_secret: true,
    oidc_client_secret_last4: true,
    saml_idp_entity_id: true,
    saml_idp_sso_url: true,
    saml_idp_certificates: true,
    created_at: true,
    updated_at: true,
  },
  sso_policies: { tenant_id: true, require_sso: true, updated_at: true },
  llm_cache_settings: {
    tenant_id: true,
    enabled: true,
    ttl_seconds: true,
    salt: true,
    salt_version: true,
    updated_at: true,
  },
  agents: {
    tenant_id: true,
    id: true,
    name: true,
    provider: true,
    model: true,
    system_prompt: true,
    prompt_version: true,
    max_output_tokens: true,
    status: true,
    created_by: true,
    created_at: true,
    updated_at: true,
    archived_at: true,
  },
  contacts: {
    tenant_id: true,
    id: true,
    name: true,
    email: true,
    company: true,
    notes: true,
    email_index: true,
    version: true,
    created_by: true,
    created_at: true,
    updated_at: true,
  },
  agent_runs: {
    tenant_id: true,
    id: true,
    conversation_id: true,
    agent_id: true,
    requested_by: true,
    status: true,
    reply_message_id: true,
    input_tokens: true,
    output_tokens: true,
    cost_micros: true,
    error_code: true,
    call_id: true,
    created_at: true,
    started_at: true,
    finished_at: true,
  },
  llm_budgets: {
    tenant_id: true,
    id: true,
    scope: true,
    user_id: true,
    token_id: true,
    period: true,
    hard_limit_micros: true,
    soft_limit_micros: true,
    soft_noticed_at: true,
    created_at: true,
    updated_at: true,
  },
  llm_usage: {
    tenant_id: true,
    id: true,
    user_id: true,
    token_id: true,
    key_source: true,
    credential_id: true,
    provider: true,
    model: true,
    tokens_in: true,
    tokens_out: true,
    reserved_tokens: true,
    reserved_micros: true,
    settled_micros: true,
    status: true,
    cache_hit: true,
    expires_at: true,
    created_at: true,
    finished_at: true,
  },
  llm_limits: {
    tenant_id: true,
    requests_per_minute: true,
    tokens_per_minute: true,
    updated_at: true,
  },
  llm_key_suspensions: {
    tenant_id: true,
    id: true,
    key_source: true,
    credential_id: true,
    provider: true,
    window_micros: true,
    threshold_micros: true,
    suspended_at: true,
    resumed_at: true,
    resumed_by: true,
  },
  key_rotations: {
    tenant_id: true,
    id: true,
    from_versions: true,
    to_version: true,
    status: true,
    rows_done: true,
    rows_total: true,
    last_table: true,
    last_id: true,
    passes: true,
    error: true,
    created_at: true,
    started_at: true,
    finished_at: true,
  },
  shred_receipts: {
    tenant_id: true,
    id: true,
    receipt: true,
    signing_key_id: true,
    signature: true,
    public_key: true,
    created_at: true,
  },
};

describe('schema drift', () => {
  it('schema.ts matches the live catalog', async () => {
    const client = new pg.Client({ connectionString: inject('adminUrl') });
    await client.connect();
    try {
      const { rows } = await client.query<{ table_name: string; column_name: string }>(
        `select table_name, column_name from information_schema.columns
          where table_schema = 'wardroom' and table_name <> 'schema_migrations'
            and table_name not in (select relname from pg_class where relispartition)`,
      );
      const live: Record<string, string[]> = {};
      for (const r of rows) {
        if (!untyped.has(r.table_name)) (live[r.table_name] ??= []).push(r.column_name);
      }
      const typed = Object.fromEntries(
        Object.entries(expected).map(([t, cols]) => [t, Object.keys(cols).sort()]),
      );
      const liveSorted = Object.fromEntries(
        Object.entries(live).map(([t, cols]) => [t, cols.sort()]),
      );
      expect(liveSorted).toEqual(typed);
    } finally {
      await client.end();
    }
  });
});
