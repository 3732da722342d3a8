/**
 * The one definition of a textual UUID (any version, any case), used
 * wherever an id arrives as text before it reaches SQL or bytes, and its
 * 16-byte form (envelope headers, API tokens).
 */
import { AppError } from './errors.js';

const UUID_PATTERN = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

export function isUuid(value: string): boolean {
  return UUID_PATTERN.test(value);
}

// Key ids repeat on every seal (one per workspace key), so their bytes are
// kept: parsing a uuid costs about as much as a quarter of a 1 KB seal.
const cachedBytes = new Map<string, Buffer>();
const CACHE_LIMIT = 4096;

/** A uuid's 16 bytes, cached: the caller must not write to the buffer. */
export function uuidBytes(uuid: string): Buffer {
  let bytes = cachedBytes.get(uuid);
  if (bytes === undefined) {
    if (!isUuid(uuid)) throw new AppError('bad_request', 'not a uuid');
    bytes = Buffer.from(
      uuid.slice(0, 8) +
        uuid.slice(9, 13) +
        uuid.slice(14, 18) +
        uuid.slice(19, 23) +
        uuid.slice(24),
      'hex',
    );
    if (cachedBytes.size >= CACHE_LIMIT) cachedBytes.clear();
    cachedBytes.set(uuid, bytes);
  }
  return bytes;
}

/** A uuid's 16 bytes in a buffer of the caller's own. */
export function uuidToBytes(uuid: string): Buffer {
  return Buffer.from(uuidBytes(uuid));
}

export function bytesToUuid(bytes: Uint8Array): string {
  const h = Buffer.from(bytes).toString('hex');
  return `${h.slice(0, 8)}-${h.slice(8, 12)}-${h.slice(12, 16)}-${h.slice(16, 20)}-${h.slice(20)}`;
}
