/**
 * Creating, finding, reading, editing and deleting contacts. Tenant
 * filtering is RLS's job. Every insert, update and delete is recorded by the
 * table's audit trigger (`contact.created`, `.updated`, `.deleted`), naming
 * changed columns and never their values. An address on the suppression list
 * (it opted out) is refused with `contact_suppressed`, which does not repeat
 * the address.
 */
import { sql } from 'kysely';
import { v7 as uuidv7 } from 'uuid';
import { AppError } from '../../base/errors.js';
import { decodeCursor, toPage } from '../../db/cursor.js';
import { principalOf, type TenantTx } from '../../db/tenant-tx.js';
import type { Keyring } from '../keys/index.js';
import { addressHash, emailIndex, type PrivacyKeys } from './blind-index.js';
import {
  CONTACT_COLUMNS,
  contactNotFound,
  sealFields,
  toViews,
  type ContactFields,
  type ContactRow,
  type ContactView,
} from './store.js';

export interface ContactDeps {
  readonly keyring: Pick<Keyring, 'seal' | 'openMany'>;
  readonly keys: PrivacyKeys;
}

/** The address's index in this workspace, once it is known not to have opted out. */
async function indexOf(tx: TenantTx, keys: PrivacyKeys, email: string): Promise<Buffer> {
  const address = addressHash(keys, email);
  const { rows } = await sql<{ suppressed: boolean }>`
    select wardroom.privacy_is_suppressed(${address}) as suppressed`.execute(tx);
  if (rows[0]?.suppressed !== false) {
    throw new AppError(
      'contact_suppressed',
      'This address asked not to be held as a contact (privacy opt-out)',
    );
  }
  return emailIndex(keys, principalOf(tx).tenantId, address);
}

export async function createContact(
  tx: TenantTx,
  deps: ContactDeps,
  input: ContactFields & { readonly createdBy: string },
): Promise<ContactView> {
  const index = await indexOf(tx, deps.keys, input.email);
  const id = uuidv7();
  const sealed = await sealFields(tx, deps.keyring, id, 1, input);
  const row = await tx
    .insertInto('contacts')
    .values({
      tenant_id: principalOf(tx).tenantId,
      id,
      name: sealed.name ?? Buffer.alloc(0),
      email: sealed.email ?? Buffer.alloc(0),
      company: sealed.company,
      notes: sealed.notes,
      email_index: index,
      version: 1,
      created_by: input.createdBy,
    })
    .returning(['created_at', 'updated_at'])
    .executeTakeFirstOrThrow();
  return {
    id,
    name: input.name,
    email: input.email,
    company: input.company,
    notes: input.notes,
    created_by: input.createdBy,
    created_at: row.created_at.toISOString(),
    updated_at: row.updated_at.toISOString(),
  };
}

async function rowOf(tx: TenantTx, id: string, lock: boolean): Promise<ContactRow> {
  const query = tx.selectFrom('contacts').select(CONTACT_COLUMNS).where('id', '=', id);
  const row = await (lock ? query.forUpdate() : query).executeTakeFirst();
  if (row === undefined) throw contactNotFound();
  return row;
}

export async function getContact(
  tx: TenantTx,
  keyring: Pick<Keyring, 'openMany'>,
  id: string,
): Promise<ContactView> {
  const [view] = await toViews(tx, keyring, [await rowOf(tx, id, false)]);
  if (view === undefined) throw contactNotFound();
  return view;
}

export type ContactUpdate = { readonly [K in keyof ContactFields]?: ContactFields[K] | undefined };

/** Applies an edit: every field is sealed again under the next version. */
export async function updateContact(
  tx: TenantTx,
  deps: ContactDeps,
  id: string,
  input: ContactUpdate,
): Promise<ContactView> {
  const row = await rowOf(tx, id, true);
  const [current] = await toViews(tx, deps.keyring, [row]);
  if (current === undefined) throw contactNotFound();
  const next: ContactFields = {
    name: input.name ?? current.name,
    email: input.email ?? current.email,
    company: input.company === undefined ? current.company : input.company,
    notes: input.notes === undefined ? current.notes : input.notes,
  };
  const index = input.email === undefined ? undefined : await indexOf(tx, deps.keys, input.email);
  const version = row.version + 1;
  const sealed = await sealFields(tx, deps.keyring, id, version, next);
  const updated = await tx
    .updateTable('contacts')
    .set({
      name: sealed.name ?? Buffer.alloc(0),
      email: sealed.email ?? Buffer.alloc(0),
      company: sealed.company,
      notes: sealed.notes,
      version,
      ...(index === undefined ? {} : { email_index: index }),
      updated_at: new Date(),
    })
    .where('id', '=', id)
    .returning('updated_at')
    .executeTakeFirstOrThrow();
  return { ...current, ...next, updated_at: updated.updated_at.toISOString() };
}

export async function deleteContact(tx: TenantTx, id: string): Promise<void> {
  const deleted = await tx.deleteFrom('contacts').where('id', '=', id).executeTakeFirst();
  if (deleted.numDeletedRows === 0n) throw contactNotFound();
}

/** Contacts oldest first; with `email`, only those with that address (by its blind index). */
export async function listContacts(
  tx: TenantTx,
  deps: ContactDeps,
  input: { limit: number; cursor?: string | undefined; email?: string | undefined },
): Promise<{ items: ContactView[]; next_cursor: string | null }> {
  const after = decodeCursor(input.cursor);
  let query = tx.selectFrom('contacts').select(CONTACT_COLUMNS);
  if (input.email !== undefined) {
    const index = emailIndex(
      deps.keys,
      principalOf(tx).tenantId,
      addressHash(deps.keys, input.email),
    );
    query = query.where('email_index', '=', index);
  }
  if (after !== undefined) query = query.where('id', '>', after);
  const rows: ContactRow[] = await query
    .orderBy('id')
    .limit(input.limit + 1)
    .execute();
  const { next_cursor } = toPage(rows, input.limit);
  return { items: await toViews(tx, deps.keyring, rows.slice(0, input.limit)), next_cursor };
}
