/**
 * secretbox must be byte-identical to libsodium everywhere, or migrated data
 * becomes unreadable. Checked two ways: the classic NaCl known-answer vector
 * (libsodium test/default/secretbox_easy.c and .exp), and an independent
 * rebuild of the construction from XSalsa20 keystream + Poly1305 for random inputs.
 */
import sodium from 'sodium-native';
import { describe, it, expect } from 'vitest';

import { isAppError } from '../../../base/errors.js';
import { randomKey, randomNonce } from './aead.js';
import { secretboxOpen, secretboxSeal, SECRETBOX_MAC_BYTES } from './secretbox.js';

const KAT = {
  key: '1b27556473e985d462cd51197a9a46c76009549eac6474f206c4ee0844f68389',
  nonce: '69696ee955b62b73cd62bda875fc73d68219e0036b7a0b37',
  message:
    'be075fc53c81f2d5cf141316ebeb0c7b5228c52a4c62cbd44b66849b64244ffc' +
    'e5ecbaaf33bd751a1ac728d45e6c61296cdc3c01233561f41db66cce314adb31' +
    '0e3be8250c46f06dceea3a7fa1348057e2f6556ad6b1318a024a838f21af1fde' +
    '048977eb48f59ffd4924ca1c60902e52f0a089bc76897040e082f93776384864' +
    '5e0705',
  box:
    'f3ffc7703f9400e52a7dfb4b3d3305d98e993b9f48681273c29650ba32fc76ce' +
    '48332ea7164d96a4476fb8c531a1186ac0dfc17c98dce87b4da7f011ec48c972' +
    '71d2c20f9b928fe2270d6fb863d51738b48eeee314a7cc8ab932164548e526ae' +
    '90224368517acfeabd6bb3732bc0e9da99832b61ca01b6de56244a9e88d5f9b3' +
    '7973f622a43d14a6599b1f654cb45a74e355a5',
};

const hex = (s: string): Buffer => Buffer.from(s, 'hex');

/** secretbox as libsodium defines it: poly key = first 32 keystream bytes, tag || (m xor rest). */
function referenceSecretbox(key: Uint8Array, nonce: Uint8Array, message: Uint8Array): Buffer {
  const stream = Buffer.alloc(32 + message.length);
  sodium.crypto_stream(stream, nonce, key);
  const ciphertext = Buffer.from(message.map((byte, i) => byte ^ stream[32 + i]!));
  const tag = Buffer.alloc(16);
  sodium.crypto_onetimeauth(tag, ciphertext, stream.subarray(0, 32));
  return Buffer.concat([tag, ciphertext]);
}

function expectDecryptionFailed(fn: () => unknown): void {
  let caught: unknown;
  try {
    fn();
  } catch (error) {
    caught = error;
  }
  expect(isAppError(caught) && caught.code === 'decryption_failed').toBe(true);
}

describe('secretbox: known answers', () => {
  it('matches the NaCl/libsodium secretbox vector', () => {
    const [key, nonce, message] = [hex(KAT.key), hex(KAT.nonce), hex(KAT.message)];
    expect(secretboxSeal(key, nonce, message).toString('hex')).toBe(KAT.box);
    expect(secretboxOpen(key, nonce, hex(KAT.box)).toString('hex')).toBe(KAT.message);
  });

  it('matches an independent XSalsa20 + Poly1305 construction', () => {
    expect(sodium.crypto_stream_PRIMITIVE).toBe('xsalsa20');
    const [key, nonce, message] = [hex(KAT.key), hex(KAT.nonce), hex(KAT.message)];
    expect(referenceSecretbox(key, nonce, message).toString('hex')).toBe(KAT.box);
    for (const length of [0, 1, 15, 16, 17, 63, 64, 65, 1000]) {
      const [k, n, m] = [randomKey(), randomNonce(), Buffer.alloc(length)];
      sodium.randombytes_buf(m);
      expect(secretboxSeal(k, n, m).equals(referenceSecretbox(k, n, m)), `len ${length}`).toBe(
        true,
      );
    }
  });
});

describe('secretbox: failures', () => {
  const key = randomKey();
  const nonce = randomNonce();
  const box = secretboxSeal(key, nonce, Buffer.from('legacy secret'));

  it('round-trips, including an empty message', () => {
    expect(secretboxOpen(key, nonce, box).toString()).toBe('legacy secret');
    const empty = secretboxSeal(key, nonce, Buffer.alloc(0));
    expect(empty.length).toBe(SECRETBOX_MAC_BYTES);
    expect(secretboxOpen(key, nonce, empty).length).toBe(0);
  });

  it('rejects tampering with tag or ciphertext', () => {
    for (const index of [0, SECRETBOX_MAC_BYTES - 1, SECRETBOX_MAC_BYTES, box.length - 1]) {
      const forged = Buffer.from(box);
      forged[index]! ^= 0x01;
      expectDecryptionFailed(() => secretboxOpen(key, nonce, forged));
    }
  });

  it('rejects a wrong key, a wrong nonce and truncation', () => {
    expectDecryptionFailed(() => secretboxOpen(randomKey(), nonce, box));
    expectDecryptionFailed(() => secretboxOpen(key, randomNonce(), box));
    expectDecryptionFailed(() => secretboxOpen(key, nonce, box.subarray(0, box.length - 1)));
    expectDecryptionFailed(() =>
      secretboxOpen(key, nonce, box.subarray(0, SECRETBOX_MAC_BYTES - 1)),
    );
  });

  it('rejects wrongly sized keys and nonces on both sides', () => {
    expectDecryptionFailed(() => secretboxOpen(key.subarray(1), nonce, box));
    expectDecryptionFailed(() => secretboxOpen(key, nonce.subarray(1), box));
    expect(() => secretboxSeal(key.subarray(1), nonce, box)).toThrow(/key must be 32 bytes/);
    expect(() => secretboxSeal(key, Buffer.alloc(12), box)).toThrow(/nonce must be 24 bytes/);
  });
});
