/**
 * Stored objects' content keys are on record (migration 030), one more
 * sealed field: key rotation re-seals them, so an object still opens after
 * `keys set-min-version` retires the version that first sealed its key (it
 * did not when the key lived only in the object's head); the minimum version
 * waits for them; an object whose key is not on record does not open; an
 * object written in the old format (key in its head) still opens; deleting
 * an object or a workspace's objects deletes their keys on record.
 */
import { Readable } from 'node:stream';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { randomKey, sealStream } from '../../src/modules/crypto/index.js';
import { setMinVersion } from '../../src/modules/keys/index.js';
import { startRotation } from '../../src/modules/keys/rotation/rotate-dek.js';
import { runSweep } from '../../src/modules/keys/rotation/sweep.js';
import {
  createStorage,
  linkSecret,
  objectKey,
  type ObjectKey,
  type Storage,
} from '../../src/modules/storage/index.js';
import { newWorkspace, startTestApp, type TestApp } from '../support/app.js';
import { principal } from '../support/keys.js';
import { startBackend, type Backend } from './storage-harness.js';

async function bytesOf(stream: Readable): Promise<Buffer> {
  const parts: Buffer[] = [];
  for await (const part of stream) parts.push(part as Buffer);
  return Buffer.concat(parts);
}

let t: TestApp;
let backend: Backend;
let storage: Storage;
beforeAll(async () => {
  t = await startTestApp();
  backend = await startBackend('folder');
  storage = createStorage({
    store: backend.store,
    db: t.db,
    keyring: t.keyring,
    linkSecret: linkSecret(t.authSecret),
    publicUrl: 'http://127.0.0.1:8080',
  });
});
afterAll(async () => {
  await backend.close();
  await t.close();
});

const keysOnRecord = (ws: string) =>
  t.db.withTenant(principal(ws), (tx) =>
    tx.selectFrom('storage_objects').select(['object_key', 'content_key', 'size']).execute(),
  );

const keyVersion = (sealed: Buffer) => sealed.readUInt32BE(18);

describe('stored objects and key rotation', () => {
  it('re-seals the content key on rotation: the object opens after the old version is retired', async () => {
    const ws = await newWorkspace(t);
    const key = objectKey(ws.id, 'exports', 'rotated.zip');
    const plain = Buffer.from('an export written before the rotation');
    const info = await storage.write(principal(ws.id), key, Readable.from([plain]));
    const [before] = await keysOnRecord(ws.id);
    expect(before).toMatchObject({ object_key: key, size: String(info.size) });
    expect(keyVersion(before!.content_key)).toBe(1);

    const started = await startRotation(t.db, t.keyring, principal(ws.id));
    // While the object's key is below version 2, the minimum version waits.
    await expect(
      t.db.withTenant(principal(ws.id), (tx) => setMinVersion(tx, 2)),
    ).rejects.toMatchObject({ code: 'conflict' });
    const done = await runSweep(t.db, t.keyring, principal(ws.id), started.rotationId, {
      batchSize: 10,
    });
    expect(done).toMatchObject({ status: 'done' });
    const [after] = await keysOnRecord(ws.id);
    expect(keyVersion(after!.content_key)).toBe(2);
    await t.db.withTenant(principal(ws.id), (tx) => setMinVersion(tx, 2));
    expect((await bytesOf(await storage.read(principal(ws.id), key))).equals(plain)).toBe(true);
  });

  it('does not open an object whose key is not on record, nor with another object’s key', async () => {
    const ws = await newWorkspace(t);
    const a = objectKey(ws.id, 'exports', 'a.zip');
    const b = objectKey(ws.id, 'exports', 'b.zip');
    await storage.write(principal(ws.id), a, Readable.from([Buffer.from('object a')]));
    await storage.write(principal(ws.id), b, Readable.from([Buffer.from('object b')]));
    // b's sealed content key put on a's row: bound to b's object key, it does not open for a.
    const rows = await keysOnRecord(ws.id);
    const bKey = rows.find((r) => r.object_key === b)!.content_key;
    await t.db.withTenant(principal(ws.id), (tx) =>
      tx
        .updateTable('storage_objects')
        .set({ content_key: bKey })
        .where('object_key', '=', a)
        .execute(),
    );
    await expect(storage.read(principal(ws.id), a)).rejects.toMatchObject({
      code: 'decryption_failed',
    });
    await t.db.withTenant(principal(ws.id), (tx) =>
      tx.deleteFrom('storage_objects').where('object_key', '=', b).execute(),
    );
    await expect(storage.read(principal(ws.id), b)).rejects.toMatchObject({
      code: 'decryption_failed',
    });
  });

  it('still opens an object written in the first format, its key in its head', async () => {
    const ws = await newWorkspace(t);
    const key: ObjectKey = objectKey(ws.id, 'exports', 'legacy.zip');
    const contentKey = randomKey();
    const ref = { table: 'storage_objects', column: 'content_key', rowId: key };
    const sealedKey = await t.db.withTenant(principal(ws.id), (tx) =>
      t.keyring.seal(tx, ref, contentKey),
    );
    const head = Buffer.alloc(12);
    head.write('WRDOBJ1\n', 0, 'ascii');
    head.writeUInt32BE(sealedKey.length, 8);
    const plain = Buffer.from('written before migration 030');
    async function* legacy() {
      yield Buffer.concat([head, sealedKey]);
      yield* sealStream(contentKey, [ws.id, key], Readable.from([plain]));
    }
    await backend.store.put(key, legacy());
    expect(await keysOnRecord(ws.id)).toEqual([]);
    expect((await bytesOf(await storage.read(principal(ws.id), key))).equals(plain)).toBe(true);
  });

  it('deletes the key on record with the object, and all of them with the workspace’s objects', async () => {
    const ws = await newWorkspace(t);
    const other = await newWorkspace(t);
    const keys = ['one', 'two', 'three'].map((n) => objectKey(ws.id, 'exports', `${n}.zip`));
    for (const k of keys) await storage.write(principal(ws.id), k, Readable.from([Buffer.from(k)]));
    const kept = objectKey(other.id, 'exports', 'kept.zip');
    await storage.write(principal(other.id), kept, Readable.from([Buffer.from('kept')]));
    await storage.remove(principal(ws.id), keys[0]!);
    expect((await keysOnRecord(ws.id)).map((r) => r.object_key).sort()).toEqual(
      [keys[1], keys[2]].sort(),
    );
    expect(await storage.deleteWorkspaceObjects(ws.id)).toBe(2);
    expect(await keysOnRecord(ws.id)).toEqual([]);
    expect((await keysOnRecord(other.id)).map((r) => r.object_key)).toEqual([kept]);
    expect(await backend.store.exists(kept)).toBe(true);
  });
});
