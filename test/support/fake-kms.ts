/**
 * A local stand-in for AWS KMS, speaking the KMS JSON protocol
 * (`X-Amz-Target: TrentService.<Operation>`, `application/x-amz-json-1.1`,
 * base64 blobs) for the operations Wardroom uses: Encrypt, Decrypt,
 * ReEncrypt, GenerateDataKey, and for the workspace key store CreateKey,
 * DisableKey and ScheduleKeyDeletion (a key disabled or pending deletion
 * refuses every operation, as in KMS), plus RotateKeyOnDemand for tests. It is driven
 * by the official `@aws-sdk/client-kms` with `endpoint` pointed here.
 *
 * Each key keeps numbered backing keys (rotation adds one; all stay
 * decryptable, as in KMS). Ciphertext blobs are AES-256-GCM with the key id,
 * the backing version and the canonical encryption context as associated
 * data, so a different context fails with InvalidCiphertextException, as KMS
 * does. Requests must carry a SigV4 Authorization header naming the fake's
 * access key id (the signature itself is not verified).
 */
import { randomBytes, randomUUID } from 'node:crypto';
import type { ServerResponse } from 'node:http';
import { gcmOpen, gcmSeal, isRecord, listen, parseJson, sendJson } from './fake-http.js';

export interface FakeKms {
  readonly endpoint: string;
  readonly region: string;
  readonly credentials: { readonly accessKeyId: string; readonly secretAccessKey: string };
  /** Operation names received, in order (e.g. `Encrypt`). */
  readonly calls: string[];
  /** Creates a symmetric encryption key; `alias` is registered as `alias/<alias>`. */
  createKey(options?: { alias?: string }): { keyId: string; arn: string };
  /** Adds a backing key, as RotateKeyOnDemand does; returns the new backing version. */
  rotate(keyId: string): number;
  disable(keyId: string): void;
  /** `Enabled`, `Disabled` or `PendingDeletion`, and the deletion window in days. */
  stateOf(keyId: string): { state: string; pendingWindowInDays: number | undefined };
  /** How many keys exist (any state). */
  keyCount(): number;
  /** The backing version a ciphertext blob was made with. */
  backingVersionOf(blob: Uint8Array): number;
  close(): Promise<void>;
}

interface Key {
  readonly id: string;
  readonly arn: string;
  readonly backing: Buffer[]; // version n at index n-1
  enabled: boolean;
  pendingWindowInDays?: number;
}

class KmsError extends Error {
  constructor(
    readonly type: string,
    message: string,
  ) {
    super(message);
  }
}

const MAGIC = Buffer.from('FKM1');
const HEADER = MAGIC.length + 36 + 4;
const ACCOUNT = '111122223333';

