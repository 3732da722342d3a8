/**
 * The `vault-transit` workspace key store: a transit key of its own per
 * workspace, `<configured key>-ws-<tenant id>` (derived, bound to the
 * workspace by its context). The 32-byte root secret is drawn here,
 * encrypted under that key, and the ciphertext kept in the database; only
 * Vault can open it. Destroying the root key allows the transit key's
 * deletion and deletes it, so no copy of the ciphertext opens again. The
 * token needs create, read, update and delete on `<mount>/keys/<key>-ws-*`
 * and update on `<mount>/encrypt/<key>-ws-*` and `<mount>/decrypt/<key>-ws-*`.
 */
import { randomBytes } from 'node:crypto';
import { AppError } from '../../../base/errors.js';
import {
  request,
  transitOf,
  type Transit,
  type VaultTransitOptions,
} from '../kek/vault-transit.js';
import { assertKind, ROOT_KEY_BYTES, type RootKeyRef, type WorkspaceKeyStore } from './store.js';

export function vaultKeyStore(options: VaultTransitOptions): WorkspaceKeyStore {
  const base = transitOf(options);
  const keyOf = (tenantId: string): Transit => {
    const name = `${base.name}-ws-${tenantId}`;
    return { ...base, name, label: `Vault transit key ${base.mount}/${name}` };
  };
  /** The workspace's transit key, refusing a reference to any other. */
  const recorded = (tenantId: string, root: RootKeyRef): Transit => {
    assertKind(store, root);
    const vault = keyOf(tenantId);
    if (root.ref !== vault.name) {
      throw new AppError('key_unavailable', `Root key ${root.ref} is not this workspace's`);
    }
    return vault;
  };
  const store: WorkspaceKeyStore = {
    kind: 'vault-transit',
    description: `vault-transit ${base.mount}/${base.name}-ws-<workspace>`,
    create: (tenantId) => create(keyOf(tenantId), tenantId),
    open: (tenantId, root) => open(recorded(tenantId, root), tenantId, root),
    destroy: (tenantId, root) => destroy(recorded(tenantId, root)),
  };
  return store;
}

function contextOf(tenantId: string): string {
  return Buffer.from(`wardroom.root.v1\0${tenantId}`).toString('base64');
}

const path = (vault: Transit, op: string): string => `${op}/${encodeURIComponent(vault.name)}`;

async function create(vault: Transit, tenantId: string): Promise<RootKeyRef> {
  await request(vault, 'POST', path(vault, 'keys'), { type: 'aes256-gcm96', derived: true });
  const secret = randomBytes(ROOT_KEY_BYTES);
  try {
    const data = await request(vault, 'POST', path(vault, 'encrypt'), {
      plaintext: secret.toString('base64'),
      context: contextOf(tenantId),
    });
    const ciphertext = data['ciphertext'];
    if (typeof ciphertext !== 'string') {
      throw new AppError('key_unavailable', `${vault.label} returned no ciphertext`);
    }
    return { store: 'vault-transit', ref: vault.name, sealed: Buffer.from(ciphertext, 'utf8') };
  } finally {
    secret.fill(0);
  }
}

async function open(vault: Transit, tenantId: string, root: RootKeyRef): Promise<Buffer> {
  if (root.sealed === null) {
    throw new AppError('key_unavailable', `${vault.label}: no encrypted root secret recorded`);
  }
  const data = await request(vault, 'POST', path(vault, 'decrypt'), {
    ciphertext: root.sealed.toString('utf8'),
    context: contextOf(tenantId),
  });
  const plaintext = data['plaintext'];
  const secret = typeof plaintext === 'string' ? Buffer.from(plaintext, 'base64') : Buffer.alloc(0);
  if (secret.length !== ROOT_KEY_BYTES) {
    secret.fill(0);
    throw new AppError('key_unavailable', `${vault.label} returned no 32-byte root secret`);
  }
  return secret;
}

async function destroy(vault: Transit): Promise<void> {
  try {
    await request(vault, 'GET', path(vault, 'keys'));
  } catch (error) {
    // Already deleted: nothing is left to destroy.
    if (error instanceof AppError && / answered 404/.test(error.message)) return;
    throw error;
  }
  await request(vault, 'POST', `${path(vault, 'keys')}/config`, { deletion_allowed: true });
  await request(vault, 'DELETE', path(vault, 'keys'));
}

export type { VaultTransitOptions };
