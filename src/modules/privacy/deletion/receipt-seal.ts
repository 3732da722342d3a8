/**
 * The receipt's address, sealed while a deletion waits. The receipt must
 * reach the address the person had, which the deletion itself replaces, so
 * it is kept from scheduling to completion, sealed (XSalsa20-Poly1305)
 * under a key of the server's, bound to the person: the plaintext carries
 * the user id and opening checks it, so a sealed value moved to another
 * person's row does not open. The row drops it once it is handed over.
 */
import { hkdfSync, randomBytes } from 'node:crypto';
import { SECRETBOX_NONCE_BYTES, secretboxOpen, secretboxSeal } from '../../crypto/index.js';

/** The receipt key, derived from a 32-byte server secret (the auth secret). */
export function receiptKey(secret: Buffer): Buffer {
  return Buffer.from(
    hkdfSync('sha256', secret, Buffer.alloc(0), 'wardroom/deletion-receipt-address/v1', 32),
  );
}

export function sealReceiptAddress(key: Buffer, userId: string, email: string): Buffer {
  const nonce = randomBytes(SECRETBOX_NONCE_BYTES);
  const plain = Buffer.from(JSON.stringify({ u: userId, e: email }), 'utf8');
  return Buffer.concat([nonce, secretboxSeal(key, nonce, plain)]);
}

/** The address, or undefined when the value does not open for this person under this key. */
export function openReceiptAddress(
  key: Buffer,
  userId: string,
  sealed: Buffer,
): string | undefined {
  try {
    const nonce = sealed.subarray(0, SECRETBOX_NONCE_BYTES);
    const plain = secretboxOpen(key, nonce, sealed.subarray(SECRETBOX_NONCE_BYTES));
    const value = JSON.parse(plain.toString('utf8')) as { u?: unknown; e?: unknown };
    return value.u === userId && typeof value.e === 'string' ? value.e : undefined;
  } catch {
    return undefined;
  }
}
