/**
 * `keys rotate-master`: rewraps every workspace's data key versions under
 * the master key provider's current version. The data keys themselves do
 * not change, so no sealed row is touched: the work is one provider call
 * per (workspace, key version). Providers that can rewrap without exposing
 * the data key (KMS ReEncrypt, Vault rewrap) do so; otherwise the key is
 * unwrapped, wrapped again and zeroed.
 */
import type { Database } from '../../../db/database.js';
import { isAppError } from '../../../base/errors.js';
import type { KekProvider, WrapContext, WrappedKey } from '../../crypto/index.js';
import { notifyKeyEvent } from './key-events.js';
import { systemPrincipal, type Principal } from '../../../db/principal.js';
import { listWorkspaces } from './workspaces.js';

export interface MasterProgress {
  readonly done: number;
  readonly total: number;
  readonly rewrapped: number;
}

export interface MasterRotation extends MasterProgress {
  readonly failed: readonly { readonly tenantId: string; readonly code: string }[];
}

export async function rewrapUnder(
  kek: KekProvider,
  wrapped: WrappedKey,
  context: WrapContext,
): Promise<WrappedKey> {
  if (kek.rewrap !== undefined) return kek.rewrap(wrapped, context);
  const dek = await kek.unwrap(wrapped, context);
  try {
    return await kek.wrap(dek, context);
  } finally {
    dek.fill(0);
  }
}

/** Rewraps one workspace's key versions not yet under the current master key version. */
export async function rewrapWorkspace(
  db: Pick<Database, 'withTenant'>,
  kek: KekProvider,
  principal: Principal,
): Promise<number> {
  return db.withTenant(principal, async (tx) => {
    const rows = await tx
      .selectFrom('workspace_keys')
      .select(['version', 'key_id', 'kek_id', 'kek_version', 'wrapped_key'])
      .orderBy('version')
      .forUpdate()
      .execute();
    let rewrapped = 0;
    for (const row of rows) {
      if (row.kek_id === kek.id && row.kek_version === kek.version) continue;
      const next = await rewrapUnder(
        kek,
        { kekId: row.kek_id, kekVersion: row.kek_version, wrapped: row.wrapped_key },
        { tenantId: principal.tenantId, keyId: row.key_id, version: row.version },
      );
      await tx
        .updateTable('workspace_keys')
        .set({ kek_id: next.kekId, kek_version: next.kekVersion, wrapped_key: next.wrapped })
        .where('version', '=', row.version)
        .execute();
      rewrapped += 1;
    }
    if (rewrapped > 0) await notifyKeyEvent(tx, 'policy');
    return rewrapped;
  });
}

export async function rotateMaster(
  db: Pick<Database, 'withTenant' | 'withSystem'>,
  kek: KekProvider,
  options: {
    every?: number;
    onProgress?: (p: MasterProgress) => void;
    /** These workspaces only (default: every workspace). */
    workspaces?: readonly string[];
    /** Who rewraps, per workspace (default: the system, as `master-key-rotation`). */
    actor?: (tenantId: string) => Principal;
  } = {},
): Promise<MasterRotation> {
  const every = options.every ?? 100;
  const actor = options.actor ?? ((id: string) => systemPrincipal(id, 'master-key-rotation'));
  const ids =
    options.workspaces ??
    (await listWorkspaces(db, 'keys: rewrap data keys under the current master key'));
  const failed: { tenantId: string; code: string }[] = [];
  let rewrapped = 0;
  let done = 0;
  for (const tenantId of ids) {
    try {
      rewrapped += await rewrapWorkspace(db, kek, actor(tenantId));
    } catch (error) {
      // One workspace's failure (a KEK version no longer configured) must not stop the others.
      failed.push({ tenantId, code: isAppError(error) ? error.code : 'internal' });
    }
    done += 1;
    if (done % every === 0 || done === ids.length) {
      options.onProgress?.({ done, total: ids.length, rewrapped });
    }
  }
  return { done, total: ids.length, rewrapped, failed };
}
