/**
 * The workspace's half of deleting a person (privacy/deletion): their
 * member profile's display name becomes `Deleted User` (sealed like every
 * display name, the legacy plaintext column cleared) and every API token
 * they hold in this workspace is revoked. Runs in the workspace's own
 * transaction; the row changes are audited by the memberships and
 * api_tokens triggers. Running it again changes nothing more.
 */
import type { TenantTx } from '../../db/tenant-tx.js';
import { sealDisplayName, type NameSealer } from './display-name.js';

export const DELETED_USER_NAME = 'Deleted User';

export async function pseudonymiseMember(
  tx: TenantTx,
  sealer: Pick<NameSealer, 'seal'>,
  userId: string,
): Promise<{ member: boolean; revokedTokens: number }> {
  const named = await tx
    .updateTable('memberships')
    .set(await sealDisplayName(tx, sealer, userId, DELETED_USER_NAME))
    .where('user_id', '=', userId)
    .executeTakeFirst();
  const revoked = await tx
    .updateTable('api_tokens')
    .set({ revoked_at: new Date() })
    .where('user_id', '=', userId)
    .where('revoked_at', 'is', null)
    .executeTakeFirst();
  return { member: named.numUpdatedRows > 0n, revokedTokens: Number(revoked.numUpdatedRows) };
}
