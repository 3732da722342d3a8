/**
 * Kysely's view of the `wardroom` schema. Kept by hand beside the SQL
 * migrations; the drift test in test/db/schema.test.ts compares it with the live
 * catalog so the two cannot silently diverge.
 */
import type { ColumnType, Generated } from 'kysely';
import type { ActorType } from './principal.js';
import type {
  BillingEventsTable,
  WorkspaceBillingTable,
  WorkspacePurgesTable,
} from './schema-billing.js';
import type { ContactsTable } from './schema-contacts.js';
import type { StorageObjectsTable } from './schema-storage.js';
import type { PrivacyExportsTable, PrivacyRequestsTable } from './schema-privacy.js';

type CreatedAt = ColumnType<Date, Date | undefined, never>;

export interface UsersTable {
  id: Generated<string>;
  email: string;
  display_name: string;
  language: string | null;
  created_at: CreatedAt;
}

export interface WorkspacesTable {
  tenant_id: string;
  name: string;
  region: string;
  plan: string;
  /** Data keys below this version open nothing (004_key_rotation.sql). */
  min_key_version: Generated<number>;
  created_at: CreatedAt;
  /** Set by the shred; every request of the workspace then answers 410 (011). */
  shredded_at: ColumnType<Date | null, never, Date>;
}

export interface MembershipsTable {
  tenant_id: string;
  user_id: string;
  role: string;
  /**
   * The name shown for this member in this workspace (profiles are per
   * workspace): plaintext only in rows written before 011, else NULL.
   */
  display_name: ColumnType<string | null, string | null | undefined, string | null>;
  /** The display name, sealed (SEALED_FIELDS). */
  display_name_sealed: ColumnType<Buffer | null, Buffer | null | undefined, Buffer | null>;
  named_roles: ColumnType<string[], string[] | undefined, string[]>;
  created_at: CreatedAt;
}

export interface ApiTokensTable {
  tenant_id: string;
  id: string;
  user_id: string;
  name: string;
  secret_hash: Buffer;
  created_at: CreatedAt;
  revoked_at: Date | null;
  expires_at: Date | null;
  last_four: string | null;
}

export interface WorkspaceKeysTable {
  tenant_id: string;
  version: number;
  key_id: string;
  kek_id: string;
  kek_version: number;
  wrapped_key: Buffer;
  is_primary: Generated<boolean>;
  /** Seals with HKDF(data key, salt = the workspace's root key), not the data key alone. */
  rooted: Generated<boolean>;
  created_at: CreatedAt;
}

/** Where a workspace's root key is, in the workspace key store outside the database. */
export interface WorkspaceRootKeysTable {
  tenant_id: string;
  store: 'file' | 'vault-transit' | 'aws-kms';
  ref: string;
  /** The root secret encrypted under the workspace's Vault or KMS key; null for key files. */
  sealed_secret: Buffer | null;
  created_at: CreatedAt;
}

export interface WorkroomsTable {
  tenant_id: string;
  id: string;
  /** Plaintext only in rows written before 011, else NULL. */
  name: ColumnType<string | null, string | null | undefined, string | null>;
  /** The name, sealed (SEALED_FIELDS). */
  name_sealed: ColumnType<Buffer | null, Buffer | null | undefined, Buffer | null>;
  created_by: string;
  created_at: CreatedAt;
}

export interface ConversationsTable {
  tenant_id: string;
  id: string;
  workroom_id: string;
  /** Plaintext only in rows written before 011, else NULL. */
  title: ColumnType<string | null, string | null | undefined, string | null>;
  /** The title, sealed (SEALED_FIELDS); NULL for no title. */
  title_sealed: ColumnType<Buffer | null, Buffer | null | undefined, Buffer | null>;
  created_by: string;
  created_at: CreatedAt;
}

export interface MessagesTable {
  tenant_id: string;
  id: string;
  conversation_id: string;
  author_type: 'user' | 'agent' | 'system';
  author_id: string | null;
  content: Buffer;
  created_at: CreatedAt;
}

export interface AuditLogTable {
  tenant_id: string;
  /** Private insertion order; never exposed. */
  id: ColumnType<string, never, never>;
  /** Per-workspace position in the chain, assigned when chained (null until then). */
  seq: ColumnType<string | null, never, never>;
  occurred_at: ColumnType<Date, never, never>;
  actor_type: ActorType;
  actor_id: string | null;
  actor_name: string | null;
  action: string;
  targets: ColumnType<AuditTarget[], string | undefined, never>;
  context: ColumnType<Record<string, string>, string | undefined, never>;
  correlation_id: string | null;
  metadata: ColumnType<Record<string, unknown>, string | undefined, never>;
  prev_hash: ColumnType<Buffer | null, never, never>;
  hash: ColumnType<Buffer | null, never, never>;
}

