/**
 * The sealed-field envelope: versioned and self-describing, so a reader knows
 * the algorithm and which key version opened it without a side table.
 *
 *   byte 0       format version (1)
 *   byte 1       algorithm (1 = XChaCha20-Poly1305 IETF)
 *   bytes 2-17   key id (uuid of the workspace's data-key family)
 *   bytes 18-21  key version (uint32, big-endian)
 *   bytes 22-45  nonce (24 random bytes)
 *   bytes 46-    ciphertext || 16-byte tag
 *
 * The associated data is the whole header plus the field's place (tenant,
 * table, column, row id), so a ciphertext copied to another row, column or
 * tenant, or with an edited header, fails to open.
 */
import { AppError } from '../../errors.js';
import { isUuid } from '../../uuid.js';
import {
  aeadOpen,
  aeadSealInto,
  NONCE_BYTES,
  randomNonceInto,
  TAG_BYTES,
} from './primitives/aead.js';

export const ENVELOPE_VERSION = 1;
export const ALG_XCHACHA20POLY1305 = 1;
export const HEADER_BYTES = 2 + 16 + 4 + NONCE_BYTES;

/** Where a sealed value lives; bound into the associated data. */
export interface FieldPlace {
  readonly tenantId: string;
  readonly table: string;
  readonly column: string;
  readonly rowId: string;
}

export interface EnvelopeHeader {
  readonly keyId: string;
  readonly keyVersion: number;
}

export function sealEnvelope(
  key: Uint8Array,
  header: EnvelopeHeader,
  place: FieldPlace,
  plaintext: Uint8Array,
): Buffer {
  // One buffer for the whole envelope; the cipher writes straight into it.
  const out = Buffer.allocUnsafe(HEADER_BYTES + plaintext.byteLength + TAG_BYTES);
  out[0] = ENVELOPE_VERSION;
  out[1] = ALG_XCHACHA20POLY1305;
  writeUuid(header.keyId, out, 2);
  out.writeUInt32BE(header.keyVersion, 18);
  const head = out.subarray(0, HEADER_BYTES);
  const nonce = randomNonceInto(out.subarray(22, HEADER_BYTES));
  aeadSealInto(out.subarray(HEADER_BYTES), key, nonce, plaintext, associatedData(head, place));
  return out;
}

/** Reads the header without opening; throws decryption_failed on a malformed envelope. */
export function readEnvelopeHeader(envelope: Uint8Array): EnvelopeHeader {
  const buf = Buffer.from(envelope.buffer, envelope.byteOffset, envelope.byteLength);
  if (buf.length < HEADER_BYTES + TAG_BYTES) fail('envelope too short');
  if (buf[0] !== ENVELOPE_VERSION) fail('unknown envelope version');
  if (buf[1] !== ALG_XCHACHA20POLY1305) fail('unknown envelope algorithm');
  return { keyId: bytesToUuid(buf.subarray(2, 18)), keyVersion: buf.readUInt32BE(18) };
}

export function openEnvelope(key: Uint8Array, envelope: Uint8Array, place: FieldPlace): Buffer {
  const buf = Buffer.from(envelope.buffer, envelope.byteOffset, envelope.byteLength);
  if (buf.length < HEADER_BYTES + TAG_BYTES) fail('envelope too short');
  if (buf[0] !== ENVELOPE_VERSION) fail('unknown envelope version');
  if (buf[1] !== ALG_XCHACHA20POLY1305) fail('unknown envelope algorithm');
  const head = buf.subarray(0, HEADER_BYTES);
  const nonce = buf.subarray(22, HEADER_BYTES);
  return aeadOpen(key, nonce, buf.subarray(HEADER_BYTES), associatedData(head, place));
}

const AD_PREFIX = 'wardroom.field.v1\0';

function associatedData(head: Buffer, place: FieldPlace): Buffer {
  const text = `${AD_PREFIX}${place.tenantId}\0${place.table}\0${place.column}\0${place.rowId}`;
  if (hasNulInside(place)) fail('field place contains NUL');
  const ad = Buffer.allocUnsafe(HEADER_BYTES + Buffer.byteLength(text, 'utf8'));
  head.copy(ad, 0);
  ad.write(text, HEADER_BYTES, 'utf8');
  return ad;
}

function hasNulInside(place: FieldPlace): boolean {
  return [place.tenantId, place.table, place.column, place.rowId].some((p) => p.includes('\0'));
}

// Key ids repeat on every seal (one per workspace key), so their bytes are
// kept: parsing a uuid costs about as much as a quarter of a 1 KB seal.
const keyIdBytes = new Map<string, Buffer>();
const KEY_ID_CACHE_LIMIT = 4096;

/** Writes a uuid's 16 bytes into `out` at `offset`. */
function writeUuid(uuid: string, out: Buffer, offset: number): void {
  let bytes = keyIdBytes.get(uuid);
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
    if (keyIdBytes.size >= KEY_ID_CACHE_LIMIT) keyIdBytes.clear();
    keyIdBytes.set(uuid, bytes);
  }
  bytes.copy(out, offset);
}

export function uuidToBytes(uuid: string): Buffer {
  const out = Buffer.alloc(16);
  writeUuid(uuid, out, 0);
  return out;
}

export function bytesToUuid(bytes: Uint8Array): string {
  const h = Buffer.from(bytes).toString('hex');
  return `${h.slice(0, 8)}-${h.slice(8, 12)}-${h.slice(12, 16)}-${h.slice(16, 20)}-${h.slice(20)}`;
}

function fail(reason: string): never {
  throw new AppError('decryption_failed', `Could not open sealed value: ${reason}`);
}
