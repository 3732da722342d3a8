/**
 * The sealed-field envelope: versioned and self-describing, so a reader knows
 * the algorithm and which key version opened it without a side table.
 *
 *   byte 0       format version (2; 1 still opens, never seals)
 *   byte 1       algorithm (1 = XChaCha20-Poly1305 IETF)
 *   bytes 2-17   key id (uuid of the workspace's data-key family)
 *   bytes 18-21  key version (uint32, big-endian)
 *   bytes 22-45  nonce (24 random bytes)
 *   bytes 46-    ciphertext || 16-byte tag
 *
 * The associated data is the whole header plus the field's place (tenant,
 * table, column, row id) and, from format 2 on, the values of the row's
 * columns that give the field its meaning (`bound`: a message's
 * conversation and author, a credential's version). A ciphertext copied to
 * another row, column or tenant, kept while those columns change, or with an
 * edited header, fails to open. The format byte is in the header, hence
 * authenticated: a format-2 envelope relabelled as format 1 (to skip the
 * binding) fails to open, and format 1 is only ever opened, never sealed.
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

/** The format new envelopes are sealed in: place and bound columns in the associated data. */
export const ENVELOPE_VERSION = 2;
/** The format before binding: opened (until the sweep re-seals it), never sealed. */
export const ENVELOPE_VERSION_UNBOUND = 1;
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
  /**
   * The values (as PostgreSQL renders them as text, null for NULL) of the
   * row's columns that give the field its meaning, in the order the sealed
   * field registry lists them; bound from format 2 on, ignored by format 1.
   */
  readonly bound?: readonly (string | null)[] | undefined;
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
  checkFormat(buf);
  return { keyId: bytesToUuid(buf.subarray(2, 18)), keyVersion: buf.readUInt32BE(18) };
}

export function openEnvelope(key: Uint8Array, envelope: Uint8Array, place: FieldPlace): Buffer {
  const buf = Buffer.isBuffer(envelope)
    ? envelope
    : Buffer.from(envelope.buffer, envelope.byteOffset, envelope.byteLength);
  if (buf.length < HEADER_BYTES + TAG_BYTES) fail('envelope too short');
  checkFormat(buf);
  copyBytes(buf, NONCE_OFFSET, scratchNonce, 0, NONCE_BYTES);
  return aeadOpen(key, scratchNonce, buf.subarray(HEADER_BYTES), associatedData(buf, place));
}

function checkFormat(buf: Buffer): void {
  if (buf[0] !== ENVELOPE_VERSION && buf[0] !== ENVELOPE_VERSION_UNBOUND) {
    fail('unknown envelope version');
  }
  if (buf[1] !== ALG_XCHACHA20POLY1305) fail('unknown envelope algorithm');
}

const AD_PREFIX_V1 = Buffer.from('wardroom.field.v1\0', 'utf8');
const AD_PREFIX_V2 = Buffer.from('wardroom.field.v2\0', 'utf8');
/** Stands for NULL among bound values: a byte that never occurs in UTF-8. */
const NULL_BYTE = 0xff;

// The place's fixed part (tenant, table, column) repeats on every seal and
// open of a workspace's field, so its bytes are kept; only the row id and
// the bound values are encoded per call. Looked up by tenant, then table and
// column, so no key string is built per call. Bounded like the key id cache.
const placeBytes = new Map<string, Map<string, Map<string, Buffer>>>();
const PLACE_CACHE_TENANTS = 4096;

function fixedPlace(place: FieldPlace): Buffer {
  const { tenantId, table, column } = place;
  const cached = placeBytes.get(tenantId)?.get(table)?.get(column);
  if (cached !== undefined) return cached;
  if ([tenantId, table, column].some((p) => p.includes('\0'))) fail('field place contains NUL');
  const bytes = Buffer.from(`${tenantId}\0${table}\0${column}\0`, 'utf8');
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

/** Bytes the bound values take in format 2: each value (or the NULL byte), then NUL. */
function boundLength(bound: FieldPlace['bound']): number {
  let length = 1; // the NUL ending the row id
  if (bound === undefined) return length;
  for (const value of bound) {
    if (value === null) length += 2;
    else {
      if (value.includes('\0')) fail('bound value contains NUL');
      length += Buffer.byteLength(value, 'utf8') + 1;
    }
  }
  return length;
}

/** Writes `text` as UTF-8 at `at` (whose byte length is `bytes`); returns the offset after it. */
function writeText(ad: Buffer, at: number, text: string, bytes: number): number {
  if (bytes === text.length) {
    // As many bytes as characters: ASCII (a uuid, usually), whose UTF-8 is its char codes.
    for (let i = 0; i < text.length; i++) ad[at + i] = text.charCodeAt(i);
  } else {
    ad.write(text, at, 'utf8');
  }
  return at + bytes;
}

/**
 * In scratch space, valid until the next call: the envelope's header (its
 * first HEADER_BYTES), then in UTF-8
 *   format 1: "wardroom.field.v1\0" tenant "\0" table "\0" column "\0" row id
 *   format 2: "wardroom.field.v2\0" tenant "\0" table "\0" column "\0" row id "\0"
 *             and each bound value (byte 0xFF for NULL) followed by "\0".
 * No part may contain NUL, so the encoding is unambiguous.
 */
function associatedData(envelope: Buffer, place: FieldPlace): Buffer {
  const { rowId, bound } = place;
  if (rowId.includes('\0')) fail('field place contains NUL');
  const v2 = envelope[0] === ENVELOPE_VERSION;
  const prefix = v2 ? AD_PREFIX_V2 : AD_PREFIX_V1;
  const fixed = fixedPlace(place);
  const rowAt = HEADER_BYTES + prefix.length + fixed.length;
  const rowBytes = Buffer.byteLength(rowId, 'utf8');
  const length = rowAt + rowBytes + (v2 ? boundLength(bound) : 0);
  let ad = scratchAd.get(length);
  if (ad === undefined) {
    ad = Buffer.allocUnsafe(length);
    if (scratchAd.size < SCRATCH_AD_LIMIT) scratchAd.set(length, ad);
  }
  copyBytes(envelope, 0, ad, 0, HEADER_BYTES);
  ad.set(prefix, HEADER_BYTES);
  ad.set(fixed, HEADER_BYTES + prefix.length);
  let at = writeText(ad, rowAt, rowId, rowBytes);
  if (!v2) return ad;
  ad[at++] = 0;
  if (bound !== undefined) {
    for (const value of bound) {
      if (value === null) ad[at++] = NULL_BYTE;
      else at = writeText(ad, at, value, Buffer.byteLength(value, 'utf8'));
      ad[at++] = 0;
    }
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
