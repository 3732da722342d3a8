/**
 * Each workspace's root key: recorded in workspace_root_keys, held in the
 * workspace key store outside the database (crypto/workspace-keys/). Every
 * data key version created from now on is `rooted`: it seals with
 * HKDF(data key, salt = root key), so a shred that destroys the root key
 * leaves nothing a restored database backup and the master key can open.
 * A root key that cannot be opened (destroyed, or not in this store) is
 * `key_unavailable` and is not cached, so the next use asks again.
 */
import { principalOf, type TenantTx } from '../../db/tenant-tx.js';
import { AppError } from '../../base/errors.js';
import {
  rootedKey,
  type RootKeyRef,
  type RootStoreKind,
  type WorkspaceKeyStore,
} from '../crypto/index.js';
import type { KeyCache, KeyRow } from './key-cache.js';

/** The workspace's root key, created in the store and recorded if it has none yet. */
export async function ensureRootKey(roots: WorkspaceKeyStore, tx: TenantTx): Promise<void> {
  const existing = await tx.selectFrom('workspace_root_keys').select('ref').executeTakeFirst();
  if (existing !== undefined) return;
  const { tenantId } = principalOf(tx);
  const created = await roots.create(tenantId);
  await tx
    .insertInto('workspace_root_keys')
    .values({
      tenant_id: tenantId,
      store: created.store,
      ref: created.ref,
      sealed_secret: created.sealed,
    })
    .execute();
}

async function recordedRoot(tx: TenantTx): Promise<RootKeyRef> {
  const row = await tx
    .selectFrom('workspace_root_keys')
    .select(['store', 'ref', 'sealed_secret'])
    .executeTakeFirst();
  if (row === undefined) {
    throw new AppError('key_unavailable', 'This workspace has no root key (shredded?)');
  }
  return { store: row.store, ref: row.ref, sealed: row.sealed_secret };
}

/**
 * The key `dek` (of `row`) seals with: itself for a version created before
 * root keys, else derived with the workspace's root key. Zeroes `dek` when
 * it derives.
 */
export async function effectiveKey(
  source: { readonly roots: WorkspaceKeyStore; readonly cache: KeyCache },
  tx: TenantTx,
  row: KeyRow,
  dek: Buffer,
): Promise<Buffer> {
  if (!row.rooted) return dek;
  const { tenantId } = principalOf(tx);
  const context = { tenantId, keyId: row.key_id, version: row.version };
  try {
    const cached = source.cache.root(tenantId);
    if (cached !== undefined) return rootedKey(dek, cached, context);
    const epoch = source.cache.epoch(tenantId);
    const secret = await source.roots.open(tenantId, await recordedRoot(tx));
    const kept = source.cache.keepRoot(tenantId, epoch, secret);
    try {
      return rootedKey(dek, secret, context);
    } finally {
      if (!kept) secret.fill(0);
    }
  } finally {
    dek.fill(0);
  }
}

/** A root key taken out of the database by a shred, still to be destroyed in its store. */
export interface DetachedRootKey {
  readonly ref: { readonly store: RootStoreKind; readonly ref: string };
  /** Destroys it in its store: irreversible, so the shred's last step before commit. */
  destroy(): Promise<void>;
}

/** Deletes the workspace's root key row (locked) and returns how to destroy the key itself. */
export async function detachRootKey(
  roots: WorkspaceKeyStore,
  tx: TenantTx,
): Promise<DetachedRootKey | null> {
  const row = await tx
    .deleteFrom('workspace_root_keys')
    .returning(['store', 'ref', 'sealed_secret'])
    .executeTakeFirst();
  if (row === undefined) return null;
  const { tenantId } = principalOf(tx);
  const root = { store: row.store, ref: row.ref, sealed: row.sealed_secret };
  return {
    ref: { store: row.store, ref: row.ref },
    destroy: () => roots.destroy(tenantId, root),
  };
}
