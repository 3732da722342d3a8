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
import { AppError } from '../../base/errors.js';
import { bytesToUuid, uuidBytes } from '../../base/uuid.js';
import { copyBytes } from './primitives/bytes.js';
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

// Scratch space for the nonce and the associated data of the seal or open
// in progress, reused because each Buffer object costs about as much as
// sealing 200 bytes. Both are public (the envelope carries them), and every
// use is synchronous: nothing else runs between filling and using them.
const NONCE_OFFSET = 22;
const scratchNonce = Buffer.alloc(NONCE_BYTES);
const scratchAd = new Map<number, Buffer>(); // by length
const SCRATCH_AD_LIMIT = 64;

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
  copyBytes(randomNonceInto(scratchNonce), 0, out, NONCE_OFFSET, NONCE_BYTES);
  aeadSealInto(
    out.subarray(HEADER_BYTES),
    key,
    scratchNonce,
    plaintext,
    associatedData(out, place),
  );
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
  const buf = Buffer.isBuffer(envelope)
    ? envelope
    : Buffer.from(envelope.buffer, envelope.byteOffset, envelope.byteLength);
  if (buf.length < HEADER_BYTES + TAG_BYTES) fail('envelope too short');
  if (buf[0] !== ENVELOPE_VERSION) fail('unknown envelope version');
  if (buf[1] !== ALG_XCHACHA20POLY1305) fail('unknown envelope algorithm');
  copyBytes(buf, NONCE_OFFSET, scratchNonce, 0, NONCE_BYTES);
  return aeadOpen(key, scratchNonce, buf.subarray(HEADER_BYTES), associatedData(buf, place));
}

const AD_PREFIX = 'wardroom.field.v1\0';

// The place's fixed part (tenant, table, column) repeats on every seal and
// open of a workspace's field, so its bytes are kept; only the row id is
// encoded per call. Looked up by tenant, then table and column, so no key
// string is built per call. Bounded like the key id cache below.
const placeBytes = new Map<string, Map<string, Map<string, Buffer>>>();
const PLACE_CACHE_TENANTS = 4096;

function fixedPlace(place: FieldPlace): Buffer {
  const { tenantId, table, column } = place;
  const cached = placeBytes.get(tenantId)?.get(table)?.get(column);
  if (cached !== undefined) return cached;
  if ([tenantId, table, column].some((p) => p.includes('\0'))) fail('field place contains NUL');
  const bytes = Buffer.from(`${AD_PREFIX}${tenantId}\0${table}\0${column}\0`, 'utf8');
  let tables = placeBytes.get(tenantId);
  if (tables === undefined) {
    if (placeBytes.size >= PLACE_CACHE_TENANTS) placeBytes.clear();
    tables = new Map();
    placeBytes.set(tenantId, tables);
  }
  let columns = tables.get(table);
  if (columns === undefined) {
    columns = new Map();
    tables.set(table, columns);
  }
  columns.set(column, bytes);
  return bytes;
}

/**
 * The envelope's header (its first HEADER_BYTES) || "wardroom.field.v1\0"
 * tenant "\0" table "\0" column "\0" row id, in UTF-8, in scratch space:
 * valid until the next call.
 */
function associatedData(envelope: Buffer, place: FieldPlace): Buffer {
  if (place.rowId.includes('\0')) fail('field place contains NUL');
  const fixed = fixedPlace(place);
  const at = HEADER_BYTES + fixed.length;
  const length = at + Buffer.byteLength(place.rowId, 'utf8');
  let ad = scratchAd.get(length);
  if (ad === undefined) {
    ad = Buffer.allocUnsafe(length);
    if (scratchAd.size < SCRATCH_AD_LIMIT) scratchAd.set(length, ad);
  }
  copyBytes(envelope, 0, ad, 0, HEADER_BYTES);
  ad.set(fixed, HEADER_BYTES);
  const { rowId } = place;
  if (length - at === rowId.length) {
    // As many bytes as characters: ASCII (a uuid, usually), whose UTF-8 is its char codes.
    for (let i = 0; i < rowId.length; i++) ad[at + i] = rowId.charCodeAt(i);
  } else {
    ad.write(rowId, at, 'utf8');
  }
  return ad;
}

/** Writes a uuid's 16 bytes into `out` at `offset`. */
function writeUuid(uuid: string, out: Buffer, offset: number): void {
  const bytes = uuidBytes(uuid);
  copyBytes(bytes, 0, out, offset, bytes.length);
}

function fail(reason: string): never {
  throw new AppError('decryption_failed', `Could not open sealed value: ${reason}`);
}