export interface AuditTarget {
  type: string;
  id: string;
}

export interface AuditHeadsTable {
  tenant_id: string;
  seq: ColumnType<string, never, never>;
  hash: ColumnType<Buffer, never, never>;
}

export interface AuditCheckpointsTable {
  tenant_id: string;
  seq: ColumnType<string, string, never>;
  hash: Buffer;
  signed_at: CreatedAt;
  key_id: string;
  signature: Buffer;
}

type CredentialKind = 'oauth' | 'webhook_api_key' | 'mcp_client' | 'whatsapp_token' | 'llm_api_key';

/** Columns the app role may not UPDATE (column grants in 003_credentials.sql) are `never` on update. */
export interface IntegrationCredentialsTable {
  tenant_id: ColumnType<string, string, never>;
  id: ColumnType<string, string, never>;
  kind: ColumnType<CredentialKind, CredentialKind, never>;
  provider: ColumnType<string, string, never>;
  label: string;
  secret: Buffer | null;
  fingerprint: string;
  last4: string | null;
  status: ColumnType<'active' | 'revoked', 'active' | 'revoked' | undefined, 'active' | 'revoked'>;
  created_by: ColumnType<string | null, string | null | undefined, never>;
  created_at: CreatedAt;
  replaced_at: Date | null;
  revoked_at: Date | null;
  /** 1, plus 1 per replace; bound into the sealed secret. */
  version: ColumnType<number, number | undefined, number>;
}

export interface CredentialFingerprintKeysTable {
  tenant_id: ColumnType<string, string, never>;
  key: Buffer;
  created_at: CreatedAt;
}

export type KeyRotationStatus = 'pending' | 'running' | 'done' | 'failed' | 'superseded';

export interface KeyRotationsTable {
  tenant_id: string;
  id: Generated<string>;
  from_versions: number[];
  to_version: number;
  status: ColumnType<KeyRotationStatus, KeyRotationStatus | undefined, KeyRotationStatus>;
  rows_done: ColumnType<string, string | number | undefined, string | number>;
  rows_total: ColumnType<string, string | number | undefined, string | number>;
  last_table: string | null;
  last_id: string | null;
  passes: Generated<number>;
  error: string | null;
  created_at: CreatedAt;
  started_at: Date | null;
  finished_at: Date | null;
}

export interface ShredReceiptsTable {
  tenant_id: string;
  id: string;
  receipt: ColumnType<Record<string, unknown>, string, never>;
  signing_key_id: string;
  signature: Buffer;
  /** The signer's base64 public key (011; NULL for receipts stored before). */
  public_key: ColumnType<string | null, string | undefined, never>;
  created_at: CreatedAt;
}

/** A workspace's SSO connection (015); the OIDC client secret is sealed (SEALED_FIELDS). */
export interface SsoConnectionsTable {
  tenant_id: string;
  id: Generated<string>;
  kind: ColumnType<'oidc' | 'saml', 'oidc' | 'saml', never>;
  name: string;
  enabled: Generated<boolean>;
  allowed_domains: string[];
  jit_role: string | null;
  oidc_issuer: string | null;
  oidc_client_id: string | null;
  oidc_client_secret: Buffer | null;
  oidc_client_secret_last4: string | null;
  saml_idp_entity_id: string | null;
  saml_idp_sso_url: string | null;
  saml_idp_certificates: string[] | null;
  created_at: CreatedAt;
  updated_at: ColumnType<Date, Date | undefined, Date>;
}

/** Whether a workspace requires SSO sign-in (015). */
export interface SsoPoliciesTable {
  tenant_id: string;
  require_sso: boolean;
  updated_at: ColumnType<Date, Date | undefined, Date>;
}

/** A workspace's LLM response cache settings and sealed cache salt (017). */
export interface LlmCacheSettingsTable {
  tenant_id: string;
  enabled: boolean;
  ttl_seconds: number;
  salt: Buffer;
  salt_version: number;
  updated_at: ColumnType<Date, Date | undefined, Date>;
}

/** A workspace's agent (019); the system prompt is sealed (SEALED_FIELDS), bound to prompt_version. */
export interface AgentsTable {
  tenant_id: string;
  id: string;
  name: string;
  provider: 'anthropic' | 'openai';
  model: string;
  system_prompt: Buffer;
  prompt_version: Generated<number>;
  max_output_tokens: number;
  status: Generated<'active' | 'archived'>;
  created_by: ColumnType<string | null, string | null, never>;
  created_at: CreatedAt;
  updated_at: ColumnType<Date, Date | undefined, Date>;
  archived_at: Date | null;
}

export type AgentRunStatus = 'queued' | 'running' | 'succeeded' | 'failed' | 'cancelled';

