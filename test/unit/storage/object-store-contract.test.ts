/**
 * One contract, both backends: the folder store and the S3 store (the real
 * AWS SDK against s3rver on loopback) behave the same for put, get, head,
 * exists, delete and deletePrefix, stream large bodies, and keep one
 * workspace's deletion away from another's objects.
 */
import { randomBytes, randomUUID } from 'node:crypto';
import fs from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { Readable } from 'node:stream';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  folderStore,
  objectKey,
  s3Store,
  type ObjectStore,
  type S3ObjectStore,
} from '../../../src/modules/storage/index.js';
import { startS3, type TestS3 } from '../../support/s3.js';

async function bytesOf(stream: Readable): Promise<Buffer> {
  const parts: Buffer[] = [];
  for await (const part of stream) parts.push(part as Buffer);
  return Buffer.concat(parts);
}

let s3: TestS3;
let folderRoot: string;
const backends: Record<string, () => ObjectStore> = {};
let s3store: S3ObjectStore;

beforeAll(async () => {
  s3 = await startS3();
  folderRoot = await fs.mkdtemp(path.join(os.tmpdir(), 'wardroom-objects-'));
  s3store = s3Store(s3.config);
  const folder = folderStore(folderRoot);
  backends['folder'] = () => folder;
  backends['s3'] = () => s3store;
});
afterAll(async () => {
  s3store.close();
  await s3.close();
  await fs.rm(folderRoot, { recursive: true, force: true });
});

describe.each(['folder', 's3'])('%s object store', (name) => {
  const store = () => backends[name]!();

  it('puts, heads, gets and deletes an object', async () => {
    const ws = randomUUID();
    const key = objectKey(ws, 'exports', 'a.bin');
    const body = randomBytes(1000);
    expect(await store().exists(key)).toBe(false);
    expect(await store().head(key)).toBeUndefined();
    const info = await store().put(key, Readable.from([body]));
    expect(info.size).toBe(1000);
    expect((await store().head(key))?.size).toBe(1000);
    expect(await store().exists(key)).toBe(true);
    expect((await bytesOf(await store().get(key))).equals(body)).toBe(true);
    await store().delete(key);
    expect(await store().exists(key)).toBe(false);
    await store().delete(key); // not there: not an error
  });

  it('answers not_found for a missing object', async () => {
    await expect(store().get(objectKey(randomUUID(), 'nothing'))).rejects.toMatchObject({
      code: 'not_found',
    });
  });

  it('accepts any async iterable, stores an empty body, and replaces an object', async () => {
    const key = objectKey(randomUUID(), 'x');
    function* gen() {
      yield new Uint8Array([1, 2]);
      yield new Uint8Array([3]);
    }
    await store().put(key, Readable.from(gen()));
    expect([...(await bytesOf(await store().get(key)))]).toEqual([1, 2, 3]);
    await store().put(key, Readable.from([]));
    expect((await bytesOf(await store().get(key))).length).toBe(0);
  });

  it('streams a body larger than a multipart part, in pieces', async () => {
    const key = objectKey(randomUUID(), 'big.bin');
    const piece = randomBytes(1024 * 1024);
    function* body() {
      for (let i = 0; i < 12; i++) yield piece;
    }
    await store().put(key, Readable.from(body()));
    let total = 0;
    let chunks = 0;
    for await (const part of await store().get(key)) {
      total += (part as Buffer).length;
      chunks++;
    }
    expect(total).toBe(12 * 1024 * 1024);
    expect(chunks).toBeGreaterThan(1);
  });

  it('a failed upload leaves no object', async () => {
    const key = objectKey(randomUUID(), 'broken.bin');
    function* failing() {
      yield randomBytes(100);
      throw new Error('source failed');
    }
    await expect(store().put(key, Readable.from(failing()))).rejects.toThrow();
    expect(await store().exists(key)).toBe(false);
  });

  it("deletes every object of one workspace and none of another's", async () => {
    const a = randomUUID();
    const b = randomUUID();
    for (const name of ['1', '2']) {
      await store().put(objectKey(a, 'exports', name), Readable.from([Buffer.from(name)]));
    }
    await store().put(objectKey(a, 'deep', 'er', 'x'), Readable.from([Buffer.from('x')]));
    await store().put(objectKey(b, 'exports', '1'), Readable.from([Buffer.from('b')]));
    expect(await store().deletePrefix(a)).toBe(3);
    expect(await store().exists(objectKey(a, 'exports', '1'))).toBe(false);
    expect(await store().exists(objectKey(b, 'exports', '1'))).toBe(true);
    expect(await store().deletePrefix(a)).toBe(0);
  });
});

describe('folder store', () => {
  it('keeps objects in private files under tenants/<workspace>/ only', async () => {
    const ws = randomUUID();
    const key = objectKey(ws, 'exports', 'a.bin');
    await folderStore(folderRoot).put(key, Readable.from([Buffer.from('x')]));
    const file = path.join(folderRoot, 'tenants', ws, 'exports', 'a.bin');
    expect((await fs.stat(file)).mode & 0o777).toBe(0o600);
    expect((await fs.stat(path.dirname(file))).mode & 0o777).toBe(0o700);
    expect(await fs.readdir(path.join(folderRoot, '.incoming'))).toEqual([]);
  });

  it('refuses a forged key that would resolve outside the store', async () => {
    const forged = '../../etc/passwd' as Parameters<ObjectStore['get']>[0];
    await expect(folderStore(folderRoot).get(forged)).rejects.toMatchObject({
      code: 'object_key_invalid',
    });
  });
});

describe('S3 store', () => {
  it('presigns a GET of the stored bytes for at most 7 days', async () => {
    const key = objectKey(randomUUID(), 'p.bin');
    await s3store.put(key, Readable.from([Buffer.from('sealed bytes')]));
    const url = await s3store.presignedGetUrl(key, 60);
    expect(url).toContain('X-Amz-Signature=');
    const res = await fetch(url);
    expect(await res.text()).toBe('sealed bytes');
    await expect(s3store.presignedGetUrl(key, 7 * 86_400 + 1)).rejects.toMatchObject({
      code: 'validation_failed',
    });
  });

  it('says storage_unavailable, without the SDK message, when the store is gone', async () => {
    const gone = s3Store({ ...s3.config, endpoint: 'http://127.0.0.1:9' });
    await expect(gone.head(objectKey(randomUUID(), 'x'))).rejects.toMatchObject({
      code: 'storage_unavailable',
    });
    gone.close();
  });
});
