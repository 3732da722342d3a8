/**
 * Per-workspace data keys (DEKs). Each workspace has its own key family
 * (one key id, numbered versions), stored only wrapped by the master key.
 * New seals use the primary version; any version at or above the
 * workspace's minimum decryption version opens.
 *
 * Unwrapped versions are cached in process memory, each trusted for
 * `keyTtlMs` after its row was last read (then the row is read again, so a
 * key deleted behind the server's back stops working within that bound).
 * The workspace's policy (which version is primary, the minimum version) is
 * cached for `primaryTtlMs` at most (and never longer than `keyTtlMs`);
 * rotation, a new minimum version and shredding NOTIFY every process
 * (key-events.ts), which calls `invalidate` or `forget` here, so they take
 * effect at once.
 *
 * The keyring is composed of four parts: the cache (key-cache.ts), the
 * data key versions in the database (key-versions.ts), the workspaces' root
 * keys in the workspace key store (root-keys.ts) and the sealing of fields
 * (sealing.ts).
 */
import type { TenantTx } from '../../db/tenant-tx.js';
import type { KekProvider, WorkspaceKeyStore } from '../crypto/index.js';
import { KeyCache } from './key-cache.js';
import { addKeyVersion, createWorkspaceKey, type NewKeyVersion } from './key-versions.js';
import { detachRootKey, type DetachedRootKey } from './root-keys.js';
import { createSealing, type FieldRef, type SealedAt } from './sealing.js';

export type { DetachedRootKey, FieldRef, NewKeyVersion, SealedAt };

export interface Keyring {
  createWorkspaceKey(tx: TenantTx): Promise<void>;
  /**
   * Adds version n+1 of the workspace's key, wrapped by the current master
   * key, and makes it the primary (older versions stay, for reading).
   */
  addKeyVersion(tx: TenantTx): Promise<NewKeyVersion>;
  /**
   * Shredding: deletes the workspace's root key row and returns its
   * reference and how to destroy it in the workspace key store (null if it
   * has none).
   */
  detachRootKey(tx: TenantTx): Promise<DetachedRootKey | null>;
  seal(tx: TenantTx, ref: FieldRef, plaintext: Uint8Array): Promise<Buffer>;
  open(tx: TenantTx, ref: FieldRef, envelope: Uint8Array): Promise<Buffer>;
  /**
   * Opens many envelopes of the transaction's workspace (a page of rows):
   * the policy and each distinct key are looked up once, then every
   * envelope opens with no await in between. Results are in the order of
   * `fields`; any one that fails to open fails the whole call.
   */
  openMany(tx: TenantTx, fields: readonly SealedAt[]): Promise<Buffer[]>;
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

export interface KeyringOptions {
  /** The workspace key store holding each workspace's root key, outside the database. */
  readonly roots: WorkspaceKeyStore;
  /** How long the policy is cached (default 30 s). */
  readonly primaryTtlMs?: number;
  /** How long a cached key is used after its row was last read (default 60 s). */
  readonly keyTtlMs?: number;
}

export function createKeyring(kek: KekProvider, options: KeyringOptions): Keyring {
  const { roots } = options;
  const cache = new KeyCache({
    policyTtlMs: options.primaryTtlMs ?? 30_000,
    keyTtlMs: options.keyTtlMs ?? 60_000,
  });
  // The sealing functions are the keyring's own: no wrapper on the hot path.
  const { seal, open, openMany, reseal } = createSealing({ kek, roots, cache });
  return {
    createWorkspaceKey: (tx) => createWorkspaceKey({ kek, roots }, tx),
    addKeyVersion: (tx) => addKeyVersion({ kek, roots }, tx),
    detachRootKey: (tx) => detachRootKey(roots, tx),
    seal,
    open,
    openMany,
    reseal,
    invalidate: (tenantId) => cache.invalidate(tenantId),
    forget: (tenantId) => cache.forget(tenantId),
    forgetAll: () => cache.forgetAll(),
  };
}
