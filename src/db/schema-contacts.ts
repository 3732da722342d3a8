/**
 * Row types of the contacts table (migration 022), part of db/schema.ts's DB.
 */
import type { ColumnType, Generated } from 'kysely';

type CreatedAt = ColumnType<Date, Date | undefined, never>;

/**
 * A workspace's contact (022): name, email, company and notes sealed
 * (SEALED_FIELDS), bound to `version`; `email_index` is the keyed blind index.
 */
export interface ContactsTable {
  tenant_id: string;
  id: string;
  name: Buffer;
  email: Buffer;
  company: Buffer | null;
  notes: Buffer | null;
  email_index: Buffer;
  version: Generated<number>;
  created_by: ColumnType<string | null, string | null, never>;
  created_at: CreatedAt;
  updated_at: ColumnType<Date, Date | undefined, Date>;
}
