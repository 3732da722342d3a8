/**
 * Every column that holds a sealed envelope (envelope.ts), with the column
 * naming its row. Key rotation re-seals exactly these, `keys status` counts
 * them by key version, and setting a minimum decryption version checks
 * them; a sealed column missing here would be left on an old key and
 * become unreadable once that key is retired, so a module that adds one
 * adds it here (sealed-fields.test.ts checks each against the catalog).
 *
 * The envelope is bound to (workspace, table, column, row id, bound values):
 * `table` and `column` are the names the module passes to `keyring.seal`,
 * the id column's value, as text, is the row id it passes, and the `bound`
 * columns' values, as PostgreSQL renders them as text (null for NULL), in
 * this order, are the `bound` values it passes.
 */
import type { DB } from '../../db/schema.js';

export interface SealedField {
  readonly table: Extract<keyof DB, string>;
  /** A bytea column holding envelopes (NULL allowed: such rows are skipped). */
  readonly column: string;
  /** The column whose value (as text) is the envelope's row id; unique within a tenant. */
  readonly idColumn: string;
  /**
   * The columns that give the sealed value its meaning, bound into the
   * envelope (format 2): changing one of them without sealing again makes
   * the value fail to open. Empty when the row id alone says it.
   */
  readonly bound: readonly string[];
  /**
   * The text column this field replaces: it holds plaintext only in rows
   * written before the field was sealed, and NULL in every row written
   * since. `sealPlaintext` (plaintext.ts, `wardroom keys seal-names`) seals
   * what is left and clears it, and the shred clears it.
   */
  readonly plaintext?: string;
}

export const SEALED_FIELDS: readonly SealedField[] = [
  {
    table: 'messages',
    column: 'content',
    idColumn: 'id',
    bound: ['conversation_id', 'author_type', 'author_id'],
  },
  { table: 'integration_credentials', column: 'secret', idColumn: 'id', bound: ['version'] },
  { table: 'credential_fingerprint_keys', column: 'key', idColumn: 'tenant_id', bound: [] },
  // An SSO connection's OIDC client secret (migration 015).
  { table: 'sso_connections', column: 'oidc_client_secret', idColumn: 'id', bound: [] },
  // A workspace's LLM cache salt (migration 017), bound to its version: a flush seals a new one.
  {
    table: 'llm_cache_settings',
    column: 'salt',
    idColumn: 'tenant_id',
    bound: ['salt_version'],
  },
  // An agent's system prompt (migration 019), bound to its prompt version.
  { table: 'agents', column: 'system_prompt', idColumn: 'id', bound: ['prompt_version'] },
  // A privacy request's requester and details (migration 021): personal data.
  { table: 'privacy_requests', column: 'subject_email_sealed', idColumn: 'id', bound: [] },
  { table: 'privacy_requests', column: 'subject_name_sealed', idColumn: 'id', bound: [] },
  { table: 'privacy_requests', column: 'details_sealed', idColumn: 'id', bound: [] },
  // A contact's personal fields (migration 022), bound to its version: every edit seals anew.
  { table: 'contacts', column: 'name', idColumn: 'id', bound: ['version'] },
  { table: 'contacts', column: 'email', idColumn: 'id', bound: ['version'] },
  { table: 'contacts', column: 'company', idColumn: 'id', bound: ['version'] },
  { table: 'contacts', column: 'notes', idColumn: 'id', bound: ['version'] },
  // Stored objects' content keys (migration 030); the object key is the row id.
  { table: 'storage_objects', column: 'content_key', idColumn: 'object_key', bound: [] },
  // Customer-written names (migration 011).
  { table: 'workrooms', column: 'name_sealed', idColumn: 'id', bound: [], plaintext: 'name' },
  {
    table: 'conversations',
    column: 'title_sealed',
    idColumn: 'id',
    bound: ['workroom_id'],
    plaintext: 'title',
  },
  {
    table: 'memberships',
    column: 'display_name_sealed',
    idColumn: 'user_id',
    bound: [],
    plaintext: 'display_name',
  },
];

/** `table.column`, as shown by `keys status`. */
export function fieldName(field: SealedField): string {
  return `${field.table}.${field.column}`;
}

/** Byte offset (0-based) and length of the key version inside an envelope. */
export const KEY_VERSION_OFFSET = 18;
export const KEY_VERSION_BYTES = 4;
