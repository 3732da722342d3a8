/**
 * Per-workspace data keys (DEKs). Each workspace has its own key family,
 * stored only wrapped by the master key; unwrapped versions are cached in
 * process memory (a wrapped key never changes, so the cache never goes stale
 * for a version; the primary version is re-read after `primaryTtlMs`).
 */
import { randomUUID } from 'node:crypto';
import { principalOf, type TenantTx } from '../../db/tenant-tx.js';
import { AppError } from '../../errors.js';
import { openEnvelope, readEnvelopeHeader, sealEnvelope, type FieldPlace } from './envelope.js';
import type { KekProvider, WrappedKey } from './kek.js';
import { randomKey } from './primitives/aead.js';

export type FieldRef = Omit<FieldPlace, 'tenantId'>;

export interface Keyring {
  createWorkspaceKey(tx: TenantTx): Promise<void>;
  seal(tx: TenantTx, ref: FieldRef, plaintext: Uint8Array): Promise<Buffer>;
  open(tx: TenantTx, ref: FieldRef, envelope: Uint8Array): Promise<Buffer>;
  /** Drops and zeroes every cached key of a workspace. */
  forget(tenantId: string): void;
}

interface CachedKey {
  readonly keyId: string;
  readonly version: number;
  readonly key: Buffer;
}

interface TenantKeys {
  primary?: { readonly key: CachedKey; readonly loadedAt: number };
  readonly versions: Map<number, CachedKey>;
}

export function createKeyring(kek: KekProvider, options: { primaryTtlMs?: number } = {}): Keyring {
  const primaryTtlMs = options.primaryTtlMs ?? 30_000;
  const cache = new Map<string, TenantKeys>();

  function entry(tenantId: string): TenantKeys {
    let found = cache.get(tenantId);
    if (found === undefined) {
      found = { versions: new Map() };
      cache.set(tenantId, found);
    }
    return found;
  }

  async function loadVersion(tx: TenantTx, version: number | 'primary'): Promise<CachedKey> {
    const { tenantId } = principalOf(tx);
    if (version !== 'primary') {
      const hit = entry(tenantId).versions.get(version);
      if (hit !== undefined) return hit;
    }
    let query = tx.selectFrom('workspace_keys').selectAll();
    query =
      version === 'primary'
        ? query.where('is_primary', '=', true)
        : query.where('version', '=', version);
    const row = await query.orderBy('version', 'desc').limit(1).executeTakeFirst();
    if (row === undefined) {
      throw new AppError(
        'key_unavailable',
        `No data key${version === 'primary' ? '' : ` version ${version}`} for this workspace`,
      );
    }
    const cached = entry(tenantId).versions.get(row.version);
    if (cached !== undefined) return cached;
    const key = await kek.unwrap(
      { kekId: row.kek_id, kekVersion: row.kek_version, wrapped: row.wrapped_key },
      { tenantId, keyId: row.key_id, version: row.version },
    );
    const loaded = { keyId: row.key_id, version: row.version, key };
    entry(tenantId).versions.set(row.version, loaded);
    return loaded;
  }

  async function primaryKey(tx: TenantTx): Promise<CachedKey> {
    const keys = entry(principalOf(tx).tenantId);
    if (keys.primary !== undefined && Date.now() - keys.primary.loadedAt < primaryTtlMs) {
      return keys.primary.key;
    }
    const key = await loadVersion(tx, 'primary');
    keys.primary = { key, loadedAt: Date.now() };
    return key;
  }

  return {
    async createWorkspaceKey(tx) {
      const { tenantId } = principalOf(tx);
      const keyId = randomUUID();
      const context = { tenantId, keyId, version: 1 };
      // A provider that generates data keys (KMS GenerateDataKey, Vault datakey) does so itself.
      let wrapped: WrappedKey;
      if (kek.generateDataKey === undefined) {
        const dek = randomKey();
        wrapped = await kek.wrap(dek, context);
        dek.fill(0);
      } else {
        const generated = await kek.generateDataKey(context);
        generated.plaintext.fill(0);
        wrapped = generated.wrapped;
      }
      await tx
        .insertInto('workspace_keys')
        .values({
          tenant_id: tenantId,
          version: 1,
          key_id: keyId,
          kek_id: wrapped.kekId,
          kek_version: wrapped.kekVersion,
          wrapped_key: wrapped.wrapped,
        })
        .execute();
    },
    async seal(tx, ref, plaintext) {
      const key = await primaryKey(tx);
      const place = { ...ref, tenantId: principalOf(tx).tenantId };
      return sealEnvelope(key.key, { keyId: key.keyId, keyVersion: key.version }, place, plaintext);
    },
    async open(tx, ref, envelope) {
      const header = readEnvelopeHeader(envelope);
      const key = await loadVersion(tx, header.keyVersion);
      if (key.keyId !== header.keyId) {
        throw new AppError(
          'decryption_failed',
          'Sealed value names a key this workspace does not have',
        );
      }
      return openEnvelope(key.key, envelope, { ...ref, tenantId: principalOf(tx).tenantId });
    },
    forget(tenantId) {
      const keys = cache.get(tenantId);
      keys?.versions.forEach((k) => k.key.fill(0));
      cache.delete(tenantId);
    },
  };
}
