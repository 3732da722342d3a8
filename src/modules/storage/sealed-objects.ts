/**
 * Objects sealed with their workspace's data key before they reach the
 * store. Each object gets a content key of its own (32 random bytes); the
 * content key is sealed by the workspace's keyring, bound to the workspace
 * and the object key, and kept in `storage_objects` (migration 030), a
 * registered sealed field, so key rotation re-seals it and the minimum
 * version waits for it. The object holds a magic line and the body as a
 * sealed stream (crypto/sealed-stream.ts) under the content key, each chunk
 * bound to the workspace, the object key, its index and whether it is the
 * last:
 *
 *   "WRDOBJ2\n" || sealed stream
 *
 * Objects written before migration 030 carry the sealed content key in
 * their head and are still read:
 *
 *   "WRDOBJ1\n" || uint32 BE length || sealed content key || sealed stream
 *
 * The keyring is reached in short transactions per object (to seal, to
 * record the row, to open), never across the upload or the download, so a
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

const MAGIC = Buffer.from('WRDOBJ2\n', 'ascii');
const LEGACY_MAGIC = Buffer.from('WRDOBJ1\n', 'ascii');
const HEAD_BYTES = LEGACY_MAGIC.length + 4;
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
  contentKey: Buffer,
  key: ObjectKey,
  body: ObjectBody,
): AsyncGenerator<Buffer> {
  yield MAGIC;
  yield* sealStream(contentKey, binding(key), body);
}

/**
 * Seals `body` under a new content key and stores it; the principal's
 * workspace must own the key. The sealed content key is recorded once the
 * object is complete, in one transaction with `inTx` (the caller's audit
 * event); storing a key again replaces both.
 */
export async function writeSealed(
  deps: SealedObjectsDeps,
  principal: Principal,
  key: ObjectKey,
  body: ObjectBody,
  inTx?: (tx: TenantTx, info: ObjectInfo) => Promise<void>,
): Promise<ObjectInfo> {
  checkOwner(principal, key);
  const contentKey = randomKey();
  try {
    const sealedKey = await deps.db.withTenant(principal, (tx) =>
      deps.keyring.seal(tx, keyRef(key), contentKey),
    );
    const info = await deps.store.put(key, sealedBody(contentKey, key, body));
    await deps.db.withTenant(principal, async (tx) => {
      await tx
        .insertInto('storage_objects')
        .values({
          tenant_id: principal.tenantId,
          object_key: key,
          content_key: sealedKey,
          size: info.size,
        })
        .onConflict((oc) =>
          oc.columns(['tenant_id', 'object_key']).doUpdateSet({
            content_key: sealedKey,
            size: info.size,
            updated_at: new Date(),
          }),
        )
        .execute();
      await inTx?.(tx, info);
    });
    return info;
  } finally {
    contentKey.fill(0);
  }
}

/** The stored content key of an object written since migration 030. */
async function storedContentKey(tx: TenantTx, key: ObjectKey): Promise<Buffer> {
  const row = await tx
    .selectFrom('storage_objects')
    .select('content_key')
    .where('object_key', '=', key)
    .executeTakeFirst();
  if (row === undefined) {
    throw new AppError('decryption_failed', 'Stored object has no content key on record');
  }
  return row.content_key;
}

/**
 * Reads the stored head: the sealed content key when the object carries it
 * (format 1; null for format 2, whose key is on record), and the rest of the
 * stream after the head.
 */
async function readHeader(
  stored: Readable,
): Promise<{ sealedKey: Buffer | null; rest: AsyncIterable<Uint8Array> }> {
  const iterator = stored[Symbol.asyncIterator]() as AsyncIterator<Buffer>;
  let buffered = Buffer.alloc(0);
  const need = async (n: number): Promise<void> => {
    while (buffered.length < n) {
      const next = await iterator.next();
      if (next.done === true) throw new AppError('decryption_failed', 'Stored object is cut short');
      buffered = Buffer.concat([buffered, next.value]);
    }
  };
  const rest = async function* (from: number): AsyncGenerator<Uint8Array> {
    const leftover = buffered.subarray(from);
    if (leftover.length > 0) yield leftover;
    for (let next = await iterator.next(); next.done !== true; next = await iterator.next()) {
      yield next.value;
    }
  };
  await need(MAGIC.length);
  const magic = buffered.subarray(0, MAGIC.length);
  if (magic.equals(MAGIC)) return { sealedKey: null, rest: rest(MAGIC.length) };
  if (!magic.equals(LEGACY_MAGIC)) {
    throw new AppError('decryption_failed', 'Stored object is not a sealed Wardroom object');
  }
  await need(HEAD_BYTES);
  const length = buffered.readUInt32BE(LEGACY_MAGIC.length);
  if (length > MAX_SEALED_KEY_BYTES) {
    throw new AppError('decryption_failed', 'Stored object has an impossible header');
  }
  await need(HEAD_BYTES + length);
  const sealedKey = Buffer.from(buffered.subarray(HEAD_BYTES, HEAD_BYTES + length));
  return { sealedKey, rest: rest(HEAD_BYTES + length) };
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
      const sealedKey = header.sealedKey ?? (await storedContentKey(tx, key));
      return deps.keyring.open(tx, keyRef(key), sealedKey);
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
