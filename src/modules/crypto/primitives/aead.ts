/**
 * XChaCha20-Poly1305 (IETF) authenticated encryption, the AEAD every tenant
 * envelope is built on. The 24-byte nonce is large enough to pick at random for
 * every message, so callers never track counters. Opening fails closed: any
 * problem (bad length, wrong key, tampered bytes) surfaces as one
 * `decryption_failed` error whose message never echoes key or plaintext bytes,
 * so an attacker learns nothing about why a forgery was rejected.
 */
import sodium from 'sodium-native';

import { AppError } from '../../../base/errors.js';
import { copyBytes } from './bytes.js';

export const KEY_BYTES = 32;
export const NONCE_BYTES = 24;
export const TAG_BYTES = 16;

// Pin our constants to the library's: a mismatch would silently break every envelope.
if (
  sodium.crypto_aead_xchacha20poly1305_ietf_KEYBYTES !== KEY_BYTES ||
  sodium.crypto_aead_xchacha20poly1305_ietf_NPUBBYTES !== NONCE_BYTES ||
  sodium.crypto_aead_xchacha20poly1305_ietf_ABYTES !== TAG_BYTES
) {
  throw new AppError('internal', 'sodium-native XChaCha20-Poly1305 sizes differ from expected');
}

export function randomKey(): Buffer {
  const key = Buffer.alloc(KEY_BYTES);
  sodium.randombytes_buf(key);
  return key;
}

// Nonces are drawn from the CSPRNG a block at a time: one randombytes_buf
// call per NONCE_BLOCK nonces instead of one per seal (a call costs about
// 5 µs here, as much as sealing 1 KB). Each nonce is handed out once, and
// nonces are public (every envelope carries its own), so the unused rest
// of a block in memory gives nothing away.
const NONCE_BLOCK = 256;
const nonceBlock = Buffer.alloc(NONCE_BYTES * NONCE_BLOCK);
let nonceAt = nonceBlock.length;

export function randomNonce(): Buffer {
  return randomNonceInto(Buffer.alloc(NONCE_BYTES));
}

/** Fills `nonce` with random bytes and returns it. */
export function randomNonceInto(nonce: Buffer): Buffer {
  if (nonce.byteLength !== NONCE_BYTES) {
    throw new AppError('bad_request', `aead nonce must be ${NONCE_BYTES} bytes`);
  }
  if (nonceAt === nonceBlock.length) {
    sodium.randombytes_buf(nonceBlock);
    nonceAt = 0;
  }
  copyBytes(nonceBlock, nonceAt, nonce, 0, NONCE_BYTES);
  nonceAt += NONCE_BYTES;
  return nonce;
}

/** Encrypts into `out` (exactly plaintext + 16 bytes long): ciphertext || tag. */
export function aeadSealInto(
  out: Buffer,
  key: Uint8Array,
  nonce: Uint8Array,
  plaintext: Uint8Array,
  ad: Uint8Array,
): void {
  if (key.byteLength !== KEY_BYTES) {
    throw new AppError('bad_request', `aead key must be ${KEY_BYTES} bytes`);
  }
  if (nonce.byteLength !== NONCE_BYTES) {
    throw new AppError('bad_request', `aead nonce must be ${NONCE_BYTES} bytes`);
  }
  if (out.byteLength !== plaintext.byteLength + TAG_BYTES) {
    throw new AppError('internal', 'aead output buffer has the wrong length');
  }
  sodium.crypto_aead_xchacha20poly1305_ietf_encrypt(out, plaintext, ad, null, nonce, key);
}

/** Encrypts and authenticates; returns ciphertext || 16-byte tag. */
export function aeadSeal(
  key: Uint8Array,
  nonce: Uint8Array,
  plaintext: Uint8Array,
  ad: Uint8Array,
): Buffer {
  const sealed = Buffer.alloc(plaintext.byteLength + TAG_BYTES);
  aeadSealInto(sealed, key, nonce, plaintext, ad);
  return sealed;
}

/** Verifies and decrypts ciphertext || tag; throws `decryption_failed` on any failure. */
export function aeadOpen(
  key: Uint8Array,
  nonce: Uint8Array,
  sealed: Uint8Array,
  ad: Uint8Array,
): Buffer {
  if (
    key.byteLength !== KEY_BYTES ||
    nonce.byteLength !== NONCE_BYTES ||
    sealed.byteLength < TAG_BYTES
  ) {
    throw new AppError('decryption_failed', 'aead open failed: invalid key, nonce or input length');
  }
  const plaintext = Buffer.alloc(sealed.byteLength - TAG_BYTES);
  try {
    sodium.crypto_aead_xchacha20poly1305_ietf_decrypt(plaintext, null, sealed, ad, nonce, key);
  } catch {
    // The library's own error says nothing useful; do not chain it as a cause.
    plaintext.fill(0);
    throw new AppError('decryption_failed', 'aead open failed: authentication failed');
  }
  return plaintext;
}
