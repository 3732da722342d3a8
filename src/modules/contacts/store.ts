/**
 * Contacts as stored: the row, where each sealed field lives, and the view
 * the API answers with. Name, email, company and notes are sealed under the
 * workspace's data key, each bound to (workspace, contacts, column, id) and
 * to the row's `version`, which every edit increments: a field moved to
 * another contact, column or workspace, or an older ciphertext written back,
 * fails to open with decryption_failed.
 */
import type { TenantTx } from '../../db/tenant-tx.js';
import { AppError } from '../../base/errors.js';
import type { Keyring } from '../keys/index.js';

export const SEALED_COLUMNS = ['name', 'email', 'company', 'notes'] as const;
export type SealedColumn = (typeof SEALED_COLUMNS)[number];

export interface ContactView {
  readonly id: string;
  readonly name: string;
  readonly email: string;
  readonly company: string | null;
  readonly notes: string | null;
  readonly created_by: string | null;
  readonly created_at: string;
  readonly updated_at: string;
}

export const CONTACT_COLUMNS = [
  'id',
  'name',
  'email',
  'company',
  'notes',
  'version',
  'created_by',
  'created_at',
  'updated_at',
] as const;

export interface ContactRow {
  readonly id: string;
  readonly name: Buffer;
  readonly email: Buffer;
  readonly company: Buffer | null;
  readonly notes: Buffer | null;
  readonly version: number;
  readonly created_by: string | null;
  readonly created_at: Date;
  readonly updated_at: Date;
}

/** Where a contact's field is sealed (keys/sealed-fields.ts). */
export const fieldRef = (id: string, column: SealedColumn, version: number) => ({
  table: 'contacts',
  column,
  rowId: id.toLowerCase(),
  bound: [String(version)],
});

export const contactNotFound = (): AppError => new AppError('not_found', 'Contact not found');

/** The plaintext of a contact's fields, as written. */
export interface ContactFields {
  readonly name: string;
  readonly email: string;
  readonly company: string | null;
  readonly notes: string | null;
}

/** Seals each field (null stays null) under `version`. */
export async function sealFields(
  tx: TenantTx,
  keyring: Pick<Keyring, 'seal'>,
  id: string,
  version: number,
  fields: ContactFields,
): Promise<Record<SealedColumn, Buffer | null>> {
  const seal = (column: SealedColumn, value: string | null) =>
    value === null
      ? Promise.resolve(null)
      : keyring.seal(tx, fieldRef(id, column, version), Buffer.from(value, 'utf8'));
  const [name, email, company, notes] = await Promise.all([
    seal('name', fields.name),
    seal('email', fields.email),
    seal('company', fields.company),
    seal('notes', fields.notes),
  ]);
  return { name, email, company, notes };
}

/** Views of `rows`, every sealed field opened (one key lookup for the page). */
export async function toViews(
  tx: TenantTx,
  keyring: Pick<Keyring, 'openMany'>,
  rows: readonly ContactRow[],
): Promise<ContactView[]> {
  if (rows.length === 0) return [];
  const places = rows.flatMap((r) =>
    SEALED_COLUMNS.flatMap((column) => {
      const envelope = r[column];
      return envelope === null
        ? []
        : [{ ref: fieldRef(r.id, column, r.version), envelope, id: r.id, column }];
    }),
  );
  const opened = await keyring.openMany(
    tx,
    places.map(({ ref, envelope }) => ({ ref, envelope })),
  );
  const text = new Map<string, string>();
  places.forEach((p, i) =>
    text.set(`${p.id}/${p.column}`, (opened[i] ?? Buffer.alloc(0)).toString('utf8')),
  );
  return rows.map((r) => ({
    id: r.id,
    name: text.get(`${r.id}/name`) ?? '',
    email: text.get(`${r.id}/email`) ?? '',
    company: text.get(`${r.id}/company`) ?? null,
    notes: text.get(`${r.id}/notes`) ?? null,
    created_by: r.created_by,
    created_at: r.created_at.toISOString(),
    updated_at: r.updated_at.toISOString(),
  }));
}
