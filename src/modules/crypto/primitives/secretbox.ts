/**
 * libsodium `crypto_secretbox` (XSalsa20-Poly1305), kept for reading and
 * writing data produced by systems that used NaCl/libsodium secretbox before
 * migrating to Wardroom. Output is the libsodium "easy" layout, tag || ciphertext,
 * so boxes are byte-compatible with other bindings. Like the AEAD, opening
 * fails closed with one `decryption_failed` error that reveals nothing about
 * why; sealing with a wrongly sized key or nonce is a caller error (`bad_request`).
 */
import sodium from 'sodium-native';

import { AppError } from '../../../base/errors.js';

export const SECRETBOX_KEY_BYTES = 32;
export const SECRETBOX_NONCE_BYTES = 24;
export const SECRETBOX_MAC_BYTES = 16;

if (
  sodium.crypto_secretbox_KEYBYTES !== SECRETBOX_KEY_BYTES ||
  sodium.crypto_secretbox_NONCEBYTES !== SECRETBOX_NONCE_BYTES ||
  sodium.crypto_secretbox_MACBYTES !== SECRETBOX_MAC_BYTES
) {
  throw new AppError('internal', 'sodium-native secretbox sizes differ from expected');
}

/** Encrypts and authenticates `message`; returns 16-byte tag || ciphertext. */
export function secretboxSeal(key: Uint8Array, nonce: Uint8Array, message: Uint8Array): Buffer {
  if (key.byteLength !== SECRETBOX_KEY_BYTES) {
    throw new AppError('bad_request', `secretbox key must be ${SECRETBOX_KEY_BYTES} bytes`);
  }
  if (nonce.byteLength !== SECRETBOX_NONCE_BYTES) {
    throw new AppError('bad_request', `secretbox nonce must be ${SECRETBOX_NONCE_BYTES} bytes`);
  }
  const box = Buffer.alloc(message.byteLength + SECRETBOX_MAC_BYTES);
  sodium.crypto_secretbox_easy(box, message, nonce, key);
  return box;
}

/** Verifies and decrypts a box; throws `decryption_failed` on any failure. */
export function secretboxOpen(key: Uint8Array, nonce: Uint8Array, box: Uint8Array): Buffer {
  if (
    key.byteLength !== SECRETBOX_KEY_BYTES ||
    nonce.byteLength !== SECRETBOX_NONCE_BYTES ||
    box.byteLength < SECRETBOX_MAC_BYTES
  ) {
    throw new AppError('decryption_failed', 'secretbox open failed: invalid key, nonce or length');
  }
  const message = Buffer.alloc(box.byteLength - SECRETBOX_MAC_BYTES);
  if (!sodium.crypto_secretbox_open_easy(message, box, nonce, key)) {
    message.fill(0);
    throw new AppError('decryption_failed', 'secretbox open failed: authentication failed');
  }
  return message;
}
