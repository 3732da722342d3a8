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
import { aeadOpen, aeadSeal, NONCE_BYTES, randomNonce, TAG_BYTES } from './primitives/aead.js';

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
  const head = Buffer.alloc(HEADER_BYTES);
  head[0] = ENVELOPE_VERSION;
  head[1] = ALG_XCHACHA20POLY1305;
  uuidToBytes(header.keyId).copy(head, 2);
  head.writeUInt32BE(header.keyVersion, 18);
  const nonce = randomNonce();
  nonce.copy(head, 22);
  const sealed = aeadSeal(key, nonce, plaintext, associatedData(head, place));
  return Buffer.concat([head, sealed]);
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
  readEnvelopeHeader(envelope);
  const buf = Buffer.from(envelope.buffer, envelope.byteOffset, envelope.byteLength);
  const head = buf.subarray(0, HEADER_BYTES);
  const nonce = buf.subarray(22, HEADER_BYTES);
  return aeadOpen(key, nonce, buf.subarray(HEADER_BYTES), associatedData(head, place));
}

function associatedData(head: Buffer, place: FieldPlace): Buffer {
  const parts = [place.tenantId, place.table, place.column, place.rowId];
  if (parts.some((p) => p.includes('\0'))) fail('field place contains NUL');
  return Buffer.concat([head, Buffer.from(`wardroom.field.v1\0${parts.join('\0')}`, 'utf8')]);
}

export function uuidToBytes(uuid: string): Buffer {
  const hex = uuid.replace(/-/g, '');
  if (!/^[0-9a-f]{32}$/i.test(hex)) throw new AppError('bad_request', 'not a uuid');
  return Buffer.from(hex, 'hex');
}

export function bytesToUuid(bytes: Uint8Array): string {
  const h = Buffer.from(bytes).toString('hex');
  return `${h.slice(0, 8)}-${h.slice(8, 12)}-${h.slice(12, 16)}-${h.slice(16, 20)}-${h.slice(20)}`;
}

function fail(reason: string): never {
  throw new AppError('decryption_failed', `Could not open sealed value: ${reason}`);
}
