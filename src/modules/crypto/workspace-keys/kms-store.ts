/**
 * The `aws-kms` workspace key store: a KMS key of its own per workspace
 * (CreateKey, symmetric), under which the 32-byte root secret drawn here is
 * encrypted, with the encryption context {wardroom_root: <tenant id>}; the
 * ciphertext is kept in the database and only KMS opens it. Destroying the
 * root key disables the KMS key (effective at once: every Decrypt is
 * refused) and schedules its deletion after KMS's shortest waiting period,
 * 7 days; during those days an AWS administrator could still cancel the
 * deletion and re-enable the key. The credentials need kms:CreateKey,
 * kms:Encrypt, kms:Decrypt, kms:DisableKey and kms:ScheduleKeyDeletion.
 */
import {
  CreateKeyCommand,
  DecryptCommand,
  DisableKeyCommand,
  EncryptCommand,
  KMSClient,
  NotFoundException,
  ScheduleKeyDeletionCommand,
  type KMSClientConfig,
} from '@aws-sdk/client-kms';
import { randomBytes } from 'node:crypto';
import { AppError } from '../../../base/errors.js';
import { requireTlsUnlessLoopback } from '../../../base/net.js';
import { assertKind, ROOT_KEY_BYTES, type RootKeyRef, type WorkspaceKeyStore } from './store.js';

export interface KmsKeyStoreOptions {
  readonly region: string;
  readonly endpoint?: string | undefined;
  readonly credentials?: KMSClientConfig['credentials'];
}

/** KMS's shortest waiting period before a scheduled key deletion. */
export const KMS_DELETION_DAYS = 7;

export function kmsKeyStore(options: KmsKeyStoreOptions): WorkspaceKeyStore {
  const config: KMSClientConfig = { region: options.region, maxAttempts: 3 };
  if (options.endpoint !== undefined) {
    requireTlsUnlessLoopback(options.endpoint, 'WARDROOM_AWS_KMS_ENDPOINT', 'Use https://.');
    config.endpoint = options.endpoint;
  }
  if (options.credentials !== undefined) config.credentials = options.credentials;
  const client = new KMSClient(config);
  const store: WorkspaceKeyStore = {
    kind: 'aws-kms',
    description: `aws-kms ${options.region}: a KMS key per workspace`,
    create: (tenantId) => create(client, tenantId),
    open: (tenantId, root) => {
      assertKind(store, root);
      return open(client, tenantId, root);
    },
    destroy: (_tenantId, root) => {
      assertKind(store, root);
      return destroy(client, root);
    },
    close: () => client.destroy(),
  };
  return store;
}

const contextOf = (tenantId: string): Record<string, string> => ({ wardroom_root: tenantId });

async function create(client: KMSClient, tenantId: string): Promise<RootKeyRef> {
  const created = await call('CreateKey', () =>
    client.send(
      new CreateKeyCommand({
        Description: `Wardroom root key of workspace ${tenantId}`,
        KeyUsage: 'ENCRYPT_DECRYPT',
        KeySpec: 'SYMMETRIC_DEFAULT',
      }),
    ),
  );
  const arn = created.KeyMetadata?.Arn;
  if (arn === undefined) throw new AppError('key_unavailable', 'KMS CreateKey returned no key');
  const secret = randomBytes(ROOT_KEY_BYTES);
  try {
    const out = await call('Encrypt', () =>
      client.send(
        new EncryptCommand({
          KeyId: arn,
          Plaintext: secret,
          EncryptionContext: contextOf(tenantId),
        }),
      ),
    );
    if (out.CiphertextBlob === undefined) {
      throw new AppError('key_unavailable', `KMS key ${arn} returned no ciphertext`);
    }
    return { store: 'aws-kms', ref: arn, sealed: Buffer.from(out.CiphertextBlob) };
  } finally {
    secret.fill(0);
  }
}

async function open(client: KMSClient, tenantId: string, root: RootKeyRef): Promise<Buffer> {
  if (root.sealed === null) {
    throw new AppError('key_unavailable', `KMS key ${root.ref}: no encrypted root secret recorded`);
  }
  const sealed = root.sealed;
  const out = await call('Decrypt', () =>
    client.send(
      new DecryptCommand({
        KeyId: root.ref,
        CiphertextBlob: sealed,
        EncryptionContext: contextOf(tenantId),
      }),
    ),
  );
  const secret = Buffer.from(out.Plaintext ?? new Uint8Array());
  out.Plaintext?.fill(0);
  if (secret.length !== ROOT_KEY_BYTES) {
    secret.fill(0);
    throw new AppError('key_unavailable', `KMS key ${root.ref} returned no 32-byte root secret`);
  }
  return secret;
}

async function destroy(client: KMSClient, root: RootKeyRef): Promise<void> {
  try {
    await client.send(new DisableKeyCommand({ KeyId: root.ref }));
    await client.send(
      new ScheduleKeyDeletionCommand({ KeyId: root.ref, PendingWindowInDays: KMS_DELETION_DAYS }),
    );
  } catch (error) {
    // Deleted already: nothing is left to destroy.
    if (error instanceof NotFoundException) return;
    const name = error instanceof Error ? error.name : 'unknown error';
    throw new AppError('key_unavailable', `KMS key ${root.ref} could not be destroyed: ${name}`, {
      cause: error,
    });
  }
}

/** Any KMS failure is `key_unavailable` (a root key disabled or deleted included). */
async function call<T>(operation: string, send: () => Promise<T>): Promise<T> {
  try {
    return await send();
  } catch (error) {
    const name = error instanceof Error ? error.name : 'unknown error';
    throw new AppError(
      'key_unavailable',
      `KMS ${operation} of a workspace root key failed: ${name}`,
      {
        cause: error,
      },
    );
  }
}
