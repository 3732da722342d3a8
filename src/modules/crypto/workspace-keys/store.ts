/**
 * The workspace key store: one root key per workspace, held outside the
 * database, so that destroying it (a shred) cannot be undone by restoring a
 * database backup. A data key version marked `rooted` is used only through
 * `rootedKey`: HKDF-SHA256 of the unwrapped data key with the root key as
 * salt, bound to the workspace, the key id and the version. The data key
 * alone (all that a database backup and the master key give back) opens
 * nothing sealed under a rooted version.
 *
 * Stores: `file` (a directory of key files, for the env, file and
 * development master key providers), `vault-transit` (a transit key per
 * workspace) and `aws-kms` (a KMS key per workspace). The provider-held
 * stores keep the 32-byte root secret encrypted under the workspace's own
 * provider key, and that ciphertext (`sealed`) in the database.
 */
import { hkdfSync } from 'node:crypto';
import { AppError } from '../../../base/errors.js';

export const ROOT_KEY_BYTES = 32;

export type RootStoreKind = 'file' | 'vault-transit' | 'aws-kms';

/** Where a workspace's root key lives, as recorded in `workspace_root_keys`. */
export interface RootKeyRef {
  readonly store: RootStoreKind;
  /** The file's name, the transit key's name or the KMS key's ARN. */
  readonly ref: string;
  /** The root secret encrypted under the provider key (Vault, KMS); null for files. */
  readonly sealed: Buffer | null;
}

export interface WorkspaceKeyStore {
  readonly kind: RootStoreKind;
  /** Which store, for the boot log (never key material). */
  readonly description: string;
  /** Creates a new root key for the workspace and says where it is. */
  create(tenantId: string): Promise<RootKeyRef>;
  /** The 32-byte root secret (the caller zeroes it); `key_unavailable` when it is gone. */
  open(tenantId: string, root: RootKeyRef): Promise<Buffer>;
  /** Destroys the root key for good; one already gone is not an error. */
  destroy(tenantId: string, root: RootKeyRef): Promise<void>;
  close?(): void;
}

/** What a rooted data key version is bound to. */
export interface RootedContext {
  readonly tenantId: string;
  readonly keyId: string;
  readonly version: number;
}

const LABEL = 'wardroom.rooted-dek.v1';

/** The key a rooted data key version seals with: HKDF-SHA256(dek, salt = root, info = its place). */
export function rootedKey(dek: Uint8Array, root: Uint8Array, c: RootedContext): Buffer {
  if (root.length !== ROOT_KEY_BYTES) {
    throw new AppError('key_unavailable', 'The workspace root key has the wrong length');
  }
  const info = Buffer.from(`${LABEL}\0${c.tenantId}\0${c.keyId}\0${c.version}`);
  return Buffer.from(hkdfSync('sha256', dek, root, info, 32));
}

/** Refuses a reference recorded by another kind of store than the one configured. */
export function assertKind(store: { readonly kind: RootStoreKind }, root: RootKeyRef): void {
  if (root.store !== store.kind) {
    throw new AppError(
      'key_unavailable',
      `This workspace's root key is in a ${root.store} store, but the configured store is ${store.kind}`,
    );
  }
}
