/**
 * Every column that holds a sealed envelope (envelope.ts), with the column
 * naming its row. Key rotation re-seals exactly these, `keys status` counts
 * them by key version, and setting a minimum decryption version checks
 * them; a sealed column missing here would be left on an old key and
 * become unreadable once that key is retired, so a module that adds one
 * adds it here (sealed-fields.test.ts checks each against the catalog).
 *
 * The envelope is bound to (workspace, table, column, row id): `table` and
 * `column` are the names the module passes to `keyring.seal`, and the id
 * column's value, as text, is the row id it passes.
 */
import type { DB } from '../../db/schema.js';

export interface SealedField {
  readonly table: Extract<keyof DB, string>;
  /** A bytea column holding envelopes (NULL allowed: such rows are skipped). */
  readonly column: string;
  /** The column whose value (as text) is the envelope's row id; unique within a tenant. */
  readonly idColumn: string;
}

export const SEALED_FIELDS: readonly SealedField[] = [
  { table: 'messages', column: 'content', idColumn: 'id' },
  { table: 'integration_credentials', column: 'secret', idColumn: 'id' },
  { table: 'credential_fingerprint_keys', column: 'key', idColumn: 'tenant_id' },
];

/** `table.column`, as shown by `keys status`. */
export function fieldName(field: SealedField): string {
  return `${field.table}.${field.column}`;
}

/** Byte offset (0-based) and length of the key version inside an envelope. */
export const KEY_VERSION_OFFSET = 18;
export const KEY_VERSION_BYTES = 4;
