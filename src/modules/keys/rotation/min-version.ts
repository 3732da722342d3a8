/**
 * `keys set-min-version`: from now on the keyring refuses envelopes sealed
 * under a lower data key version. Refused while any sealed row still uses a
 * lower version (finish the rotation's sweep first), and for a version the
 * workspace does not have. Every process hears of it at commit.
 */
import type { TenantTx } from '../../../db/tenant-tx.js';
import { principalOf } from '../../../db/tenant-tx.js';
import { AppError } from '../../../base/errors.js';
import { notifyKeyEvent } from './key-events.js';
import { countAllBelow } from './sealed-sql.js';

export async function setMinVersion(tx: TenantTx, version: number): Promise<void> {
  if (!Number.isSafeInteger(version) || version < 1) {
    throw new AppError('validation_failed', 'The minimum version must be a positive integer');
  }
  const ws = await tx
    .selectFrom('workspaces')
    .select('min_key_version')
    .forUpdate()
    .executeTakeFirst();
  if (ws === undefined) throw new AppError('not_found', 'Workspace not found');
  // Locks the keys too: no rotation can slip in between the check and the update.
  const keys = await tx
    .selectFrom('workspace_keys')
    .select(['version', 'is_primary'])
    .forUpdate()
    .execute();
  const primary = keys.find((k) => k.is_primary)?.version;
  if (!keys.some((k) => k.version === version) || primary === undefined) {
    throw new AppError('validation_failed', `This workspace has no data key version ${version}`);
  }
  const below = await countAllBelow(tx, version);
  if (below > 0) {
    throw new AppError(
      'conflict',
      `${below} sealed row(s) still use a version below ${version}; ` +
        'rotate and let the re-encryption sweep finish first (see `wardroom keys status`)',
    );
  }
  if (ws.min_key_version === version) return;
  await tx
    .updateTable('workspaces')
    .set({ min_key_version: version })
    .where('tenant_id', '=', principalOf(tx).tenantId)
    .execute();
  await notifyKeyEvent(tx, 'policy');
}
