/**
 * Objects sealed with their workspace's data key before they reach the
 * store. Each object gets a content key of its own (32 random bytes); the
 * content key is sealed by the workspace's keyring, bound to the workspace
 * and the object key, and written at the head of the object; the body
 * follows as a sealed stream (crypto/sealed-stream.ts) under the content
 * key, each chunk bound to the workspace, the object key, its index and
 * whether it is the last:
 *
 *   "WRDOBJ1\n" || uint32 BE length || sealed content key || sealed stream
 *
 * The keyring is reached in one short transaction per object (to seal or
 * open the content key), never across the upload or the download, so a
 * large export holds no database connection while it streams. Shredding
 * the workspace destroys its data keys, so no content key, hence no object,
 * opens again; an object copied to another key or workspace does not open
 * either.
 */
import { Readable } from 'node:stream';
import type { Database } from '../../db/database.js';
import type { Principal } from '../../db/principal.js';
import type { TenantTx } from '../../db/tenant-tx.js';
import { AppError } from '../../base/errors.js';
import { openStream, randomKey, sealStream } from '../crypto/index.js';
import type { Keyring } from '../keys/index.js';
import { parseObjectKey, type ObjectKey } from './object-key.js';
import type { ObjectBody, ObjectInfo, ObjectStore } from './object-store.js';

const MAGIC = Buffer.from('WRDOBJ1\n', 'ascii');
const HEAD_BYTES = MAGIC.length + 4;
/** A sealed 32-byte key is under 100 bytes; anything much larger is not our header. */
const MAX_SEALED_KEY_BYTES = 1024;

const keyRef = (key: ObjectKey) => ({
  table: 'storage_objects',
  column: 'content_key',
  rowId: key,
});
const binding = (key: ObjectKey) => [parseObjectKey(key).workspaceId, key];

export interface SealedObjectsDeps {
  readonly store: ObjectStore;
  readonly db: Pick<Database, 'withTenant'>;
  readonly keyring: Pick<Keyring, 'seal' | 'open'>;
}

function checkOwner(principal: Principal, key: ObjectKey): void {
  if (parseObjectKey(key).workspaceId !== principal.tenantId.toLowerCase()) {
    throw new AppError('forbidden', "The object key names another workspace than the caller's");
  }
}

async function* sealedBody(
  sealedKey: Buffer,
  contentKey: Buffer,
  key: ObjectKey,
  body: ObjectBody,
): AsyncGenerator<Buffer> {
  const head = Buffer.alloc(HEAD_BYTES);
  MAGIC.copy(head, 0);
  head.writeUInt32BE(sealedKey.length, MAGIC.length);
  yield Buffer.concat([head, sealedKey]);
  yield* sealStream(contentKey, binding(key), body);
}

/** Seals `body` under a new content key and stores it; the principal's workspace must own the key. */
export async function writeSealed(
  deps: SealedObjectsDeps,
  principal: Principal,
  key: ObjectKey,
  body: ObjectBody,
): Promise<ObjectInfo> {
  checkOwner(principal, key);
  const contentKey = randomKey();
  try {
    const sealedKey = await deps.db.withTenant(principal, (tx) =>
      deps.keyring.seal(tx, keyRef(key), contentKey),
    );
    return await deps.store.put(key, sealedBody(sealedKey, contentKey, key, body));
  } finally {
    contentKey.fill(0);
  }
}

/** Reads the stored header: the sealed content key, and the rest of the stream after it. */
async function readHeader(
  stored: Readable,
): Promise<{ sealedKey: Buffer; rest: AsyncIterable<Uint8Array> }> {
  const iterator = stored[Symbol.asyncIterator]() as AsyncIterator<Buffer>;
  let buffered = Buffer.alloc(0);
  const need = async (n: number): Promise<void> => {
    while (buffered.length < n) {
      const next = await iterator.next();
      if (next.done === true) throw new AppError('decryption_failed', 'Stored object is cut short');
      buffered = Buffer.concat([buffered, next.value]);
    }
  };
  await need(HEAD_BYTES);
  if (!buffered.subarray(0, MAGIC.length).equals(MAGIC)) {
    throw new AppError('decryption_failed', 'Stored object is not a sealed Wardroom object');
  }
  const length = buffered.readUInt32BE(MAGIC.length);
  if (length > MAX_SEALED_KEY_BYTES) {
    throw new AppError('decryption_failed', 'Stored object has an impossible header');
  }
  await need(HEAD_BYTES + length);
  const sealedKey = Buffer.from(buffered.subarray(HEAD_BYTES, HEAD_BYTES + length));
  const leftover = buffered.subarray(HEAD_BYTES + length);
  async function* rest(): AsyncGenerator<Uint8Array> {
    if (leftover.length > 0) yield leftover;
    for (let next = await iterator.next(); next.done !== true; next = await iterator.next()) {
      yield next.value;
    }
  }
  return { sealedKey, rest: rest() };
}

/**
 * Opens a stored object: its content key in one transaction of the
 * principal's workspace (after `inTx`, if given, which runs in the same
 * transaction: the download's audit event), then the body as a stream of
 * plaintext. A tampered, truncated or moved object fails the stream with
 * `decryption_failed`.
 */
export async function readSealed(
  deps: SealedObjectsDeps,
  principal: Principal,
  key: ObjectKey,
  inTx?: (tx: TenantTx) => Promise<void>,
): Promise<Readable> {
  checkOwner(principal, key);
  const stored = await deps.store.get(key);
  let contentKey: Buffer;
  let rest: AsyncIterable<Uint8Array>;
  try {
    const header = await readHeader(stored);
    rest = header.rest;
    contentKey = await deps.db.withTenant(principal, async (tx) => {
      await inTx?.(tx);
      return deps.keyring.open(tx, keyRef(key), header.sealedKey);
    });
  } catch (error) {
    stored.destroy();
    throw error;
  }
  async function* plaintext(): AsyncGenerator<Buffer> {
    try {
      yield* openStream(contentKey, binding(key), rest);
    } finally {
      contentKey.fill(0);
      stored.destroy();
    }
  }
  return Readable.from(plaintext(), { objectMode: false });
}
