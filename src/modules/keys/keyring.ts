/**
 * Per-workspace data keys (DEKs). Each workspace has its own key family
 * (one key id, numbered versions), stored only wrapped by the master key.
 * New seals use the primary version; any version at or above the
 * workspace's minimum decryption version opens.
 *
 * Unwrapped versions are cached in process memory (a wrapped version never
 * changes). The workspace's policy (which version is primary, the minimum
 * version) is cached for `primaryTtlMs` at most; rotation, a new minimum
 * version and shredding NOTIFY every process (key-events.ts), which calls
 * `invalidate` or `forget` here, so they take effect at once.
 */
import { principalOf, type TenantTx } from '../../db/tenant-tx.js';
import { AppError } from '../../base/errors.js';
import {
  openEnvelope,
  readEnvelopeHeader,
  sealEnvelope,
  type EnvelopeHeader,
  type FieldPlace,
  type KekProvider,
} from '../crypto/index.js';
import { KeyCache, usable, type CachedKey, type Policy } from './key-cache.js';
import {
  addKeyVersion,
  createWorkspaceKey,
  loadPolicy,
  loadVersion,
  primaryKey,
  type KeySource,
  type NewKeyVersion,
} from './key-versions.js';

export type { NewKeyVersion };

export type FieldRef = Omit<FieldPlace, 'tenantId'>;

/** A sealed value and the field it belongs to. */
export interface SealedAt {
  readonly ref: FieldRef;
  readonly envelope: Uint8Array;
}

export interface Keyring {
  createWorkspaceKey(tx: TenantTx): Promise<void>;
  /**
   * Adds version n+1 of the workspace's key, wrapped by the current master
   * key, and makes it the primary (older versions stay, for reading).
   */
  addKeyVersion(tx: TenantTx): Promise<NewKeyVersion>;
  seal(tx: TenantTx, ref: FieldRef, plaintext: Uint8Array): Promise<Buffer>;
  open(tx: TenantTx, ref: FieldRef, envelope: Uint8Array): Promise<Buffer>;
  /**
   * Opens envelopes and seals each plaintext again, in place, under
   * `version` (key rotation). Keys are looked up once per batch; the
   * results are in the order of `fields`.
   */
  reseal(tx: TenantTx, fields: readonly SealedAt[], version: number): Promise<Buffer[]>;
  /** Drops the cached policy (primary and minimum version) of a workspace; keys stay cached. */
  invalidate(tenantId: string): void;
  /** Drops and zeroes every cached key of a workspace. */
  forget(tenantId: string): void;
  /** Drops and zeroes every cached key of every workspace. */
  forgetAll(): void;
}

export function createKeyring(kek: KekProvider, options: { primaryTtlMs?: number } = {}): Keyring {
  const cache = new KeyCache(options.primaryTtlMs ?? 30_000);
  const source: KeySource = { kek, cache };

  async function openWithPolicy(tx: TenantTx, ref: FieldRef, envelope: Uint8Array) {
    const key = await openingKey(tx, readEnvelopeHeader(envelope), await loadPolicy(source, tx));
    return openEnvelope(usable(key), envelope, { ...ref, tenantId: principalOf(tx).tenantId });
  }

  /** The key that opens envelopes with this header, if the workspace's policy allows. */
  async function openingKey(
    tx: TenantTx,
    header: EnvelopeHeader,
    policy: Policy,
  ): Promise<CachedKey> {
    if (header.keyVersion < policy.minVersion) {
      throw new AppError(
        'decryption_failed',
        `Sealed value uses data key version ${header.keyVersion}, below this workspace's ` +
          `minimum decryption version ${policy.minVersion}`,
      );
    }
    const key = await loadVersion(source, tx, header.keyVersion);
    if (key.keyId !== header.keyId) {
      throw new AppError(
        'decryption_failed',
        'Sealed value names a key this workspace does not have',
      );
    }
    return key;
  }

  function seal(tx: TenantTx, key: CachedKey, ref: FieldRef, plaintext: Uint8Array): Buffer {
    const place = { ...ref, tenantId: principalOf(tx).tenantId };
    const header = { keyId: key.keyId, keyVersion: key.version };
    return sealEnvelope(usable(key), header, place, plaintext);
  }

  return {
    createWorkspaceKey: (tx) => createWorkspaceKey(kek, tx),
    addKeyVersion: (tx) => addKeyVersion(kek, tx),
    async seal(tx, ref, plaintext) {
      const key = await primaryKey(source, tx);
      return seal(tx, key, ref, plaintext);
    },
    open: openWithPolicy,
    async reseal(tx, fields, version) {
      const policy = await loadPolicy(source, tx);
      const target = await loadVersion(source, tx, version);
      const byId = new Map<string, CachedKey>();
      const opening: { field: SealedAt; key: CachedKey }[] = [];
      for (const field of fields) {
        const h = readEnvelopeHeader(field.envelope);
        const id = `${h.keyVersion}/${h.keyId}`;
        let key = byId.get(id);
        if (key === undefined) {
          key = await openingKey(tx, h, policy);
          byId.set(id, key);
        }
        opening.push({ field, key });
      }
      // No await from here on: a key forgotten meanwhile is refused by usable().
      const tenantId = principalOf(tx).tenantId;
      return opening.map(({ field, key }) => {
        const plaintext = openEnvelope(usable(key), field.envelope, { ...field.ref, tenantId });
        try {
          return seal(tx, target, field.ref, plaintext);
        } finally {
          plaintext.fill(0);
        }
      });
    },
    invalidate: (tenantId) => cache.invalidate(tenantId),
    forget: (tenantId) => cache.forget(tenantId),
    forgetAll: () => cache.forgetAll(),
  };
}
