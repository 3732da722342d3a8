/**
 * Objects are sealed with their workspace's data key before they reach the
 * store, on both backends: the store never holds the plaintext, an object
 * opens only in its own workspace and under its own key, a tampered or cut
 * object fails, and once the workspace is shredded (the existing path) its
 * objects open no more. Memory stays flat while a large body streams.
 */
import { randomBytes } from 'node:crypto';
import { Readable } from 'node:stream';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { systemPrincipal } from '../../src/db/principal.js';
import {
  createStorage,
  linkSecret,
  objectKey,
  type ObjectKey,
  type Storage,
} from '../../src/modules/storage/index.js';
import { call } from '../support/http.js';
import { newWorkspace, startTestApp, type TestApp } from '../support/app.js';
import { BACKENDS, startBackend, type Backend } from './storage-harness.js';

async function bytesOf(stream: Readable): Promise<Buffer> {
  const parts: Buffer[] = [];
  for await (const part of stream) parts.push(part as Buffer);
  return Buffer.concat(parts);
}

async function storedBytes(storage: Storage, key: ObjectKey): Promise<Buffer> {
  return bytesOf(await storage.store.get(key));
}

let t: TestApp;
beforeAll(async () => {
  t = await startTestApp();
});
afterAll(() => t.close());

describe.each(BACKENDS)('sealed objects on the %s store', (kind) => {
  let backend: Backend;
  let storage: Storage;
  beforeAll(async () => {
    backend = await startBackend(kind);
    storage = createStorage({
      store: backend.store,
      db: t.db,
      keyring: t.keyring,
      linkSecret: linkSecret(t.authSecret),
      publicUrl: 'http://127.0.0.1:8080',
    });
  });
  afterAll(() => backend.close());

  it('stores only ciphertext and opens it again in its workspace', async () => {
    const ws = await newWorkspace(t);
    const principal = systemPrincipal(ws.id, 'test');
    const key = objectKey(ws.id, 'exports', 'plain.txt');
    const plain = Buffer.from('The quarterly numbers: 42, 43, 44. '.repeat(5000));
    const info = await storage.write(principal, key, Readable.from([plain]));
    const stored = await storedBytes(storage, key);
    expect(info.size).toBe(stored.length);
    expect(stored.includes(Buffer.from('quarterly'))).toBe(false);
    expect(stored.subarray(0, 8).toString()).toBe('WRDOBJ2\n');
    expect((await bytesOf(await storage.read(principal, key))).equals(plain)).toBe(true);
  });

  it('records object.stored and object.deleted in the workspace, and removes only its own', async () => {
    const ws = await newWorkspace(t);
    const other = await newWorkspace(t);
    const principal = systemPrincipal(ws.id, 'test');
    const key = objectKey(ws.id, 'exports', 'audited.bin');
    const info = await storage.write(principal, key, Readable.from([randomBytes(10)]));
    await expect(storage.remove(systemPrincipal(other.id, 'test'), key)).rejects.toMatchObject({
      code: 'forbidden',
    });
    expect(await storage.store.exists(key)).toBe(true);
    await storage.remove(principal, key);
    expect(await storage.store.exists(key)).toBe(false);
    const events = await t.db.withTenant(principal, (tx) =>
      tx
        .selectFrom('audit_log')
        .select(['action', 'targets', 'metadata'])
        .where('action', 'like', 'object.%')
        .orderBy('id')
        .execute(),
    );
    expect(events).toEqual([
      {
        action: 'object.stored',
        targets: [{ type: 'object', id: key }],
        metadata: { size: info.size },
      },
      { action: 'object.deleted', targets: [{ type: 'object', id: key }], metadata: {} },
    ]);
  });

  it('round-trips an empty body and a body of odd-sized pieces', async () => {
    const ws = await newWorkspace(t);
    const principal = systemPrincipal(ws.id, 'test');
    const empty = objectKey(ws.id, 'empty');
    await storage.write(principal, empty, Readable.from([]));
    expect((await bytesOf(await storage.read(principal, empty))).length).toBe(0);
    const odd = objectKey(ws.id, 'odd');
    const plain = randomBytes(200_003);
    function* pieces() {
      for (let at = 0; at < plain.length; at += 9_999) yield plain.subarray(at, at + 9_999);
    }
    await storage.write(principal, odd, Readable.from(pieces()));
    expect((await bytesOf(await storage.read(principal, odd))).equals(plain)).toBe(true);
  });

  it("refuses to write or read another workspace's key", async () => {
    const a = await newWorkspace(t);
    const b = await newWorkspace(t);
    const key = objectKey(b.id, 'x');
    await expect(
      storage.write(systemPrincipal(a.id, 'test'), key, Readable.from([Buffer.from('x')])),
    ).rejects.toMatchObject({ code: 'forbidden' });
    await storage.write(systemPrincipal(b.id, 'test'), key, Readable.from([Buffer.from('x')]));
    await expect(storage.read(systemPrincipal(a.id, 'test'), key)).rejects.toMatchObject({
      code: 'forbidden',
    });
  });

  it('does not open an object moved to another key or another workspace', async () => {
    const a = await newWorkspace(t);
    const b = await newWorkspace(t);
    const original = objectKey(a.id, 'exports', 'one');
    await storage.write(
      systemPrincipal(a.id, 'test'),
      original,
      Readable.from([randomBytes(1000)]),
    );
    const bytes = await storedBytes(storage, original);
    const sameWs = objectKey(a.id, 'exports', 'two');
    const otherWs = objectKey(b.id, 'exports', 'one');
    await storage.store.put(sameWs, Readable.from([bytes]));
    await storage.store.put(otherWs, Readable.from([bytes]));
    await expect(storage.read(systemPrincipal(a.id, 'test'), sameWs)).rejects.toMatchObject({
      code: 'decryption_failed',
    });
    await expect(storage.read(systemPrincipal(b.id, 'test'), otherWs)).rejects.toMatchObject({
      code: 'decryption_failed',
    });
  });

  it('fails a tampered or truncated object while streaming', async () => {
    const ws = await newWorkspace(t);
    const principal = systemPrincipal(ws.id, 'test');
    const key = objectKey(ws.id, 'exports', 'tamper');
    await storage.write(principal, key, Readable.from([randomBytes(300_000)]));
    const bytes = await storedBytes(storage, key);
    const flipped = Buffer.from(bytes);
    flipped[bytes.length - 100]! ^= 1;
    await storage.store.put(key, Readable.from([flipped]));
    await expect(bytesOf(await storage.read(principal, key))).rejects.toMatchObject({
      code: 'decryption_failed',
    });
    await storage.store.put(key, Readable.from([bytes.subarray(0, bytes.length - 70_000)]));
    await expect(bytesOf(await storage.read(principal, key))).rejects.toMatchObject({
      code: 'decryption_failed',
    });
    await storage.store.put(key, Readable.from([Buffer.from('not sealed at all')]));
    await expect(storage.read(principal, key)).rejects.toMatchObject({ code: 'decryption_failed' });
  });

  it('opens nothing of a shredded workspace, and deletes its objects on request', async () => {
    const ws = await newWorkspace(t);
    const principal = systemPrincipal(ws.id, 'test');
    const key = objectKey(ws.id, 'exports', 'before-shred');
    await storage.write(principal, key, Readable.from([Buffer.from('secret export')]));
    const name = await t.db.withTenant(principal, (tx) =>
      tx.selectFrom('workspaces').select('name').executeTakeFirstOrThrow(),
    );
    const shred = await call(t, 'POST', `/api/v1/workspaces/${ws.id}/shred`, {
      token: ws.ownerToken,
      payload: { confirm: name.name },
    });
    expect(shred.statusCode, shred.body).toBe(200);
    // The bytes are still in this store (the server's shred deleted the objects of its own store,
    // and every content key on record), and nothing opens them.
    expect(await storage.store.exists(key)).toBe(true);
    await expect(storage.read(systemPrincipal(ws.id, 'test'), key)).rejects.toMatchObject({
      code: 'decryption_failed',
    });
    expect(await storage.deleteWorkspaceObjects(ws.id)).toBe(1);
    expect(await storage.store.exists(key)).toBe(false);
  });

  // On the folder store only: s3rver runs in this process, so its own buffers would be counted too.
  // (The S3 store's multipart streaming is in the contract test.)
  it.runIf(kind === 'folder')('streams a large body in constant memory both ways', async () => {
    const ws = await newWorkspace(t);
    const principal = systemPrincipal(ws.id, 'test');
    const key = objectKey(ws.id, 'exports', 'large.bin');
    const piece = randomBytes(256 * 1024);
    const pieces = 256; // 64 MiB
    function* body() {
      for (let i = 0; i < pieces; i++) yield piece;
    }
    const before = process.memoryUsage().rss;
    let peak = before;
    const sample = setInterval(() => {
      peak = Math.max(peak, process.memoryUsage().rss);
    }, 20);
    try {
      await storage.write(principal, key, Readable.from(body()));
      let total = 0;
      for await (const part of await storage.read(principal, key)) total += (part as Buffer).length;
      expect(total).toBe(pieces * piece.length);
    } finally {
      clearInterval(sample);
    }
    // 64 MiB went through; the process grew by far less than that.
    expect(peak - before).toBeLessThan(48 * 1024 * 1024);
  });
});
