/**
 * Kysely's view of the `wardroom` schema. Kept by hand beside the SQL
 * migrations; the drift test in db/schema.test.ts compares it with the live
 * catalog so the two cannot silently diverge.
 */
import type { ColumnType, Generated } from 'kysely';

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
  created_at: CreatedAt;
}

export interface MembershipsTable {
  tenant_id: string;
  user_id: string;
  role: string;
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
}

export interface WorkspaceKeysTable {
  tenant_id: string;
  version: number;
  key_id: string;
  kek_id: string;
  kek_version: number;
  wrapped_key: Buffer;
  is_primary: Generated<boolean>;
  created_at: CreatedAt;
}

export interface WorkroomsTable {
  tenant_id: string;
  id: string;
  name: string;
  created_by: string;
  created_at: CreatedAt;
}

export interface ConversationsTable {
  tenant_id: string;
  id: string;
  workroom_id: string;
  title: string | null;
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
  seq: ColumnType<string, never, never>;
  occurred_at: ColumnType<Date, never, never>;
  actor_type: 'user' | 'api_token' | 'agent' | 'system' | 'ops';
  actor_id: string | null;
  actor_name: string | null;
  action: string;
  targets: ColumnType<AuditTarget[], string | undefined, never>;
  context: ColumnType<Record<string, string>, string | undefined, never>;
  correlation_id: string | null;
  metadata: ColumnType<Record<string, unknown>, string | undefined, never>;
  prev_hash: ColumnType<Buffer, never, never>;
  hash: ColumnType<Buffer, never, never>;
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

export interface DB {
  users: UsersTable;
  workspaces: WorkspacesTable;
  memberships: MembershipsTable;
  api_tokens: ApiTokensTable;
  workspace_keys: WorkspaceKeysTable;
  workrooms: WorkroomsTable;
  conversations: ConversationsTable;
  messages: MessagesTable;
  audit_log: AuditLogTable;
  audit_heads: AuditHeadsTable;
  audit_checkpoints: AuditCheckpointsTable;
}
