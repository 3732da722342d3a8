/**
 * The envelope's byte format and its binding to a place, checked against
 * raw libsodium with the associated data built by hand from the documented
 * layout, so a change to how the envelope builds it (caches, scratch
 * buffers) cannot silently change the format or the binding.
 */
import { randomBytes, randomUUID } from 'node:crypto';
import sodium from 'sodium-native';
import { describe, expect, it } from 'vitest';
import {
  HEADER_BYTES,
  openEnvelope,
  readEnvelopeHeader,
  sealEnvelope,
  type FieldPlace,
} from './envelope.js';
import { uuidToBytes } from '../../base/uuid.js';

const key = randomBytes(32);
const header = { keyId: randomUUID(), keyVersion: 7 };

function place(overrides: Partial<FieldPlace> = {}): FieldPlace {
  return {
    tenantId: randomUUID(),
    table: 'messages',
    column: 'content',
    rowId: randomUUID(),
    ...overrides,
  };
}

/** The documented layout (format 2), built without the module's code. */
function handMadeAd(envelope: Buffer, p: FieldPlace): Buffer {
  const text = `wardroom.field.v2\0${p.tenantId}\0${p.table}\0${p.column}\0${p.rowId}\0`;
  const bound = (p.bound ?? []).map((v) =>
    Buffer.concat([v === null ? Buffer.from([0xff]) : Buffer.from(v, 'utf8'), Buffer.from([0])]),
  );
  return Buffer.concat([envelope.subarray(0, HEADER_BYTES), Buffer.from(text, 'utf8'), ...bound]);
}

function expectRefused(fn: () => unknown): void {
  expect(fn).toThrow(expect.objectContaining({ code: 'decryption_failed' }));
}

describe('the sealed-field envelope', () => {
  it('is version 2, XChaCha20-Poly1305, key id, big-endian version, nonce, ciphertext and tag', () => {
    const p = place({ rowId: 'ünïcode row ✓', bound: ['çonv', null, '', 'x'] });
    const message = randomBytes(300);
    const envelope = sealEnvelope(key, header, p, message);
    expect(envelope).toHaveLength(HEADER_BYTES + 300 + 16);
    expect([envelope[0], envelope[1]]).toEqual([2, 1]);
    expect(envelope.subarray(2, 18).equals(uuidToBytes(header.keyId))).toBe(true);
    expect(envelope.readUInt32BE(18)).toBe(7);
    expect(readEnvelopeHeader(envelope)).toEqual(header);
    const plaintext = Buffer.alloc(300);
    sodium.crypto_aead_xchacha20poly1305_ietf_decrypt(
      plaintext,
      null,
      envelope.subarray(HEADER_BYTES),
      handMadeAd(envelope, p),
      envelope.subarray(22, HEADER_BYTES),
      key,
    );
    expect(plaintext.equals(message)).toBe(true);
  });

  it('opens what raw libsodium sealed with the documented associated data', () => {
    const p = place({ bound: [randomUUID(), 'user', null] });
    const envelope = Buffer.alloc(HEADER_BYTES + 5 + 16);
    envelope[0] = 2;
    envelope[1] = 1;
    uuidToBytes(header.keyId).copy(envelope, 2);
    envelope.writeUInt32BE(header.keyVersion, 18);
    sodium.randombytes_buf(envelope.subarray(22, HEADER_BYTES));
    sodium.crypto_aead_xchacha20poly1305_ietf_encrypt(
      envelope.subarray(HEADER_BYTES),
      Buffer.from('hello'),
      handMadeAd(envelope, p),
      null,
      envelope.subarray(22, HEADER_BYTES),
      key,
    );
    expect(openEnvelope(key, envelope, p).toString()).toBe('hello');
    // Given as a plain Uint8Array view, too.
    const view = new Uint8Array(envelope.buffer, envelope.byteOffset, envelope.byteLength);
    expect(openEnvelope(key, view, p).toString()).toBe('hello');
  });

  it('fails to open anywhere else, even where the associated data has the same length', () => {
    const p = place();
    const envelope = sealEnvelope(key, header, p, Buffer.from('secret'));
    // Same-length row id, tenant, table and column: the scratch space is reused, the bytes differ.
    expectRefused(() => openEnvelope(key, envelope, { ...p, rowId: randomUUID() }));
    expectRefused(() => openEnvelope(key, envelope, { ...p, tenantId: randomUUID() }));
    expectRefused(() => openEnvelope(key, envelope, { ...p, table: 'messagez' }));
    expectRefused(() => openEnvelope(key, envelope, { ...p, column: 'contenu' }));
    const edited = Buffer.from(envelope);
    edited.writeUInt32BE(8, 18);
    expectRefused(() => openEnvelope(key, edited, p));
    expect(openEnvelope(key, envelope, p).toString()).toBe('secret');
  });

  it('keeps interleaved seals and opens of different places apart', () => {
    const places = Array.from({ length: 50 }, (_, i) =>
      place({ table: i % 2 === 0 ? 'messages' : 'integration_credentials', rowId: `r${i}` }),
    );
    const sealed = places.map((p, i) => sealEnvelope(key, header, p, Buffer.from(`m${i}`)));
    const nonces = new Set(sealed.map((e) => e.subarray(22, HEADER_BYTES).toString('hex')));
    expect(nonces.size).toBe(50);
    for (let i = places.length - 1; i >= 0; i--) {
      expect(openEnvelope(key, sealed[i]!, places[i]!).toString()).toBe(`m${i}`);
      expectRefused(() => openEnvelope(key, sealed[i]!, places[(i + 2) % 50]!));
    }
  });

  it('refuses a place with NUL in it, whether or not its other parts were seen before', () => {
    const p = place();
    const envelope = sealEnvelope(key, header, p, Buffer.from('x'));
    expectRefused(() => openEnvelope(key, envelope, { ...p, rowId: 'a\0b' }));
    expectRefused(() => sealEnvelope(key, header, { ...p, column: 'con\0tent' }, Buffer.from('x')));
    expectRefused(() =>
      sealEnvelope(key, header, { ...p, tenantId: `${p.tenantId}\0` }, Buffer.from('x')),
    );
  });
});
