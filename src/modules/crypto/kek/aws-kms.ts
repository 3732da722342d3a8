/**
 * The `aws-kms` provider: AWS KMS through the official `@aws-sdk/client-kms`.
 * The master key never leaves KMS. Wardroom's data keys are wrapped with
 * `Encrypt` (or created with `GenerateDataKey`), unwrapped with `Decrypt`, and
 * moved to the key's newest backing material with `ReEncrypt`, always with
 * the encryption context {tenant_id, key_id, dek_version}, so a wrapped key
 * copied to another workspace, key id or version fails to decrypt.
 *
 * Versions: KMS rotates a key's backing material internally and picks the
 * right material from the ciphertext, so every version of the key stays
 * decryptable and the KEK id is the version-less key id. Wardroom records
 * WARDROOM_AWS_KMS_KEY_VERSION (default 1) as `kek_version`: raise it after an
 * (on-demand) rotation and rewrap, and the rows still at a lower version are
 * the ones ReEncrypt has not yet moved to the newest material.
 *
 * Credentials come from the SDK's standard chain (environment, shared config,
 * web identity, ECS or EC2 roles).
 */
import {
  DecryptCommand,
  EncryptCommand,
  GenerateDataKeyCommand,
  IncorrectKeyException,
  InvalidCiphertextException,
  KMSClient,
  ReEncryptCommand,
  type KMSClientConfig,
} from '@aws-sdk/client-kms';
import { AppError } from '../../../base/errors.js';
import { requireTlsUnlessLoopback } from '../../../base/net.js';
import {
  assertKekId,
  DATA_KEY_BYTES,
  notConfigured,
  type GeneratedDataKey,
  type KekProvider,
  type WrapContext,
  type WrappedKey,
} from './provider.js';

export interface AwsKmsOptions {
  /** Key id, key ARN, alias name or alias ARN of a symmetric encryption key. */
  readonly keyId: string;
  readonly region: string;
  /** A KMS-compatible endpoint (a VPC endpoint, or a local fake in tests). */
  readonly endpoint?: string | undefined;
  /** Recorded as `kek_version` on new wraps (default 1). */
  readonly version?: number;
  /** Recorded as `kek_id` (default `aws-kms:<keyId>`). */
  readonly id?: string | undefined;
  /** Explicit credentials (tests); otherwise the SDK's default chain. */
  readonly credentials?: KMSClientConfig['credentials'];
}

/** One configured KMS key: the client, the key it names and what wraps are recorded as. */
interface Kms {
  readonly client: KMSClient;
  readonly keyId: string;
  readonly id: string;
  readonly version: number;
}

export function awsKmsKek(options: AwsKmsOptions): KekProvider {
  const kms: Kms = {
    client: clientOf(options),
    keyId: options.keyId,
    id: options.id ?? `aws-kms:${options.keyId}`,
    version: options.version ?? 1,
  };
  return {
    id: kms.id,
    version: kms.version,
    wrap: (dek, c) => encrypt(kms, dek, c),
    unwrap: (wrapped, c) => decrypt(kms, wrapped, c),
    rewrap: (wrapped, c) => reEncrypt(kms, wrapped, c),
    generateDataKey: (c) => generateDataKey(kms, c),
    close() {
      kms.client.destroy();
    },
  };
}

function clientOf(options: AwsKmsOptions): KMSClient {
  const clientConfig: KMSClientConfig = { region: options.region, maxAttempts: 3 };
  if (options.endpoint !== undefined) {
    // The SDK verifies certificates (Node's default, never turned off here).
    requireTlsUnlessLoopback(
      options.endpoint,
      'WARDROOM_AWS_KMS_ENDPOINT',
      'Use the https:// address of the KMS (VPC) endpoint.',
    );
    clientConfig.endpoint = options.endpoint;
  }
  if (options.credentials !== undefined) clientConfig.credentials = options.credentials;
  return new KMSClient(clientConfig);
}

