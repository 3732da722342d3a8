/**
 * A member's display name is written by customers, so it is sealed under
 * the workspace's data key like message content (memberships.display_name_sealed,
 * registered in keys/sealed-fields.ts), bound to the workspace and the
 * member's user id: a sealed name copied to another member's row, or to
 * another workspace, fails to open. An empty name is stored as NULL. A row
 * written before migration 011 may still hold the plaintext column, served
 * until `wardroom keys seal-names` seals it (or the shred clears it).
 *
 * Sealing is the keys module's; tenancy sits below it (keys declares its
 * routes through tenancy), so it takes the keyring as this interface.
 */
import type { TenantTx } from '../../db/tenant-tx.js';
import type { FieldPlace } from '../crypto/index.js';

export type SealedRef = Omit<FieldPlace, 'tenantId'>;

export interface NameSealer {
  seal(tx: TenantTx, ref: SealedRef, plaintext: Uint8Array): Promise<Buffer>;
  open(tx: TenantTx, ref: SealedRef, envelope: Uint8Array): Promise<Buffer>;
}

const ref = (userId: string): SealedRef => ({
  table: 'memberships',
  column: 'display_name_sealed',
  rowId: userId.toLowerCase(),
  bound: [],
});

/** The column values storing `name` for this member: sealed, never plaintext. */
export async function sealDisplayName(
  tx: TenantTx,
  sealer: Pick<NameSealer, 'seal'>,
  userId: string,
  name: string,
): Promise<{ display_name: null; display_name_sealed: Buffer | null }> {
  const sealed = name === '' ? null : await sealer.seal(tx, ref(userId), Buffer.from(name, 'utf8'));
  return { display_name: null, display_name_sealed: sealed };
}

/** The display name of a row: opened, or the plaintext of a row not sealed yet. */
export async function openDisplayName(
  tx: TenantTx,
  sealer: Pick<NameSealer, 'open'>,
  row: { user_id: string; display_name: string | null; display_name_sealed: Buffer | null },
): Promise<string> {
  if (row.display_name_sealed === null) return row.display_name ?? '';
  return (await sealer.open(tx, ref(row.user_id), row.display_name_sealed)).toString('utf8');
}
