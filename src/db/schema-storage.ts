/**
 * Row types of the storage tables (migration 030), part of db/schema.ts's DB.
 */
import type { ColumnType } from 'kysely';

export interface StorageObjectsTable {
  tenant_id: string;
  object_key: string;
  /** The object's content key, sealed by the workspace's keyring (a registered sealed field). */
  content_key: Buffer;
  size: ColumnType<string | null, number | null | undefined, number | null>;
  created_at: ColumnType<Date, Date | undefined, never>;
  updated_at: ColumnType<Date, Date | undefined, Date>;
}
