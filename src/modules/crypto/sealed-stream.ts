/**
 * Sealing a byte stream in chunks, so an object of any size is sealed and
 * opened in constant memory. Each chunk is one XChaCha20-Poly1305 message
 * (primitives/aead.ts) under a key used for this one stream, with a random
 * nonce of its own:
 *
 *   frame   = uint32 BE length of the rest || nonce (24) || ciphertext || tag (16)
 *
 * The associated data of chunk i is
 *
 *   "wardroom.stream.v1\0" || each binding value followed by "\0"
 *   || uint64 BE i || one byte: 1 for the last chunk, 0 otherwise
 *
 * so a chunk moved to another place in the stream, or to another stream
 * (other bindings: workspace, object key), does not open; a stream cut after
 * any chunk but the last (whose final byte is 1) is refused when it ends,
 * and bytes after the last chunk are refused too. A stream always has at
 * least one chunk (an empty body is one empty final chunk), so an empty
 * input opens to nothing only if that final chunk is there.
 */
import { AppError } from '../../base/errors.js';
import {
  aeadOpen,
  aeadSealInto,
  KEY_BYTES,
  NONCE_BYTES,
  randomNonce,
  TAG_BYTES,
} from './primitives/aead.js';

/** Plaintext bytes per chunk. */
export const STREAM_CHUNK_BYTES = 64 * 1024;
const FRAME_OVERHEAD = NONCE_BYTES + TAG_BYTES;
const LENGTH_BYTES = 4;
const AD_PREFIX = Buffer.from('wardroom.stream.v1\0', 'utf8');

/** What a sealed stream is bound to, in order (no value may contain NUL). */
export type StreamBinding = readonly string[];

function bindingBytes(binding: StreamBinding): Buffer {
  for (const value of binding) {
    if (value.includes('\0')) throw new AppError('internal', 'stream binding contains NUL');
  }
  return Buffer.concat([AD_PREFIX, ...binding.map((v) => Buffer.from(`${v}\0`, 'utf8'))]);
}

function chunkAd(bound: Buffer, index: bigint, final: boolean): Buffer {
  const ad = Buffer.allocUnsafe(bound.length + 9);
  bound.copy(ad, 0);
  ad.writeBigUInt64BE(index, bound.length);
  ad[bound.length + 8] = final ? 1 : 0;
  return ad;
}

function checkKey(key: Uint8Array): void {
  if (key.byteLength !== KEY_BYTES) {
    throw new AppError('internal', `stream key must be ${KEY_BYTES} bytes`);
  }
}

function sealChunk(
  key: Uint8Array,
  bound: Buffer,
  index: bigint,
  plain: Buffer,
  final: boolean,
): Buffer {
  const frame = Buffer.allocUnsafe(LENGTH_BYTES + FRAME_OVERHEAD + plain.length);
  frame.writeUInt32BE(FRAME_OVERHEAD + plain.length, 0);
  const nonce = randomNonce();
  nonce.copy(frame, LENGTH_BYTES);
  aeadSealInto(
    frame.subarray(LENGTH_BYTES + NONCE_BYTES),
    key,
    nonce,
    plain,
    chunkAd(bound, index, final),
  );
  return frame;
}

/**
 * Seals `source` chunk by chunk. Holds at most one chunk of plaintext (plus
 * what the source yields at once); the caller keeps and zeroes the key.
 */
export async function* sealStream(
  key: Uint8Array,
  binding: StreamBinding,
  source: AsyncIterable<Uint8Array>,
): AsyncGenerator<Buffer> {
  checkKey(key);
  const bound = bindingBytes(binding);
  const pending = Buffer.alloc(STREAM_CHUNK_BYTES);
  let filled = 0;
  let index = 0n;
  try {
    for await (const piece of source) {
      let at = 0;
      const bytes = Buffer.from(piece.buffer, piece.byteOffset, piece.byteLength);
      while (at < bytes.length) {
        // A full chunk is sealed only once more input arrives: the last chunk must say it is last.
        if (filled === STREAM_CHUNK_BYTES) {
          yield sealChunk(key, bound, index++, pending, false);
          filled = 0;
        }
        const take = Math.min(STREAM_CHUNK_BYTES - filled, bytes.length - at);
        bytes.copy(pending, filled, at, at + take);
        filled += take;
        at += take;
      }
    }
    yield sealChunk(key, bound, index, pending.subarray(0, filled), true);
  } finally {
    pending.fill(0);
  }
}