/** One request to an agent in a conversation (019). */
export interface AgentRunsTable {
  tenant_id: string;
  id: Generated<string>;
  conversation_id: ColumnType<string, string, never>;
  agent_id: ColumnType<string, string, never>;
  requested_by: ColumnType<string, string, never>;
  status: Generated<AgentRunStatus>;
  reply_message_id: string | null;
  input_tokens: number | null;
  output_tokens: number | null;
  /** bigint: node-postgres returns it as a string. */
  cost_micros: ColumnType<string | null, string | bigint | null, string | bigint | null>;
  error_code: string | null;
  call_id: string | null;
  created_at: CreatedAt;
  started_at: Date | null;
  finished_at: Date | null;
}

/** LLM budgets (016_llm_budgets.sql); money in integer micro-dollars (bigint, read as string). */
export interface LlmBudgetsTable {
  tenant_id: string;
  id: Generated<string>;
  scope: 'workspace' | 'member' | 'token';
  user_id: string | null;
  token_id: string | null;
  period: 'day' | 'month';
  hard_limit_micros: ColumnType<string, string | bigint, string | bigint>;
  soft_limit_micros: ColumnType<string | null, string | bigint | null, string | bigint | null>;
  soft_noticed_at: ColumnType<Date | null, Date | null | undefined, Date | null>;
  created_at: CreatedAt;
  updated_at: ColumnType<Date, Date | undefined, Date>;
}

/** One row per gateway call: its reservation, then its settlement or release. */
export interface LlmUsageTable {
  tenant_id: string;
  id: string;
  user_id: string;
  token_id: string | null;
  key_source: 'byok' | 'platform' | 'offline';
  credential_id: string | null;
  provider: string;
  model: string;
  tokens_in: ColumnType<number, number | undefined, number>;
  tokens_out: ColumnType<number, number | undefined, number>;
  reserved_tokens: number;
  reserved_micros: ColumnType<string, string | bigint, never>;
  settled_micros: ColumnType<string | null, never, string | bigint>;
  status: ColumnType<'reserved' | 'settled' | 'released', undefined, 'settled' | 'released'>;
  cache_hit: ColumnType<boolean, boolean | undefined, boolean>;
  expires_at: Date;
  created_at: CreatedAt;
  finished_at: ColumnType<Date | null, never, Date>;
}

/** Requests and tokens per minute for a workspace; NULL: no limit. */
export interface LlmLimitsTable {
  tenant_id: string;
  requests_per_minute: number | null;
  tokens_per_minute: number | null;
  updated_at: ColumnType<Date, Date | undefined, Date>;
}

/** The velocity tripwire's suspensions of a key; live while resumed_at is NULL. */
export interface LlmKeySuspensionsTable {
  tenant_id: string;
  id: Generated<string>;
  key_source: 'byok' | 'platform' | 'offline';
  credential_id: string | null;
  provider: string | null;
  window_micros: ColumnType<string, string | bigint, never>;
  threshold_micros: ColumnType<string, string | bigint, never>;
  suspended_at: CreatedAt;
  resumed_at: ColumnType<Date | null, never, Date>;
  resumed_by: ColumnType<string | null, never, string>;
}

export interface DB {
  users: UsersTable;
  workspaces: WorkspacesTable;
  memberships: MembershipsTable;
  api_tokens: ApiTokensTable;
  workspace_keys: WorkspaceKeysTable;
  workspace_root_keys: WorkspaceRootKeysTable;
  workrooms: WorkroomsTable;
  conversations: ConversationsTable;
  messages: MessagesTable;
  audit_log: AuditLogTable;
  audit_heads: AuditHeadsTable;
  audit_checkpoints: AuditCheckpointsTable;
  key_rotations: KeyRotationsTable;
  shred_receipts: ShredReceiptsTable;
  integration_credentials: IntegrationCredentialsTable;
  credential_fingerprint_keys: CredentialFingerprintKeysTable;
  sso_connections: SsoConnectionsTable;
  sso_policies: SsoPoliciesTable;
  llm_cache_settings: LlmCacheSettingsTable;
  agents: AgentsTable;
  agent_runs: AgentRunsTable;
  privacy_requests: PrivacyRequestsTable;
  privacy_exports: PrivacyExportsTable;
  contacts: ContactsTable;
  workspace_billing: WorkspaceBillingTable;
  billing_events: BillingEventsTable;
  storage_objects: StorageObjectsTable;
  workspace_purges: WorkspacePurgesTable;
  llm_budgets: LlmBudgetsTable;
  llm_usage: LlmUsageTable;
  llm_limits: LlmLimitsTable;
  llm_key_suspensions: LlmKeySuspensionsTable;
}
