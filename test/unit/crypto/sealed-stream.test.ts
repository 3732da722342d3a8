/**
 * The sealed stream: round trips at every size around the chunk boundary,
 * and refuses every way of rearranging what was stored: a flipped bit, a
 * reordered, dropped, duplicated or moved chunk, a cut stream, bytes after
 * the end, another binding (workspace, object key) or key.
 */
import { randomBytes } from 'node:crypto';
import { Readable } from 'node:stream';
import { describe, expect, it } from 'vitest';
import {
  openStream,
  randomKey,
  sealStream,
  STREAM_CHUNK_BYTES,
} from '../../../src/modules/crypto/index.js';

const binding = ['ws-a', 'tenants/ws-a/exports/a.zip'];

async function collect(source: AsyncIterable<Uint8Array>): Promise<Buffer> {
  const parts: Buffer[] = [];
  for await (const part of source) parts.push(Buffer.from(part));
  return Buffer.concat(parts);
}

/** `bytes` as an async stream of `size`-byte pieces. */
function pieces(bytes: Buffer, size: number): AsyncIterable<Buffer> {
  const out: Buffer[] = [];
  for (let at = 0; at < bytes.length; at += size) out.push(bytes.subarray(at, at + size));
  return Readable.from(out, { objectMode: true });
}

/** The sealed frames, each one chunk: `uint32 length || nonce || ciphertext || tag`. */
async function frames(key: Buffer, plain: Buffer, b = binding): Promise<Buffer[]> {
  const out: Buffer[] = [];
  for await (const frame of sealStream(key, b, pieces(plain, 10_000))) out.push(frame);
  return out;
}

async function open(key: Buffer, sealed: Buffer | Buffer[], b = binding): Promise<Buffer> {
  const bytes = Array.isArray(sealed) ? Buffer.concat(sealed) : sealed;
  return collect(openStream(key, b, pieces(bytes, 7_777)));
}

const refused = { code: 'decryption_failed' };

describe('sealed stream', () => {
  it.each([
    0,
    1,
    STREAM_CHUNK_BYTES - 1,
    STREAM_CHUNK_BYTES,
    STREAM_CHUNK_BYTES + 1,
    3 * STREAM_CHUNK_BYTES + 5,
  ])('round-trips %i bytes in any piece sizes', async (size) => {
    const key = randomKey();
    const plain = randomBytes(size);
    const sealed = Buffer.concat(await frames(key, plain));
    if (size >= 64) expect(sealed.includes(plain.subarray(0, 64))).toBe(false);
    for (const piece of [1, 13, 65_536, sealed.length || 1]) {
      expect((await collect(openStream(key, binding, pieces(sealed, piece)))).equals(plain)).toBe(
        true,
      );
    }
  });

  it('has exactly one final chunk: a full last chunk is not followed by an empty one', async () => {
    const f = await frames(randomKey(), randomBytes(2 * STREAM_CHUNK_BYTES));
    expect(f).toHaveLength(2);
  });

  it('refuses a flipped bit anywhere', async () => {
    const key = randomKey();
    const sealed = Buffer.concat(await frames(key, randomBytes(STREAM_CHUNK_BYTES + 100)));
    for (const at of [4, 10, 30, 100, STREAM_CHUNK_BYTES, sealed.length - 1]) {
      const bad = Buffer.from(sealed);
      bad[at]! ^= 1;
      await expect(open(key, bad)).rejects.toMatchObject(refused);
    }
  });

  it('refuses reordered, dropped and duplicated chunks', async () => {
    const key = randomKey();
    const f = await frames(key, randomBytes(3 * STREAM_CHUNK_BYTES + 10));
    expect(f).toHaveLength(4);
    await expect(open(key, [f[1]!, f[0]!, f[2]!, f[3]!])).rejects.toMatchObject(refused);
    await expect(open(key, [f[0]!, f[2]!, f[3]!])).rejects.toMatchObject(refused);
    await expect(open(key, [f[0]!, f[0]!, f[1]!, f[2]!, f[3]!])).rejects.toMatchObject(refused);
  });

  it('refuses a stream cut at a chunk boundary, or inside a chunk', async () => {
    const key = randomKey();
    const f = await frames(key, randomBytes(2 * STREAM_CHUNK_BYTES + 10));
    await expect(open(key, [f[0]!, f[1]!])).rejects.toMatchObject(refused);
    await expect(open(key, [])).rejects.toMatchObject(refused);
    const all = Buffer.concat(f);
    await expect(open(key, all.subarray(0, all.length - 1))).rejects.toMatchObject(refused);
  });

  it('refuses bytes after the last chunk, even a valid chunk of the same stream', async () => {
    const key = randomKey();
    const f = await frames(key, randomBytes(10));
    await expect(open(key, [...f, f[0]!])).rejects.toMatchObject(refused);
    await expect(open(key, [...f, Buffer.from([0])])).rejects.toMatchObject(refused);
  });

  it('refuses a chunk moved from another stream under the same key', async () => {
    const key = randomKey();
    const a = await frames(key, randomBytes(STREAM_CHUNK_BYTES + 1));
    const b = await frames(key, randomBytes(STREAM_CHUNK_BYTES + 1), [
      'ws-a',
      'tenants/ws-a/other',
    ]);
    await expect(open(key, [a[0]!, b[1]!])).rejects.toMatchObject(refused);
  });

  it('opens only with its own binding and key', async () => {
    const key = randomKey();
    const f = await frames(key, randomBytes(100));
    await expect(open(key, f, ['ws-b', binding[1]!])).rejects.toMatchObject(refused);
    await expect(open(key, f, ['ws-a', 'tenants/ws-a/exports/b.zip'])).rejects.toMatchObject(
      refused,
    );
    // The binding's parts are delimited: moving a character across the boundary changes it.
    await expect(open(key, f, ['ws-', `a${binding[1]!}`])).rejects.toMatchObject(refused);
    await expect(open(randomKey(), f)).rejects.toMatchObject(refused);
  });

  it('refuses a frame claiming more than a chunk before buffering it', async () => {
    const huge = Buffer.alloc(4);
    huge.writeUInt32BE(0xffffffff, 0);
    await expect(open(randomKey(), huge)).rejects.toMatchObject(refused);
  });
});
