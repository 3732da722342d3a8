/**
 * Format 2 binds the values of the columns that give a field its meaning;
 * format 1 (the layout before, bound to the place only) still opens, is
 * never sealed, and a format-2 envelope relabelled as format 1 (to skip the
 * binding) does not open. Format-1 envelopes are made here by hand with raw
 * libsodium, as the code before format 2 made them.
 */
import { randomBytes, randomUUID } from 'node:crypto';
import sodium from 'sodium-native';
import { describe, expect, it } from 'vitest';
import { HEADER_BYTES, openEnvelope, sealEnvelope, type FieldPlace } from './envelope.js';
import { uuidToBytes } from '../../base/uuid.js';

const key = randomBytes(32);
const header = { keyId: randomUUID(), keyVersion: 3 };

function place(bound: FieldPlace['bound']): FieldPlace {
  return {
    tenantId: randomUUID(),
    table: 'messages',
    column: 'content',
    rowId: randomUUID(),
    bound,
  };
}

/** A format-1 envelope, as sealed before binding: AD = header || v1 place. */
function sealFormat1(k: Uint8Array, p: FieldPlace, message: Buffer): Buffer {
  const envelope = Buffer.alloc(HEADER_BYTES + message.length + 16);
  envelope[0] = 1;
  envelope[1] = 1;
  uuidToBytes(header.keyId).copy(envelope, 2);
  envelope.writeUInt32BE(header.keyVersion, 18);
  sodium.randombytes_buf(envelope.subarray(22, HEADER_BYTES));
  const text = `wardroom.field.v1\0${p.tenantId}\0${p.table}\0${p.column}\0${p.rowId}`;
  const ad = Buffer.concat([envelope.subarray(0, HEADER_BYTES), Buffer.from(text, 'utf8')]);
  sodium.crypto_aead_xchacha20poly1305_ietf_encrypt(
    envelope.subarray(HEADER_BYTES),
    message,
    ad,
    null,
    envelope.subarray(22, HEADER_BYTES),
    k,
  );
  return envelope;
}

function expectRefused(fn: () => unknown): void {
  expect(fn).toThrow(expect.objectContaining({ code: 'decryption_failed' }));
}

describe('binding the meaning of a sealed field', () => {
  it('fails to open once any bound value changes, is added, dropped or turned NULL', () => {
    const conv = randomUUID();
    const author = randomUUID();
    const p = place([conv, 'user', author]);
    const envelope = sealEnvelope(key, header, p, Buffer.from('hello'));
    expect(openEnvelope(key, envelope, p).toString()).toBe('hello');
    const others: FieldPlace['bound'][] = [
      [randomUUID(), 'user', author], // moved to another conversation
      [conv, 'agent', author], // another author type
      [conv, 'user', randomUUID()], // another author
      [conv, 'user', null],
      [conv, 'user', ''],
      [conv, 'user'],
      [conv, 'user', author, ''],
      [`${conv}user`, author],
      undefined,
    ];
    for (const bound of others) expectRefused(() => openEnvelope(key, envelope, { ...p, bound }));
  });

  it('tells NULL from the empty string, and no bound values from one empty one', () => {
    const withNull = place([null]);
    const sealed = sealEnvelope(key, header, withNull, Buffer.from('n'));
    expect(openEnvelope(key, sealed, withNull).toString()).toBe('n');
    expectRefused(() => openEnvelope(key, sealed, { ...withNull, bound: [''] }));
    expectRefused(() => openEnvelope(key, sealed, { ...withNull, bound: ['\u00ff'] }));
    const none = place([]);
    const bare = sealEnvelope(key, header, none, Buffer.from('b'));
    expect(openEnvelope(key, bare, { ...none, bound: undefined }).toString()).toBe('b');
    expectRefused(() => openEnvelope(key, bare, { ...none, bound: [''] }));
  });

  it('refuses a bound value with NUL in it', () => {
    expectRefused(() => sealEnvelope(key, header, place(['a\0b']), Buffer.from('x')));
  });

  it('still opens a format-1 envelope, bound to its place only, and never seals one', () => {
    const p = place(['ignored by format 1']);
    const old = sealFormat1(key, p, Buffer.from('legacy'));
    expect(openEnvelope(key, old, p).toString()).toBe('legacy');
    expect(openEnvelope(key, old, { ...p, bound: [randomUUID()] }).toString()).toBe('legacy');
    expectRefused(() => openEnvelope(key, old, { ...p, rowId: randomUUID() }));
    expect(sealEnvelope(key, header, p, Buffer.from('new'))[0]).toBe(2);
  });

  it('refuses a format marker edited either way: no downgrade to skip the binding', () => {
    const p = place([randomUUID(), 'user', randomUUID()]);
    const current = sealEnvelope(key, header, p, Buffer.from('bound'));
    for (const marker of [1, 3, 0, 255]) {
      const edited = Buffer.from(current);
      edited[0] = marker;
      expectRefused(() => openEnvelope(key, edited, p));
      expectRefused(() => openEnvelope(key, edited, { ...p, bound: undefined }));
    }
    // Raised from 1 to 2, a format-1 envelope does not open either.
    const old = sealFormat1(key, p, Buffer.from('legacy'));
    const raised = Buffer.from(old);
    raised[0] = 2;
    expectRefused(() => openEnvelope(key, raised, p));
    expectRefused(() => openEnvelope(key, raised, { ...p, bound: [] }));
  });
});
