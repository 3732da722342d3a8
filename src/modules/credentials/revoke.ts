/**
 * Revoking a credential wipes its sealed secret (the column becomes NULL) and
 * stamps revoked_at; the metadata stays for the record. Nothing can open a
 * revoked credential afterwards. (The superseded row version is ciphertext
 * that PostgreSQL reclaims at its next VACUUM.)
 */
import type { TenantTx } from '../../db/tenant-tx.js';
import { AppError } from '../../base/errors.js';

export async function revokeCredential(tx: TenantTx, id: string): Promise<void> {
  const result = await tx
    .updateTable('integration_credentials')
    .set({ secret: null, status: 'revoked', revoked_at: new Date() })
    .where('id', '=', id)
    .where('status', '=', 'active')
    .executeTakeFirst();
  if (result.numUpdatedRows === 0n) {
    throw new AppError('not_found', 'Credential not found or already revoked');
  }
}