/** The KMS encryption context binding a wrapped data key to its place. */
function contextOf(c: WrapContext): Record<string, string> {
  return { tenant_id: c.tenantId, key_id: c.keyId, dek_version: String(c.version) };
}

function wrappedBy(kms: Kms, blob: Uint8Array | undefined): WrappedKey {
  if (blob === undefined || blob.byteLength === 0) {
    throw new AppError('key_unavailable', `KMS key ${kms.keyId} returned no ciphertext`);
  }
  return { kekId: kms.id, kekVersion: kms.version, wrapped: Buffer.from(blob) };
}

/** Rejects a wrapped key this provider did not wrap, before asking KMS. */
function checkKnown(kms: Kms, wrapped: WrappedKey): void {
  assertKekId(kms, wrapped);
  if (!Number.isSafeInteger(wrapped.kekVersion) || wrapped.kekVersion < 1) {
    throw notConfigured(wrapped);
  }
}

async function encrypt(kms: Kms, dek: Uint8Array, c: WrapContext): Promise<WrappedKey> {
  const out = await call(kms.keyId, () =>
    kms.client.send(
      new EncryptCommand({
        KeyId: kms.keyId,
        Plaintext: dek,
        EncryptionContext: contextOf(c),
      }),
    ),
  );
  return wrappedBy(kms, out.CiphertextBlob);
}

async function decrypt(kms: Kms, wrapped: WrappedKey, c: WrapContext): Promise<Buffer> {
  checkKnown(kms, wrapped);
  const out = await call(kms.keyId, () =>
    kms.client.send(
      new DecryptCommand({
        KeyId: kms.keyId,
        CiphertextBlob: wrapped.wrapped,
        EncryptionContext: contextOf(c),
      }),
    ),
  );
  if (out.Plaintext === undefined) {
    throw new AppError('key_unavailable', `KMS key ${kms.keyId} returned no plaintext`);
  }
  const dek = Buffer.from(out.Plaintext);
  out.Plaintext.fill(0);
  return dek;
}

async function reEncrypt(kms: Kms, wrapped: WrappedKey, c: WrapContext): Promise<WrappedKey> {
  checkKnown(kms, wrapped);
  const out = await call(kms.keyId, () =>
    kms.client.send(
      new ReEncryptCommand({
        CiphertextBlob: wrapped.wrapped,
        SourceKeyId: kms.keyId,
        SourceEncryptionContext: contextOf(c),
        DestinationKeyId: kms.keyId,
        DestinationEncryptionContext: contextOf(c),
      }),
    ),
  );
  return wrappedBy(kms, out.CiphertextBlob);
}

async function generateDataKey(kms: Kms, c: WrapContext): Promise<GeneratedDataKey> {
  const out = await call(kms.keyId, () =>
    kms.client.send(
      new GenerateDataKeyCommand({
        KeyId: kms.keyId,
        KeySpec: 'AES_256',
        EncryptionContext: contextOf(c),
      }),
    ),
  );
  if (out.Plaintext?.byteLength !== DATA_KEY_BYTES) {
    out.Plaintext?.fill(0);
    throw new AppError('key_unavailable', `KMS key ${kms.keyId} returned no 32-byte data key`);
  }
  const plaintext = Buffer.from(out.Plaintext);
  out.Plaintext.fill(0);
  return { plaintext, wrapped: wrappedBy(kms, out.CiphertextBlob) };
}

/** Maps KMS failures: a ciphertext that fails to decrypt is `decryption_failed`, anything else `key_unavailable`. */
async function call<T>(keyId: string, send: () => Promise<T>): Promise<T> {
  try {
    return await send();
  } catch (error) {
    if (error instanceof InvalidCiphertextException || error instanceof IncorrectKeyException) {
      throw new AppError(
        'decryption_failed',
        `KMS key ${keyId} refused the wrapped data key: ${error.name}`,
      );
    }
    const name = error instanceof Error ? error.name : 'unknown error';
    throw new AppError('key_unavailable', `KMS key ${keyId} is unavailable: ${name}`, {
      cause: error,
    });
  }
}