function refuse(reason: string): never {
  throw new AppError('decryption_failed', `Could not open sealed stream: ${reason}`);
}

/**
 * Opens a stream sealed by `sealStream` with the same key and binding,
 * yielding plaintext chunk by chunk. Fails with `decryption_failed` on any
 * tampered, reordered, moved or missing chunk, on a stream cut short, and
 * on bytes after the last chunk; a frame longer than a chunk is refused
 * before it is buffered.
 */
export async function* openStream(
  key: Uint8Array,
  binding: StreamBinding,
  source: AsyncIterable<Uint8Array>,
): AsyncGenerator<Buffer> {
  checkKey(key);
  const bound = bindingBytes(binding);
  const reader = new FrameReader();
  let index = 0n;
  let ended = false;
  for await (const piece of source) {
    reader.push(Buffer.from(piece.buffer, piece.byteOffset, piece.byteLength));
    for (let frame = reader.next(); frame !== undefined; frame = reader.next()) {
      if (ended) refuse('data after the last chunk');
      const nonce = frame.subarray(0, NONCE_BYTES);
      const sealed = frame.subarray(NONCE_BYTES);
      const plain = openChunk(key, nonce, sealed, bound, index);
      ended = plain.final;
      index++;
      if (plain.bytes.length > 0) yield plain.bytes;
    }
  }
  if (reader.buffered > 0) refuse('a partial chunk at the end');
  if (!ended) refuse('the stream ends before its last chunk');
}

function openChunk(
  key: Uint8Array,
  nonce: Buffer,
  sealed: Buffer,
  bound: Buffer,
  index: bigint,
): { bytes: Buffer; final: boolean } {
  // The final flag is not stored: the chunk opens under exactly one of the two.
  try {
    return { bytes: aeadOpen(key, nonce, sealed, chunkAd(bound, index, false)), final: false };
  } catch {
    try {
      return { bytes: aeadOpen(key, nonce, sealed, chunkAd(bound, index, true)), final: true };
    } catch {
      refuse(`chunk ${index} does not open here`);
    }
  }
}

/** Splits incoming bytes into frames, holding at most one frame. */
class FrameReader {
  private parts: Buffer[] = [];
  buffered = 0;

  push(bytes: Buffer): void {
    if (bytes.length === 0) return;
    this.parts.push(bytes);
    this.buffered += bytes.length;
  }

  next(): Buffer | undefined {
    if (this.buffered < LENGTH_BYTES) return undefined;
    const head = this.take(LENGTH_BYTES, false);
    const length = head.readUInt32BE(0);
    if (length < FRAME_OVERHEAD || length > FRAME_OVERHEAD + STREAM_CHUNK_BYTES) {
      refuse('a chunk of impossible length');
    }
    if (this.buffered < LENGTH_BYTES + length) return undefined;
    this.take(LENGTH_BYTES, true);
    return this.take(length, true);
  }

  /** The first `n` buffered bytes (the caller checked they are there); removed when `consume`. */
  private take(n: number, consume: boolean): Buffer {
    let first = this.parts[0] ?? Buffer.alloc(0);
    if (first.length < n) {
      first = Buffer.concat(this.parts);
      this.parts = [first];
    }
    if (!consume) return first.subarray(0, n);
    // A copy: the source may reuse its buffers once the next piece is read.
    const out = Buffer.from(first.subarray(0, n));
    if (first.length === n) this.parts.shift();
    else this.parts[0] = first.subarray(n);
    this.buffered -= n;
    return out;
  }
}