export async function startFakeKms(region = 'eu-west-1'): Promise<FakeKms> {
  const keys = new Map<string, Key>();
  const aliases = new Map<string, string>();
  const calls: string[] = [];
  const credentials = {
    accessKeyId: 'AKIAFAKEKMS00000TEST',
    secretAccessKey: randomBytes(20).toString('base64'),
  };

  function resolve(ref: unknown): Key {
    if (typeof ref !== 'string' || ref === '')
      throw new KmsError('ValidationException', 'KeyId is required');
    let id = ref;
    const arn = /^arn:aws:kms:[a-z0-9-]+:\d{12}:(key|alias)\/(.+)$/.exec(ref);
    if (arn !== null) id = arn[1] === 'alias' ? `alias/${arn[2]}` : (arn[2] ?? '');
    if (id.startsWith('alias/')) id = aliases.get(id) ?? '';
    const key = keys.get(id);
    if (key === undefined) throw new KmsError('NotFoundException', `Key '${ref}' does not exist`);
    return key;
  }

  function newKey(): Key {
    const id = randomUUID();
    const key: Key = {
      id,
      arn: `arn:aws:kms:${region}:${ACCOUNT}:key/${id}`,
      backing: [randomBytes(32)],
      enabled: true,
    };
    keys.set(id, key);
    return key;
  }

  function usable(key: Key): Key {
    if (key.pendingWindowInDays !== undefined) {
      throw new KmsError('KMSInvalidStateException', `${key.arn} is pending deletion.`);
    }
    if (!key.enabled) throw new KmsError('DisabledException', `${key.arn} is disabled.`);
    return key;
  }

  function contextOf(value: unknown): Buffer {
    if (value === undefined) return Buffer.from('{}');
    if (!isRecord(value) || Object.values(value).some((v) => typeof v !== 'string')) {
      throw new KmsError('ValidationException', 'EncryptionContext must map strings to strings');
    }
    const sorted = Object.keys(value)
      .sort()
      .map((k) => [k, value[k]]);
    return Buffer.from(JSON.stringify(sorted));
  }

  function blobOf(value: unknown, field: string): Buffer {
    if (typeof value !== 'string')
      throw new KmsError('ValidationException', `${field} is required`);
    return Buffer.from(value, 'base64');
  }

  function encrypt(key: Key, plaintext: Buffer, context: Buffer): Buffer {
    const version = key.backing.length;
    const header = Buffer.alloc(HEADER);
    MAGIC.copy(header, 0);
    header.write(key.id, MAGIC.length, 'ascii');
    header.writeUInt32BE(version, MAGIC.length + 36);
    const material = key.backing[version - 1]!;
    return Buffer.concat([header, gcmSeal(material, plaintext, Buffer.concat([header, context]))]);
  }

  function decrypt(
    blob: Buffer,
    context: Buffer,
    expected: Key | undefined,
  ): { key: Key; plaintext: Buffer } {
    const invalid = new KmsError('InvalidCiphertextException', '');
    if (blob.length <= HEADER || !blob.subarray(0, MAGIC.length).equals(MAGIC)) throw invalid;
    const header = blob.subarray(0, HEADER);
    const key = keys.get(header.toString('ascii', MAGIC.length, MAGIC.length + 36));
    if (key === undefined) throw invalid;
    if (expected !== undefined && expected.id !== key.id) {
      throw new KmsError(
        'IncorrectKeyException',
        'The key ID in the request does not identify a CMK that can perform this operation.',
      );
    }
    usable(key);
    const material = key.backing[header.readUInt32BE(MAGIC.length + 36) - 1];
    if (material === undefined) throw invalid;
    const plaintext = gcmOpen(material, blob.subarray(HEADER), Buffer.concat([header, context]));
    if (plaintext === undefined) throw invalid;
    return { key, plaintext };
  }

  const operations: Record<string, (input: Record<string, unknown>) => Record<string, unknown>> = {
    Encrypt(input) {
      const key = usable(resolve(input['KeyId']));
      const plaintext = blobOf(input['Plaintext'], 'Plaintext');
      if (plaintext.length === 0 || plaintext.length > 4096) {
        throw new KmsError('ValidationException', 'Plaintext must be 1 to 4096 bytes');
      }
      return {
        CiphertextBlob: encrypt(key, plaintext, contextOf(input['EncryptionContext'])).toString(
          'base64',
        ),
        KeyId: key.arn,
        EncryptionAlgorithm: 'SYMMETRIC_DEFAULT',
      };
    },
    Decrypt(input) {
      const expected = input['KeyId'] === undefined ? undefined : resolve(input['KeyId']);
      const { key, plaintext } = decrypt(
        blobOf(input['CiphertextBlob'], 'CiphertextBlob'),
        contextOf(input['EncryptionContext']),
        expected,
      );
      return {
        Plaintext: plaintext.toString('base64'),
        KeyId: key.arn,
        EncryptionAlgorithm: 'SYMMETRIC_DEFAULT',
      };
    },
    ReEncrypt(input) {
      const expected =
        input['SourceKeyId'] === undefined ? undefined : resolve(input['SourceKeyId']);
      const source = decrypt(
        blobOf(input['CiphertextBlob'], 'CiphertextBlob'),
        contextOf(input['SourceEncryptionContext']),
        expected,
      );
      const destination = usable(resolve(input['DestinationKeyId']));
      const blob = encrypt(
        destination,
        source.plaintext,
        contextOf(input['DestinationEncryptionContext']),
      );
      source.plaintext.fill(0);
      return {
        CiphertextBlob: blob.toString('base64'),
        SourceKeyId: source.key.arn,
        KeyId: destination.arn,
        SourceEncryptionAlgorithm: 'SYMMETRIC_DEFAULT',
        DestinationEncryptionAlgorithm: 'SYMMETRIC_DEFAULT',
      };
    },
    GenerateDataKey(input) {
      const key = usable(resolve(input['KeyId']));
      const spec = input['KeySpec'];
      const count = input['NumberOfBytes'];
      const bytes =
        spec === 'AES_256' ? 32 : spec === 'AES_128' ? 16 : typeof count === 'number' ? count : 0;
      if (bytes < 1 || bytes > 1024 || (spec !== undefined && count !== undefined)) {
        throw new KmsError('ValidationException', 'Specify either KeySpec or NumberOfBytes');
      }
      const plaintext = randomBytes(bytes);
      return {
        CiphertextBlob: encrypt(key, plaintext, contextOf(input['EncryptionContext'])).toString(
          'base64',
        ),
        Plaintext: plaintext.toString('base64'),
        KeyId: key.arn,
      };
    },
    CreateKey(input) {
      if (input['KeySpec'] !== undefined && input['KeySpec'] !== 'SYMMETRIC_DEFAULT') {
        throw new KmsError('ValidationException', 'Only SYMMETRIC_DEFAULT keys are faked');
      }
      const key = newKey();
      return { KeyMetadata: { KeyId: key.id, Arn: key.arn, Enabled: true, KeyState: 'Enabled' } };
    },
    DisableKey(input) {
      const key = resolve(input['KeyId']);
      if (key.pendingWindowInDays !== undefined) {
        throw new KmsError('KMSInvalidStateException', `${key.arn} is pending deletion.`);
      }
      key.enabled = false;
      return {};
    },
    ScheduleKeyDeletion(input) {
      const key = resolve(input['KeyId']);
      const days = input['PendingWindowInDays'] ?? 30;
      if (typeof days !== 'number' || !Number.isInteger(days) || days < 7 || days > 30) {
        throw new KmsError('ValidationException', 'PendingWindowInDays must be 7 to 30');
      }
      if (key.pendingWindowInDays !== undefined) {
        throw new KmsError('KMSInvalidStateException', `${key.arn} is pending deletion.`);
      }
      key.pendingWindowInDays = days;
      key.enabled = false;
      return { KeyId: key.arn, KeyState: 'PendingDeletion', PendingWindowInDays: days };
    },
    RotateKeyOnDemand(input) {
      const key = usable(resolve(input['KeyId']));
      key.backing.push(randomBytes(32));
      return { KeyId: key.id };
    },
  };

  function fail(res: ServerResponse, type: string, message: string): void {
    sendJson(
      res,
      400,
      { __type: type, message },
      {
        'content-type': 'application/x-amz-json-1.1',
        'x-amzn-errortype': type,
        'x-amzn-requestid': randomUUID(),
      },
    );
  }

  const server = await listen((req, body, res) => {
    const target = req.headers['x-amz-target'];
    const operation = typeof target === 'string' ? target.replace(/^TrentService\./, '') : '';
    const auth = req.headers.authorization ?? '';
    if (!auth.startsWith(`AWS4-HMAC-SHA256 Credential=${credentials.accessKeyId}/`)) {
      fail(
        res,
        'UnrecognizedClientException',
        'The security token included in the request is invalid.',
      );
      return;
    }
    if (req.method !== 'POST' || req.headers['content-type'] !== 'application/x-amz-json-1.1') {
      fail(res, 'SerializationException', 'Expected POST with application/x-amz-json-1.1');
      return;
    }
    const run = operations[operation];
    if (typeof target !== 'string' || !target.startsWith('TrentService.') || run === undefined) {
      fail(res, 'UnknownOperationException', `Unknown operation ${String(target)}`);
      return;
    }
    calls.push(operation);
    const input = parseJson(body);
    try {
      if (!isRecord(input))
        throw new KmsError('SerializationException', 'Body is not a JSON object');
      sendJson(res, 200, run(input), {
        'content-type': 'application/x-amz-json-1.1',
        'x-amzn-requestid': randomUUID(),
      });
    } catch (error) {
      if (!(error instanceof KmsError)) throw error;
      fail(res, error.type, error.message);
    }
  });

  return {
    endpoint: server.url,
    region,
    credentials,
    calls,
    createKey(options = {}) {
      const key = newKey();
      if (options.alias !== undefined) aliases.set(`alias/${options.alias}`, key.id);
      return { keyId: key.id, arn: key.arn };
    },
    stateOf(keyId) {
      const key = resolve(keyId);
      const state =
        key.pendingWindowInDays !== undefined
          ? 'PendingDeletion'
          : key.enabled
            ? 'Enabled'
            : 'Disabled';
      return { state, pendingWindowInDays: key.pendingWindowInDays };
    },
    keyCount: () => keys.size,
    rotate(keyId) {
      const key = resolve(keyId);
      key.backing.push(randomBytes(32));
      return key.backing.length;
    },
    disable(keyId) {
      resolve(keyId).enabled = false;
    },
    backingVersionOf(blob) {
      return Buffer.from(blob).readUInt32BE(MAGIC.length + 36);
    },
    close: () => server.close(),
  };
}
