/**
 * Runs every Wycheproof XChaCha20-Poly1305 vector (the suite is required; a
 * missing file fails the run) plus a few hand-made forgeries, so a wrapper bug
 * such as ignoring the AD or accepting a short input cannot hide.
 */
import { describe, it, expect } from 'vitest';
import { readVectors } from '../../support/vectors.js';

import { isAppError } from '../../../src/base/errors.js';
import {
  aeadOpen,
  aeadSeal,
  randomKey,
  randomNonce,
  NONCE_BYTES,
  TAG_BYTES,
} from '../../../src/modules/crypto/primitives/aead.js';

interface WycheproofCase {
  tcId: number;
  comment: string;
  key: string;
  iv: string;
  aad: string;
  msg: string;
  ct: string;
  tag: string;
  result: 'valid' | 'invalid' | 'acceptable';
}
interface WycheproofFile {
  numberOfTests: number;
  testGroups: { tests: WycheproofCase[] }[];
}

const hex = (s: string): Buffer => Buffer.from(s, 'hex');

/** Asserts `fn` throws AppError('decryption_failed') and returns its message. */
function expectDecryptionFailed(fn: () => unknown): string {
  let caught: unknown;
  try {
    fn();
  } catch (error) {
    caught = error;
  }
  expect(isAppError(caught) && caught.code === 'decryption_failed').toBe(true);
  return caught instanceof Error ? caught.message : '';
}

function runCase(t: WycheproofCase): void {
  const [key, nonce, ad, msg] = [hex(t.key), hex(t.iv), hex(t.aad), hex(t.msg)];
  const sealed = Buffer.concat([hex(t.ct), hex(t.tag)]);
  const sizesOk = key.length === 32 && nonce.length === NONCE_BYTES;
  if (t.result === 'valid') {
    expect(aeadSeal(key, nonce, msg, ad).toString('hex'), `tc ${t.tcId}`).toBe(
      sealed.toString('hex'),
    );
    expect(aeadOpen(key, nonce, sealed, ad).toString('hex'), `tc ${t.tcId}`).toBe(t.msg);
    return;
  }
  expect(t.result, `tc ${t.tcId}: unexpected result kind`).toBe('invalid');
  expectDecryptionFailed(() => aeadOpen(key, nonce, sealed, ad));
  if (!sizesOk) expect(() => aeadSeal(key, nonce, msg, ad), `tc ${t.tcId}`).toThrow();
}

describe('aead: Wycheproof xchacha20_poly1305_test.json', () => {
  it('passes every vector', () => {
    const file = readVectors('wycheproof/xchacha20_poly1305_test.json') as WycheproofFile;
    let executed = 0;
    for (const group of file.testGroups) {
      for (const t of group.tests) {
        runCase(t);
        executed += 1;
      }
    }
    expect(executed).toBe(file.numberOfTests);
    expect(executed).toBeGreaterThan(0);
  });
});

describe('aead: adversarial inputs', () => {
  const key = randomKey();
  const nonce = randomNonce();
  const ad = Buffer.from('tenant:42|envelope:v1');
  const sealed = aeadSeal(key, nonce, Buffer.from('the plaintext'), ad);

  it('round-trips', () => {
    expect(aeadOpen(key, nonce, sealed, ad).toString()).toBe('the plaintext');
  });

  it('rejects a flipped tag bit', () => {
    const forged = Buffer.from(sealed);
    forged[forged.length - 1]! ^= 0x01;
    expectDecryptionFailed(() => aeadOpen(key, nonce, forged, ad));
  });

  it('rejects a flipped ciphertext bit', () => {
    const forged = Buffer.from(sealed);
    forged[0]! ^= 0x80;
    expectDecryptionFailed(() => aeadOpen(key, nonce, forged, ad));
  });

  it('rejects changed associated data', () => {
    const otherAd = Buffer.from(ad);
    otherAd[0]! ^= 0x01;
    expectDecryptionFailed(() => aeadOpen(key, nonce, sealed, otherAd));
    expectDecryptionFailed(() => aeadOpen(key, nonce, sealed, Buffer.alloc(0)));
  });

  it('rejects truncated input, including shorter than a tag', () => {
    expectDecryptionFailed(() => aeadOpen(key, nonce, sealed.subarray(0, sealed.length - 1), ad));
    expectDecryptionFailed(() => aeadOpen(key, nonce, sealed.subarray(1), ad));
    expectDecryptionFailed(() => aeadOpen(key, nonce, sealed.subarray(0, TAG_BYTES - 1), ad));
    expectDecryptionFailed(() => aeadOpen(key, nonce, Buffer.alloc(0), ad));
  });

  it('rejects a wrong key or nonce, and bad sizes, without leaking bytes', () => {
    expectDecryptionFailed(() => aeadOpen(randomKey(), nonce, sealed, ad));
    expectDecryptionFailed(() => aeadOpen(key, randomNonce(), sealed, ad));
    expectDecryptionFailed(() => aeadOpen(key.subarray(1), nonce, sealed, ad));
    const message = expectDecryptionFailed(() => aeadOpen(key, randomNonce(), sealed, ad));
    expect(message).not.toContain(key.toString('hex'));
    expect(message).not.toContain('the plaintext');
  });

  it('gives fresh randomness per call', () => {
    expect(randomKey().equals(randomKey())).toBe(false);
    expect(randomNonce().equals(randomNonce())).toBe(false);
  });

  it('never hands out a nonce twice, across the blocks it draws them in', () => {
    // Nonces come from blocks of 256; 5,000 draws cross many block boundaries.
    const seen = new Set<string>();
    for (let i = 0; i < 5_000; i++) {
      const nonce = randomNonce();
      expect(nonce).toHaveLength(NONCE_BYTES);
      seen.add(nonce.toString('hex'));
    }
    expect(seen.size).toBe(5_000);
    expect(seen.has(Buffer.alloc(NONCE_BYTES).toString('hex'))).toBe(false);
  });
});
